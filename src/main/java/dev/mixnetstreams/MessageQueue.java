package dev.mixnetstreams;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Message mode's queue of received messages: the router offers, the application waits. Bounded in
 * messages and in bytes, each message charged its length plus {@link #MESSAGE_OVERHEAD}.
 *
 * <p>Guards: {@link #lock} guards every mutable field.
 */
final class MessageQueue {

    /** Bytes charged for every queued message on top of its length: the message's record, array header, tag. */
    static final int MESSAGE_OVERHEAD = 96;

    /** What {@link #offer} did with a message. */
    enum Offer {
        /** Queued. */
        ACCEPTED,
        /** Not queued: the queue holds its limit of messages or bytes. */
        FULL,
        /** Not queued: the client is in stream mode (the message is a stream frame). */
        STREAM_MODE,
        /** Not queued: the client is closed. */
        CLIENT_CLOSED
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<InboundMessage> queue = new ArrayDeque<>();
    private final int capacity;
    private final long maxBytes;
    /** Guarded by {@link #lock}: the charge of what {@link #queue} holds. */
    private long bytes;
    /** Guarded by {@link #lock}: stream mode began. */
    private boolean refused;
    /** Guarded by {@link #lock}: the client closed. */
    private boolean closed;
    /** Guarded by {@link #lock}: the transport failed and nothing more will come; what is queued is still handed out. */
    private IOException failure;

    MessageQueue(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    /** Never blocks. */
    Offer offer(InboundMessage message) {
        long charge = charge(message);
        lock.lock();
        try {
            if (closed) {
                return Offer.CLIENT_CLOSED;
            }
            if (refused) {
                return Offer.STREAM_MODE;
            }
            if (queue.size() >= capacity || charge > maxBytes - bytes) {
                return Offer.FULL;
            }
            queue.addLast(message);
            bytes += charge;
            nonEmpty.signalAll();
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least one message is queued, then takes all of them. Messages received
     * before the transport failed are handed out before the failure is thrown.
     *
     * @param timeoutNanos 0 for no limit
     * @return the messages; empty if the time ran out
     */
    List<InboundMessage> takeAll(long timeoutNanos) throws IOException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (queue.isEmpty() || refused || closed) {
                check();
                if (timeoutNanos == 0) {
                    nonEmpty.await();
                } else {
                    if (remaining <= 0) {
                        return List.of();
                    }
                    remaining = nonEmpty.awaitNanos(remaining);
                }
            }
            List<InboundMessage> all = new ArrayList<>(queue);
            queue.clear();
            bytes = 0;
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for messages");
        } finally {
            lock.unlock();
        }
    }

    /** Throws why no message can come (with none queued): stream mode, closed, or the transport failed. */
    private void check() throws IOException {
        assert lock.isHeldByCurrentThread();
        if (refused) {
            throw new StreamModeActiveException();
        }
        if (closed) {
            throw new ClientClosedException("mixnet client closed");
        }
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
    }

    /** Stream mode began: waiters get StreamModeActiveException; returns what was queued, for the router. */
    List<InboundMessage> refuseFromNowOn() {
        lock.lock();
        try {
            refused = true;
            List<InboundMessage> all = new ArrayList<>(queue);
            queue.clear();
            bytes = 0;
            nonEmpty.signalAll();
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** The client closed: what is queued is dropped, waiters and later calls get an IOException. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            bytes = 0;
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The transport failed and everything it delivered was routed: nothing more will come. What is
     * queued is still handed out; once it is taken, waiters and later calls get {@code cause}.
     */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static long charge(InboundMessage message) {
        return (long) message.data().length + MESSAGE_OVERHEAD;
    }
}
