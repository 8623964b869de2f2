package dev.mixnetstreams.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The tests' one way to wait for something they cannot be told about (a counter, a thread
 * parking): check a condition until it holds. No sleeping and no timing assertion: the give-up
 * bound is a hang guard, never reached by a passing test.
 */
public final class Await {

    /** How long a condition may take before the test fails: a hang guard, not a timing assertion. */
    public static final Duration GIVE_UP = Duration.ofSeconds(30);

    /** Checks made by spinning before switching to short parks, so a long wait leaves the CPU to others. */
    private static final int SPINS = 10_000;
    /** The park between checks after the spins. */
    private static final long PARK_NANOS = 100_000;

    private Await() {
    }

    /**
     * Waits until the condition holds; fails the test if it does not within {@link #GIVE_UP}.
     *
     * @param what what is awaited, for the failure message
     * @param condition checked until it returns {@code true}
     */
    public static void until(String what, BooleanSupplier condition) {
        until(() -> what, condition);
    }

    /**
     * Waits until the condition holds; fails the test, describing the state then, if it does not
     * within {@link #GIVE_UP}.
     *
     * @param what describes what is awaited and the state, called only on failure
     * @param condition checked until it returns {@code true}
     */
    public static void until(Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        for (int checks = 0; !condition.getAsBoolean(); checks++) {
            if (System.nanoTime() - deadline > 0) {
                fail("condition never held: " + what.get());
            }
            if (checks < SPINS) {
                Thread.onSpinWait();
                Thread.yield();
            } else {
                LockSupport.parkNanos(PARK_NANOS);
            }
        }
    }

    /**
     * Waits until the thread is parked (WAITING or TIMED_WAITING), that is blocked in a read,
     * accept, send or other wait; fails the test if it ends first or never parks.
     *
     * @param thread the thread expected to block
     */
    public static void blocked(Thread thread) {
        until(() -> thread + " blocked (state " + thread.getState() + ")", () -> {
            Thread.State state = thread.getState();
            if (state == Thread.State.TERMINATED) {
                fail(thread + " ended instead of blocking");
            }
            return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        });
    }
}
