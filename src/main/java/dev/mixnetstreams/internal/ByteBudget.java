package dev.mixnetstreams.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte budget shared by several {@link ReorderBuffer}s: the client-wide limit on unread bytes.
 * A buffer reserves a payload's bytes when it accepts the payload and releases them when the
 * reader takes it or the buffer discards it (close, fail, reset), so {@link #used()} is always the
 * sum of the bytes the buffers hold.
 *
 * <p>Lock-free: {@link #tryReserve} is one compare-and-set loop, {@link #release} one atomic add,
 * so the in-order path of a buffer stays O(1).
 */
public final class ByteBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /**
     * Creates a budget.
     *
     * @param limit bytes that may be held in total (at least 1)
     * @throws IllegalArgumentException if the limit is below 1
     */
    public ByteBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /**
     * Reserves {@code bytes} if they fit.
     *
     * @param bytes how many (not negative)
     * @return {@code true} if reserved, {@code false} if that would exceed the limit (nothing reserved)
     */
    public boolean tryReserve(long bytes) {
        if (bytes == 0) {
            return true;
        }
        long current;
        do {
            current = used.get();
            if (bytes > limit - current) {
                return false;
            }
        } while (!used.compareAndSet(current, current + bytes));
        return true;
    }

    /**
     * Gives back bytes reserved before.
     *
     * @param bytes how many (not negative)
     */
    public void release(long bytes) {
        if (bytes != 0) {
            used.addAndGet(-bytes);
        }
    }

    /**
     * Returns the bytes reserved now.
     *
     * @return the sum held by every buffer sharing the budget
     */
    public long used() {
        return used.get();
    }

    /**
     * Returns the limit.
     *
     * @return bytes that may be held in total
     */
    public long limit() {
        return limit;
    }
}
