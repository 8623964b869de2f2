package dev.mixnetstreams.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A reusable, allocation-free view of one decoded stream frame.
 *
 * <p>{@link #wrap(byte[], int, int)} classifies any byte range without throwing and, for a
 * stream frame, makes the header's fields and the payload's position readable. The view does not
 * copy: it reads the wrapped array, so the array must not change while the view is in use. One
 * view serves one thread; wrapping again replaces what it shows.
 *
 * <pre>{@code
 * FrameView view = new FrameView();
 * if (view.wrap(message) == DecodeStatus.FRAME) {
 *     route(view.streamId(), view.type(), view.sequence(),
 *           view.buffer(), view.payloadOffset(), view.payloadLength());
 * }
 * }</pre>
 */
public final class FrameView {

    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buffer;
    private int offset;
    private int length;
    private DecodeStatus status = DecodeStatus.TOO_SHORT;
    private long streamId;
    private FrameType type;
    private int sequence;

    /** Creates an empty view; {@link #status()} is {@link DecodeStatus#TOO_SHORT} until wrapped. */
    public FrameView() {
    }

    /**
     * Decodes a whole message.
     *
     * @param message the message's bytes; {@code null} counts as too short
     * @return {@link DecodeStatus#FRAME} or the reason the message is not a stream frame
     */
    public DecodeStatus wrap(byte[] message) {
        return message == null ? fail(null, 0, 0) : wrap(message, 0, message.length);
    }

    /**
     * Decodes {@code message[offset, offset + length)}. Never throws: a range that does not fit
     * the array, like a message shorter than 16 bytes, is {@link DecodeStatus#TOO_SHORT}.
     *
     * @param message holds the message
     * @param offset where it starts
     * @param length its length
     * @return {@link DecodeStatus#FRAME} or the reason the message is not a stream frame
     */
    public DecodeStatus wrap(byte[] message, int offset, int length) {
        if (message == null || offset < 0 || length < FrameCodec.HEADER_LENGTH
                || offset > message.length - length) {
            return fail(message, offset, length);
        }
        int kind = (message[offset] & 0xff) | (message[offset + 1] & 0xff) << 8;
        if (kind != FrameCodec.KIND_SPHINX_STREAM) {
            return fail(message, offset, length, DecodeStatus.NOT_STREAM_KIND);
        }
        FrameType decodedType = FrameType.ofWireValue(message[offset + FrameCodec.OFFSET_TYPE] & 0xff);
        if (decodedType == null) {
            return fail(message, offset, length, DecodeStatus.UNKNOWN_MESSAGE_TYPE);
        }
        this.buffer = message;
        this.offset = offset;
        this.length = length;
        this.type = decodedType;
        this.streamId = (long) LONG_BE.get(message, offset + FrameCodec.OFFSET_STREAM_ID);
        this.sequence = (int) INT_BE.get(message, offset + FrameCodec.OFFSET_SEQUENCE);
        this.status = DecodeStatus.FRAME;
        return DecodeStatus.FRAME;
    }

    private DecodeStatus fail(byte[] message, int offset, int length) {
        return fail(message, offset, length, DecodeStatus.TOO_SHORT);
    }

    private DecodeStatus fail(byte[] message, int offset, int length, DecodeStatus reason) {
        this.buffer = message;
        this.offset = offset;
        this.length = length;
        this.type = null;
        this.streamId = 0;
        this.sequence = 0;
        this.status = reason;
        return reason;
    }

    /**
     * Returns what the last {@code wrap} found.
     *
     * @return the status of the last decode
     */
    public DecodeStatus status() {
        return status;
    }

    /**
     * Returns whether the last {@code wrap} found a stream frame.
     *
     * @return {@code true} if the fields below are meaningful
     */
    public boolean isFrame() {
        return status == DecodeStatus.FRAME;
    }

    /**
     * Returns the stream id (unsigned 64 bits); 0 when not a frame.
     *
     * @return the stream id's bits
     */
    public long streamId() {
        return streamId;
    }

    /**
     * Returns the frame's type; {@code null} when not a frame.
     *
     * @return Open or Data
     */
    public FrameType type() {
        return type;
    }

    /**
     * Returns the sequence number (unsigned 32 bits; use {@link Integer#toUnsignedLong(int)} to
     * print it); 0 when not a frame.
     *
     * @return the sequence number's bits
     */
    public int sequence() {
        return sequence;
    }

    /**
     * Returns the reserved byte (offset 15) as 0–255. Like the reference, decoding does not check
     * it.
     *
     * @return the reserved byte; 0 when not a frame
     */
    public int reserved() {
        return isFrame() ? buffer[offset + FrameCodec.OFFSET_RESERVED] & 0xff : 0;
    }

    /**
     * Returns the wrapped array, which holds the payload.
     *
     * @return the array passed to {@code wrap}
     */
    public byte[] buffer() {
        return buffer;
    }

    /**
     * Returns where the payload starts in {@link #buffer()}.
     *
     * @return the payload's offset
     */
    public int payloadOffset() {
        return offset + FrameCodec.HEADER_LENGTH;
    }

    /**
     * Returns the payload's length (the rest of the message after the header); 0 when not a frame.
     *
     * @return the payload's length in bytes
     */
    public int payloadLength() {
        return isFrame() ? length - FrameCodec.HEADER_LENGTH : 0;
    }

    /**
     * Copies the payload into a new array.
     *
     * @return the payload; empty when not a frame
     */
    public byte[] copyPayload() {
        if (!isFrame()) {
            return new byte[0];
        }
        return Arrays.copyOfRange(buffer, payloadOffset(), payloadOffset() + payloadLength());
    }

    /**
     * Describes the frame as {@code id=0x%016x type=<label> seq=N reserved=N payloadLength=N},
     * or the decode status when not a frame.
     *
     * @return a one-line description
     */
    @Override
    public String toString() {
        if (!isFrame()) {
            return "not a stream frame: " + status;
        }
        return String.format("id=0x%016x type=%s seq=%d reserved=%d payloadLength=%d",
                streamId, type.label(),
                Integer.toUnsignedLong(sequence), reserved(), payloadLength());
    }
}
