package dev.mixnetstreams.bench;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The totals of {@link StreamThroughputBench#streamsAgainstRaw}'s invocations in the current
 * iteration, per path: bytes, carrier CPU time and wall time. The benchmark adds to them after each
 * invocation; {@link CpuTimeProfiler} takes them after each iteration and reports them. Both run in
 * the benchmark's JVM, on different threads.
 */
final class PairedCost {

    /**
     * One iteration's totals.
     *
     * @param bytesPerPath bytes each path moved
     * @param streamsCpuNanos carrier CPU time of the stream path
     * @param rawCpuNanos carrier CPU time of the raw path
     * @param streamsWallNanos wall time of the stream path
     * @param rawWallNanos wall time of the raw path
     */
    record Totals(long bytesPerPath, long streamsCpuNanos, long rawCpuNanos, long streamsWallNanos,
                  long rawWallNanos) {
    }

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Guarded by {@link #LOCK}: the totals since the last {@link #take()}. */
    private static Totals current = new Totals(0, 0, 0, 0, 0);

    private PairedCost() {
    }

    /**
     * Adds one invocation.
     *
     * @param bytesPerPath bytes each path moved
     * @param streamsCpuNanos carrier CPU time of the stream path
     * @param rawCpuNanos carrier CPU time of the raw path
     * @param streamsWallNanos wall time of the stream path
     * @param rawWallNanos wall time of the raw path
     */
    static void add(long bytesPerPath, long streamsCpuNanos, long rawCpuNanos, long streamsWallNanos,
                    long rawWallNanos) {
        LOCK.lock();
        try {
            Totals t = current;
            current = new Totals(t.bytesPerPath + bytesPerPath, t.streamsCpuNanos + streamsCpuNanos,
                    t.rawCpuNanos + rawCpuNanos, t.streamsWallNanos + streamsWallNanos,
                    t.rawWallNanos + rawWallNanos);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Returns the totals since the last call and starts again from zero.
     *
     * @return the totals; {@code bytesPerPath} is 0 if no paired invocation ran
     */
    static Totals take() {
        LOCK.lock();
        try {
            Totals t = current;
            current = new Totals(0, 0, 0, 0, 0);
            return t;
        } finally {
            LOCK.unlock();
        }
    }
}
