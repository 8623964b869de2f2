package dev.mixnetstreams.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Bytes a throughput benchmark's receiving threads have read so far, and the wait of the measuring
 * thread until they reach the end of its invocation. The count only grows; each invocation raises
 * the target by what it sends.
 */
final class ReceivedBytes {

    private final AtomicLong received = new AtomicLong();
    private volatile long target;
    private volatile Thread waiter;

    /** Called by the measuring thread before it sends: the invocation will wait for {@code bytes} more. */
    void expect(long bytes) {
        waiter = Thread.currentThread();
        target += bytes;
    }

    /** Called by a receiving thread for every {@code n} bytes it has read. */
    void arrived(long n) {
        if (received.addAndGet(n) >= target) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Called by the measuring thread after it sent: returns once everything expected has been read. */
    void await() {
        while (received.get() < target) {
            LockSupport.park(this);
        }
    }
}
