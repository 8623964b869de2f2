package dev.mixnetstreams.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link StreamThroughputBench} with one carrier thread for all virtual threads
 * ({@code -Djdk.virtualThreadScheduler.parallelism=1}): the writer, the router and the readers
 * take turns on one core, so wall time and CPU time per byte both measure the work itself, not how
 * the threads meet across cores, and {@code streams / rawTransport} is the stream layer's own CPU
 * cost. The other core is left to the JVM's GC and compiler threads and to the rest of the machine.
 * The heap settings are those of {@link StreamThroughputBench} (an annotation here replaces the
 * inherited one as a whole). Five forks instead of three: a fork's JIT decisions move the stream
 * path's cost against the raw path's by several per cent, more than anything within a fork, and
 * the mean of five holds the ratio steadier from run to run.
 */
@Fork(value = 5, jvmArgsAppend = {"-Djdk.virtualThreadScheduler.parallelism=1",
    "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
public class StreamThroughputOneCarrierBench extends StreamThroughputBench {

    /** Creates the benchmark state. */
    public StreamThroughputOneCarrierBench() {
    }
}
