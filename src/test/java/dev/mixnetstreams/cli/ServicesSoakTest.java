package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.nymclient.NymClientTransport;
import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ThreadCensus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soak of the services ({@code -Plong}): {@code tunnel-server} and {@code tunnel-client} over the
 * nym-client stand-in with the Nym cost model (at a fast pace, {@code
 * -Dmixnet.services.soak.packetsPerSecond}, 2000 by default), latency 5-50 ms, duplicates (2 %)
 * and loss ({@code -Dmixnet.services.soak.loss}, 0.001), the stand-in killed and started again
 * every {@code -Dmixnet.services.soak.restartSeconds} (45), for {@code
 * -Dmixnet.services.soak.minutes} (3; hours work), with many short connections (up to 16 KiB)
 * and some long ones (up to 2 MiB) all the while.
 *
 * <p>Every {@code -Dmixnet.services.soak.sampleSeconds} (5) it writes a line to {@code
 * target/services-soak.csv} ({@code -Dmixnet.services.soak.out}): heap used after a GC, live
 * threads (virtual ones included) and ours among them, open file descriptors, connections by
 * outcome, restarts, active connections and open streams on each side. Expected, and checked:
 * no connection ends cleanly short or with wrong bytes; after each restart both services come
 * back and complete connections again; the heap's last sample within twice its early plateau
 * (+32 MiB); and once the services and the stand-in are closed, none of their threads is left and
 * the file descriptors are back to where they were. Until lost messages are recovered, a lost
 * message stalls its connection (counted as hung by the local program, which gives up after 20 s
 * or 60 s).
 *
 * <p>The test thread sleeps between samples and restarts: that is the soak's schedule, not
 * synchronisation (every wait for a state is an {@link Await}).
 */
@Tag("long")
class ServicesSoakTest {

    private static final long MIB = 1 << 20;
    private static final Duration SHORT_PATIENCE = Duration.ofSeconds(20);
    private static final Duration LONG_PATIENCE = Duration.ofSeconds(60);

