package dev.mixnetstreams.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes a throughput benchmark's receiving threads have read since the trial began (a count
 * that only grows), and the wait of one thread, the writer, until the count reaches a mark.
 *
 * <p>Receiving threads call {@link #arrived} for every read: one atomic add, and the lock only when
 * the count has reached the mark a waiter set. The waiter sets its mark under the lock and tests
 * the count under it, so an arrival that reaches the mark either is seen by that test or sees the
 * mark and signals. A receiving thread that fails calls {@link #failed}, which ends the wait with
 * an exception instead of leaving the writer (and the JMH thread behind it) waiting for ever.
 */
final class ReceivedBytes {

    /** Bytes read so far, by every receiving thread together. */
    private final AtomicLong received = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the count reaches {@link #wakeAt} or a receiving thread fails. */
    private final Condition reached = lock.newCondition();
    /**
     * Written under {@link #lock}, read without it by the receiving threads: the count the waiter
     * waits for, {@link Long#MAX_VALUE} while nobody waits.
     */
    private volatile long wakeAt = Long.MAX_VALUE;
    /** Written under {@link #lock}: why a receiving thread stopped, or null. */
    private volatile IOException failure;

    /** Creates a count at zero. */
    ReceivedBytes() {
    }

    /**
     * Counts bytes read; called by the receiving threads.
     *
     * @param bytes how many were read
     */
    void arrived(long bytes) {
        if (received.addAndGet(bytes) >= wakeAt) {
            lock.lock();
            try {
                wakeAt = Long.MAX_VALUE;        // one signal per wait, not one per later arrival
                reached.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Reports that a receiving thread stopped: the current and every later wait throws. Called at
     * tear-down too (closing a client ends its readers), when nobody waits any more.
     *
     * @param cause why it stopped
     */
    void failed(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            reached.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the bytes read so far.
     *
     * @return the count
     */
    long total() {
        return received.get();
    }

    /**
     * Waits until at least {@code mark} bytes have been read in all. One thread at a time.
     *
     * @param mark the count to wait for
     * @return the count when the wait ended (at least {@code mark})
     * @throws IOException if a receiving thread failed
     * @throws InterruptedIOException if interrupted (the flag is set again)
     */
    long awaitAtLeast(long mark) throws IOException {
        long now = received.get();
        if (now >= mark) {
            return now;
        }
        lock.lock();
        try {
            while ((now = received.get()) < mark) {
                if (failure != null) {
                    throw new IOException("a receiving thread failed: " + failure.getMessage(), failure);
                }
                wakeAt = mark;
                if (received.get() >= mark) {
                    break;
                }
                reached.await();
            }
            return Math.max(now, received.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the receiving side");
        } finally {
            wakeAt = Long.MAX_VALUE;
            lock.unlock();
        }
    }
}
