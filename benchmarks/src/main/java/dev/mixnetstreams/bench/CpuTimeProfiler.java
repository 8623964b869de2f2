package dev.mixnetstreams.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports CPU time beside the wall-clock score:
 * {@code -prof dev.mixnetstreams.bench.CpuTimeProfiler} ({@code benchmarks/run.sh} always adds
 * it). Per iteration, as secondary results (the mean over iterations, like {@code -prof gc}'s):
 *
 * <ul>
 *   <li>{@code cpu.time.norm}: the process's CPU time per operation, in ns (per byte in the
 *       throughput benchmarks, whose operation is one byte): every thread of the forked JVM,
 *       GC and JIT compiler threads included. Read with {@code getProcessCpuTime()}, whose
 *       resolution on Linux is one scheduler tick (10 ms, under 1 % of a one-second iteration).
 *   <li>{@code cpu.cores}: that CPU time over the iteration's wall time: how many cores it kept
 *       busy. Well under the number of carriers means the JVM was waiting for a core (or idle).
 *   <li>{@code cpu.carriers.norm}: the CPU time of the virtual threads' carriers per operation
 *       ({@link CarrierCpuTime}), when the benchmark runs virtual threads: the work of the
 *       pipeline itself, without GC and compilation.
 *   <li>for {@link StreamThroughputBench#streamsAgainstRaw} (see {@link PairedCost}), per path:
 *       {@code streams.cpu.norm} and {@code raw.cpu.norm} (carrier CPU ns per byte),
 *       {@code streams.wall.norm} and {@code raw.wall.norm} (wall ns per byte), and the ratios
 *       {@code cpu.ratio} and {@code wall.ratio}: raw's figure over the streams' figure, so 1
 *       means the stream layer costs nothing and 0.8 that it moves bytes at 0.8 of raw's rate.
 * </ul>
 *
 * <p>CPU time does not count time the JVM's threads waited for a core while other processes ran,
 * which the wall clock does; it still grows when other work on the machine takes the caches or
 * the other hardware thread of the core.
 */
public final class CpuTimeProfiler implements InternalProfiler {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** Confined to JMH's thread that calls the hooks. */
    private final CarrierCpuTime carriers = new CarrierCpuTime();
    /** Confined likewise: the process CPU time when the iteration began. */
    private long processCpuAtStart;
    /** Confined likewise: the carriers' CPU time when the iteration began. */
    private long carrierCpuAtStart;
    /** Confined likewise: {@link System#nanoTime()} when the iteration began. */
    private long wallAtStart;

    /** Created by JMH in the benchmark's JVM. */
    public CpuTimeProfiler() {
    }

    @Override
    public String getDescription() {
        return "CPU time per operation: process (cpu.time.norm), carriers of virtual threads (cpu.carriers.norm)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        carriers.refresh();
        PairedCost.take();                  // nothing from before this iteration
        wallAtStart = System.nanoTime();
        carrierCpuAtStart = carriers.nanos();
        processCpuAtStart = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
                                                      IterationParams iterationParams, IterationResult result) {
        long processCpu = os.getProcessCpuTime() - processCpuAtStart;
        long carrierCpu = carriers.nanos() - carrierCpuAtStart;
        long wall = System.nanoTime() - wallAtStart;
        PairedCost.Totals paired = PairedCost.take();
        double ops = result.getMetadata().getAllOps();
        List<Result> results = new ArrayList<>();
        results.add(scalar("cpu.time.norm", processCpu / ops, "ns/op"));
        results.add(scalar("cpu.cores", (double) processCpu / wall, "cores"));
        if (carriers.carriers() > 0) {
            results.add(scalar("cpu.carriers.norm", carrierCpu / ops, "ns/op"));
        }
        if (paired.bytesPerPath() > 0) {
            double bytes = paired.bytesPerPath();
            results.add(scalar("streams.cpu.norm", paired.streamsCpuNanos() / bytes, "ns/B"));
            results.add(scalar("raw.cpu.norm", paired.rawCpuNanos() / bytes, "ns/B"));
            results.add(scalar("cpu.ratio", (double) paired.rawCpuNanos() / paired.streamsCpuNanos(), "raw/streams"));
            results.add(scalar("streams.wall.norm", paired.streamsWallNanos() / bytes, "ns/B"));
            results.add(scalar("raw.wall.norm", paired.rawWallNanos() / bytes, "ns/B"));
            results.add(scalar("wall.ratio", (double) paired.rawWallNanos() / paired.streamsWallNanos(), "raw/streams"));
        }
        return results;
    }

    private static ScalarResult scalar(String label, double value, String unit) {
        return new ScalarResult(label, value, unit, AggregationPolicy.AVG);
    }
}
