package dev.mixnetstreams.wire;

import java.util.Locale;

/** The message types of a stream frame that this protocol version understands (PROTOCOL.md, section 3). */
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
    PONG(4);

    private static final FrameType[] BY_WIRE_VALUE = values();

    private final int wireValue;

    FrameType(int wireValue) {
        this.wireValue = wireValue;
    }

    /**
     * Returns the byte written at offset 10 of the header.
     *
     * @return 0 to 4
     */
    public int wireValue() {
        return wireValue;
    }

    /**
     * Returns the type with a wire value, if this version knows it.
     *
     * @param wireValue the byte at offset 10 of the header, 0 to 255
     * @return the type, or {@code null} for a type this version does not know (5 to 255)
     */
    public static FrameType ofWireValue(int wireValue) {
        return wireValue >= 0 && wireValue < BY_WIRE_VALUE.length ? BY_WIRE_VALUE[wireValue] : null;
    }

    /**
     * Returns the type's name as the CLI and logs write it: {@code open}, {@code data},
     * {@code open-ack}, {@code ping}, {@code pong}.
     *
     * @return the lower-case name
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
