package dev.mixnetstreams.internal;

import dev.mixnetstreams.StreamDataLossException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
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
 * <p>Concurrency: one producer (the router) calls {@link #offer}, or {@link #offerQuietly} for a
 * batch followed by one {@link #signalIfWaiting}, neither of which blocks on the reader; one
 * consumer at a time (the stream's reader; {@code MixnetStream} serialises its readers) calls
 * {@link #poll} or {@link #take}. Delivered messages go to the reader through a
 * single-producer single-consumer queue — a power-of-two array whose slots are null when free,
 * which the producer replaces by one twice the size when it is full and by a small one when a large
 * one is empty, linking old to new — so a message in order with nothing out of order takes no lock
 * on either side. A {@link ReentrantLock} guards the
 * out-of-order state (the ring, the far-ahead map) and, with its {@link Condition}, the reader's
 * wait: the reader announces that it waits (a volatile flag, then a volatile re-check of the queue
 * under the lock), and the producer, after publishing with release stores and then one full fence,
 * signals under the lock only when the flag is set — so no wake-up is lost and none is paid for
 * when nobody waits.
 * {@link #close()}, {@link #fail} and {@link #reset} wake every waiting reader.
 *
 * <p>Cost: a message in order is O(1) with no allocation and no lock; one out of order within
 * {@value #RING_SIZE} of the next expected number is an O(1) array store, under the lock, in a
 * ring indexed by {@code sequence & (ring.length - 1)}; only messages further ahead, which a
 * well-behaved peer does not send, go to a sorted map.
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
 * ({@link #takeDroppedAfterEnd()}). A later end before the first one moves the end back. So nothing
 * is ever published after the end, which the reader takes once and then never takes again.
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
    /** How often {@link #take} polls again, with {@link Thread#onSpinWait()}, before it parks, at most. */
    static final int SPINS_BEFORE_PARKING = 64;
    /**
     * A reader that has stopped spinning (its spins failed again and again) still spins fully
     * before one park in this many, to find out whether spinning pays again.
     */
    static final int PARKS_BETWEEN_PROBES = 16;
    /** Slots of a new ready queue; it doubles when full. */
    static final int INITIAL_READY_SLOTS = 8;
    /**
     * A ready queue larger than this (grown by a burst the reader did not keep up with) is replaced
     * by a new one of {@value #INITIAL_READY_SLOTS} slots the next time the producer finds it empty.
     */
    static final int SHRINK_READY_SLOTS_ABOVE = 1024;

    private static final int OPEN = 0;
    /** Hand out what is ready, then the failure. */
    private static final int FAILED = 1;
    /** The failure at once; everything held is discarded. */
    private static final int RESET = 2;
    private static final int CLOSED = 3;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle DELIVERED_BYTES;
    private static final VarHandle DELIVERED_MESSAGES;
    private static final VarHandle TAKEN_BYTES;
    private static final VarHandle TAKEN_MESSAGES;
    private static final VarHandle SHARED_HELD;
    /** {@link #endPosition} while no end of stream has been accepted. */
    private static final long NO_END = Long.MAX_VALUE;

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
    private final Condition readable = lock.newCondition();
    private final int maxBufferedMessages;
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
    /** Bytes this buffer holds against {@link #shared} (0 without one); changed atomically through {@link #SHARED_HELD}. */
    @SuppressWarnings("unused") // through SHARED_HELD
    private volatile long sharedHeld;

    /** OPEN, FAILED, RESET or CLOSED; only ever increases. */
    private volatile int state = OPEN;
    /** Why the buffer failed or was reset; written before {@link #state}. */
    private IOException failure;
    /** Set by a reader about to wait, under the lock; read by the producer after publishing. */
    private volatile boolean readerWaiting;

    // ---- producer side (the router); the out-of-order part only under the lock ----

    /**
     * Out-of-order messages whose sequence is in [next, next + ring.length), at
     * {@code seq & (ring.length - 1)}; {@code null} until first needed.
     */
    private byte[][] ring;
    private int ringMask;
    private int ringCount;
    /** Out-of-order messages further ahead, keyed by absolute position; created on first need. */
    private TreeMap<Long, byte[]> farAhead;
    /** The charge (payload plus {@link #messageOverhead} each) of the messages held out of order. */
    private long outOfOrderCharge;
    /**
     * Absolute position of the end of stream accepted so far (in order or held), or {@link #NO_END};
     * messages after it are refused ({@link OfferResult#AFTER_END}).
     */
    private long endPosition = NO_END;
    /** Held messages discarded because an end of stream came before them; see {@link #takeDroppedAfterEnd()}. */
    private int droppedAfterEnd;
    /** The next expected sequence number (unsigned 32 bits, wraps). */
    private int nextSequence;
    /** The next expected message's absolute position (does not wrap). */
    private long nextPosition;
    /** Bytes published to the ready queue since the start (the stream offset of the next one); released. */
    private long deliveredBytes;
    /** Messages published to the ready queue since the start (gaps not counted); released. */
    private long deliveredMessages;
    /**
     * The ready queue as the producer sees it: the array it fills and its count of items put in it
     * (the next slot is {@code count & (length - 1)}). A slot is null until the producer fills it
     * and again once the consumer empties it; the slot after the next is always kept null, so the
     * next slot is free. When the array is full the producer moves to one twice the size and leaves
     * the new array itself in the old one's next slot as the link the consumer follows; it moves to
     * a fresh small one the same way when a large one is empty.
     */
    private Object[] producerSlots;
    private int producerCount;
    /** Something was published that a waiting reader has not been told about. */
    private boolean signalPending;

    // ---- consumer side (the reader) ----

    /** The ready queue as the consumer sees it: the array it empties and its count of items taken from it. */
    private Object[] consumerSlots;
    private int consumerCount;
    /** How often {@link #take} polls before it parks; adapts between 0 and {@link #SPINS_BEFORE_PARKING}. */
    private int spinLimit = SPINS_BEFORE_PARKING;
    /** Parks without spinning since the last probe (see {@link #PARKS_BETWEEN_PROBES}). */
    private int parksWithoutSpinning;
    /** Bytes taken by the reader since the start; released. */
    private long takenBytes;
    /** Messages taken by the reader since the start; released. */
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
        ArgumentChecks.positive(maxBufferedMessages, "maxBufferedMessages");
        ArgumentChecks.positive(maxUnreadBytes, "maxUnreadBytes");
        this.maxBufferedMessages = maxBufferedMessages;
        this.maxUnreadBytes = maxUnreadBytes;
        this.shared = shared;
        Object[] first = new Object[INITIAL_READY_SLOTS];
        this.producerSlots = first;
        this.consumerSlots = first;
    }

    /**
     * Creates the buffer of one stream, fed whole received frames: the payload follows a
     * {@code headerLength}-byte header, every frame is charged its payload plus
     * {@code frameOverhead} bytes against both limits, and an empty payload is the end of the
     * stream — anything after it is refused with {@link OfferResult#AFTER_END}, and messages
     * already held after it are discarded (see {@link #takeDroppedAfterEnd()}).
     *
     * @param maxBufferedMessages out-of-order messages held before skipping ahead (at least 1)
     * @param maxUnreadBytes charge held in total before offers are refused (at least 1)
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
        if (sequence == nextSequence && ringCount == 0 && farAhead == null && endPosition == NO_END) {
            // In order and nothing waits out of order: no lock (nothing is held out of order).
            return acceptInOrder(payload, payload.length - skip, 0);
        }
        return offerSlow(sequence, payload);
    }

    /**
     * Accepts the next expected message if the budgets allow: the one path for in-order data,
     * lock-free from {@link #offer} and under the lock from {@link #offerLocked}.
     */
    private OfferResult acceptInOrder(byte[] payload, int length, long heldOutOfOrder) {
        long charge = (long) length + messageOverhead;
        if (charge > maxUnreadBytes - readyCharge() - heldOutOfOrder) {
            return OfferResult.OVER_BUDGET;
        }
        if (shared != null && !reserveShared(charge)) {
            return OfferResult.OVER_SHARED_BUDGET;
        }
        if (length == 0 && emptyPayloadEnds) {
            endPosition = nextPosition;
        }
        nextSequence++;
        nextPosition++;
        publish(payload, length);
        return OfferResult.ACCEPTED;
    }

    /** The charge of what the ready queue holds (producer side; the reader's counts may lag, never lead). */
    private long readyCharge() {
        long messages = deliveredMessages - (long) TAKEN_MESSAGES.getAcquire(this);
        return deliveredBytes - (long) TAKEN_BYTES.getAcquire(this) + messages * messageOverhead;
    }

    /** Everything but an in-order message with nothing out of order; kept out of line so {@link #offer} inlines. */
    private OfferResult offerSlow(int sequence, byte[] payload) {
        lock.lock();
        try {
            return offerLocked(sequence, payload);
        } finally {
            lock.unlock();
        }
    }

    private OfferResult offerLocked(int sequence, byte[] payload) {
        if (state != OPEN) {
            return OfferResult.CLOSED;
        }
        int ahead = sequence - nextSequence;
        if (ahead < 0) {
            return OfferResult.LATE;
        }
        long position = nextPosition + ahead;
        if (position > endPosition) {
            return OfferResult.AFTER_END;
        }
        int length = payload.length - skip;
        long charge = (long) length + messageOverhead;
        boolean isEnd = length == 0 && emptyPayloadEnds;
        boolean overBudget = charge > maxUnreadBytes - readyCharge() - outOfOrderCharge;
        if (ahead == 0) {
            OfferResult result = acceptInOrder(payload, length, outOfOrderCharge);
            if (result == OfferResult.ACCEPTED) {
                if (isEnd) {
                    discardHeldAfter(position);
                } else {
                    drainContiguous();
                }
            }
            return result;
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
                if (shared != null && !reserveShared(charge)) {
                    return OfferResult.OVER_SHARED_BUDGET;
                }
                ring[slot] = payload;
                ringCount++;
            } else {
                if (farAhead != null && farAhead.containsKey(position)) {
                    return OfferResult.DUPLICATE;
                }
                if (overBudget) {
                    return OfferResult.OVER_BUDGET;
                }
                if (shared != null && !reserveShared(charge)) {
                    return OfferResult.OVER_SHARED_BUDGET;
                }
                if (farAhead == null) {
                    farAhead = new TreeMap<>();
                }
                farAhead.put(position, payload);
            }
            outOfOrderCharge += charge;
            if (isEnd) {
                endPosition = position;
                discardHeldAfter(position);
            }
            if (bufferedCountLocked() > maxBufferedMessages) {
                skipToLowestBuffered();
                drainContiguous();
            }
        }
        return OfferResult.ACCEPTED;
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
        return signalPending;
    }

    /**
     * Wakes the reader if it waits and something was published since the last call (producer
     * only). One full fence orders every slot written before it against the read of
     * {@link #readerWaiting}; the reader sets that flag before it looks at the queue a last time.
     */
    public void signalIfWaiting() {
        if (signalPending) {
            signalPending = false;
            VarHandle.fullFence();
            if (readerWaiting) {
                signalReaders();
            }
        }
    }

    /**
     * Appends to the ready queue (producer only) with a release store, and notes that the reader
     * may need waking ({@link #signalIfWaiting}).
     */
    private void publish(Object item, int length) {
        Object[] slots = producerSlots;
        if (slots == null) {
            return; // reset or closed: the queue was dropped, and so is the item
        }
        int mask = slots.length - 1;
        int count = producerCount;
        if (item instanceof byte[]) {
            DELIVERED_MESSAGES.setRelease(this, deliveredMessages + 1);
        }
        DELIVERED_BYTES.setRelease(this, deliveredBytes + length);
        boolean full = SLOTS.getAcquire(slots, (count + 1) & mask) != null;
        boolean largeAndEmpty = slots.length > SHRINK_READY_SLOTS_ABOVE
                && SLOTS.getAcquire(slots, (count - 1) & mask) == null;
        if (full || largeAndEmpty) {
            moveReadyQueue(slots, count, item, full);
        } else {
            SLOTS.setRelease(slots, count & mask, item);
            producerCount = count + 1;
        }
        signalPending = true;
    }

    /**
     * Publishes {@code item} as the first of a new array, linked from the current one's next slot:
     * twice the size if the current one is full, else (a large one found empty) the initial size.
     */
    private void moveReadyQueue(Object[] slots, int count, Object item, boolean full) {
        Object[] next = new Object[full ? slots.length * 2 : INITIAL_READY_SLOTS];
        next[0] = item;
        producerSlots = next;
        producerCount = 1;
        SLOTS.setRelease(slots, count & (slots.length - 1), next);  // the link; its array is complete before it is seen
    }

    private void signalReaders() {
        lock.lock();
        try {
            // Cleared here, not only by the reader once it runs again: until then the producer's
            // later batches would each take the lock to signal a reader already woken. A reader that
            // wakes and still finds nothing sets the flag again before it looks a last time.
            readerWaiting = false;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int bufferedCountLocked() {
        return ringCount + (farAhead == null ? 0 : farAhead.size());
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
        while (ringCount != 0 || farAhead != null) {
            byte[] payload = null;
            int slot = 0;
            if (ringCount != 0) {
                slot = nextSequence & ringMask;
                payload = ring[slot];
            }
            if (payload != null) {
                ring[slot] = null;
                ringCount--;
                outOfOrderCharge -= (long) payload.length - skip + messageOverhead;
                nextSequence++;
                nextPosition++;
                publish(payload, payload.length - skip);
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

    /**
     * Discards every message held out of order after {@code end} (an end of stream just accepted
     * there): nothing may follow an end, so they are a peer's protocol violation. Counted for
     * {@link #takeDroppedAfterEnd()}.
     */
    private void discardHeldAfter(long end) {
        if (ring != null && ringCount != 0) {
            for (int slot = 0; slot < ring.length; slot++) {
                byte[] held = ring[slot];
                if (held != null && nextPosition + ((slot - nextSequence) & ringMask) > end) {
                    ring[slot] = null;
                    ringCount--;
                    dropHeld(held);
                }
            }
        }
        if (farAhead != null) {
            for (byte[] held : farAhead.tailMap(end, false).values()) {
                dropHeld(held);
            }
            farAhead.tailMap(end, false).clear();
            if (farAhead.isEmpty()) {
                farAhead = null;
            }
        }
    }

    private void dropHeld(byte[] held) {
        long charge = (long) held.length - skip + messageOverhead;
        outOfOrderCharge -= charge;
        releaseShared(charge);
        droppedAfterEnd++;
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
        publish(new Gap(Integer.toUnsignedLong(nextSequence), skip, deliveredBytes), 0);
        nextSequence += (int) skip;
        nextPosition += skip;
        pullFarAheadIntoRing();
    }

    /**
     * Takes the next in-order payload without waiting. Called by one consumer at a time.
     *
     * @return the payload, or {@code null} if none is ready
     * @throws StreamDataLossException once, where messages were skipped over
     * @throws IOException if the buffer is closed or reset, or failed and everything ready was taken
     */
    public byte[] poll() throws IOException {
        int current = state;
        if (current >= RESET) {
            throw ended(current);
        }
        Object item = takeReady();
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

    private IOException ended(int current) {
        if (current == CLOSED) {
            return new IOException("stream closed");
        }
        return new IOException(failure.getMessage(), failure);
    }

    /** Removes and returns the head of the ready queue, or null (consumer only). */
    private Object takeReady() {
        Object[] slots = consumerSlots;
        if (slots == null) {
            return null; // reset or closed: the queue was dropped
        }
        int slot = consumerCount & (slots.length - 1);
        Object item = SLOTS.getAcquire(slots, slot);
        if (item == null) {
            return null;
        }
        if (item instanceof Object[] next) {
            // The producer moved to a new array; the old one is left to the garbage collector.
            consumerSlots = slots = next;
            consumerCount = 0;
            slot = 0;
            item = next[0];
        }
        SLOTS.setRelease(slots, slot, null);
        consumerCount++;
        return item;
    }

    /** Whether the ready queue holds something, read with volatile semantics (consumer only). */
    private boolean readyVolatile() {
        Object[] slots = consumerSlots;
        return slots != null && SLOTS.getVolatile(slots, consumerCount & (slots.length - 1)) != null;
    }

    /**
     * Takes the next in-order payload, waiting for one. Called by one consumer at a time.
     *
     * @param timeoutNanos how long to wait at most; 0 or less waits without limit
     * @return the payload (never {@code null})
     * @throws StreamDataLossException once, where messages were skipped over
     * @throws SocketTimeoutException if nothing became ready in time
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the buffer is closed or reset, or failed and everything ready was taken
     */
    public byte[] take(long timeoutNanos) throws IOException {
        boolean timed = timeoutNanos > 0;
        long deadline = timed ? System.nanoTime() + timeoutNanos : 0; // compared by subtraction: wrap-safe
        while (true) {
            byte[] payload = poll();
            if (payload != null) {
                return payload;
            }
            // Spin briefly before parking: a reader keeping up with a busy stream often finds the
            // next message within a microsecond or two, and parking and being woken costs more
            // (about 8 us between carriers on the 2-vCPU machine the benchmarks run on). Adaptive:
            // a spin that finds a message restores the full count; a park halves it. A reader whose
            // messages come further apart (one of many streams sharing the client), or whose spin
            // keeps the router off its carrier, soon stops spinning and probes with a full spin
            // once in PARKS_BETWEEN_PROBES parks.
            int spins = spinLimit;
            if (spins == 0 && ++parksWithoutSpinning >= PARKS_BETWEEN_PROBES) {
                parksWithoutSpinning = 0;
                spins = SPINS_BEFORE_PARKING;
            }
            for (; spins > 0; spins--) {
                Thread.onSpinWait();
                payload = poll();
                if (payload != null) {
                    spinLimit = SPINS_BEFORE_PARKING;
                    return payload;
                }
            }
            awaitReadyOrEnded(timed, deadline);
            spinLimit >>= 1;
            // Something is ready or the buffer ended: poll again, which returns it or throws. (A
            // close racing with this wake-up can leave nothing to return; then the loop sees the
            // ended state on its next poll.)
        }
    }

    /** Parks until the ready queue has something or the buffer ended, or until {@code deadline} if timed. */
    private void awaitReadyOrEnded(boolean timed, long deadline) throws IOException {
        lock.lock();
        try {
            while (true) {
                readerWaiting = true;
                if (readyVolatile() || state != OPEN) {
                    return;
                }
                if (!timed) {
                    readable.await();
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw new SocketTimeoutException("read timed out");
                    }
                    readable.awaitNanos(remaining);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for stream data");
        } finally {
            readerWaiting = false;
            lock.unlock();
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

    /** The length of the array the producer fills (0 once dropped); for tests. */
    int readyQueueCapacity() {
        Object[] slots = producerSlots;
        return slots == null ? 0 : slots.length;
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
            return readyBytes() + messages * messageOverhead + outOfOrderCharge;
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
     * Returns the next expected sequence number; exact when called by the producer, else recent.
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
     * offers are refused. Has no effect if already ended.
     *
     * @param cause what reads throw once everything ready was taken
     */
    public void fail(IOException cause) {
        end(FAILED, cause);
    }

    /**
     * Ends the buffer with an error at once: everything held is discarded and reads throw
     * {@code cause} (wrapped). Has no effect if already ended.
     *
     * @param cause what reads throw from now on
     */
    public void reset(IOException cause) {
        end(RESET, cause);
    }

    /**
     * Closes the buffer: everything held is discarded, offers are refused and every read, waiting
     * or not, throws {@code IOException("stream closed")}. Idempotent; wins over an earlier
     * {@link #fail}.
     */
    public void close() {
        end(CLOSED, null);
    }

    private void end(int newState, IOException cause) {
        lock.lock();
        try {
            int current = state;
            if (newState <= current) {  // only ever onwards: open, failed, reset, closed
                return;
            }
            if (cause != null) {
                failure = cause;
            }
            state = newState;
            if (newState == FAILED) {
                releaseShared(outOfOrderCharge);
            } else {
                releaseAllShared();
                // Drop the ready queue so its payloads can be collected now, not when the stream is
                // forgotten. Neither side uses it once the state says so; one racing with this end
                // sees either the old array (and its result is moot) or null (and stops).
                consumerSlots = null;
                producerSlots = null;
            }
            ring = null;
            ringMask = 0;
            ringCount = 0;
            farAhead = null;
            outOfOrderCharge = 0;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
