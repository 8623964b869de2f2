package dev.mixnetstreams;

/**
 * Why a stream was reset (PROTOCOL.md, section 9): the code a RESET frame carries, and what a
 * {@link StreamResetException} reports. A reset ends both directions of the stream at once, except
 * {@link #STOP_SENDING}, which ends only the direction towards the peer that sent it.
 */
public enum ResetReason {
    /** A code this version does not know (a newer peer's). */
    UNKNOWN(0),
    /** The stream's application aborted it ({@link MixnetStream#abort()}). */
    ABORTED(1),
    /** More unread data arrived than the receiver's limits allow. */
    UNREAD_LIMIT(2),
    /** The stream was closed while data it had received was still unread. */
    CLOSED_UNREAD(3),
    /**
     * The peer closed its end while this end was still sending: it takes no more. Only the
     * direction towards it ends; reads still deliver what it sent before its end of stream.
     */
    STOP_SENDING(4),
    /** Frames were sent again and again and never acknowledged: the peer is gone or unreachable. */
    UNDELIVERABLE(5),
    /** The peer sent more than the credit it was given. */
    FLOW_CONTROL(6);

    private static final ResetReason[] BY_CODE = values();

    private final int code;

    ResetReason(int code) {
        this.code = code;
    }

    /**
     * Returns the code a RESET frame carries in its sequence field.
     *
     * @return 0 to 6
     */
    public int code() {
        return code;
    }

    /**
     * Returns the reason with a code.
     *
     * @param code a RESET frame's sequence field
     * @return the reason, {@link #UNKNOWN} for a code this version does not know
     */
    public static ResetReason ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
