package dev.mixnetstreams.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a stream's reader waits for the router and how the router wakes it: the hand-off policy of
 * a {@link ReorderBuffer}, in one place.
 *
 * <p>The reader first polls without a lock, then polls again up to {@value #SPINS_BEFORE_PARKING}
 * times with {@link Thread#onSpinWait()} — adaptively: a spin that finds an item restores the full
 * count, every park halves it, and a reader that has stopped spinning spins fully once in
 * {@value #PARKS_BETWEEN_PROBES} parks to see whether it pays again. (Parking and being woken costs
 * about 8 µs between carriers on a 2-vCPU machine; a reader keeping up with a busy stream often
 * finds the next item within a microsecond or two. The reader of one of many streams, whose items
 * come far apart, soon stops spinning.) If still nothing is ready it takes the lock, sets
 * {@code readerWaiting}, looks a last time with a volatile read, and waits on the condition with a
 * deadline loop.
 *
 * <p>The producer publishes items (release stores, without a lock), calls {@link #published()},
 * and after a batch {@link #signalIfWaiting()}: one full fence, then a read of
 * {@code readerWaiting}; only if a reader is parked does it take the lock, clear the flag and
 * signal. Either the reader's last look sees the producer's item or the producer, after its fence,
 * sees the reader's flag, so no wake-up is lost and none is paid for when nobody waits.
 *
 * <p>Guards: {@code lock} (the buffer's) guards the condition's waits and signals;
 * {@code readerWaiting} is volatile; {@code signalPending} belongs to the producer; the spin state
 * to the one reader at a time.
 */
final class ReaderHandOff {

    /** How often a reader polls again, with {@link Thread#onSpinWait()}, before it parks, at most. */
    static final int SPINS_BEFORE_PARKING = 64;
    /**
     * A reader that has stopped spinning (its spins failed again and again) still spins fully
     * before one park in this many, to find out whether spinning pays again.
     */
    static final int PARKS_BETWEEN_PROBES = 16;

    /** What the reader takes from: its own non-blocking poll and the last look before parking. */
    interface Source {
        /**
         * Takes the next item without waiting.
         *
         * @return the item, or {@code null} if none is ready
         * @throws IOException if the source ended (or an item is a reported loss)
         */
        byte[] poll() throws IOException;

        /**
         * The reader's last look before it parks, with volatile reads: something is ready or the
         * source has ended.
         *
         * @return {@code true} if {@link #poll()} would not return {@code null} for want of an item
         */
        boolean readyOrEndedVolatile();
    }

    private final ReentrantLock lock;
    private final Condition readable;
    /** Set by a reader about to wait, under {@link #lock}; read by the producer after publishing. */
    private volatile boolean readerWaiting;
    /** Producer only: something was published that a waiting reader has not been told about. */
    private boolean signalPending;
    /** Reader only: how often the reader polls before it parks; between 0 and {@link #SPINS_BEFORE_PARKING}. */
    private int spinLimit = SPINS_BEFORE_PARKING;
    /** Reader only: parks without spinning since the last probe. */
    private int parksWithoutSpinning;

    ReaderHandOff(ReentrantLock lock) {
        this.lock = lock;
        this.readable = lock.newCondition();
    }

    /** Producer: an item was published; the reader is to be told at the next {@link #signalIfWaiting()}. */
    void published() {
        signalPending = true;
    }

    /** Producer: whether something was published since the last {@link #signalIfWaiting()}. */
    boolean hasPendingSignal() {
        return signalPending;
    }

    /** Producer: wakes the reader if it waits and something was published since the last call. */
    void signalIfWaiting() {
        if (signalPending) {
            signalPending = false;
            VarHandle.fullFence(); // orders every slot published before it against the read of readerWaiting
            if (readerWaiting) {
                lock.lock();
                try {
                    // Cleared here, not only by the reader once it runs again: until then the
                    // producer's later batches would each take the lock to signal a reader already
                    // woken. A reader that wakes and still finds nothing sets it again before its
                    // last look.
                    readerWaiting = false;
                    readable.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Wakes every waiting reader (the buffer ended); the caller holds the lock.
     */
    void wakeAllLocked() {
        assert lock.isHeldByCurrentThread();
        readable.signalAll();
    }

    /**
     * Reader: takes the next item, spinning, then parking until one is ready or the source ended.
     *
     * @param source where items come from
     * @param timeoutNanos how long to wait at most; 0 or less waits without limit
     * @return the item (never {@code null})
     * @throws SocketTimeoutException if nothing became ready in time
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException what {@link Source#poll()} throws
     */
    byte[] take(Source source, long timeoutNanos) throws IOException {
        boolean timed = timeoutNanos > 0;
        long deadline = timed ? System.nanoTime() + timeoutNanos : 0; // compared by subtraction: wrap-safe
        while (true) {
            byte[] item = source.poll();
            if (item != null) {
                return item;
            }
            int spins = spinLimit;
            if (spins == 0 && ++parksWithoutSpinning >= PARKS_BETWEEN_PROBES) {
                parksWithoutSpinning = 0;
                spins = SPINS_BEFORE_PARKING;
            }
            for (; spins > 0; spins--) {
                Thread.onSpinWait();
                item = source.poll();
                if (item != null) {
                    spinLimit = SPINS_BEFORE_PARKING;
                    return item;
                }
            }
            awaitReadyOrEnded(source, timed, deadline);
            spinLimit >>= 1;
            // Something is ready or the source ended: poll again, which returns it or throws. (A
            // close racing with this wake-up can leave nothing to return; then the loop sees the
            // ended state on its next poll.)
        }
    }

    /** Parks until something is ready or the source ended, or until {@code deadline} if timed. */
    private void awaitReadyOrEnded(Source source, boolean timed, long deadline) throws IOException {
        lock.lock();
        try {
            while (true) {
                readerWaiting = true;
                if (source.readyOrEndedVolatile()) {
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
}
