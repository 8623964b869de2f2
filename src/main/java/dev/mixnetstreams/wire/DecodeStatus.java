package dev.mixnetstreams.wire;

/**
 * What decoding one mixnet message found: a stream frame, or the reason it is not one.
 *
 * <p>Every reason other than {@link #FRAME} is something a caller drops and counts; decoding
 * never throws.
 */
public enum DecodeStatus {
    /** A stream frame of a type this version knows ({@link FrameType}). */
    FRAME,
    /** Fewer than {@value FrameCodec#HEADER_LENGTH} bytes. */
    TOO_SHORT,
    /** The LP frame kind (bytes 0–1, little-endian) is not SphinxStream (3). */
    NOT_STREAM_KIND,
    /**
     * The message type (byte 10) is one this version does not know (5 to {@code df}, {@code e3}
     * to {@code ff}). Peers rely on receivers to drop such frames without effect on any stream.
     */
    UNKNOWN_MESSAGE_TYPE
}
