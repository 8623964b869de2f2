package dev.mixnetstreams.internal;

import java.time.Duration;

/** Small helpers for timeouts and shutdown waits, shared by the client, the streams and the tunnel. */
public final class Waits {

    private Waits() {
    }

    /**
     * Converts a duration to nanoseconds, saturating at {@link Long#MAX_VALUE} (about 292 years)
     * instead of throwing for longer ones.
     *
     * @param duration not negative
     * @return the nanoseconds, at most {@code Long.MAX_VALUE}
     */
    public static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Waits for a thread to end, even if interrupted meanwhile.
     *
     * @param thread the thread to join
     * @return whether the caller was interrupted while waiting (its flag is then to be set again)
     */
    public static boolean joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }
}
