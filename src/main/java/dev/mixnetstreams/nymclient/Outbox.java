package dev.mixnetstreams.nymclient;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requests a {@link NymClientTransport} has not yet handed to its WebSocket, oldest first,
 * bounded in bytes: senders {@link #submit} them, the one writer takes them with {@link
 * #awaitNext()} and {@link #sent()}.
 *
 * <p>Admission is first come, first served: a sender goes in at once only if no one is waiting
 * and its request fits (the bytes queued or being sent stay within the bound, or the outbox is
 * empty: one request larger than the bound goes alone); otherwise it joins the waiters and goes in
 * when it is the first of them and its request fits. So a large request is never starved by
 * smaller ones arriving after it. A sender waits at most its timeout; {@link #close()}, {@link
 * #disconnect} and {@link #fail} wake every waiting sender.
 *
 * <p>While the connection is away ({@link #disconnect} until {@link #reconnected}) nothing is
 * queued: what was queued is dropped and senders fail at once, so no request meant for the lost
 * connection is sent over the next one, and no sender waits for a connection that may never come.
 */
final class Outbox {

    private final long maxBytes;
    /** The nym-client, for messages. */
    private final String peer;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a request is queued, or the outbox closes or fails (the writer waits on it). */
    private final Condition work = lock.newCondition();
    /** Guarded by {@link #lock}: the requests not yet sent, oldest first; the first may be being sent. */
    private final ArrayDeque<byte[]> requests = new ArrayDeque<>();
    /** Guarded by {@link #lock}: the bytes of {@link #requests}. */
    private long bytes;
    /**
     * Guarded by {@link #lock}: the senders waiting to go in, in arrival order, each by the
     * condition it waits on. The first is signalled when bytes drop or it becomes the first; every
     * one when the outbox closes or fails.
     */
    private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
    /** Guarded by {@link #lock}: no more requests are taken; the writer sends what is queued. */
    private boolean closed;
    /** Guarded by {@link #lock}: why the connection was lost for good (the queued requests were dropped). */
    private IOException failure;
    /**
     * Guarded by {@link #lock}: why the connection is away while it is reconnected, or {@code null}
     * while connected; the queued requests were dropped.
     */
    private IOException disconnected;

    /**
     * Creates an empty outbox.
     *
     * @param maxBytes the bound on the bytes queued or being sent, positive
     * @param peer the nym-client, for messages
     */
    Outbox(long maxBytes, String peer) {
        this.maxBytes = maxBytes;
        this.peer = peer;
    }

    /**
     * Queues a request, waiting for its turn and for room.
     *
     * @param request the encoded request
     * @param timeout how long to wait at most
     * @throws IOException if the outbox is closed or failed, or no room came within {@code timeout}
     * @throws InterruptedIOException if the thread is interrupted while waiting (flag set again)
     */
    void submit(byte[] request, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            checkUsable();
            if (waiters.isEmpty() && fits(request)) {
                enqueue(request);
                return;
            }
            Condition turn = lock.newCondition();
            waiters.addLast(turn);
            try {
                while (true) {
                    checkUsable();
                    if (waiters.peekFirst() == turn && fits(request)) {
                        break;
                    }
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        throw new IOException("nym-client at " + peer + " took no more data for "
                                + timeout.toMillis() + " ms (" + bytes + " bytes waiting to be sent)");
                    }
                    turn.awaitNanos(remaining);
                }
            } finally {
                // Admitted, timed out, interrupted or refused: the next waiter may be first now.
                boolean wasFirst = waiters.peekFirst() == turn;
                waiters.removeFirstOccurrence(turn);
                if (wasFirst) {
                    signalFirstWaiter();
                }
            }
            enqueue(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to send to nym-client");
        } finally {
            lock.unlock();
        }
    }

    /** Whether a request may go in beside what is queued; called with {@link #lock} held. */
    private boolean fits(byte[] request) {
        assert lock.isHeldByCurrentThread();
        return bytes == 0 || bytes + request.length <= maxBytes;
    }

    /** Queues an admitted request for the writer; called with {@link #lock} held. */
    private void enqueue(byte[] request) {
        assert lock.isHeldByCurrentThread();
        requests.addLast(request);
        bytes += request.length;
        work.signal();
    }

    /** Wakes the first waiting sender, if any; called with {@link #lock} held. */
    private void signalFirstWaiter() {
        assert lock.isHeldByCurrentThread();
        Condition first = waiters.peekFirst();
        if (first != null) {
            first.signal();
        }
    }

    /** Wakes every waiting sender (they fail); called with {@link #lock} held. */
    private void signalEveryWaiter() {
        assert lock.isHeldByCurrentThread();
        for (Condition waiter : waiters) {
            waiter.signal();
        }
    }

    /** Throws if no request may be queued; called with {@link #lock} held. */
    private void checkUsable() throws IOException {
        assert lock.isHeldByCurrentThread();
        if (failure != null) {
            throw new IOException("nym-client connection lost: " + failure.getMessage(), failure);
        }
        if (closed) {
            throw new IOException("nym-client transport closed");
        }
        if (disconnected != null) {
            // The cause names the nym-client: "nym-client at ws://… closed the connection (status 1006)".
            throw new IOException("not connected to nym-client: " + disconnected.getMessage() + "; reconnecting",
                    disconnected);
        }
    }

    /** What {@link #awaitNext(long)} returns when nothing came to send in time. */
    static final byte[] IDLE = new byte[0];

    /**
     * For the writer: waits for a request and returns the oldest, which stays queued (and counted)
     * until {@link #sent(byte[])}.
     *
     * @return the oldest request, or {@code null} when there is nothing more to send (failed, or
     *     closed with everything sent)
     */
    byte[] awaitNext() {
        return awaitNext(Long.MAX_VALUE);
    }

    /**
     * For the writer: as {@link #awaitNext()}, waiting at most {@code nanos}.
     *
     * @param nanos how long to wait at most; {@link Long#MAX_VALUE} for no limit
     * @return the oldest request; {@link #IDLE} if none came in time; {@code null} when there is
     *     nothing more to send
     */
    byte[] awaitNext(long nanos) {
        lock.lock();
        try {
            while (requests.isEmpty() && failure == null && !closed) {
                if (nanos == Long.MAX_VALUE) {
                    work.awaitUninterruptibly();
                } else if (nanos <= 0) {
                    return IDLE;
                } else {
                    try {
                        nanos = work.awaitNanos(nanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // close() gave up waiting for the writer
                        return null;
                    }
                }
            }
            return failure != null ? null : requests.peekFirst();
        } finally {
            lock.unlock();
        }
    }

    /**
     * For the writer: the request {@link #awaitNext()} returned has been sent, or will not be (its
     * connection was lost).
     *
     * @param request the request, as {@link #awaitNext()} returned it
     */
    void sent(byte[] request) {
        lock.lock();
        try {
            if (requests.peekFirst() != request) {
                return; // the queue was dropped with the connection
            }
            bytes -= requests.removeFirst().length;
            signalFirstWaiter();
        } finally {
            lock.unlock();
        }
    }

    /** Takes no more requests and wakes every waiting sender; the writer sends what is queued. */
    void close() {
        lock.lock();
        try {
            closed = true;
            signalEveryWaiter();
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection was lost: drops the queued requests, wakes every waiting sender and the
     * writer; every later {@link #submit} fails with {@code cause}. Only the first call counts.
     *
     * @param cause why
     */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (failure != null) {
                return;
            }
            failure = cause;
            requests.clear();
            bytes = 0;
            signalEveryWaiter();
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection was lost and is being reconnected: drops the queued requests and wakes every
     * waiting sender; until {@link #reconnected()}, every {@link #submit} fails at once, saying
     * so. The writer keeps waiting. No effect once failed or closed.
     *
     * @param cause why the connection was lost
     * @return how many queued requests were dropped (the one being sent, if any, among them)
     */
    int disconnect(IOException cause) {
        lock.lock();
        try {
            if (failure != null || closed) {
                return 0;
            }
            disconnected = cause;
            int dropped = requests.size();
            requests.clear();
            bytes = 0;
            signalEveryWaiter();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** The connection is back: requests are taken again. */
    void reconnected() {
        lock.lock();
        try {
            disconnected = null;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the bytes queued or being sent now. */
    long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Returns how many senders wait for room now. */
    int waitingSenders() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }
}
