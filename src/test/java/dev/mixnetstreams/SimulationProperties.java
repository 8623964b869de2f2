package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.SimAccess;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Seeded simulation properties: two clients over a {@link SimulatedMixnet} with random latency,
 * loss and duplicates; many streams opened both ways, each side writing its own frames and
 * reading the other's, some readers closing early.
 *
 * <p>Between two clients of this library (the extensions on, the default), lost messages are sent
 * again: with loss as without, every stream and direction delivers exactly what the writer wrote,
 * then its end of stream; no loss is reported and no reader stalls. A reader that closes early
 * resets its peer (it closed with data unread), and only that stream's opener may see that.
 *
 * <p>With {@link MixnetClient.Builder#extensions(boolean) extensions(false)} on both sides (the
 * Rust SDK's protocol: no retransmission), for every stream and direction the reader got exactly
 * what the writer wrote, frame after frame, except where a loss was reported; each loss is
 * reported once, at the byte offset the reader had reached, names the first missing frame, and
 * the bytes resume at the start of the frame after the gap: a loss is never silent. Without loss
 * delivery is exact and complete. A reader that waits longer than its read timeout is "stalled",
 * allowed only with loss (a gap that never fills because fewer than the reorder window's messages
 * follow it).
 *
 * <p>After {@code close()} no stream, thread or buffered byte is left.
 *
 * <p>jqwik prints the failing {@link Scenario} (with the mixnet seed) and its own seed; no
 * wall-clock assertion is made (timeouts only decide "stalled").
 */
@StatisticsReport(onFailureOnly = true) // the build stays quiet; a failure shows them
class SimulationProperties {

    /** Where delivery must be exact a read timeout is a failure, so it is long: only a hang guard. */
    private static final Duration NO_LOSS_TIMEOUT = Duration.ofSeconds(60);
    /** With loss and without the extensions, a stalled reader gives up after this. */
    private static final Duration LOSSY_TIMEOUT = Duration.ofMillis(1500);

    /** One stream: who opens it, the frames each side writes, where the acceptor's reader stops. */
    record StreamSpec(boolean openedByA, List<Integer> openerFrames, List<Integer> acceptorFrames,
                      int acceptorStopsAfter) {
    }

    /** One run. {@code reorderWindow} applies only with loss (without loss it is the default, 256). */
    record Scenario(long seed, double loss, double duplicates, int maxLatencyMillis, int reorderWindow,
                    List<StreamSpec> streams) {
        int window() {
            return loss > 0 ? reorderWindow : MixnetClient.Builder.DEFAULT_REORDER_WINDOW;
        }
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<List<Integer>> frames = Arbitraries.integers().between(1, 3000).list().ofMaxSize(25);
        Arbitrary<StreamSpec> stream = Combinators.combine(
                Arbitraries.of(true, false), frames, frames,
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(4, Arbitraries.just(-1)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 20_000))))
                .as(StreamSpec::new);
        return Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.of(0.0, 0.0, 0.03, 0.15),
                Arbitraries.of(0.0, 0.05, 0.3),
                Arbitraries.integers().between(0, 15),
                Arbitraries.of(2, 4, 8, 256),
                stream.list().ofMinSize(1).ofMaxSize(12))
                .as(Scenario::new);
    }

    @Property(tries = 12)
    void betweenPeersOfThisLibraryEveryStreamDeliversExactlyDespiteLoss(@ForAll("scenarios") Scenario scenario)
            throws Exception {
        run(scenario, true);
    }

    @Property(tries = 12)
    void withoutTheExtensionsEveryStreamDeliversExactlyOrReportsItsLossesInPlace(
            @ForAll("scenarios") Scenario scenario) throws Exception {
        run(scenario, false);
    }

    /** The first property, many more runs ({@code -Plong}). */
    @Property(tries = 200)
    @net.jqwik.api.Tag("long")
    void campaign(@ForAll("scenarios") Scenario scenario) throws Exception {
        run(scenario, true);
    }

    /** The second property, many more runs ({@code -Plong}). */
    @Property(tries = 200)
    @net.jqwik.api.Tag("long")
    void campaignWithoutTheExtensions(@ForAll("scenarios") Scenario scenario) throws Exception {
        run(scenario, false);
    }

    /** What one reader saw. */
    static final class Reading {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<StreamDataLossException> losses = new ArrayList<>();
        final List<Long> lossAt = new ArrayList<>();
        String end = "running"; // eof, stalled, stopped, error: ...
    }

    /**
     * Runs one scenario; {@code extensions} on both clients or on neither. Delivery must be exact
     * without loss, and with the extensions whatever the loss.
     */
    static void run(Scenario scenario, boolean extensions) throws Exception {
        boolean exact = extensions || scenario.loss() == 0;
        Duration timeout = exact ? NO_LOSS_TIMEOUT : LOSSY_TIMEOUT;
        List<Thread> workers = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        // stream id -> [opener reading, acceptor reading]
        Map<Long, Reading[]> readings = new ConcurrentHashMap<>();
        Map<Long, Integer> specOf = new ConcurrentHashMap<>();
        List<Thread> deliveryThreads;
        MixnetClient a;
        MixnetClient b;
        SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(scenario.maxLatencyMillis()))
                .lossRate(scenario.loss()).duplicateRate(scenario.duplicates())
                .seed(scenario.seed()).build();
        try (mixnet) {
            a = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(scenario.window()).extensions(extensions).build();
            b = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(scenario.window()).extensions(extensions).build();
            deliveryThreads = SimAccess.deliveryThreads(mixnet);
            try (a; b) {
                MixnetListener[] listeners = {a.listener(), b.listener()};
                int[] expected = new int[2];
                for (StreamSpec spec : scenario.streams()) {
                    expected[spec.openedByA() ? 1 : 0]++;
                }
                // Acceptors: accept the expected number of streams, or until a timeout (lossy only).
                for (int side = 0; side < 2; side++) {
                    MixnetListener listener = listeners[side];
                    int count = expected[side];
                    workers.add(Thread.ofVirtual().start(() -> {
                        try {
                            for (int i = 0; i < count; i++) {
                                MixnetStream s = listener.accept(timeout);
                                workers.add(Thread.ofVirtual().start(() -> {
                                    // The opener registers it right after openStream.
                                    Await.until(() -> "the opener registered " + s.id(),
                                            () -> specOf.containsKey(s.id().value()));
                                    int index = specOf.get(s.id().value());
                                    StreamSpec spec = scenario.streams().get(index);
                                    // With loss and no retransmission, the opener may give up on a
                                    // stall and close with data unread.
                                    serve(s, frames(scenario.seed(), index, false, spec.acceptorFrames()),
                                            readings.get(s.id().value())[1], spec.acceptorStopsAfter(),
                                            !exact, timeout, failures);
                                }));
                            }
                        } catch (SocketTimeoutException e) {
                            if (exact) {
                                failures.add(new AssertionError("an Open never arrived where delivery is exact", e));
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
                for (int index = 0; index < scenario.streams().size(); index++) {
                    StreamSpec spec = scenario.streams().get(index);
                    MixnetClient opener = spec.openedByA() ? a : b;
                    MixnetClient acceptor = spec.openedByA() ? b : a;
                    MixnetStream s = opener.openStream(acceptor.address());
                    readings.put(s.id().value(), new Reading[] {new Reading(), new Reading()});
                    specOf.put(s.id().value(), index);
                    byte[][] mine = frames(scenario.seed(), index, true, spec.openerFrames());
                    Reading reading = readings.get(s.id().value())[0];
                    // An acceptor that stops reading early, or gives up on a stalled stream, closes
                    // with data unread: a reset, which ends this side's writing and reading, as TCP's would.
                    boolean peerMayReset = spec.acceptorStopsAfter() >= 0 || !exact;
                    workers.add(Thread.ofVirtual().start(
                            () -> serve(s, mine, reading, -1, peerMayReset, timeout, failures)));
                }
                for (int i = 0; i < workers.size(); i++) { // the list grows while acceptors run
                    workers.get(i).join();
                }
                if (!failures.isEmpty()) {
                    AssertionError error = new AssertionError(scenario + (extensions ? "" : " without the extensions")
                            + ": " + failures.get(0), failures.get(0));
                    failures.stream().skip(1).forEach(error::addSuppressed);
                    throw error;
                }
                long losses = readings.values().stream().flatMap(Arrays::stream).mapToLong(r -> r.losses.size()).sum();
                long stalls = readings.values().stream().flatMap(Arrays::stream).filter(r -> r.end.equals("stalled")).count();
                Statistics.label("mixnet lost messages").collect(mixnet.stats().lost() > 0);
                Statistics.label("losses reported").collect(losses > 0);
                Statistics.label("stalled readers").collect(stalls > 0);
                for (var entry : readings.entrySet()) {
                    int index = specOf.get(entry.getKey());
                    StreamSpec spec = scenario.streams().get(index);
                    String where = scenario + (extensions ? "" : " without the extensions") + " stream #" + index;
                    check(where + " opener->acceptor", exact,
                            frames(scenario.seed(), index, true, spec.openerFrames()), entry.getValue()[1]);
                    check(where + " acceptor->opener", exact,
                            frames(scenario.seed(), index, false, spec.acceptorFrames()), entry.getValue()[0]);
                }
            }
            // After close: nothing left behind.
            for (MixnetClient client : List.of(a, b)) {
                assertFalse(client.routerThread().isAlive(), "router thread gone");
                assertEquals(0, client.stats().openStreams());
                assertTrue(client.streams.isEmpty(), "no stream registered");
                assertEquals(0, client.unreadBytes(), "no buffered byte");
                assertEquals(0, client.counters().routerFailures.sum(), "nothing escaped in the router");
            }
        }
        for (Thread t : deliveryThreads) {
            assertFalse(t.isAlive(), "sim delivery thread gone: " + t);
        }
        for (Thread t : workers) {
            assertFalse(t.isAlive());
        }
    }

    /**
     * Writes its frames, then ends its output; reads the peer's bytes into {@code reading}; closes.
     * If {@code peerMayReset}, a reset by the peer for data it left unread ends reading and writing.
     */
    private static void serve(MixnetStream stream, byte[][] frames, Reading reading, int stopAfter,
                              boolean peerMayReset, Duration timeout, List<Throwable> failures) {
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                for (byte[] frame : frames) {
                    stream.getOutputStream().write(frame);
                }
                stream.shutdownOutput();
            } catch (IOException e) {
                if (!stream.isClosed() && !(peerMayReset && isResetForUnreadData(e))) {
                    failures.add(e);
                }
            }
        });
        stream.setReadTimeout(timeout);
        InputStream in = stream.getInputStream();
        byte[] buffer = new byte[1024];
        try {
            while (true) {
                if (stopAfter >= 0 && reading.bytes.size() >= stopAfter) {
                    reading.end = "stopped";
                    break;
                }
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        reading.end = "eof";
                        break;
                    }
                    reading.bytes.write(buffer, 0, n);
                } catch (StreamDataLossException loss) {
                    reading.losses.add(loss);
                    reading.lossAt.add((long) reading.bytes.size());
                } catch (SocketTimeoutException stalled) {
                    reading.end = "stalled";
                    break;
                } catch (IOException e) {
                    reading.end = peerMayReset && isResetForUnreadData(e) ? "reset" : "error: " + e;
                    break;
                }
            }
            writer.join();
        } catch (InterruptedException e) {
            failures.add(e);
        } finally {
            stream.close();
        }
    }

    private static boolean isResetForUnreadData(IOException e) {
        return e instanceof StreamResetException reset && reset.byPeer() && reset.reason() == ResetReason.CLOSED_UNREAD;
    }

    /** The frames one side of one stream writes: sizes from the scenario, bytes from the seed. */
    static byte[][] frames(long seed, int stream, boolean opener, List<Integer> sizes) {
        SplittableRandom random = new SplittableRandom(seed * 31 + stream * 2L + (opener ? 1 : 0));
        byte[][] frames = new byte[sizes.size()][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new byte[sizes.get(i)];
            random.nextBytes(frames[i]);
        }
        return frames;
    }

    /**
     * Checks one direction: the bytes are the written frames in order; each reported loss sits at
     * a frame boundary, at the offset the reader had reached, names the next frame, and the bytes
     * resume at the frame after the lost ones. Where delivery must be {@code exact}, no loss is
     * reported, no reader stalls, and every frame arrives before the end of stream.
     */
    static void check(String where, boolean exact, byte[][] written, Reading reading) {
        byte[] got = reading.bytes.toByteArray();
        if (reading.end.startsWith("error")) {
            throw new AssertionError(where + ": reader failed: " + reading.end);
        }
        if (reading.end.equals("stalled") && exact) {
            throw new AssertionError(where + ": stalled where delivery is exact");
        }
        if (exact && !reading.losses.isEmpty()) {
            throw new AssertionError(where + ": a loss reported where delivery is exact: " + reading.losses);
        }
        int frame = 0;
        int cursor = 0;
        for (int event = 0; event <= reading.losses.size(); event++) {
            boolean last = event == reading.losses.size();
            int segmentEnd = last ? got.length : (int) (long) reading.lossAt.get(event);
            while (cursor < segmentEnd) {
                if (frame >= written.length) {
                    throw new AssertionError(where + ": more bytes than written, at " + cursor);
                }
                byte[] expected = written[frame];
                int n = Math.min(expected.length, segmentEnd - cursor);
                if (n < expected.length && !(last && (reading.end.equals("stopped") || reading.end.equals("reset")))) {
                    throw new AssertionError(where + ": frame " + frame + " cut at byte " + segmentEnd);
                }
                if (!Arrays.equals(expected, 0, n, got, cursor, cursor + n)) {
                    throw new AssertionError(where + ": frame " + frame + " differs at stream byte " + cursor);
                }
                cursor += n;
                frame++;
            }
            if (!last) {
                StreamDataLossException loss = reading.losses.get(event);
                if (loss.streamOffset() != segmentEnd) {
                    throw new AssertionError(where + ": loss reported at offset " + loss.streamOffset()
                            + " after " + segmentEnd + " bytes were read");
                }
                if (loss.firstLostSequence() != frame || loss.lostMessages() < 1
                        || frame + loss.lostMessages() > written.length) {
                    throw new AssertionError(where + ": loss of " + loss.lostMessages() + " from sequence "
                            + loss.firstLostSequence() + " but the next frame was " + frame + " of "
                            + written.length);
                }
                frame += (int) loss.lostMessages();
            }
        }
        if (reading.end.equals("eof") && frame != written.length) {
            throw new AssertionError(where + ": end of stream after " + frame + " of " + written.length + " frames");
        }
        if (exact && !reading.end.equals("stopped") && !reading.end.equals("reset")) {
            assertEquals("eof", reading.end, where);
            assertEquals(written.length, frame, where);
        }
    }
}
