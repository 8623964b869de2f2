package dev.mixnetstreams;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Message mode's bounded queue of received messages: the router offers, the application waits. */
final class MessageQueue {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final ArrayDeque<InboundMessage> queue = new ArrayDeque<>();
    private final int capacity;
    private boolean refused;
    private boolean closed;
    /** Why the queue ended, if not by the client's close (the transport failed). */
    private IOException failure;

    MessageQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Never blocks; false if full or ended. */
    boolean offer(InboundMessage message) {
        lock.lock();
        try {
            if (closed || refused || queue.size() >= capacity) {
                return false;
            }
            queue.addLast(message);
            nonEmpty.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least one message is queued, then takes all of them.
     *
     * @param timeoutNanos 0 for no limit
     * @return the messages; empty if the time ran out
     */
    List<InboundMessage> takeAll(long timeoutNanos) throws IOException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (queue.isEmpty()) {
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
            check();
            List<InboundMessage> all = new ArrayList<>(queue);
            queue.clear();
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for messages");
        } finally {
            lock.unlock();
        }
    }

    private void check() throws IOException {
        if (refused) {
            throw new StreamModeActiveException();
        }
        if (closed) {
            throw failure != null ? new IOException(failure.getMessage(), failure)
                    : new IOException("mixnet client closed");
        }
    }

    /** Stream mode began: waiters get StreamModeActiveException; returns what was queued, for the router. */
    List<InboundMessage> refuseFromNowOn() {
        lock.lock();
        try {
            refused = true;
            List<InboundMessage> all = new ArrayList<>(queue);
            queue.clear();
            nonEmpty.signalAll();
            return all;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        fail(null);
    }

    /** Ends the queue: waiters and later calls get an IOException with {@code cause}'s message. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (!closed) {
                failure = cause;
            }
            closed = true;
            queue.clear();
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
