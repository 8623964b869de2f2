package dev.mixnetstreams.bench;

import dev.mixnetstreams.internal.jfr.StreamEvents;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the JFR events cost when no recording runs: the router's drop path exactly as it is in
 * {@code Router.drop} (count the reason in a {@link LongAdder}, then
 * {@link StreamEvents#frameDropped}) against the same path without the event call. The target is
 * no measurable difference: with no recording the call is one volatile read and a branch. Run
 * with {@code -prof gc} to see that neither allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JfrEventsBench {

    private final LongAdder[] drops = new LongAdder[16];
    private int reason;
    private long streamId = 0x0123456789abcdefL;

    /** Creates the benchmark state. */
    public JfrEventsBench() {
    }

    /** Creates the counters and makes sure the JFR listener is installed, as a client does. */
    @Setup
    public void setUp() {
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
        StreamEvents.init();
    }

    /** The drop path without the event call: the floor. */
    @Benchmark
    public void baseline() {
        int r = reason++ & 15;
        drops[r].increment();
        streamId++;
    }

    /** The drop path with the event call compiled in, no recording running. */
    @Benchmark
    public void withEvents() {
        int r = reason++ & 15;
        drops[r].increment();
        StreamEvents.frameDropped("TOO_SHORT", streamId++);
    }
}
