package dev.mixnetstreams.internal;

import dev.mixnetstreams.StreamDataLossException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The receiving side of one stream: puts Data frames back in sequence order and hands them to the
 * stream's reader.
 *
 * <p>Semantics (the reference's, with the differences marked):
 * <ul>
 *   <li>The next expected sequence number starts at 0. A message before it is dropped
 *       ({@link OfferResult#LATE}).</li>
 *   <li>Any other message is buffered; a second copy of a message still buffered is dropped and the
 *       first kept ({@link OfferResult#DUPLICATE}; the reference keeps the second).</li>
 *   <li>If more than {@code maxBufferedMessages} (default 256) are buffered out of order, the next
 *       expected number jumps to the lowest buffered one. The reader learns of the gap exactly once,
 *       at its place in the stream, as a {@link StreamDataLossException} (the reference says
 *       nothing).</li>
 *   <li>Every contiguous message from the next expected one is delivered, in order.</li>
 *   <li>Sequence numbers are compared with serial-number arithmetic, so order survives the wrap
 *       at 2^32 (the reference breaks there): a number up to 2^31 - 1 ahead of the next
 *       expected one is ahead, anything else is behind.</li>
 * </ul>
 *
 * <p>Concurrency: one {@link ReentrantLock} with one {@link Condition}. The producer (the router)
 * calls {@link #offer}, which never blocks beyond the lock's short critical section; the consumer
 * (the stream's reader) calls {@link #poll} or {@link #take}, waiting with a deadline.
 * {@link #close()}, {@link #fail} and {@link #reset} wake every waiting reader.
 *
 * <p>Cost: a message in order is O(1) with no allocation (it goes straight to the ready queue);
 * one out of order within {@value #RING_SIZE} of the next expected number is an O(1) array
 * store in a ring indexed by {@code sequence & (ring.length - 1)}; only messages further ahead,
 * which a well-behaved peer does not send, go to a sorted map.
 *
 * <p>Budgets: the buffer's own limit ({@code maxUnreadBytes}) and, optionally, a {@link ByteBudget}
 * shared with other buffers (the client-wide limit). Bytes are reserved from the shared budget when
 * a payload is accepted and released when the reader takes it or the buffer discards it
 * ({@link #close()}, {@link #fail}, {@link #reset}); one compare-and-set per payload.
 */
public final class ReorderBuffer {

    /** The reference's limit on messages buffered out of order. */
    public static final int DEFAULT_MAX_BUFFERED_MESSAGES = 256;

    /**
     * How far ahead of the next expected number the ring reaches at most; a power of two. The ring
     * is created on the first out-of-order message with {@value #INITIAL_RING_SLOTS} slots and
     * doubles as needed up to this, so a stream that never sees reordering costs no ring at all.
     */
    static final int RING_SIZE = 1024;
    static final int INITIAL_RING_SLOTS = 16;

    /** A gap in the ready queue: messages that were skipped over. */
    private record Gap(long firstLostSequence, long lostMessages, long streamOffset) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final int maxBufferedMessages;
    private final long maxUnreadBytes;
    /** The budget shared with other buffers, or {@code null} for none. */
    private final ByteBudget shared;

    /**
     * Out-of-order messages whose sequence is in [next, next + ring.length), at
     * {@code seq & (ring.length - 1)}; {@code null} until first needed.
     */
    private byte[][] ring;
    private int ringMask;
    private int ringCount;
    /** Out-of-order messages further ahead, keyed by absolute position; created on first need. */
    private TreeMap<Long, byte[]> farAhead;

    /** The next expected sequence number (unsigned 32 bits, wraps). */
    private int nextSequence;
    /** The next expected message's absolute position (does not wrap). */
    private long nextPosition;

    /** Delivered, in order, not yet taken by the reader: {@code byte[]} payloads and {@link Gap}s. */
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private long readyBytes;
    /** Bytes held in total: ready plus out of order. */
    private long unreadBytes;
    /** Bytes moved to the ready queue since the start: the stream offset of the next delivery. */
    private long deliveredBytes;

    private boolean closed;
    /** Set by {@link #fail} or {@link #reset}: what reads throw once the ready queue is empty. */
    private IOException failure;
    /**
     * Whether {@link #poll()} may find something: entries are ready, or the buffer ended. Written
     * under the lock; read without it by {@code poll}, which returns {@code null} at once when it
     * is false instead of taking the lock for nothing.
     */
    private volatile boolean pollable;

    /** Creates a buffer with the reference's limit of 256 out-of-order messages and no byte limit. */
    public ReorderBuffer() {
        this(DEFAULT_MAX_BUFFERED_MESSAGES, Long.MAX_VALUE);
    }

    /**
     * Creates a buffer.
     *
     * @param maxBufferedMessages out-of-order messages held before skipping ahead (at least 1)
     * @param maxUnreadBytes bytes held in total, in order and out of order, before offers are
     *     refused with {@link OfferResult#OVER_BUDGET} (at least 1)
     * @throws IllegalArgumentException if a limit is below 1
     */
    public ReorderBuffer(int maxBufferedMessages, long maxUnreadBytes) {
        this(maxBufferedMessages, maxUnreadBytes, null);
    }

    /**
     * Creates a buffer whose bytes also count against a budget shared with other buffers.
     *
     * @param maxBufferedMessages out-of-order messages held before skipping ahead (at least 1)
     * @param maxUnreadBytes bytes held in total, in order and out of order, before offers are
     *     refused with {@link OfferResult#OVER_BUDGET} (at least 1)
     * @param shared the shared budget, or {@code null} for none; offers that do not fit it are
     *     refused with {@link OfferResult#OVER_SHARED_BUDGET}
     * @throws IllegalArgumentException if a limit is below 1
     */
    public ReorderBuffer(int maxBufferedMessages, long maxUnreadBytes, ByteBudget shared) {
        if (maxBufferedMessages < 1) {
            throw new IllegalArgumentException("maxBufferedMessages must be at least 1: " + maxBufferedMessages);
        }
        if (maxUnreadBytes < 1) {
            throw new IllegalArgumentException("maxUnreadBytes must be at least 1: " + maxUnreadBytes);
        }
        this.maxBufferedMessages = maxBufferedMessages;
        this.maxUnreadBytes = maxUnreadBytes;
        this.shared = shared;
    }

    /**
     * Offers one Data payload; never blocks on the reader.
     *
     * @param sequence the frame's sequence number (unsigned 32 bits)
     * @param payload the payload; the buffer keeps the array
     * @return what happened to it
     */
    public OfferResult offer(int sequence, byte[] payload) {
        lock.lock();
        try {
            if (closed || failure != null) {
                return OfferResult.CLOSED;
            }
            int ahead = sequence - nextSequence;
            if (ahead < 0) {
                return OfferResult.LATE;
            }
            int length = payload.length;
            boolean overBudget = length > maxUnreadBytes - unreadBytes;
            boolean wasEmpty = ready.isEmpty();
            if (ahead == 0) {
                if (overBudget) {
                    return OfferResult.OVER_BUDGET;
                }
                if (shared != null && !shared.tryReserve(length)) {
                    return OfferResult.OVER_SHARED_BUDGET;
                }
                unreadBytes += length;
                deliver(payload);
                if (ringCount != 0 || farAhead != null) {
                    drainContiguous();
                }
            } else {
                if (ahead < RING_SIZE) {
                    ensureRingReaches(ahead);
                    int slot = sequence & ringMask;
                    if (ring[slot] != null) {
                        return OfferResult.DUPLICATE;
                    }
                    if (overBudget) {
                        return OfferResult.OVER_BUDGET;
                    }
                    if (shared != null && !shared.tryReserve(length)) {
                        return OfferResult.OVER_SHARED_BUDGET;
                    }
                    ring[slot] = payload;
                    ringCount++;
                } else {
                    if (farAhead == null) {
                        farAhead = new TreeMap<>();
                    }
                    long position = nextPosition + ahead;
                    if (farAhead.containsKey(position)) {
                        return OfferResult.DUPLICATE;
                    }
                    if (overBudget) {
                        return OfferResult.OVER_BUDGET;
                    }
                    if (shared != null && !shared.tryReserve(length)) {
                        return OfferResult.OVER_SHARED_BUDGET;
                    }
                    farAhead.put(position, payload);
                }
                unreadBytes += length;
                if (bufferedCountLocked() > maxBufferedMessages) {
                    skipToLowestBuffered();
                    drainContiguous();
                }
            }
            if (wasEmpty && !ready.isEmpty()) {
                readable.signalAll();
            }
            return OfferResult.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    private int bufferedCountLocked() {
        return ringCount + (farAhead == null ? 0 : farAhead.size());
    }

    private void deliver(byte[] payload) {
        ready.addLast(payload);
        pollable = true;
        readyBytes += payload.length;
        deliveredBytes += payload.length;
        nextSequence++;
        nextPosition++;
    }

    /** Creates or grows the ring so that it holds the message {@code ahead} after the next expected one. */
    private void ensureRingReaches(int ahead) {
        if (ring != null && ahead < ring.length) {
            return;
        }
        int slots = Math.max(INITIAL_RING_SLOTS, Integer.highestOneBit(ahead) << 1);
        byte[][] grown = new byte[slots][];
        if (ring != null) {
            for (int slot = 0; slot < ring.length; slot++) {
                if (ring[slot] != null) {
                    int offset = (slot - nextSequence) & ringMask;
                    grown[(nextSequence + offset) & (slots - 1)] = ring[slot];
                }
            }
        }
        ring = grown;
        ringMask = slots - 1;
    }

    /** Delivers every buffered message contiguous with the next expected one. */
    private void drainContiguous() {
        while (true) {
            byte[] payload = null;
            int slot = 0;
            if (ringCount != 0) {
                slot = nextSequence & ringMask;
                payload = ring[slot];
            }
            if (payload != null) {
                ring[slot] = null;
                ringCount--;
                deliver(payload);
            } else if (!pullFarAheadIntoRing()) {
                return;
            }
        }
    }

    /**
     * Moves messages that have come within the ring's reach from the far-ahead map into the ring.
     *
     * @return whether the next expected message is now in the ring
     */
    private boolean pullFarAheadIntoRing() {
        if (farAhead == null) {
            return false;
        }
        long limit = nextPosition + RING_SIZE;
        Map.Entry<Long, byte[]> first;
        while ((first = farAhead.firstEntry()) != null && first.getKey() < limit) {
            farAhead.pollFirstEntry();
            ensureRingReaches((int) (first.getKey() - nextPosition));
            ring[(int) (first.getKey() & ringMask)] = first.getValue();
            ringCount++;
        }
        if (farAhead.isEmpty()) {
            farAhead = null;
        }
        return ringCount != 0 && ring[nextSequence & ringMask] != null;
    }

    /** Jumps the next expected number to the lowest buffered one and records the gap. */
    private void skipToLowestBuffered() {
        long skip = -1;
        if (ringCount > 0) {
            for (int i = 1; i < ring.length; i++) {
                if (ring[(nextSequence + i) & ringMask] != null) {
                    skip = i;
                    break;
                }
            }
        } else {
            skip = farAhead.firstKey() - nextPosition;
        }
        ready.addLast(new Gap(Integer.toUnsignedLong(nextSequence), skip, deliveredBytes));
        pollable = true;
        nextSequence += (int) skip;
        nextPosition += skip;
        pullFarAheadIntoRing();
    }

    /**
     * Takes the next in-order payload without waiting.
     *
     * @return the payload, or {@code null} if none is ready
     * @throws StreamDataLossException once, where messages were skipped over
     * @throws IOException if the buffer is closed, or failed and everything ready was taken
     */
    public byte[] poll() throws IOException {
        if (!pollable) {
            return null;
        }
        lock.lock();
        try {
            return pollLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next in-order payload, waiting for one.
     *
     * @param timeoutNanos how long to wait at most; 0 waits without limit
     * @return the payload (never {@code null})
     * @throws StreamDataLossException once, where messages were skipped over
     * @throws SocketTimeoutException if nothing became ready in time
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the buffer is closed, or failed and everything ready was taken
     */
    public byte[] take(long timeoutNanos) throws IOException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (ready.isEmpty() && !closed && failure == null) {
                if (timeoutNanos <= 0) {
                    readable.await();
                } else {
                    if (remaining <= 0) {
                        throw new SocketTimeoutException("read timed out");
                    }
                    remaining = readable.awaitNanos(remaining);
                }
            }
            return pollLocked();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for stream data");
        } finally {
            lock.unlock();
        }
    }

    private byte[] pollLocked() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        Object head = ready.pollFirst();
        if (ready.isEmpty() && failure == null) {
            pollable = false;
        }
        if (head == null) {
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            return null;
        }
        if (head instanceof byte[] payload) {
            readyBytes -= payload.length;
            unreadBytes -= payload.length;
            releaseShared(payload.length);
            return payload;
        }
        Gap gap = (Gap) head;
        throw new StreamDataLossException(gap.firstLostSequence(), gap.lostMessages(), gap.streamOffset());
    }

    /**
     * Returns how many bytes are ready to be taken without waiting.
     *
     * @return bytes in order and not yet taken
     */
    public long readyBytes() {
        lock.lock();
        try {
            return readyBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns how many bytes the buffer holds, in order and out of order: what counts against the
     * limit on unread bytes.
     *
     * @return bytes held
     */
    public long unreadBytes() {
        lock.lock();
        try {
            return unreadBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns how many messages are held out of order.
     *
     * @return buffered, not yet deliverable messages
     */
    public int bufferedMessages() {
        lock.lock();
        try {
            return bufferedCountLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the next expected sequence number.
     *
     * @return unsigned 32 bits
     */
    public int nextSequence() {
        lock.lock();
        try {
            return nextSequence;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the buffer with an error after what is ready: the reader takes every payload already in
     * order, then gets {@code cause} (wrapped). Messages held out of order are discarded; further
     * offers are refused. Has no effect if already failed or closed.
     *
     * @param cause what reads throw once everything ready was taken
     */
    public void fail(IOException cause) {
        lock.lock();
        try {
            if (closed || failure != null) {
                return;
            }
            failure = cause;
            pollable = true;
            discardOutOfOrder();
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the buffer with an error at once: everything held is discarded and reads throw
     * {@code cause} (wrapped). Has no effect if already failed or closed.
     *
     * @param cause what reads throw from now on
     */
    public void reset(IOException cause) {
        lock.lock();
        try {
            if (closed || failure != null) {
                return;
            }
            failure = cause;
            pollable = true;
            discardOutOfOrder();
            discardReady();
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the buffer: everything held is discarded, offers are refused and every read, waiting
     * or not, throws {@code IOException("stream closed")}. Idempotent.
     */
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            pollable = true;
            discardOutOfOrder();
            discardReady();
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void discardOutOfOrder() {
        releaseShared(unreadBytes - readyBytes);
        ring = null;
        ringMask = 0;
        ringCount = 0;
        farAhead = null;
        unreadBytes = readyBytes;
    }

    private void releaseShared(long bytes) {
        if (shared != null) {
            shared.release(bytes);
        }
    }

    private void discardReady() {
        releaseShared(readyBytes);
        ready.clear();
        readyBytes = 0;
        unreadBytes = 0;
    }
}
