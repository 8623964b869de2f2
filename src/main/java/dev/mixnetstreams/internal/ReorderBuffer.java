package dev.mixnetstreams.internal;

import dev.mixnetstreams.StreamDataLossException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
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
 * <p>Parts: an {@link OrderingWindow} holds what arrived ahead of the next expected message; a
 * {@link ReadyQueue}, lock-free, carries what is in order to the reader; a {@link ReaderHandOff}
 * decides how the reader waits and when the producer wakes it. This class joins them and keeps
 * the budgets and the buffer's state.
 *
 * <p>Concurrency: one producer (the router) calls {@link #offer}, or {@link #offerQuietly} for a
 * batch followed by one {@link #signalIfWaiting}, neither of which blocks on the reader; one
 * consumer at a time (the stream's reader; {@code MixnetStream} serialises its readers) calls
 * {@link #poll} or {@link #take}. A message in order with nothing held out of order takes no lock
 * on either side. {@link #lock} guards the ordering window and the state's changes, and is the
 * lock the reader parks under; {@link #close()}, {@link #fail} and {@link #reset} wake every
 * waiting reader. Lock order: {@link #lock} is the only lock here; {@link ByteBudget} is lock-free.
 *
 * <p>Cost: a message in order is O(1) with no allocation and no lock; one out of order within
 * {@value OrderingWindow#RING_SIZE} of the next expected number is an O(1) array store under the
 * lock; only messages further ahead, which a well-behaved peer does not send, go to a sorted map.
 *
 * <p>Budgets: the buffer's own limit ({@code maxUnreadBytes}) and, optionally, a {@link ByteBudget}
 * shared with other buffers (the client-wide limit). Each message is charged its payload plus a
 * fixed per-message overhead ({@link #forFrames}; none for the public constructors), so that a
 * flood of empty or one-byte messages is limited by the memory it really takes. The charge is
 * reserved from the shared budget when a message is accepted and released when the reader takes
 * it or the buffer discards it ({@link #close()}, {@link #fail}, {@link #reset}). What this buffer
 * holds against the shared budget is tracked in one atomic counter, so every byte reserved is
 * released exactly once even when a close races with the reader.
 *
 * <p>End of stream ({@link #forFrames} buffers only): an empty payload is the stream's end. The
 * first one accepted, in order or held, fixes where the stream ends; a message after it is refused
 * ({@link OfferResult#AFTER_END}), and messages already held after it are discarded and counted
 * ({@link #takeDroppedAfterEnd()}). A later end before the first one moves the end back, so the
 * lowest end wins. Nothing is ever published after the end, which the reader takes once and then
 * never takes again.
 */
public final class ReorderBuffer implements ReaderHandOff.Source {

    /** The reference's limit on messages buffered out of order. */
    public static final int DEFAULT_MAX_BUFFERED_MESSAGES = 256;

    private static final int OPEN = 0;
    /** Hand out what is ready, then the failure. */
    private static final int FAILED = 1;
    /** The failure at once; everything held is discarded. */
    private static final int RESET = 2;
    private static final int CLOSED = 3;

    private static final VarHandle DELIVERED_BYTES;
    private static final VarHandle DELIVERED_MESSAGES;
    private static final VarHandle TAKEN_BYTES;
    private static final VarHandle TAKEN_MESSAGES;
    private static final VarHandle SHARED_HELD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DELIVERED_BYTES = lookup.findVarHandle(ReorderBuffer.class, "deliveredBytes", long.class);
            DELIVERED_MESSAGES = lookup.findVarHandle(ReorderBuffer.class, "deliveredMessages", long.class);
            TAKEN_BYTES = lookup.findVarHandle(ReorderBuffer.class, "takenBytes", long.class);
            TAKEN_MESSAGES = lookup.findVarHandle(ReorderBuffer.class, "takenMessages", long.class);
            SHARED_HELD = lookup.findVarHandle(ReorderBuffer.class, "sharedHeld", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A gap in the ready queue: messages that were skipped over. */
    private record Gap(long firstLostSequence, long lostMessages, long streamOffset) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Out-of-order messages held before skipping ahead; written only by the producer (see {@link
     * #neverSkipAhead()}), which alone reads it.
     */
    private int maxBufferedMessages;
    private final long maxUnreadBytes;
    /** The budget shared with other buffers, or {@code null} for none. */
    private final ByteBudget shared;
    /**
     * Bytes at the start of every offered array that are not payload (a frame's header): the
     * router hands over received frames as they are, without copying the payload out.
     */
    private final int skip;
    /**
     * Bytes charged for every message on top of its payload, for the memory that holds it (its
     * header, the array's own header, its slot in the queue): what makes a flood of empty or
     * one-byte messages cost what it really costs.
     */
    private final int messageOverhead;
    /** Whether an empty payload is the end of the stream (nothing may follow it). */
    private final boolean emptyPayloadEnds;
    /** Guarded by {@link #lock} (changed by the producer only, which alone reads it without the lock). */
    private final OrderingWindow window;
    /** Lock-free; the producer and the one consumer each use their own side. */
    private final ReadyQueue ready = new ReadyQueue();
    private final ReaderHandOff handOff;

    /** Bytes this buffer holds against {@link #shared} (0 without one); changed atomically through {@link #SHARED_HELD}. */
    @SuppressWarnings("unused") // through SHARED_HELD
    private volatile long sharedHeld;
    /** OPEN, FAILED, RESET or CLOSED; only ever increases; changed under {@link #lock}. */
    private volatile int state = OPEN;
    /** Why the buffer failed or was reset; written under {@link #lock} before {@link #state}. */
    private IOException failure;

    // ---- producer side (the router) ----

    /** Producer only: held messages discarded because an end came before them; see {@link #takeDroppedAfterEnd()}. */
    private int droppedAfterEnd;
    /** Producer only (release stores): payload bytes published, i.e. the stream offset of the next one. */
    private long deliveredBytes;
    /** Producer only (release stores): messages published (gaps not counted). */
    private long deliveredMessages;

    // ---- consumer side (the reader) ----

    /** Consumer only (release stores): payload bytes taken. */
    private long takenBytes;
    /** Consumer only (release stores): messages taken. */
    private long takenMessages;

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
        this(maxBufferedMessages, maxUnreadBytes, shared, 0);
    }

    /**
     * Creates a buffer whose offered arrays start with {@code skip} bytes that are not payload, such
     * as a whole received frame whose payload follows its header. Lengths, budgets and loss offsets
     * count payload bytes only; {@link #poll} and {@link #take} return the arrays as offered, and
     * the reader starts at {@link #payloadOffset()}.
     *
     * @param maxBufferedMessages out-of-order messages held before skipping ahead (at least 1)
     * @param maxUnreadBytes payload bytes held in total before offers are refused (at least 1)
     * @param shared the shared budget, or {@code null} for none
     * @param skip bytes before the payload in every offered array (0 or more); an array of exactly
     *     {@code skip} bytes carries an empty payload
     * @throws IllegalArgumentException if a limit is below 1 or {@code skip} is negative
     */
    public ReorderBuffer(int maxBufferedMessages, long maxUnreadBytes, ByteBudget shared, int skip) {
        this(maxBufferedMessages, maxUnreadBytes, shared, skip, 0, false);
    }

    private ReorderBuffer(int maxBufferedMessages, long maxUnreadBytes, ByteBudget shared, int skip,
                          int messageOverhead, boolean emptyPayloadEnds) {
        this.skip = ArgumentChecks.notNegative(skip, "skip");
        this.messageOverhead = ArgumentChecks.notNegative(messageOverhead, "messageOverhead");
        this.emptyPayloadEnds = emptyPayloadEnds;
        this.maxBufferedMessages = ArgumentChecks.positive(maxBufferedMessages, "maxBufferedMessages");
        this.maxUnreadBytes = ArgumentChecks.positive(maxUnreadBytes, "maxUnreadBytes");
        this.shared = shared;
        this.window = new OrderingWindow(skip, messageOverhead);
        this.handOff = new ReaderHandOff(lock);
    }

    /**
     * Creates the buffer of one stream, fed whole received frames: the payload follows a
     * {@code headerLength}-byte header, every frame is charged its payload plus
     * {@code frameOverhead} bytes against both limits, and an empty payload is the end of the
     * stream — anything after it is refused with {@link OfferResult#AFTER_END}, and messages
     * already held after it are discarded (see {@link #takeDroppedAfterEnd()}).
     *
     * @param maxBufferedMessages out-of-order messages held before skipping ahead (at least 1)
     * @param maxUnreadBytes charge held in total, in order and out of order, before offers are
     *     refused (at least 1): out-of-order data is bounded in bytes by this too
     * @param shared the shared budget, or {@code null} for none
     * @param headerLength bytes before the payload in every frame
     * @param frameOverhead bytes charged for every frame on top of its payload (0 or more)
     * @return the buffer
     * @throws IllegalArgumentException if a limit is below 1 or a length negative
     */
    public static ReorderBuffer forFrames(int maxBufferedMessages, long maxUnreadBytes, ByteBudget shared,
                                          int headerLength, int frameOverhead) {
        return new ReorderBuffer(maxBufferedMessages, maxUnreadBytes, shared, headerLength, frameOverhead, true);
    }

    /**
     * Offers the payload an Open carried, the stream's first bytes: published before anything else
     * (it takes no sequence number). Called by the producer once, before any other offer; an empty
     * payload is nothing (not an end of stream).
     *
     * @param payload the Open frame (its payload follows the header)
     * @return what happened to it ({@link OfferResult#ACCEPTED}, {@link OfferResult#CLOSED} or a budget's refusal)
     */
    public OfferResult offerInitial(byte[] payload) {
        if (state != OPEN) {
            return OfferResult.CLOSED;
        }
        int length = payload.length - skip;
        if (length == 0) {
            return OfferResult.ACCEPTED;
        }
        long charge = (long) length + messageOverhead;
        if (charge > maxUnreadBytes - readyCharge()) {
            return OfferResult.OVER_BUDGET;
        }
        if (shared != null && !reserveShared(charge)) {
            return OfferResult.OVER_SHARED_BUDGET;
        }
        publish(payload, length);
        return OfferResult.ACCEPTED;
    }

    /**
     * Offers one Data payload and wakes the reader if it waits for it; never blocks on the reader.
     * Called by one producer thread. The same as {@link #offerQuietly} followed by
     * {@link #signalIfWaiting}.
     *
     * @param sequence the frame's sequence number (unsigned 32 bits)
     * @param payload the payload; the buffer keeps the array
     * @return what happened to it
     */
    public OfferResult offer(int sequence, byte[] payload) {
        OfferResult result = offerQuietly(sequence, payload);
        signalIfWaiting();
        return result;
    }

    /**
     * Offers one Data payload without waking a waiting reader: a producer that hands over several
     * messages in a row (the router, one batch from the transport's queue) wakes each reader once,
     * with {@link #signalIfWaiting}, after the batch. Until then a reader that is spinning sees the
     * message; one that is parked does not. Never blocks. Called by one producer thread.
     *
     * @param sequence the frame's sequence number (unsigned 32 bits)
     * @param payload the payload; the buffer keeps the array
     * @return what happened to it
     */
    public OfferResult offerQuietly(int sequence, byte[] payload) {
        if (state != OPEN) {
            return OfferResult.CLOSED;
        }
        if (sequence == window.nextSequence() && window.isEmpty() && window.endPosition() == OrderingWindow.NO_END) {
            // In order and nothing waits out of order: no lock (nothing is held out of order).
            return acceptInOrder(payload, payload.length - skip, 0);
        }
        lock.lock();
        try {
            return offerLocked(sequence, payload);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Accepts the next expected message if the budgets allow: the one path for in-order data,
     * lock-free from {@link #offerQuietly} and under the lock from {@link #offerLocked}.
     */
    private OfferResult acceptInOrder(byte[] payload, int length, long heldOutOfOrder) {
        long charge = (long) length + messageOverhead;
        if (charge > maxUnreadBytes - readyCharge() - heldOutOfOrder) {
            return OfferResult.OVER_BUDGET;
        }
        if (shared != null && !reserveShared(charge)) {
            return OfferResult.OVER_SHARED_BUDGET;
        }
        long position = window.nextPosition();
        window.advance();
        publish(payload, length);
        if (length == 0 && emptyPayloadEnds) {
            endAt(position);
        }
        return OfferResult.ACCEPTED;
    }

    /** The charge of what the ready queue holds (producer side; the reader's counts may lag, never lead). */
    private long readyCharge() {
        long messages = deliveredMessages - (long) TAKEN_MESSAGES.getAcquire(this);
        return deliveredBytes - (long) TAKEN_BYTES.getAcquire(this) + messages * messageOverhead;
    }

    /** Everything but an in-order message with nothing held; the caller holds {@link #lock}. */
    private OfferResult offerLocked(int sequence, byte[] payload) {
        assert lock.isHeldByCurrentThread();
        if (state != OPEN) {
            return OfferResult.CLOSED;
        }
        int ahead = window.ahead(sequence);
        if (ahead < 0) {
            return OfferResult.LATE;
        }
        long position = window.nextPosition() + ahead;
        if (position > window.endPosition()) {
            return OfferResult.AFTER_END;
        }
        int length = payload.length - skip;
        if (ahead == 0) {
            OfferResult result = acceptInOrder(payload, length, window.heldCharge());
            if (result == OfferResult.ACCEPTED && position != window.endPosition()) {
                drainContiguous();
            }
            return result;
        }
        if (window.holds(ahead)) {
            return OfferResult.DUPLICATE;
        }
        long charge = (long) length + messageOverhead;
        if (charge > maxUnreadBytes - readyCharge() - window.heldCharge()) {
            return OfferResult.OVER_BUDGET;
        }
        if (shared != null && !reserveShared(charge)) {
            return OfferResult.OVER_SHARED_BUDGET;
        }
        window.hold(ahead, payload);
        if (length == 0 && emptyPayloadEnds) {
            endAt(position);
        }
        if (window.held() > maxBufferedMessages) {
            skipToLowestHeld();
            drainContiguous();
        }
        return OfferResult.ACCEPTED;
    }

    /** Fixes the end of stream at {@code position}; what was held after it is discarded and counted. */
    private void endAt(long position) {
        long heldBefore = window.heldCharge();
        droppedAfterEnd += window.endAt(position);
        releaseShared(heldBefore - window.heldCharge());
    }

    /** Publishes every held message contiguous with the next expected one. */
    private void drainContiguous() {
        byte[] next;
        while ((next = window.takeNext()) != null) {
            publish(next, next.length - skip);
        }
    }

    /** Jumps the next expected number to the lowest held message and publishes the gap for the reader. */
    private void skipToLowestHeld() {
        long first = Integer.toUnsignedLong(window.nextSequence());
        long skipped = window.skipToLowest();
        publish(new Gap(first, skipped, deliveredBytes), 0);
    }

    /**
     * Appends to the ready queue (producer only): the counters first, with release stores, so a
     * reader that takes the item sees it counted; then the item; and notes that the reader may need
     * waking ({@link #signalIfWaiting}).
     */
    private void publish(Object item, int length) {
        if (item instanceof byte[]) {
            DELIVERED_MESSAGES.setRelease(this, deliveredMessages + 1);
        }
        DELIVERED_BYTES.setRelease(this, deliveredBytes + length);
        if (ready.publish(item)) {
            handOff.published();
        }
    }

    /** Reserves from the shared budget (producer only); a buffer ended meanwhile gives it straight back. */
    private boolean reserveShared(long charge) {
        if (!shared.tryReserve(charge)) {
            return false;
        }
        SHARED_HELD.getAndAdd(this, charge);
        if (state >= RESET) {
            releaseAllShared();
        }
        return true;
    }

    /** Gives back up to {@code bytes} of what this buffer holds against the shared budget. */
    private void releaseShared(long bytes) {
        if (shared == null || bytes <= 0) {
            return;
        }
        long held;
        long given;
        do {
            held = (long) SHARED_HELD.getVolatile(this);
            if (held <= 0) {
                return;
            }
            given = Math.min(held, bytes);
        } while (!SHARED_HELD.compareAndSet(this, held, held - given));
        shared.release(given);
    }

    /** Gives back everything this buffer holds against the shared budget. */
    private void releaseAllShared() {
        if (shared != null) {
            long held = (long) SHARED_HELD.getAndSet(this, 0L);
            if (held > 0) {
                shared.release(held);
            }
        }
    }

    /**
     * Whether something was published since the last {@link #signalIfWaiting} (producer only).
     *
     * @return true if the reader may be waiting for what was published
     */
    public boolean hasPendingSignal() {
        return handOff.hasPendingSignal();
    }

    /**
     * Wakes the reader if it waits and something was published since the last call (producer
     * only); see {@link ReaderHandOff}.
     */
    public void signalIfWaiting() {
        handOff.signalIfWaiting();
    }

    /**
     * Returns how many messages held out of order were discarded since the last call because an
     * end of stream was accepted before them (producer only). The offer that accepted the end
     * reports {@link OfferResult#ACCEPTED} for itself; these are the others it displaced.
     *
     * @return messages discarded, then 0 until more are
     */
    public int takeDroppedAfterEnd() {
        int dropped = droppedAfterEnd;
        droppedAfterEnd = 0;
        return dropped;
    }

    /**
     * Takes the next in-order payload without waiting. Called by one consumer at a time.
     *
     * @return the payload, or {@code null} if none is ready
     * @throws StreamDataLossException once, where messages were skipped over
     * @throws IOException if the buffer is closed or reset, or failed and everything ready was taken
     */
    @Override
    public byte[] poll() throws IOException {
        int current = state;
        if (current >= RESET) {
            throw ended(current);
        }
        Object item = ready.take();
        if (item == null) {
            if (current == FAILED) {
                throw ended(current);
            }
            return null;
        }
        if (item instanceof byte[] payload) {
            int length = payload.length - skip;
            TAKEN_MESSAGES.setRelease(this, takenMessages + 1);
            TAKEN_BYTES.setRelease(this, takenBytes + length);
            releaseShared((long) length + messageOverhead);
            return payload;
        }
        Gap gap = (Gap) item;
        throw new StreamDataLossException(gap.firstLostSequence(), gap.lostMessages(), gap.streamOffset());
    }

    /**
     * The reader's last look before it parks (consumer only): whether something is ready or the
     * buffer ended, with volatile reads.
     *
     * @return {@code true} if {@link #poll()} would not return {@code null} for want of a payload
     */
    @Override
    public boolean readyOrEndedVolatile() {
        return ready.hasItemVolatile() || state != OPEN;
    }

    private IOException ended(int current) {
        if (current == CLOSED) {
            return new IOException("stream closed");
        }
        return Failures.again(failure);
    }

    /**
     * Takes the next in-order payload, waiting for one (see {@link ReaderHandOff} for how). Called
     * by one consumer at a time.
     *
     * @param timeoutNanos how long to wait at most; 0 or less waits without limit
     * @return the payload (never {@code null})
     * @throws StreamDataLossException once, where messages were skipped over
     * @throws SocketTimeoutException if nothing became ready in time
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the buffer is closed or reset, or failed and everything ready was taken
     */
    public byte[] take(long timeoutNanos) throws IOException {
        return handOff.take(this, timeoutNanos);
    }

    /**
     * Throws the reason the buffer was reset or closed, if it was: a reader that still holds part
     * of a payload it took checks this before handing out more of it, so a reset fails reads at
     * once, as documented, even mid-payload.
     *
     * @throws IOException if the buffer was reset or closed
     */
    public void checkNotDiscarded() throws IOException {
        int current = state;
        if (current >= RESET) {
            throw ended(current);
        }
    }

    /**
     * Returns where the payload starts in every array this buffer hands out.
     *
     * @return the {@code skip} given at construction, 0 by default
     */
    public int payloadOffset() {
        return skip;
    }

    /** The length of the array the ready queue's producer fills (0 once dropped); for tests. */
    int readyQueueCapacity() {
        return ready.capacity();
    }

    /**
     * Producer only: from now on a gap is waited for, never skipped over, however many messages
     * arrive after it (their bytes still count against the limits): the sender sends lost messages
     * again.
     */
    public void neverSkipAhead() {
        maxBufferedMessages = Integer.MAX_VALUE;
    }

    /**
     * Producer only: what has arrived, for an acknowledgement: the next expected sequence number
     * (unsigned, in the high 32 bits) and which of the 32 after it are held (bit {@code i}: the
     * one {@code i + 1} ahead, in the low 32 bits).
     *
     * @return the packed state
     */
    public long arrivalState() {
        lock.lock(); // the window is the producer's, but close() and reset clear it from other threads
        try {
            int held = 0;
            if (!window.isEmpty()) {
                for (int i = 0; i < 32; i++) {
                    if (window.holds(i + 1)) {
                        held |= 1 << i;
                    }
                }
            }
            return (long) window.nextSequence() << 32 | Integer.toUnsignedLong(held);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns how many messages with a payload the consumer has taken so far.
     *
     * @return messages taken, from the first
     */
    public long takenMessages() {
        return (long) TAKEN_MESSAGES.getAcquire(this);
    }

    /**
     * Returns how many payload bytes the consumer has taken so far.
     *
     * @return bytes taken, from the first
     */
    public long takenBytes() {
        return (long) TAKEN_BYTES.getAcquire(this);
    }

    /**
     * Returns how many bytes are ready to be taken without waiting.
     *
     * @return bytes in order and not yet taken; 0 once closed or reset
     */
    public long readyBytes() {
        if (state >= RESET) {
            return 0;
        }
        return (long) DELIVERED_BYTES.getAcquire(this) - (long) TAKEN_BYTES.getAcquire(this);
    }

    /**
     * Returns the charge of what the buffer holds, in order and out of order: what counts against
     * the limit on unread bytes — every message's payload plus the per-message overhead the
     * buffer was made with (none for the public constructors).
     *
     * @return bytes charged for what is held; 0 once reset or closed
     */
    public long unreadBytes() {
        lock.lock();
        try {
            if (state >= RESET) {
                return 0;
            }
            long messages = (long) DELIVERED_MESSAGES.getAcquire(this) - (long) TAKEN_MESSAGES.getAcquire(this);
            return readyBytes() + messages * messageOverhead + window.heldCharge();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the payload bytes held, in order and out of order, without the per-message overhead
     * {@link #unreadBytes()} charges: what a peer's credit bounds (flow control).
     *
     * @return payload bytes received and not yet taken; 0 once reset or closed
     */
    public long unreadPayloadBytes() {
        lock.lock();
        try {
            if (state >= RESET) {
                return 0;
            }
            return readyBytes() + window.heldCharge() - (long) window.held() * messageOverhead;
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
            return window.held();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the next expected sequence number; exact when called by the producer, else recent.
     *
     * @return unsigned 32 bits
     */
    public int nextSequence() {
        lock.lock();
        try {
            return window.nextSequence();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the buffer with an error after what is ready: the reader takes every payload already in
     * order, then gets {@code cause} (wrapped). Messages held out of order are discarded; further
     * offers are refused. Has no effect if already ended.
     *
     * @param cause what reads throw once everything ready was taken
     */
    public void fail(IOException cause) {
        end(FAILED, cause);
    }

    /**
     * Ends the buffer with an error at once: everything held is discarded and reads throw
     * {@code cause} (wrapped). Has no effect if already reset or closed; a failed buffer can still
     * be reset, which discards what its reader had not taken.
     *
     * @param cause what reads throw from now on
     */
    public void reset(IOException cause) {
        end(RESET, cause);
    }

    /**
     * Closes the buffer: everything held is discarded, offers are refused and every read, waiting
     * or not, throws {@code IOException("stream closed")}. Idempotent; wins over an earlier
     * {@link #fail} or {@link #reset}.
     */
    public void close() {
        end(CLOSED, null);
    }

    private void end(int newState, IOException cause) {
        lock.lock();
        try {
            if (newState <= state) {  // only ever onwards: open, failed, reset, closed
                return;
            }
            if (cause != null) {
                failure = cause;
            }
            state = newState;
            if (newState == FAILED) {
                releaseShared(window.heldCharge());
            } else {
                releaseAllShared();
                // Let go of the ready items now, not when the stream is forgotten. Neither side
                // uses the queue once the state says so; one racing with this end sees either the
                // old array (and its result is moot) or none.
                ready.drop();
            }
            window.clear();
            handOff.wakeAllLocked();
        } finally {
            lock.unlock();
        }
    }
}
