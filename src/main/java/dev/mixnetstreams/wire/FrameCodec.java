package dev.mixnetstreams.wire;

import java.util.Objects;

/**
 * Encodes stream frames: the 16-byte header of the Nym stream protocol followed by the payload.
 *
 * <pre>
 * offset size field
 *   0     2   LP frame kind, u16 little-endian, 3 = SphinxStream
 *   2     8   stream id, u64 big-endian
 *  10     1   message type: 0 Open, 1 Data, 2 OpenAck, 3 Ping, 4 Pong; e0-e2 extensions
 *  11     4   sequence number, u32 big-endian
 *  15     1   reserved: flags, bit 0 the extensions flag (written 0 by the Rust SDK)
 *  16     n   payload (the rest of the message; there is no length field)
 * </pre>
 *
 * <p>Decoding is done by {@link FrameView}, which never allocates and never throws.
 */
public final class FrameCodec {

    /** Length of the header in bytes. */
    public static final int HEADER_LENGTH = 16;

    /** The LP frame kind of stream frames (SphinxStream). */
    public static final int KIND_SPHINX_STREAM = 3;

    static final int OFFSET_KIND = 0;
    static final int OFFSET_STREAM_ID = 2;
    static final int OFFSET_TYPE = 10;
    static final int OFFSET_SEQUENCE = 11;
    static final int OFFSET_RESERVED = 15;
    /**
     * The bit of the reserved byte (offset 15) that says the sender speaks this library's
     * extensions (PROTOCOL.md, section 9). The Rust SDK writes the byte as 0 and does not read it.
     */
    public static final int FLAG_EXTENSIONS = 0x01;

    private FrameCodec() {
    }

    /**
     * Encodes a frame into a new array of exactly {@code 16 + payload.length} bytes.
     *
     * @param streamId the stream id (unsigned 64 bits)
     * @param type the message type
     * @param sequence the sequence number (unsigned 32 bits)
     * @param payload the payload, possibly empty
     * @return the encoded frame
     */
    public static byte[] encode(long streamId, FrameType type, int sequence, byte[] payload) {
        return encode(streamId, type, sequence, payload, 0, payload.length);
    }

    /**
     * Encodes a frame whose payload is {@code payload[offset, offset + length)} into a new array.
     *
     * @param streamId the stream id (unsigned 64 bits)
     * @param type the message type
     * @param sequence the sequence number (unsigned 32 bits)
     * @param payload holds the payload
     * @param offset where the payload starts in {@code payload}
     * @param length the payload's length
     * @return the encoded frame, {@code 16 + length} bytes
     * @throws IndexOutOfBoundsException if the range is not inside {@code payload}
     */
    public static byte[] encode(long streamId, FrameType type, int sequence, byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        byte[] frame = new byte[HEADER_LENGTH + length];
        // The copy comes straight after the allocation, before the header: then C2 zeroes only the
        // 16 header bytes instead of the whole array first (an allocation "tightly coupled" to an
        // arraycopy). Written the other way round, a 16 KiB frame was zeroed and then overwritten.
        System.arraycopy(payload, offset, frame, HEADER_LENGTH, length);
        writeHeader(streamId, type, sequence, frame, 0);
        return frame;
    }

    /**
     * Encodes a frame into a caller's buffer without allocating.
     *
     * @param streamId the stream id (unsigned 64 bits)
     * @param type the message type
     * @param sequence the sequence number (unsigned 32 bits)
     * @param payload holds the payload
     * @param offset where the payload starts in {@code payload}
     * @param length the payload's length
     * @param destination the buffer to write into
     * @param destinationOffset where the frame starts in {@code destination}
     * @return the number of bytes written, {@code 16 + length}
     * @throws IndexOutOfBoundsException if a range does not fit its array
     */
    public static int encodeInto(long streamId, FrameType type, int sequence,
                                 byte[] payload, int offset, int length,
                                 byte[] destination, int destinationOffset) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        Objects.checkFromIndexSize(destinationOffset, HEADER_LENGTH + length, destination.length);
        writeHeader(streamId, type, sequence, destination, destinationOffset);
        System.arraycopy(payload, offset, destination, destinationOffset + HEADER_LENGTH, length);
        return HEADER_LENGTH + length;
    }

    /**
     * Sets the reserved byte (offset 15) of an encoded frame: this library's flags.
     *
     * @param frame the encoded frame, from offset 0
     * @param flags the byte, for example {@link #FLAG_EXTENSIONS}
     * @throws IndexOutOfBoundsException if the frame is shorter than a header
     */
    public static void writeFlags(byte[] frame, int flags) {
        Objects.checkIndex(OFFSET_RESERVED, frame.length);
        frame[OFFSET_RESERVED] = (byte) flags;
    }

    /**
     * Writes only the 16-byte header, with the reserved byte 0.
     *
     * @param streamId the stream id (unsigned 64 bits)
     * @param type the message type
     * @param sequence the sequence number (unsigned 32 bits)
     * @param destination the buffer to write into
     * @param offset where the header starts
     * @throws IndexOutOfBoundsException if 16 bytes do not fit at {@code offset}
     */
    public static void writeHeader(long streamId, FrameType type, int sequence, byte[] destination, int offset) {
        Objects.checkFromIndexSize(offset, HEADER_LENGTH, destination.length);
        Objects.requireNonNull(type, "type");
        destination[offset] = (byte) KIND_SPHINX_STREAM;          // u16 little-endian: low byte first
        destination[offset + 1] = 0;
        for (int i = 0; i < 8; i++) {                               // u64 big-endian
            destination[offset + OFFSET_STREAM_ID + i] = (byte) (streamId >>> (56 - 8 * i));
        }
        destination[offset + OFFSET_TYPE] = (byte) type.wireValue();
        destination[offset + OFFSET_SEQUENCE] = (byte) (sequence >>> 24);
        destination[offset + OFFSET_SEQUENCE + 1] = (byte) (sequence >>> 16);
        destination[offset + OFFSET_SEQUENCE + 2] = (byte) (sequence >>> 8);
        destination[offset + OFFSET_SEQUENCE + 3] = (byte) sequence;
        destination[offset + OFFSET_RESERVED] = 0;
    }
}
