package dev.mixnetstreams.nymclient;

import dev.mixnetstreams.InboundMessage;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The inbound queue of a {@link NymClientTransport}: bounded in messages and in bytes, each message
 * charged its length plus {@link #MESSAGE_OVERHEAD}, so that what waits for the consumer is
 * bounded whatever the messages' sizes (a message larger than the byte bound goes in alone).
 *
 * <p>Producers ({@link #offer}, {@link #put}) respect both bounds; the one consumer takes with
 * {@link #poll}, {@link #take} or {@link #drainTo}. Other removals go through {@link #poll} or
 * {@link #remove(Object)}; the iterator is read-only.
 *
 * <p>Guards: {@link #bytes} is atomic (reserved with a compare-and-set before a message goes in,
 * released when it comes out); {@link #roomLock} guards the wait of a producer for bytes, and
 * {@link #producerWaiting} (volatile, set under it) tells the consumer whether to signal.
 */
final class InboundQueue extends AbstractQueue<InboundMessage> implements BlockingQueue<InboundMessage> {

    /** Bytes charged for every queued message on top of its length: its record, array header, tag. */
    static final int MESSAGE_OVERHEAD = 96;

    private final LinkedBlockingQueue<InboundMessage> messages;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final ReentrantLock roomLock = new ReentrantLock();
    /** Signalled when bytes are released while a producer waits for them. */
    private final Condition room = roomLock.newCondition();
    private volatile boolean producerWaiting;

    InboundQueue(int capacity, long maxBytes) {
        this.messages = new LinkedBlockingQueue<>(capacity);
        this.maxBytes = maxBytes;
    }

    /** The bytes charged for what the queue holds now. */
    long bytes() {
        return bytes.get();
    }

    private static long charge(InboundMessage message) {
        return (long) message.data().length + MESSAGE_OVERHEAD;
    }

    /** Reserves a message's charge if it fits (or the queue holds nothing). */
    private boolean tryReserve(long charge) {
        long current;
        do {
            current = bytes.get();
            if (current != 0 && charge > maxBytes - current) {
                return false;
            }
        } while (!bytes.compareAndSet(current, current + charge));
        return true;
    }

    private void release(long charge) {
        bytes.addAndGet(-charge);
        if (producerWaiting) {
            roomLock.lock();
            try {
                room.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }

    /** Waits until the charge is reserved, or the deadline passes ({@code timed}). */
    private boolean reserve(long charge, boolean timed, long nanos) throws InterruptedException {
        if (tryReserve(charge)) {
            return true;
        }
        roomLock.lockInterruptibly();
        try {
            while (true) {
                producerWaiting = true; // before the last look: a release either sees it or is seen
                if (tryReserve(charge)) {
                    return true;
                }
                if (!timed) {
                    room.await();
                } else if (nanos <= 0) {
                    return false;
                } else {
                    nanos = room.awaitNanos(nanos);
                }
            }
        } finally {
            producerWaiting = roomLock.hasWaiters(room);
            roomLock.unlock();
        }
    }

    @Override
    public boolean offer(InboundMessage message) {
        long charge = charge(message);
        if (!tryReserve(charge)) {
            return false;
        }
        if (!messages.offer(message)) {
            release(charge);
            return false;
        }
        return true;
    }

    @Override
    public void put(InboundMessage message) throws InterruptedException {
        long charge = charge(message);
        reserve(charge, false, 0);
        try {
            messages.put(message);
        } catch (InterruptedException e) {
            release(charge);
            throw e;
        }
    }

    @Override
    public boolean offer(InboundMessage message, long timeout, TimeUnit unit) throws InterruptedException {
        long charge = charge(message);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!reserve(charge, true, unit.toNanos(timeout))) {
            return false;
        }
        boolean queued = false;
        try {
            queued = messages.offer(message, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            return queued;
        } finally {
            if (!queued) {
                release(charge);
            }
        }
    }

    @Override
    public InboundMessage poll() {
        return released(messages.poll());
    }

    @Override
    public InboundMessage poll(long timeout, TimeUnit unit) throws InterruptedException {
        return released(messages.poll(timeout, unit));
    }

    @Override
    public InboundMessage take() throws InterruptedException {
        return released(messages.take());
    }

    private InboundMessage released(InboundMessage message) {
        if (message != null) {
            release(charge(message));
        }
        return message;
    }

    @Override
    public int drainTo(Collection<? super InboundMessage> target) {
        return drainTo(target, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super InboundMessage> target, int maxElements) {
        if (target instanceof List<?> list) { // the usual case (the router's batch): no copy
            int before = list.size();
            int n = messages.drainTo(target, maxElements);
            long charge = 0;
            for (int i = before; i < before + n; i++) {
                charge += charge((InboundMessage) list.get(i));
            }
            if (n > 0) {
                release(charge);
            }
            return n;
        }
        List<InboundMessage> taken = new ArrayList<>();
        int n = messages.drainTo(taken, maxElements);
        for (InboundMessage message : taken) {
            target.add(message);
            release(charge(message));
        }
        return n;
    }

    @Override
    public boolean remove(Object o) {
        if (o instanceof InboundMessage message && messages.remove(message)) {
            release(charge(message));
            return true;
        }
        return false;
    }

    @Override
    public InboundMessage peek() {
        return messages.peek();
    }

    @Override
    public int size() {
        return messages.size();
    }

    @Override
    public int remainingCapacity() {
        return messages.remainingCapacity();
    }

    /** A read-only iterator: removals go through {@link #poll} or {@link #remove(Object)}. */
    @Override
    public Iterator<InboundMessage> iterator() {
        return Collections.unmodifiableCollection(messages).iterator();
    }
}
