package dev.mixnetstreams.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The payloads of this library's extension frames (PROTOCOL.md, section 9): {@link FrameType#CREDIT},
 * {@link FrameType#RESET} and {@link FrameType#DATA_CREDIT}. All are encoded with the extensions
 * flag set.
 *
 * <p>CREDIT: sequence field = the next Data sequence number the receiver expects (every frame
 * before it arrived); payload = {@code limit u64} (big-endian: the payload bytes the sender may
 * have sent in all, Open included) · {@code received u32} (bit {@code i} set: the frame numbered
 * {@code next + 1 + i} arrived) · {@code flags u8} (bit 0, {@link #CREDIT_BLOCKED}: the sender of
 * this frame is itself waiting for credit). RESET: sequence field = the reason's code; payload =
 * a UTF-8 message of at most {@value #MAX_RESET_MESSAGE} bytes. DATA_CREDIT: a Data frame (its
 * sequence number in the header) whose payload starts with {@code next u32} and a CREDIT's 13
 * bytes, then the Data's payload.
 */
public final class ExtensionFrames {

    /** The length of a CREDIT frame's payload. */
    public static final int CREDIT_PAYLOAD_LENGTH = 13;
    /** What a DATA_CREDIT adds to a Data frame: the next sequence expected and a CREDIT's payload. */
    public static final int DATA_CREDIT_PREFIX_LENGTH = 4 + CREDIT_PAYLOAD_LENGTH;
    /** The CREDIT flag saying its sender waits for credit: answer with yours. */
    public static final int CREDIT_BLOCKED = 0x01;
    /** The longest message a RESET carries, in bytes; longer ones are cut. */
    public static final int MAX_RESET_MESSAGE = 200;

    /**
     * Credit a frame with a payload costs beyond its payload's length: what a receiver charges
     * for holding a frame (its header and the memory around it). Credit counts, for every Open and
     * Data frame with a payload, its length plus this; an empty Data frame (the end of stream)
     * costs nothing.
     */
    public static final int CREDIT_PER_FRAME = 48;

    /**
     * A decoded CREDIT.
     *
     * @param nextSequence every Data frame before this sequence number arrived
     * @param limit the payload bytes the receiver allows in all
     * @param received frames that arrived beyond {@code nextSequence}: bit {@code i} is frame
     *     {@code nextSequence + 1 + i}
     * @param blocked whether the CREDIT's sender waits for credit itself
     */
    public record Credit(int nextSequence, long limit, int received, boolean blocked) {
    }

    private ExtensionFrames() {
    }

    /**
     * Encodes a CREDIT.
     *
     * @param streamId the stream
     * @param credit what it says
     * @return the frame, with the extensions flag set
     */
    public static byte[] credit(long streamId, Credit credit) {
        byte[] frame = new byte[FrameCodec.HEADER_LENGTH + CREDIT_PAYLOAD_LENGTH];
        FrameCodec.writeHeader(streamId, FrameType.CREDIT, credit.nextSequence(), frame, 0);
        FrameCodec.writeFlags(frame, FrameCodec.FLAG_EXTENSIONS);
        writeCreditFields(frame, FrameCodec.HEADER_LENGTH, credit);
        return frame;
    }

    private static int writeCreditFields(byte[] frame, int at, Credit credit) {
        for (int i = 0; i < 8; i++) {
            frame[at++] = (byte) (credit.limit() >>> (56 - 8 * i));
        }
        at = writeInt(frame, at, credit.received());
        frame[at++] = (byte) (credit.blocked() ? CREDIT_BLOCKED : 0);
        return at;
    }

    private static int writeInt(byte[] b, int at, int value) {
        for (int i = 0; i < 4; i++) {
            b[at++] = (byte) (value >>> (24 - 8 * i));
        }
        return at;
    }

    private static int readInt(byte[] b, int at) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = value << 8 | (b[at + i] & 0xff);
        }
        return value;
    }

    private static Credit readCreditFields(byte[] b, int at, int nextSequence) {
        long limit = 0;
        for (int i = 0; i < 8; i++) {
            limit = limit << 8 | (b[at++] & 0xff);
        }
        int received = readInt(b, at);
        return new Credit(nextSequence, limit, received, (b[at + 4] & CREDIT_BLOCKED) != 0);
    }

    /**
     * Decodes the CREDIT a view holds.
     *
     * @param view a view of a CREDIT frame
     * @return the credit, or {@code null} if its payload is too short (a malformed frame); bytes
     *     beyond the known fields are ignored, for later versions
     */
    public static Credit readCredit(FrameView view) {
        if (view.type() != FrameType.CREDIT || view.payloadLength() < CREDIT_PAYLOAD_LENGTH) {
            return null;
        }
        return readCreditFields(view.buffer(), view.payloadOffset(), view.sequence());
    }

    /**
     * Turns an encoded Data frame into a DATA_CREDIT carrying {@code credit}: a new array, the
     * CREDIT's 13 bytes between the header and the Data's payload.
     *
     * @param dataFrame an encoded Data frame
     * @param credit what the CREDIT says (its {@code nextSequence} goes into the payload, the
     *     header keeps the Data's sequence number)
     * @return the frame, with the extensions flag set
     */
    public static byte[] dataWithCredit(byte[] dataFrame, Credit credit) {
        byte[] frame = new byte[dataFrame.length + DATA_CREDIT_PREFIX_LENGTH];
        System.arraycopy(dataFrame, 0, frame, 0, FrameCodec.HEADER_LENGTH);
        frame[FrameCodec.OFFSET_TYPE] = (byte) FrameType.DATA_CREDIT.wireValue();
        FrameCodec.writeFlags(frame, FrameCodec.FLAG_EXTENSIONS);
        int at = FrameCodec.HEADER_LENGTH;
        at = writeInt(frame, at, credit.nextSequence());
        at = writeCreditFields(frame, at, credit);
        System.arraycopy(dataFrame, FrameCodec.HEADER_LENGTH, frame, at, dataFrame.length - FrameCodec.HEADER_LENGTH);
        return frame;
    }

    /**
     * Splits the DATA_CREDIT a view holds into its CREDIT and its Data frame.
     *
     * @param view a view of a DATA_CREDIT frame
     * @return the credit and a new array holding the Data frame (header and payload), or
     *     {@code null} if the frame is too short to hold a CREDIT
     */
    public static DataWithCredit readDataWithCredit(FrameView view) {
        int prefix = DATA_CREDIT_PREFIX_LENGTH;
        if (view.type() != FrameType.DATA_CREDIT || view.payloadLength() < prefix) {
            return null;
        }
        byte[] b = view.buffer();
        int at = view.payloadOffset();
        int next = readInt(b, at);
        Credit credit = readCreditFields(b, at + 4, next);
        int dataLength = view.payloadLength() - prefix;
        byte[] data = new byte[FrameCodec.HEADER_LENGTH + dataLength];
        System.arraycopy(b, at + prefix, data, FrameCodec.HEADER_LENGTH, dataLength);
        FrameCodec.writeHeader(view.streamId(), FrameType.DATA, view.sequence(), data, 0);
        FrameCodec.writeFlags(data, view.reserved());
        return new DataWithCredit(credit, data);
    }

    /**
     * A DATA_CREDIT taken apart.
     *
     * @param credit its CREDIT
     * @param dataFrame its Data frame, encoded (header and payload)
     */
    public record DataWithCredit(Credit credit, byte[] dataFrame) {
    }

    /**
     * Encodes a RESET.
     *
     * @param streamId the stream
     * @param code the reason's code
     * @param message what happened, cut to {@value #MAX_RESET_MESSAGE} bytes of UTF-8
     * @return the frame, with the extensions flag set
     */
    public static byte[] reset(long streamId, int code, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        byte[] frame = FrameCodec.encode(streamId, FrameType.RESET, code, text, 0,
                Math.min(text.length, MAX_RESET_MESSAGE));
        FrameCodec.writeFlags(frame, FrameCodec.FLAG_EXTENSIONS);
        return frame;
    }

    /**
     * Decodes the message of the RESET a view holds (malformed UTF-8 is replaced, never refused).
     *
     * @param view a view of a RESET frame
     * @return the message, possibly empty
     */
    public static String readResetMessage(FrameView view) {
        int length = Math.min(view.payloadLength(), MAX_RESET_MESSAGE);
        return new String(Arrays.copyOfRange(view.buffer(), view.payloadOffset(), view.payloadOffset() + length),
                StandardCharsets.UTF_8);
    }
}
