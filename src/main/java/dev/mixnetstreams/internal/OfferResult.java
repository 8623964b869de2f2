package dev.mixnetstreams.internal;

/** What {@link ReorderBuffer#offer} did with a message. The producer never blocks. */
public enum OfferResult {
    /** Buffered, or delivered in order. */
    ACCEPTED,
    /** A copy of this sequence number is already buffered; the first copy is kept. */
    DUPLICATE,
    /** The sequence number is before the next expected one: a duplicate of delivered data, or too late. */
    LATE,
    /** The buffer is closed or failed; the message was dropped. */
    CLOSED,
    /**
     * The message comes after the stream's end (an empty payload already accepted): a protocol
     * violation by the peer; the message was dropped.
     */
    AFTER_END,
    /** Accepting it would exceed the limit on unread bytes; the message was dropped. */
    OVER_BUDGET,
    /**
     * The stream's own limit allows it, but the budget shared by every stream of the client
     * ({@link ByteBudget}) does not; the message was dropped.
     */
    OVER_SHARED_BUDGET
}
