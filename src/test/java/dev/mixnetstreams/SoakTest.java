package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.SimAccess;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Figures;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soak ({@code -Plong}): 1,000 concurrent streams over a simulated mixnet with latency jitter,
 * loss and duplicates for {@code -Dmixnet.soak.minutes} (default 3), streams closed and reopened
 * as they go. Every {@code -Dmixnet.soak.sampleSeconds} (default 5) it samples heap used after
 * {@code System.gc()}, live platform threads and live virtual threads of the workload, and prints
 * the series. Expected flat: final heap below 2x the early plateau (+16 MiB slack), platform
 * threads back to the baseline and every workload thread gone after close.
 *
 * <p>Writers are paced with {@code parkNanos} to keep 2 cores from saturating; that is load
 * shaping, not synchronisation (the end is a flag plus joins).
 */
@Tag("long")
class SoakTest {

    /** Figures of the run: target/test-figures/SoakTest.txt. */
    private static final PrintStream FIGURES = Figures.of(SoakTest.class);

    private static final long MIB = 1 << 20;

    @Test
    void thousandStreamsUnderFaults() throws Exception {
        int streams = Integer.getInteger("mixnet.soak.streams", 1000);
        double minutes = Double.parseDouble(System.getProperty("mixnet.soak.minutes", "3"));
        int sampleSeconds = Integer.getInteger("mixnet.soak.sampleSeconds", 5);
        int baselinePlatform = platformThreads();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workload = new ArrayList<>();
        ConcurrentHashMap<Thread, Boolean> live = new ConcurrentHashMap<>();
        LongAdder bytesRead = new LongAdder();
        LongAdder losses = new LongAdder();
        LongAdder stalls = new LongAdder();
        AtomicInteger generations = new AtomicInteger();
        List<long[]> series = new ArrayList<>();
        List<Thread> delivery;
        MixnetClient server;
        MixnetClient client;
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(Duration.ofMillis(1), Duration.ofMillis(40)).lossRate(0.01).duplicateRate(0.02)
                .seed(2024).build()) {
            server = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(32).build();
            client = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(32).build();
            delivery = SimAccess.deliveryThreads(mixnet);
            MixnetListener listener = server.listener();
            Thread acceptor = start(live, () -> {
                try {
                    while (true) {
                        MixnetStream s = listener.accept();
                        start(live, () -> drain(s, bytesRead, losses, stalls));
                    }
                } catch (IOException closed) {
                    // client closed
                }
            });
            workload.add(acceptor);
            CountDownLatch started = new CountDownLatch(streams);
            for (int i = 0; i < streams; i++) {
                long seed = i;
                workload.add(start(live, () -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    started.countDown();
                    while (!stop.get()) { // one stream per generation: open, write a while, close
                        try (MixnetStream s = client.openStream(server.address())) {
                            generations.incrementAndGet();
                            int frames = 50 + random.nextInt(400);
                            for (int f = 0; f < frames && !stop.get(); f++) {
                                byte[] frame = new byte[16 + random.nextInt(240)];
                                random.nextBytes(frame);
                                s.getOutputStream().write(frame);
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(60)));
                            }
                        } catch (IOException e) {
                            if (!stop.get()) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                }));
            }
            started.await();
            long end = System.nanoTime() + (long) (minutes * 60e9);
            long t0 = System.nanoTime();
            while (System.nanoTime() < end) {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(sampleSeconds)); // sampling period
                series.add(sample(t0, live, client, server));
                long[] s = series.get(series.size() - 1);
                FIGURES.printf("soak t=%3ds heap=%4d MiB platformThreads=%d workloadThreads=%d "
                                + "openStreams=%d/%d unread=%d KiB generations=%d read=%d MiB losses=%d%n",
                        s[0], s[1] / MIB, s[2], s[3], s[4], s[5], s[6] >> 10, generations.get(),
                        bytesRead.sum() / MIB, losses.sum());
            }
            stop.set(true);
            for (Thread t : workload) {
                if (t != acceptor) {
                    t.join();
                }
            }
            FIGURES.println("soak server: " + server.stats());
            FIGURES.println("soak client: " + client.stats());
            client.close();
            server.close();
            acceptor.join();
        }
        for (Thread t : live.keySet()) {
            t.join(); // readers end: their streams were closed with the clients
        }
        for (Thread t : delivery) {
            assertFalse(t.isAlive(), "sim delivery thread gone");
        }
        assertFalse(server.routerThread().isAlive());
        assertFalse(client.routerThread().isAlive());
        assertEquals(0, server.unreadBytes());
        assertEquals(0, client.unreadBytes());
        assertEquals(0, server.stats().openStreams());
        System.gc();
        int platformAfter = platformThreads();
        long heapAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        FIGURES.printf("soak after close: heap=%d MiB platformThreads=%d (baseline %d) workloadThreads alive=%d%n",
                heapAfter / MIB, platformAfter, baselinePlatform, live.keySet().stream().filter(Thread::isAlive).count());
        assertTrue(series.size() >= 3, "at least three samples: raise mixnet.soak.minutes");
        long plateau = Math.max(series.get(1)[1], series.get(2)[1]);
        long last = series.get(series.size() - 1)[1];
        assertTrue(last < 2 * plateau + 16 * MIB, "heap grew: plateau " + plateau / MIB + " MiB, last " + last / MIB);
        assertTrue(platformAfter <= baselinePlatform + 2, "platform threads back to the baseline");
        assertEquals(0, server.counters().routerFailures.sum() + client.counters().routerFailures.sum());
    }

    /** Live platform threads, not counting the virtual-thread scheduler's carriers (started lazily, kept a while). */
    private static int platformThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.getName().startsWith("ForkJoinPool")).count();
    }

    private static Thread start(ConcurrentHashMap<Thread, Boolean> live, Runnable task) {
        Thread t = Thread.ofVirtual().unstarted(() -> {
            try {
                task.run();
            } finally {
                live.remove(Thread.currentThread());
            }
        });
        live.put(t, Boolean.TRUE);
        t.start();
        return t;
    }

    private static void drain(MixnetStream s, LongAdder bytes, LongAdder losses, LongAdder stalls) {
        s.setReadTimeout(Duration.ofSeconds(20));
        byte[] buffer = new byte[4096];
        try (s) {
            while (true) {
                try {
                    int n = s.getInputStream().read(buffer);
                    if (n < 0) {
                        return;
                    }
                    bytes.add(n);
                } catch (StreamDataLossException e) {
                    losses.increment();
                } catch (SocketTimeoutException e) {
                    stalls.increment(); // a gap after the writer's last frame never fills
                    return;
                }
            }
        } catch (IOException closed) {
            // client closed
        }
    }

    private static long[] sample(long t0, ConcurrentHashMap<Thread, Boolean> live, MixnetClient client,
                                 MixnetClient server) {
        System.gc();
        return new long[] {
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0),
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
            platformThreads(),
            live.size(),
            client.stats().openStreams(),
            server.stats().openStreams(),
            client.unreadBytes() + server.unreadBytes()
        };
    }
}
