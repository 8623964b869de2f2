package dev.mixnetstreams.tunnel;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * What a tunnel end takes from its surroundings: where it logs, how it pauses and which clock it
 * reads for its pauses and log rate limits. The public {@code start} methods use the real ones;
 * tests pass a logger that records and a pause that only counts.
 *
 * @param log where the tunnel end logs
 * @param pause waits for the given time (the accept loop's back-off)
 * @param nanoClock a monotonic clock in nanoseconds, like {@link System#nanoTime()}
 */
record TunnelEnvironment(Logger log, Pause pause, LongSupplier nanoClock) {

    /** A wait that an interrupt ends early. */
    @FunctionalInterface
    interface Pause {
        /**
         * Waits.
         *
         * @param duration how long
         * @throws InterruptedException if the thread is interrupted meanwhile
         */
        void pause(Duration duration) throws InterruptedException;
    }

    TunnelEnvironment {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(pause, "pause");
        Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** The real surroundings: {@code log}, {@link Thread#sleep(Duration)} and {@link System#nanoTime()}. */
    static TunnelEnvironment real(Logger log) {
        return new TunnelEnvironment(log, Thread::sleep, System::nanoTime);
    }
}
