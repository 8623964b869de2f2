package dev.mixnetstreams.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The payloads of this library's extension frames (PROTOCOL.md, section 9): {@link FrameType#CREDIT}
 * and {@link FrameType#RESET}. Both are encoded with the extensions flag set.
 *
 * <p>CREDIT: sequence field = the next Data sequence number the receiver expects (every frame
 * before it arrived); payload = {@code limit u64} (big-endian: the payload bytes the sender may
 * have sent in all, Open included) · {@code received u32} (bit {@code i} set: the frame numbered
 * {@code next + 1 + i} arrived) · {@code flags u8} (bit 0, {@link #CREDIT_BLOCKED}: the sender of
 * this frame is itself waiting for credit). RESET: sequence field = the reason's code; payload =
 * a UTF-8 message of at most {@value #MAX_RESET_MESSAGE} bytes.
 */
public final class ExtensionFrames {

    /** The length of a CREDIT frame's payload. */
    public static final int CREDIT_PAYLOAD_LENGTH = 13;
    /** The CREDIT flag saying its sender waits for credit: answer with yours. */
    public static final int CREDIT_BLOCKED = 0x01;
    /** The longest message a RESET carries, in bytes; longer ones are cut. */
    public static final int MAX_RESET_MESSAGE = 200;

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
        int at = FrameCodec.HEADER_LENGTH;
        for (int i = 0; i < 8; i++) {
            frame[at++] = (byte) (credit.limit() >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            frame[at++] = (byte) (credit.received() >>> (24 - 8 * i));
        }
        frame[at] = (byte) (credit.blocked() ? CREDIT_BLOCKED : 0);
        return frame;
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
        byte[] b = view.buffer();
        int at = view.payloadOffset();
        long limit = 0;
        for (int i = 0; i < 8; i++) {
            limit = limit << 8 | (b[at++] & 0xff);
        }
        int received = 0;
        for (int i = 0; i < 4; i++) {
            received = received << 8 | (b[at++] & 0xff);
        }
        return new Credit(view.sequence(), limit, received, (b[at] & CREDIT_BLOCKED) != 0);
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
