package dev.mixnetstreams;

/** Why the router dropped an inbound message or frame. Each has a counter in {@link ClientStats}. */
public enum DropReason {
    /** Shorter than the 16-byte stream header (stream mode). */
    TOO_SHORT,
    /** Not of the SphinxStream frame kind (stream mode). */
    NOT_STREAM_KIND,
    /** A message type this version does not know (5 to 255); it has no effect on any stream. */
    UNKNOWN_MESSAGE_TYPE,
    /** An Open without a sender tag: nobody to answer. */
    OPEN_WITHOUT_SENDER_TAG,
    /** An Open for a stream id in use or closed within the linger; the stream is kept, the id not reused. */
    DUPLICATE_OPEN,
    /** An Open while nobody has taken the listener. */
    NO_LISTENER,
    /** An Open while the listener's backlog of streams not yet accepted is full. */
    ACCEPT_BACKLOG_FULL,
    /** Data for a stream that is not (yet) open, beyond the limits on held early frames. */
    EARLY_DATA_LIMIT,
    /** Data held for a stream whose Open never came in time. */
    EARLY_DATA_EXPIRED,
    /**
     * Data held for a stream whose Open had not come, evicted to make room for another sender's:
     * the store was full and its sender held the most.
     */
    EARLY_DATA_EVICTED,
    /** Data from someone other than the stream's peer. */
    WRONG_PEER,
    /**
     * An OpenAck, Ping or Pong for a stream not open here: never held, never answered (silence is
     * how a peer learns that a stream is gone).
     */
    CONTROL_FOR_UNKNOWN_STREAM,
    /** An OpenAck for a stream this client accepted: only openers are sent one. */
    UNEXPECTED_OPEN_ACK,
    /**
     * A CREDIT or RESET (this library's extensions) that could not be used: for a stream that is
     * not open here, from a peer that does not speak the extensions, or (a CREDIT) malformed; or
     * a DATA_CREDIT too short to hold its CREDIT.
     */
    EXTENSION_NOT_USABLE,
    /** Data, or an OpenAck, Ping or Pong, for a stream closed or ended here. */
    CLOSED_STREAM,
    /**
     * A second copy of data already buffered or delivered, or data for a place the stream has
     * already passed (delivered, or skipped over after a loss was reported).
     */
    DUPLICATE_DATA,
    /**
     * Data after the stream's end of stream (an empty Data frame): a protocol violation. Data held
     * out of order is dropped for this too when an end arrives before it.
     */
    DATA_AFTER_END,
    /** Data that pushed a stream past its limit on unread bytes; the stream was reset. */
    UNREAD_LIMIT,
    /**
     * Data that did not fit the client-wide limit on unread bytes even after the streams holding
     * more unread data than this one were reset; this stream was reset
     * ({@link MixnetClient.Builder#maxTotalUnreadBytes(long)}).
     */
    CLIENT_UNREAD_LIMIT,
    /**
     * Data for a stream that is not open here and cannot become open: nobody has taken the
     * listener, or the frame has no sender tag (so it is no opener's early data).
     */
    UNKNOWN_STREAM,
    /** A message-mode message while the queue of messages not yet taken was full (messages or bytes). */
    MESSAGE_QUEUE_FULL
}
