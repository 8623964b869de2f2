package dev.mixnetstreams;

import dev.mixnetstreams.internal.Waits;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Accepts the streams that peers open to this client, like a {@link java.net.ServerSocket}. A
 * client has at most one, from {@link MixnetClient#listener()}.
 *
 * <p>A stream is registered the moment its Open arrives, so data the peer sends before
 * {@link #accept()} is called is buffered, not lost. When {@code accept} hands a stream out, an
 * OpenAck tells its opener that it is held (best effort; newer Rust openers wait for it). Streams registered and not yet accepted form
 * the backlog, bounded by {@link MixnetClient.Builder#acceptBacklog(int)}; Opens beyond it are
 * dropped and counted ({@link DropReason#ACCEPT_BACKLOG_FULL}).
 *
 * <p>Serve each accepted stream on its own virtual thread:
 * <pre>{@code
 * try (MixnetListener listener = client.listener()) {
 *     while (true) {
 *         MixnetStream stream = listener.accept();
 *         Thread.startVirtualThread(() -> handle(stream));
 *     }
 * }
 * }</pre>
 */
public final class MixnetListener implements Closeable {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    /** Guarded by {@link #lock}: streams registered and not yet accepted, oldest first. */
    private final ArrayDeque<MixnetStream> backlog = new ArrayDeque<>();
    private final int maxBacklog;
    private final MixnetClient client;
    /** Guarded by {@link #lock}: why the listener was closed, or null while open. */
    private IOException closedCause;

    MixnetListener(MixnetClient client, int maxBacklog) {
        this.client = client;
        this.maxBacklog = maxBacklog;
    }

    /**
     * Waits for the next stream a peer opened.
     *
     * @return the stream
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the listener or the client was closed
     */
    public MixnetStream accept() throws IOException {
        return acceptNanos(0);
    }

    /**
     * Waits at most {@code timeout} for the next stream a peer opened.
     *
     * @param timeout how long to wait; must be positive
     * @return the stream
     * @throws SocketTimeoutException if none came in time
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the listener or the client was closed
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    public MixnetStream accept(Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("accept timeout must be positive: " + timeout);
        }
        return acceptNanos(Waits.saturatedNanos(timeout));
    }

    private MixnetStream acceptNanos(long timeoutNanos) throws IOException {
        MixnetStream stream;
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (backlog.isEmpty()) {
                if (closedCause != null) {
                    throw new IOException(closedCause.getMessage(), closedCause);
                }
                if (timeoutNanos == 0) {
                    available.await();
                } else {
                    if (remaining <= 0) {
                        throw new SocketTimeoutException("accept timed out");
                    }
                    remaining = available.awaitNanos(remaining);
                }
            }
            if (closedCause != null) {
                throw new IOException(closedCause.getMessage(), closedCause);
            }
            stream = backlog.pollFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to accept");
        } finally {
            lock.unlock();
        }
        // The opener learns that we hold the stream (newer Rust openers wait for this, and then
        // keep it alive with Pings, which the router answers). Best effort, off this thread.
        client.controlSender().queueOpenAck(stream);
        return stream;
    }

    /** Called by the router: queues a new stream unless the backlog is full or the listener closed. */
    boolean offer(MixnetStream stream) {
        lock.lock();
        try {
            if (closedCause != null || backlog.size() >= maxBacklog) {
                return false;
            }
            backlog.addLast(stream);
            available.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** For the router: whether a new stream would find the backlog full. */
    boolean isBacklogFull() {
        lock.lock();
        try {
            return backlog.size() >= maxBacklog;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns how many streams are registered and waiting to be accepted.
     *
     * @return the backlog's length
     */
    public int backlogSize() {
        lock.lock();
        try {
            return backlog.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns whether the listener was closed, directly or by closing the client.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        lock.lock();
        try {
            return closedCause != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting: blocked and later {@code accept} calls throw, streams in the backlog are
     * ended without an end of stream (nothing is sent to their openers), and Opens that arrive
     * from now on are dropped ({@link DropReason#NO_LISTENER}).
     * The client stays in stream mode and its listener stays taken. Idempotent.
     */
    @Override
    public void close() {
        shutdown(new IOException("listener closed"));
    }

    void shutdown(IOException cause) {
        List<MixnetStream> pending;
        lock.lock();
        try {
            if (closedCause != null) {
                return;
            }
            closedCause = cause;
            pending = new ArrayList<>(backlog);
            backlog.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
        // Never accepted: ended without an end of stream, which would tell their openers a clean,
        // empty answer that nobody gave. Their ids linger like those of other ended streams.
        for (MixnetStream stream : pending) {
            stream.reset(new IOException("stream not accepted: " + cause.getMessage(), cause));
        }
    }

    MixnetClient client() {
        return client;
    }
}
