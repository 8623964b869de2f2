package dev.mixnetstreams.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * The messages of one stream that arrived ahead of the next expected one, by position, and where
 * the stream ends: the ordering half of a {@link ReorderBuffer}.
 *
 * <p>Sequence numbers are compared with serial-number arithmetic ({@code sequence - next} as a
 * signed 32-bit difference), and every message also has an absolute position that does not wrap.
 * A message within {@value #RING_SIZE} of the next expected one is stored in a ring at
 * {@code sequence & (ring.length - 1)} — O(1); every held message lies in {@code [next, next +
 * ring.length)}, so slots never collide. The ring is created on the first out-of-order message
 * with {@value #INITIAL_RING_SLOTS} slots and doubles up to {@value #RING_SIZE}, so a stream that
 * is never reordered costs no ring. Messages further ahead (only a broken or hostile peer, or
 * heavy loss, sends those) go to a sorted map, and move into the ring as the next expected number
 * comes within reach.
 *
 * <p>Each held message is charged its payload plus a per-message overhead ({@link #heldCharge()}).
 *
 * <p>Not thread-safe: the buffer's lock guards it (the buffer reads {@link #nextSequence()} and
 * {@link #isEmpty()} without it only on the producer thread, which alone changes it).
 */
final class OrderingWindow {

    /** How far ahead of the next expected number the ring reaches at most; a power of two. */
    static final int RING_SIZE = 1024;
    static final int INITIAL_RING_SLOTS = 16;
    /** {@link #endPosition()} while no end of stream has been fixed. */
    static final long NO_END = Long.MAX_VALUE;

    private final int skip;
    private final int messageOverhead;

    /** Held messages with positions in [next, next + ring.length), at {@code seq & ringMask}; null until first needed. */
    private byte[][] ring;
    private int ringMask;
    private int ringCount;
    /** Held messages further ahead, keyed by absolute position; null when empty. */
    private TreeMap<Long, byte[]> farAhead;
    private long heldCharge;
    /** The next expected sequence number (unsigned 32 bits, wraps). */
    private int nextSequence;
    /** The next expected message's absolute position (does not wrap). */
    private long nextPosition;
    /** The position of the stream's end of stream, or {@link #NO_END}. */
    private long endPosition = NO_END;

    /**
     * Creates an empty window expecting sequence 0.
     *
     * @param skip bytes before the payload in every message array
     * @param messageOverhead bytes charged for every message on top of its payload
     */
    OrderingWindow(int skip, int messageOverhead) {
        this.skip = skip;
        this.messageOverhead = messageOverhead;
    }

    /** What a message array is charged: its payload plus the overhead. */
    long chargeOf(byte[] message) {
        return (long) message.length - skip + messageOverhead;
    }

    int nextSequence() {
        return nextSequence;
    }

    long nextPosition() {
        return nextPosition;
    }

    long endPosition() {
        return endPosition;
    }

    /** Whether nothing is held out of order. */
    boolean isEmpty() {
        return ringCount == 0 && farAhead == null;
    }

    /** How many messages are held out of order. */
    int held() {
        return ringCount + (farAhead == null ? 0 : farAhead.size());
    }

    /** The charge of the messages held out of order. */
    long heldCharge() {
        return heldCharge;
    }

    /**
     * How far a sequence number is ahead of the next expected one, by serial-number arithmetic.
     *
     * @return 0 for the next expected message, positive ahead, negative behind (late)
     */
    int ahead(int sequence) {
        return sequence - nextSequence;
    }

    /** The next expected message was delivered directly: expect the one after it. */
    void advance() {
        nextSequence++;
        nextPosition++;
    }

    /** Whether a message {@code ahead} (positive) of the next expected one is held already. */
    boolean holds(int ahead) {
        if (ahead < RING_SIZE) {
            return ring != null && ahead < ring.length && ring[(nextSequence + ahead) & ringMask] != null;
        }
        return farAhead != null && farAhead.containsKey(nextPosition + ahead);
    }

    /** Holds a message {@code ahead} (positive) of the next expected one; the caller checked it is not held. */
    void hold(int ahead, byte[] message) {
        if (ahead < RING_SIZE) {
            ensureRingReaches(ahead);
            ring[(nextSequence + ahead) & ringMask] = message;
            ringCount++;
        } else {
            if (farAhead == null) {
                farAhead = new TreeMap<>();
            }
            farAhead.put(nextPosition + ahead, message);
        }
        heldCharge += chargeOf(message);
    }

    /**
     * Takes the next expected message if it is held, and expects the one after it.
     *
     * @return the message, or {@code null} if it is not held
     */
    byte[] takeNext() {
        while (!isEmpty()) {
            if (ringCount != 0) {
                int slot = nextSequence & ringMask;
                byte[] message = ring[slot];
                if (message != null) {
                    ring[slot] = null;
                    ringCount--;
                    heldCharge -= chargeOf(message);
                    advance();
                    return message;
                }
            }
            if (!pullFarAheadIntoRing()) {
                return null;
            }
        }
        return null;
    }

    /**
     * Jumps the next expected number to the lowest held message (something is held).
     *
     * @return how many messages were skipped over (at least 1 unless the next one is held)
     */
    long skipToLowest() {
        long skipped = -1;
        if (ringCount > 0) {
            for (int i = 0; i < ring.length; i++) {
                if (ring[(nextSequence + i) & ringMask] != null) {
                    skipped = i;
                    break;
                }
            }
        } else {
            skipped = farAhead.firstKey() - nextPosition;
        }
        nextSequence += (int) skipped;
        nextPosition += skipped;
        pullFarAheadIntoRing();
        return skipped;
    }

    /**
     * Fixes the stream's end at {@code position} and discards every message held after it.
     *
     * @return how many held messages were discarded (their charge left {@link #heldCharge()})
     */
    int endAt(long position) {
        endPosition = position;
        int discarded = 0;
        if (ring != null && ringCount != 0) {
            for (int slot = 0; slot < ring.length; slot++) {
                byte[] held = ring[slot];
                if (held != null && nextPosition + ((slot - nextSequence) & ringMask) > position) {
                    ring[slot] = null;
                    ringCount--;
                    heldCharge -= chargeOf(held);
                    discarded++;
                }
            }
        }
        if (farAhead != null) {
            Map<Long, byte[]> after = farAhead.tailMap(position, false);
            for (byte[] held : after.values()) {
                heldCharge -= chargeOf(held);
                discarded++;
            }
            after.clear();
            if (farAhead.isEmpty()) {
                farAhead = null;
            }
        }
        return discarded;
    }

    /** Lets go of every held message. */
    void clear() {
        ring = null;
        ringMask = 0;
        ringCount = 0;
        farAhead = null;
        heldCharge = 0;
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
}