    @Test
    void theServicesRunThroughRestartsAndFaultsWithResourcesFlat() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("mixnet.services.soak.minutes", "3"));
        long restartSeconds = Long.getLong("mixnet.services.soak.restartSeconds", 45);
        long sampleSeconds = Long.getLong("mixnet.services.soak.sampleSeconds", 5);
        double pace = Double.parseDouble(System.getProperty("mixnet.services.soak.packetsPerSecond", "2000"));
        double loss = Double.parseDouble(System.getProperty("mixnet.services.soak.loss", "0.001"));
        Path csv = Path.of(System.getProperty("mixnet.services.soak.out", "target/services-soak.csv"));
        long seed = Long.getLong("mixnet.services.soak.seed", 2026);

        Map<String, Integer> before = ThreadCensus.byKind();
        long fdsBefore = openFileDescriptors();
        NymClientEmulator.Builder standIn = NymClientEmulator.builder().clients(2).seed(seed)
                .latency(Duration.ofMillis(5), Duration.ofMillis(50)).duplicate(0.02).loss(loss)
                .costModel(NymCostModel.defaults().withPacketsPerSecond(pace));
        NymClientEmulator emulator = standIn.start();
        int[] ports = {emulator.uri(0).getPort(), emulator.uri(1).getPort()};
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> stopped = new CompletableFuture<>();
        SizedUpstream.Outcomes outcomes = new SizedUpstream.Outcomes();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger restarts = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        List<long[]> heap = new ArrayList<>();
        Files.createDirectories(csv.toAbsolutePath().getParent());
        try (SizedUpstream upstream = new SizedUpstream();
             PrintWriter samples = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
            NymTunnelCommands.Running server = NymTunnelCommands.startServer(List.of("--nym", emulator.uri(0).toString(),
                    "--upstream", "127.0.0.1:" + upstream.port(), "--summary-interval", "0"), out, stopped::complete);
            NymTunnelCommands.Running client = NymTunnelCommands.startClient(List.of("--nym", emulator.uri(1).toString(),
                    "--server", emulator.address(0).toString(), "--listen", "127.0.0.1:0", "--summary-interval", "0"),
                    out, stopped::complete);
            assertNotNull(server);
            assertNotNull(client);
            try {
                for (int w = 0; w < 15; w++) {
                    boolean longOnes = w < 3;
                    long workerSeed = seed * 100 + w;
                    workers.add(Thread.ofVirtual().name("soak-worker-" + w).start(() -> {
                        SplittableRandom random = new SplittableRandom(workerSeed);
                        while (!stop.get()) {
                            int length = longOnes ? (256 << 10) + random.nextInt((2 << 20) - (256 << 10))
                                    : 1 + random.nextInt(16 << 10);
                            outcomes.add(SizedUpstream.fetch(client.localAddress(), random.nextLong(), length,
                                    longOnes ? LONG_PATIENCE : SHORT_PATIENCE));
                        }
                    }));
                }
                samples.println("seconds,heap_mib,threads,our_threads,fds,ok,failed,hung,truncated,corrupted,restarts,"
                        + "client_connections,server_connections,client_streams,server_streams");
                long start = System.nanoTime();
                long end = start + (long) (minutes * 60e9);
                long nextSample = start;
                long nextRestart = start + TimeUnit.SECONDS.toNanos(restartSeconds);
                while (System.nanoTime() - end < 0) {
                    long now = System.nanoTime();
                    if (now - nextRestart >= 0) {
                        int r = restarts.incrementAndGet();
                        NymClientTransport serverNym = server.health().transport();
                        NymClientTransport clientNym = client.health().transport();
                        emulator.close(); // killed under traffic
                        Await.until("both services noticed loss " + r, () -> serverNym.stats().connectionsLost() == r
                                && clientNym.stats().connectionsLost() == r);
                        emulator = standIn.ports(ports).start();
                        Await.until(() -> "both services back after restart " + r + ": " + server.health().summary(),
                                () -> server.health().nymClientConnected() && client.health().nymClientConnected());
                        long okBefore = outcomes.ok();
                        outcomes.awaitOk(okBefore + 5); // new connections work again
                        nextRestart = System.nanoTime() + TimeUnit.SECONDS.toNanos(restartSeconds);
                    } else if (now - nextSample >= 0) {
                        long[] row = sample(start, outcomes, restarts.get(), server, client);
                        heap.add(row);
                        samples.println(csvLine(row));
                        samples.flush();
                        nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
                    } else {
                        Thread.sleep(Duration.ofNanos(Math.min(nextSample, nextRestart) - now)); // the schedule
                    }
                }
                stop.set(true);
                for (Thread worker : workers) {
                    assertTrue(worker.join(LONG_PATIENCE.plus(Await.GIVE_UP)), "a worker did not end: " + worker);
                }
                assertFalse(stopped.isDone(), "a service stopped itself: " + printed.toString(StandardCharsets.UTF_8));
                samples.println(csvLine(sample(start, outcomes, restarts.get(), server, client)));
            } finally {
                stop.set(true);
                client.close();
                server.close();
            }
        } finally {
            emulator.close();
        }
        assertEquals(0, outcomes.truncated(), "connections that ended cleanly but short: " + outcomes);
        assertEquals(0, outcomes.corrupted(), "connections with wrong bytes: " + outcomes);
        assertTrue(outcomes.ok() > 0, outcomes.toString());
        assertTrue(heap.size() >= 4, "at least four samples: raise mixnet.services.soak.minutes");
        long plateau = Math.max(heap.get(2)[1], heap.get(3)[1]);
        long last = heap.get(heap.size() - 1)[1];
        assertTrue(last < 2 * plateau + 32, "heap grew: plateau " + plateau + " MiB, last " + last + " MiB");
        Await.until(() -> "the services' threads gone: " + ours(ThreadCensus.byKind()),
                () -> ours(ThreadCensus.byKind()).equals(ours(before)));
        Await.until(() -> "file descriptors back: " + openFileDescriptors() + ", before " + fdsBefore,
                () -> openFileDescriptors() <= fdsBefore + 8);
    }

    private static long[] sample(long start, SizedUpstream.Outcomes outcomes, int restarts,
                                 NymTunnelCommands.Running server, NymTunnelCommands.Running client) {
        System.gc();
        Map<String, Integer> census = ThreadCensus.byKind();
        int threads = census.values().stream().mapToInt(Integer::intValue).sum();
        return new long[] {
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MIB,
            threads,
            ours(census).values().stream().mapToInt(Integer::intValue).sum(),
            openFileDescriptors(),
            outcomes.ok(),
            outcomes.failed(),
            outcomes.hung(),
            outcomes.truncated(),
            outcomes.corrupted(),
            restarts,
            activeConnections(client),
            activeConnections(server),
            client.mixnetClient().stats().openStreams(),
            server.mixnetClient().stats().openStreams()
        };
    }

    private static long activeConnections(NymTunnelCommands.Running service) {
        String summary = service.health().summary();
        int at = summary.indexOf(" active=");
        return at < 0 ? -1 : Long.parseLong(summary.substring(at + 8, summary.indexOf(' ', at + 8)));
    }

    private static String csvLine(long[] row) {
        StringBuilder sb = new StringBuilder();
        for (long v : row) {
            sb.append(sb.isEmpty() ? "" : ",").append(v);
        }
        return sb.toString();
    }

    /** The threads the services and the stand-in start, by kind. */
    private static Map<String, Integer> ours(Map<String, Integer> census) {
        Map<String, Integer> ours = new java.util.TreeMap<>();
        census.forEach((kind, n) -> {
            if (kind.startsWith("nym-client-") || kind.startsWith("mixnet-") || kind.startsWith("emulator-")
                    || kind.startsWith("tunnel-") || kind.startsWith("WebSocket") || kind.startsWith("HttpClient-")) {
                ours.put(kind, n);
            }
        });
        return ours;
    }

    private static long openFileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    }
}
