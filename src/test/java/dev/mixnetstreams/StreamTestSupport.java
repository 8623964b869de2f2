package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.fail;

import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers shared by the stream integration tests. No sleeps: waiting is spinning on a condition. */
final class StreamTestSupport {

    /** A safety net only: conditions normally hold within milliseconds; nothing asserts on time. */
    static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(20);

    private StreamTestSupport() {
    }

    /** A seeded simulated mixnet with 0-20 ms jitter and the given duplicate rate. */
    static SimulatedMixnet jitteryMixnet(long seed, double duplicateRate) {
        return SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(20))
                .duplicateRate(duplicateRate)
                .seed(seed)
                .build();
    }

    /** Spins (yielding) until the condition holds; fails the test if it never does. */
    static void awaitCondition(String what, BooleanSupplier condition) {
        awaitCondition(() -> what, condition);
    }

    /** Spins (yielding) until the condition holds; fails the test, describing the state then, if it never does. */
    static void awaitCondition(java.util.function.Supplier<String> what, BooleanSupplier condition) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > GIVE_UP_NANOS) {
                fail("condition never held: " + what.get());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Spins until the thread is parked (WAITING or TIMED_WAITING), i.e. blocked in a read, accept or wait. */
    static void awaitBlocked(Thread thread) {
        awaitCondition(thread + " blocked", () -> {
            Thread.State state = thread.getState();
            return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        });
    }

    static byte[] open(long id) {
        return FrameCodec.encode(id, FrameType.OPEN, 0, new byte[0]);
    }

    static byte[] data(long id, int seq, byte[] payload) {
        return FrameCodec.encode(id, FrameType.DATA, seq, payload);
    }

    static SenderTag tag(int seed) {
        byte[] b = new byte[SenderTag.LENGTH];
        new SplittableRandom(seed).nextBytes(b);
        return SenderTag.fromBytes(b);
    }

    static byte[] bytes(SplittableRandom random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** Reads exactly {@code n} bytes or fails. */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            fail("end of stream after " + b.length + " of " + n + " bytes");
        }
        return b;
    }
}
