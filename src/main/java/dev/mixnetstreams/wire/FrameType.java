package dev.mixnetstreams.wire;

import java.util.Locale;

/**
 * The message types of a stream frame that this protocol version understands (PROTOCOL.md,
 * section 3): those of the Rust SDK's stream module (0 to 4), and this library's extensions
 * (from {@code e0}), which it sends only to peers that have shown they speak them (section 9).
 */
public enum FrameType {
    /** Opens a stream (wire value 0); its payload, if any, is the stream's first bytes. */
    OPEN(0),
    /** Carries stream data (wire value 1); an empty payload ends the sender's direction. */
    DATA(1),
    /** The acceptor holds the stream (wire value 2): sent when its application accepts it; empty, sequence 0. */
    OPEN_ACK(2),
    /** Are you there (wire value 3): a keepalive probe; empty, the sequence field carries a nonce. */
    PING(3),
    /** Yes (wire value 4): the answer to a Ping; empty, the sequence field echoes the Ping's nonce. */
    PONG(4),
    /**
     * Extension (wire value {@code e0}): acknowledgement and flow-control credit; the sequence
     * field is the next Data sequence number expected, the payload the byte limit and the frames
     * received beyond it.
     */
    CREDIT(0xe0),
    /**
     * Extension (wire value {@code e1}): the stream is reset; the sequence field carries the
     * reason's code, the payload a UTF-8 message (possibly empty).
     */
    RESET(0xe1),
    /**
     * Extension (wire value {@code e2}): a Data frame that carries a CREDIT: the sequence field is
     * the Data's, the payload the CREDIT's 13 bytes, then the Data's payload (an empty one ends
     * the sender's direction, as a Data frame's does).
     */
    DATA_CREDIT(0xe2);

    private static final FrameType[] BY_WIRE_VALUE = new FrameType[256];

    static {
        for (FrameType type : values()) {
            BY_WIRE_VALUE[type.wireValue] = type;
        }
    }

    private final int wireValue;

    FrameType(int wireValue) {
        this.wireValue = wireValue;
    }

    /**
     * Returns the byte written at offset 10 of the header.
     *
     * @return 0 to 4, or {@code e0} to {@code e2} for the extensions
     */
    public int wireValue() {
        return wireValue;
    }

    /**
     * Returns the type with a wire value, if this version knows it.
     *
     * @param wireValue the byte at offset 10 of the header, 0 to 255
     * @return the type, or {@code null} for a type this version does not know
     */
    public static FrameType ofWireValue(int wireValue) {
        return wireValue >= 0 && wireValue < BY_WIRE_VALUE.length ? BY_WIRE_VALUE[wireValue] : null;
    }

    /**
     * Returns whether the type is one of this library's extensions, sent only to peers that have
     * shown they speak them.
     *
     * @return {@code true} for {@link #CREDIT}, {@link #RESET} and {@link #DATA_CREDIT}
     */
    public boolean isExtension() {
        return wireValue >= 0xe0;
    }

    /**
     * Returns the type's name as the CLI and logs write it: {@code open}, {@code data},
     * {@code open-ack}, {@code ping}, {@code pong}, {@code credit}, {@code reset},
     * {@code data-credit}.
     *
     * @return the lower-case name
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
