package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.Figures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No carrier pinning: records the JFR event {@code jdk.VirtualThreadPinned} (threshold 0, with
 * stack traces) while a workload runs on virtual threads — many streams over the simulated mixnet
 * with latency and duplicates, readers parked on empty buffers, an echo server, the listener
 * blocked in accept, streams and clients closed under blocked readers — and fails on any event
 * with a frame from {@code dev.mixnetstreams}, printing its stack. (On JDK 24+ {@code synchronized}
 * no longer pins; the test still catches pinning through native frames or class initialisation.)
 */
class CarrierPinningTest {

    /** Figures of the run: target/test-figures/CarrierPinningTest.txt. */
    private static final PrintStream FIGURES = Figures.of(CarrierPinningTest.class);

    @Test
    void noVirtualThreadPinnedEventFromProjectCode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pinning.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();
            workload();
            recording.stop();
            recording.dump(file);
        }
        List<String> fromProject = new ArrayList<>();
        int events = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            events++;
            if (event.getStackTrace() == null) {
                continue;
            }
            boolean ours = false;
            StringBuilder stack = new StringBuilder(event.getEventType().getName()).append('\n');
            for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                String type = frame.getMethod().getType().getName();
                ours |= type.startsWith("dev.mixnetstreams");
                stack.append("    at ").append(type).append('.').append(frame.getMethod().getName())
                        .append(':').append(frame.getLineNumber()).append('\n');
            }
            if (ours) {
                fromProject.add(stack.toString());
            }
        }
        FIGURES.println("jdk.VirtualThreadPinned events recorded: " + events + ", from project code: "
                + fromProject.size() + " (JDK " + Runtime.version() + ")");
        fromProject.forEach(FIGURES::println);
        assertTrue(fromProject.isEmpty(), "carrier pinned in project code:\n" + String.join("\n", fromProject));
        assertTrue(Files.size(file) > 0);
    }

    private static void workload() throws Exception {
        int streams = 200;
        SplittableRandom random = new SplittableRandom(11);
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().latency(Duration.ZERO, Duration.ofMillis(5))
                .duplicateRate(0.1).seed(11).build();
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        MixnetStream s = listener.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                                s.shutdownOutput();
                            } catch (IOException e) {
                                // the client closing under a blocked read ends it
                            }
                        });
                    }
                } catch (IOException closed) {
                    // the listener was closed with the client: done
                }
            });
            List<Thread> echoes = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                byte[] data = new byte[1 + random.nextInt(20_000)];
                random.nextBytes(data);
                MixnetStream s = client.openStream(server.address());
                echoes.add(Thread.ofVirtual().start(() -> {
                    try (s) {
                        Thread writer = Thread.ofVirtual().start(() -> {
                            try {
                                for (int off = 0; off < data.length; off += 1000) {
                                    s.getOutputStream().write(data, off, Math.min(1000, data.length - off));
                                }
                                s.shutdownOutput();
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        assertArrayEquals(data, s.getInputStream().readAllBytes());
                        writer.join();
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Thread t : echoes) {
                t.join();
            }
            // Readers parked on streams that get no data, then woken by closing the client.
            CountDownLatch parked = new CountDownLatch(50);
            List<Thread> blocked = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                MixnetStream s = client.openStream(server.address());
                blocked.add(Thread.ofVirtual().start(() -> {
                    parked.countDown();
                    try {
                        s.getInputStream().read();
                    } catch (IOException expected) {
                        // closed under the read
                    }
                }));
            }
            parked.await();
            for (Thread t : blocked) {
                Await.until(() -> t + " parked or ended", () -> t.getState() == Thread.State.WAITING || !t.isAlive());
            }
            client.close();
            server.close();
            for (Thread t : blocked) {
                t.join();
            }
            acceptor.join();
        }
    }
}
