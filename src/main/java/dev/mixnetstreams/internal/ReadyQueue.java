package dev.mixnetstreams.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The in-order items of one stream on their way from the router to the reader: a lock-free
 * single-producer single-consumer queue.
 *
 * <p>One power-of-two array whose slots are null when free, with no shared head or tail index:
 * the producer writes the next slot once it has seen that the slot after it is free (so one is
 * always free), the consumer takes a slot and nulls it. Each side keeps its own array and count
 * (the next slot is {@code count & (length - 1)}). When the array is full the producer starts one
 * twice the size and leaves it in the old array's next slot as the link the consumer follows; when
 * an array grown past {@value #SHRINK_ABOVE} slots is found empty, the producer moves to a fresh
 * {@value #INITIAL_SLOTS}-slot one the same way, so a burst does not keep its memory. A steady
 * stream allocates nothing. Items are published with a release store and taken with an acquire
 * load, so an item's contents are visible to the consumer that takes it.
 *
 * <p>Confinement: the {@code producer*} fields belong to the one producer thread, the
 * {@code consumer*} fields to the one consumer at a time; the slots are the only shared state and
 * are accessed through {@link #SLOTS} only. {@link #drop()} may race with either side, which then
 * sees the old array (its result is moot) or none.
 */
final class ReadyQueue {

    /** Slots of a new queue; it doubles when full. */
    static final int INITIAL_SLOTS = 8;
    /** A queue larger than this (grown by a burst) is replaced by a small one once found empty. */
    static final int SHRINK_ABOVE = 1024;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    /** The array the producer fills, or null once dropped; producer only (and {@link #drop()}). */
    private Object[] producerSlots;
    /** Items the producer put in {@link #producerSlots}; producer only. */
    private int producerCount;
    /** The array the consumer empties, or null once dropped; consumer only (and {@link #drop()}). */
    private Object[] consumerSlots;
    /** Items the consumer took from {@link #consumerSlots}; consumer only. */
    private int consumerCount;

    ReadyQueue() {
        Object[] first = new Object[INITIAL_SLOTS];
        producerSlots = first;
        consumerSlots = first;
    }

    /**
     * Appends an item (producer only), with a release store.
     *
     * @param item not {@code null}, and not an {@code Object[]} (arrays are the queue's links)
     * @return {@code false} if the queue was dropped (the item is not kept)
     */
    boolean publish(Object item) {
        Object[] slots = producerSlots;
        if (slots == null) {
            return false;
        }
        int mask = slots.length - 1;
        int count = producerCount;
        boolean full = SLOTS.getAcquire(slots, (count + 1) & mask) != null;
        boolean largeAndEmpty = slots.length > SHRINK_ABOVE && SLOTS.getAcquire(slots, (count - 1) & mask) == null;
        if (full || largeAndEmpty) {
            Object[] next = new Object[full ? slots.length * 2 : INITIAL_SLOTS];
            next[0] = item;
            producerSlots = next;
            producerCount = 1;
            SLOTS.setRelease(slots, count & mask, next); // the link; its array is complete before it is seen
        } else {
            SLOTS.setRelease(slots, count & mask, item);
            producerCount = count + 1;
        }
        return true;
    }

    /**
     * Removes and returns the oldest item (consumer only).
     *
     * @return the item, or {@code null} if there is none (or the queue was dropped)
     */
    Object take() {
        Object[] slots = consumerSlots;
        if (slots == null) {
            return null;
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

    /**
     * Returns whether an item is ready, read with volatile semantics (consumer only): the last look
     * of a reader about to park, ordered against the producer's publish and fence.
     *
     * @return {@code true} if {@link #take()} would return an item
     */
    boolean hasItemVolatile() {
        Object[] slots = consumerSlots;
        return slots != null && SLOTS.getVolatile(slots, consumerCount & (slots.length - 1)) != null;
    }

    /** Lets go of every item, for either side's next call to find nothing; called once the buffer ends. */
    void drop() {
        consumerSlots = null;
        producerSlots = null;
    }

    /** The length of the array the producer fills (0 once dropped); for tests. */
    int capacity() {
        Object[] slots = producerSlots;
        return slots == null ? 0 : slots.length;
    }
}
