package dev.mixnetstreams.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The CPU time of the carrier threads of the JVM's virtual-thread scheduler: the time the virtual
 * threads ran, whatever they ran (the benchmark's writers and readers, the library's router, the
 * scheduler itself), without the JVM's GC and compiler threads and without platform threads such
 * as JMH's own. Read per thread with {@link ThreadMXBean#getThreadCpuTime(long)}, which has
 * nanosecond resolution on Linux, so that a stretch of a few milliseconds can be measured.
 *
 * <p>The carriers are found by {@link #refresh()} (a carrier is a platform thread of class
 * {@code jdk.internal.misc.CarrierThread}); the scheduler starts them as virtual threads need them,
 * so refresh once the benchmark's virtual threads have run, and again now and then (once per
 * iteration). One instance per thread that reads it.
 */
final class CarrierCpuTime {

    private static final String CARRIER_CLASS = "jdk.internal.misc.CarrierThread";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Confined to the thread that uses this instance: the ids of the carriers found last. */
    private long[] carrierIds = new long[0];

    /** Creates a clock that knows no carriers yet; call {@link #refresh()}. */
    CarrierCpuTime() {
    }

    /** Finds the carrier threads alive now. Costs a walk over every thread's stack: not per invocation. */
    void refresh() {
        carrierIds = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getClass().getName().equals(CARRIER_CLASS))
                .mapToLong(Thread::threadId)
                .sorted()
                .toArray();
    }

    /**
     * Returns how many carriers the last {@link #refresh()} found.
     *
     * @return the count; 0 if no virtual thread has run
     */
    int carriers() {
        return carrierIds.length;
    }

    /**
     * Returns the CPU time the carriers found by the last {@link #refresh()} have used so far (a
     * carrier that has ended since counts no more).
     *
     * @return nanoseconds
     */
    long nanos() {
        long sum = 0;
        for (long id : carrierIds) {
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu > 0) {
                sum += cpu;
            }
        }
        return sum;
    }

    @Override
    public String toString() {
        return "carriers " + Arrays.toString(carrierIds);
    }
}
