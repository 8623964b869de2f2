package dev.mixnetstreams.wire;

/**
 * What decoding one mixnet message found: a stream frame, or the reason it is not one.
 *
 * <p>Every reason other than {@link #FRAME} is something a caller drops and counts; decoding
 * never throws.
 */
public enum DecodeStatus {
    /** A stream frame (Open or Data). */
    FRAME,
    /** Fewer than {@value FrameCodec#HEADER_LENGTH} bytes. */
    TOO_SHORT,
    /** The LP frame kind (bytes 0–1, little-endian) is not SphinxStream (3). */
    NOT_STREAM_KIND,
    /**
     * The message type (byte 10) is neither Open (0) nor Data (1). Newer peers send 2 (OpenAck),
     * 3 (Ping) and 4 (Pong) and rely on older ones to drop them silently.
     */
    UNKNOWN_MESSAGE_TYPE
}
