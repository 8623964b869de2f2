package dev.mixnetstreams.nymclient;

/**
 * Why a WebSocket message is not a well-formed request or response. Decoding classifies every
 * input: it never throws.
 */
public enum Malformed {
    /** No bytes at all. */
    EMPTY,
    /** Fewer bytes than the fixed part of the layout its tag names. */
    TOO_SHORT,
    /** The first byte is not a known tag. */
    UNKNOWN_TAG,
    /** A u64 length prefix does not equal the number of bytes that follow it. */
    LENGTH_MISMATCH,
    /** Bytes after a message with no length prefix (SelfAddress, ClosedConnection, ...). */
    TRAILING_BYTES,
    /** A Received response's has-tag flag is neither 0 nor 1. */
    BAD_FLAG;

    /**
     * Returns the error kind nym-client answers a request malformed this way with.
     *
     * @return 0x01 empty, 0x02 too short, 0x03 unknown, 0x04 malformed
     */
    public int requestErrorKind() {
        return switch (this) {
            case EMPTY -> NymResponse.Error.KIND_EMPTY_REQUEST;
            case TOO_SHORT -> NymResponse.Error.KIND_TOO_SHORT_REQUEST;
            case UNKNOWN_TAG -> NymResponse.Error.KIND_UNKNOWN_REQUEST;
            default -> NymResponse.Error.KIND_MALFORMED_REQUEST;
        };
    }
}
