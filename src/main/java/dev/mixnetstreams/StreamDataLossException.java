package dev.mixnetstreams;

import java.io.IOException;

/**
 * Thrown once by a stream's read at the exact place where data was lost: the receiver held more
 * out-of-order messages than its reorder window allows and skipped ahead past messages that never
 * came. Everything before the gap was delivered; reading again continues after it.
 *
 * <p>The reference implementation skips ahead silently, corrupting the byte stream; this library
 * tells the reader where, and how much, once.
 */
public class StreamDataLossException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The sequence number of the first lost message (unsigned 32 bits). */
    private final long firstLostSequence;
    /** How many consecutive messages were lost. */
    private final long lostMessages;
    /** How many bytes of the stream were delivered before the gap. */
    private final long streamOffset;

    /**
     * Creates the exception.
     *
     * @param firstLostSequence the sequence number of the first lost message (unsigned 32 bits)
     * @param lostMessages how many consecutive messages were lost
     * @param streamOffset how many bytes of the stream were delivered before the gap
     */
    public StreamDataLossException(long firstLostSequence, long lostMessages, long streamOffset) {
        super("stream data lost: " + lostMessages + " message(s) from sequence " + firstLostSequence
                + " never arrived; the gap is after byte " + streamOffset + " of the stream");
        this.firstLostSequence = firstLostSequence;
        this.lostMessages = lostMessages;
        this.streamOffset = streamOffset;
    }

    /**
     * Returns the sequence number of the first lost message.
     *
     * @return a value in [0, 2^32)
     */
    public long firstLostSequence() {
        return firstLostSequence;
    }

    /**
     * Returns how many consecutive messages (frames) were lost.
     *
     * @return at least 1
     */
    public long lostMessages() {
        return lostMessages;
    }

    /**
     * Returns how many bytes of the stream came before the gap (the byte offset of the loss).
     *
     * @return the number of bytes delivered before the lost messages
     */
    public long streamOffset() {
        return streamOffset;
    }
}
