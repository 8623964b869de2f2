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
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Reliability and flow control between two clients of this library (PROTOCOL.md, section 9) over
 * a seeded {@link SimulatedMixnet} that loses (up to 10 %), duplicates and reorders every message,
 * data and control frames alike.
 *
 * <p>{@link #everyByteArrivesExactlyWithinTheWindow}: several streams opened both ways carry
 * random writes in both directions to readers that read fast, a few bytes at a time, or only
 * after their own side has written everything (so the peer's writer must wait for credit). Every
 * direction of every stream delivers exactly the bytes written and then its end of stream; no
 * stream is reset or given up; everything completes before a generous deadline (a hang guard,
 * never a timing assertion); and at every read the bytes a stream holds unread stay within the
 * receive window it grants, so no reader is ever reset for its unread-byte limit (which is set
 * to only a little more than the window).
 *
 * <p>{@link #anAbortAlwaysReachesThePeer}: one stream among others is aborted by one side at a
 * random point while its peer writes and reads without end; the peer's read and write both fail
 * with a {@link StreamResetException}, whatever the mixnet lost, and the other streams complete
 * exactly.
 *
 * <p>On failure the message starts with the {@link Scenario} (mixnet seed, loss, duplicates,
 * latency, window, streams): run it again with the same values to reproduce. jqwik also prints its
 * own seed.
 */
class ReliabilityProperties {

    /** How long a run may take before it counts as a deadlock: a hang guard, far above a passing run. */
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** How a side reads its peer's bytes. */
    enum ReaderPace {
        /** 8 KiB reads as fast as it can. */
        FAST,
        /** 1 to 97 bytes per read. */
        SMALL_READS,
        /** Reads nothing until its own side has written everything (then fast): the peer waits for credit. */
        AFTER_OWN_WRITES
    }

    /** One stream: who opens it, each side's write sizes and each side's reading pace. */
    record StreamSpec(boolean openedByA, List<Integer> openerWrites, List<Integer> acceptorWrites,
                      ReaderPace openerPace, ReaderPace acceptorPace) {
    }

    /** One run. */
    record Scenario(long seed, double loss, double duplicates, int maxLatencyMillis, int receiveWindow,
                    List<StreamSpec> streams) {
    }

    /** One run with an abort: stream {@code aborted} is aborted by its opener or acceptor after reading {@code abortAfter} bytes. */
    record AbortScenario(Scenario base, int aborted, boolean openerAborts, int abortAfter) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<List<Integer>> writes = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(1, 20_000)),
                Tuple.of(1, Arbitraries.integers().between(1, 40)))
                .list().ofMaxSize(24);
        Arbitrary<ReaderPace> pace = Arbitraries.of(ReaderPace.class);
        Arbitrary<StreamSpec> stream = Combinators.combine(Arbitraries.of(true, false), writes, writes, pace, pace)
                .as((byA, openerWrites, acceptorWrites, openerPace, acceptorPace) ->
                        // Both sides reading only after writing everything would be an application
                        // deadlock (as over TCP) once both have written more than the window.
                        new StreamSpec(byA, openerWrites, acceptorWrites, openerPace,
                                openerPace == ReaderPace.AFTER_OWN_WRITES && acceptorPace == ReaderPace.AFTER_OWN_WRITES
                                        ? ReaderPace.FAST : acceptorPace));
        return Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.frequencyOf(
                        Tuple.of(1, Arbitraries.just(0.0)),
                        Tuple.of(4, Arbitraries.doubles().between(0.0, 0.10).ofScale(3))),
                Arbitraries.of(0.0, 0.02, 0.1),
                Arbitraries.integers().between(0, 20),
                Arbitraries.of(64 * 1024, 96 * 1024, 160 * 1024),
                stream.list().ofMinSize(1).ofMaxSize(6))
                .as(Scenario::new);
    }

    @Provide
    Arbitrary<AbortScenario> abortScenarios() {
        return scenarios().flatMap(base -> Combinators.combine(
                Arbitraries.integers().between(0, base.streams().size() - 1),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 20_000))
                .as((aborted, openerAborts, after) -> new AbortScenario(base, aborted, openerAborts, after)));
    }

    @Property(tries = 8)
    void everyByteArrivesExactlyWithinTheWindow(@ForAll("scenarios") Scenario scenario) throws Exception {
        run(scenario, null);
    }

    @Property(tries = 8)
    void anAbortAlwaysReachesThePeer(@ForAll("abortScenarios") AbortScenario scenario) throws Exception {
        run(scenario.base(), scenario);
    }

    /** The first property, many more runs ({@code -Plong}). */
    @Property(tries = 150)
    @Tag("long")
    void exactDeliveryCampaign(@ForAll("scenarios") Scenario scenario) throws Exception {
        run(scenario, null);
    }

    /** The second property, many more runs ({@code -Plong}). */
    @Property(tries = 150)
    @Tag("long")
    void abortCampaign(@ForAll("abortScenarios") AbortScenario scenario) throws Exception {
        run(scenario.base(), scenario);
    }

    /** What one side of one stream saw. */
    static final class Side {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        /** The most bytes the stream held unread at any read, and the window it granted then. */
        final AtomicLong peakUnread = new AtomicLong();
        volatile IOException readFailure;
        volatile IOException writeFailure;
        volatile boolean sawEnd;
    }

    /**
     * Runs one scenario; with {@code abort}, one of its streams is aborted as it says and its peer
     * writes and reads until that fails.
     */
    static void run(Scenario scenario, AbortScenario abort) throws Exception {
        Object what = abort != null ? abort : scenario;
        List<CompletableFuture<Void>> work = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Map<Long, Integer> indexOf = new ConcurrentHashMap<>();
        Map<Integer, Side[]> sides = new ConcurrentHashMap<>(); // [opener, acceptor]
        long maxUnread = 2L * scenario.receiveWindow() + 64 * 1024; // little over the window: a reset if flow control fails
        SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(scenario.maxLatencyMillis()))
                .lossRate(scenario.loss()).duplicateRate(scenario.duplicates())
                .seed(scenario.seed()).build();
        List<Thread> deliveryThreads;
        MixnetClient a;
        MixnetClient b;
        try (mixnet) {
            a = client(mixnet, scenario, maxUnread);
            b = client(mixnet, scenario, maxUnread);
            deliveryThreads = SimAccess.deliveryThreads(mixnet);
            try (a; b) {
                int[] expected = new int[2]; // streams a, b accept
                for (StreamSpec spec : scenario.streams()) {
                    expected[spec.openedByA() ? 1 : 0]++;
                }
                CountDownLatch registered = new CountDownLatch(scenario.streams().size());
                MixnetListener[] listeners = {a.listener(), b.listener()};
                for (int side = 0; side < 2; side++) {
                    MixnetListener listener = listeners[side];
                    int count = expected[side];
                    work.add(CompletableFuture.runAsync(() -> {
                        try {
                            registered.await();
                            for (int i = 0; i < count; i++) {
                                MixnetStream s = listener.accept();
                                int index = indexOf.get(s.id().value());
                                work.add(CompletableFuture.runAsync(
                                        () -> serve(scenario, abort, index, false, s, sides.get(index)[1], failures),
                                        Thread::startVirtualThread));
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }, Thread::startVirtualThread));
                }
                for (int index = 0; index < scenario.streams().size(); index++) {
                    StreamSpec spec = scenario.streams().get(index);
                    MixnetClient opener = spec.openedByA() ? a : b;
                    MixnetClient acceptor = spec.openedByA() ? b : a;
                    MixnetStream s = opener.openStream(acceptor.address());
                    sides.put(index, new Side[] {new Side(), new Side()});
                    indexOf.put(s.id().value(), index);
                    int i = index;
                    work.add(CompletableFuture.runAsync(
                            () -> serve(scenario, abort, i, true, s, sides.get(i)[0], failures),
                            Thread::startVirtualThread));
                    registered.countDown();
                }
                awaitAll(work, what, a, b, mixnet);
                if (!failures.isEmpty()) {
                    AssertionError error = new AssertionError(what + ": " + failures.get(0), failures.get(0));
                    failures.stream().skip(1).forEach(error::addSuppressed);
                    throw error;
                }
                check(scenario, abort, sides);
                ClientStats sa = a.stats();
                ClientStats sb = b.stats();
                Statistics.label("frames resent").collect(sa.framesResent() + sb.framesResent() > 0);
                if (abort == null) {
                    assertEquals(0, sa.streamsReset() + sb.streamsReset(), what + ": no stream reset for a limit");
                    assertEquals(0, sa.streamsUndeliverable() + sb.streamsUndeliverable(), what + ": none given up");
                    assertEquals(0, sa.dataLossEvents() + sb.dataLossEvents(), what + ": no loss reported");
                }
            }
            for (MixnetClient client : List.of(a, b)) {
                assertFalse(client.routerThread().isAlive(), "router thread gone");
                assertEquals(0, client.stats().openStreams(), what + ": no stream left open");
                assertEquals(0, client.unreadBytes(), what + ": no buffered byte left");
                assertEquals(0, client.counters().routerFailures.sum(), what + ": nothing escaped in the router");
            }
        }
        for (Thread t : deliveryThreads) {
            assertFalse(t.isAlive(), "sim delivery thread gone: " + t);
        }
    }

    private static MixnetClient client(SimulatedMixnet mixnet, Scenario scenario, long maxUnread) {
        return MixnetClient.builder(mixnet.newEndpoint())
                .receiveWindow(scenario.receiveWindow())
                .maxUnreadBytes(maxUnread)
                .build();
    }

    /** Waits for every task (the list grows while acceptors run) until the deadline; on a hang, says what hung. */
    private static void awaitAll(List<CompletableFuture<Void>> work, Object what, MixnetClient a, MixnetClient b,
                                 SimulatedMixnet mixnet) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        for (int i = 0; i < work.size(); i++) {
            try {
                work.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                long unfinished = work.stream().filter(f -> !f.isDone()).count();
                throw new AssertionError(what + ": not finished within " + DEADLINE.toSeconds() + " s ("
                        + unfinished + " tasks left; a: " + a.stats() + "; b: " + b.stats() + "; mixnet: "
                        + mixnet.stats() + ")");
            } catch (ExecutionException e) {
                throw new AssertionError(what + ": " + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * One side of one stream: writes its bytes then ends its output, and reads the peer's at its
     * pace. The aborting side aborts after reading its share; its peer writes and reads without end.
     */
    private static void serve(Scenario scenario, AbortScenario abort, int index, boolean opener, MixnetStream stream,
                              Side side, List<Throwable> failures) {
        StreamSpec spec = scenario.streams().get(index);
        boolean aborted = abort != null && abort.aborted() == index;
        boolean aborter = aborted && abort.openerAborts() == opener;
        boolean victim = aborted && !aborter;
        ReaderPace pace = aborted ? ReaderPace.FAST : opener ? spec.openerPace() : spec.acceptorPace();
        CountDownLatch written = new CountDownLatch(1);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = stream.getOutputStream();
                if (victim) {
                    SplittableRandom random = new SplittableRandom(scenario.seed() + index);
                    byte[] chunk = new byte[1000];
                    while (true) { // until the reset stops it
                        random.nextBytes(chunk);
                        out.write(chunk, 0, 1 + random.nextInt(chunk.length));
                    }
                }
                for (byte[] write : writes(scenario, index, opener)) {
                    out.write(write);
                }
                if (!aborter) {
                    stream.shutdownOutput();
                }
            } catch (IOException e) {
                side.writeFailure = e;
            } finally {
                written.countDown();
            }
        });
        InputStream in = stream.getInputStream();
        try {
            if (pace == ReaderPace.AFTER_OWN_WRITES) {
                written.await();
            }
            SplittableRandom random = new SplittableRandom(scenario.seed() ^ (index * 2L + (opener ? 1 : 0)));
            byte[] buffer = new byte[8192];
            while (true) {
                if (aborter && side.received.size() >= abort.abortAfter()) {
                    stream.abort();
                    break;
                }
                long unread = stream.inbound.unreadPayloadBytes();
                side.peakUnread.accumulateAndGet(unread, Math::max);
                int len = pace == ReaderPace.SMALL_READS ? 1 + random.nextInt(97) : buffer.length;
                if (aborter) {
                    len = Math.min(len, Math.max(1, abort.abortAfter() - side.received.size()));
                }
                int n;
                try {
                    n = in.read(buffer, 0, len);
                } catch (IOException e) {
                    side.readFailure = e;
                    break;
                }
                if (n < 0) {
                    side.sawEnd = true;
                    break;
                }
                side.received.write(buffer, 0, n);
            }
            writer.join(); // a victim's writer ends only when the reset reaches it
        } catch (Throwable e) {
            failures.add(e);
        } finally {
            stream.close();
        }
    }

    /** The writes one side of one stream makes: sizes from the scenario, bytes from the seed. */
    static byte[][] writes(Scenario scenario, int index, boolean opener) {
        StreamSpec spec = scenario.streams().get(index);
        List<Integer> sizes = opener ? spec.openerWrites() : spec.acceptorWrites();
        SplittableRandom random = new SplittableRandom(scenario.seed() * 31 + index * 2L + (opener ? 1 : 0));
        byte[][] writes = new byte[sizes.size()][];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = new byte[sizes.get(i)];
            random.nextBytes(writes[i]);
        }
        return writes;
    }

    private static byte[] concat(byte[][] parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    /** Every direction of every stream: exact bytes and end of stream, or for the aborted one, resets on the peer. */
    private static void check(Scenario scenario, AbortScenario abort, Map<Integer, Side[]> sides) {
        Object what = abort != null ? abort : scenario;
        for (int index = 0; index < scenario.streams().size(); index++) {
            Side[] pair = sides.get(index);
            String where = what + " stream #" + index;
            boolean aborted = abort != null && abort.aborted() == index;
            if (aborted) {
                Side victim = pair[abort.openerAborts() ? 1 : 0];
                assertTrue(victim.readFailure instanceof StreamResetException,
                        where + ": the peer's read failed with a reset, not " + victim.readFailure
                                + (victim.sawEnd ? " (it read an end of stream)" : ""));
                assertTrue(victim.writeFailure instanceof StreamResetException,
                        where + ": the peer's write failed with a reset, not " + victim.writeFailure);
                continue;
            }
            for (int side = 0; side < 2; side++) {
                boolean readerIsOpener = side == 0;
                Side reader = pair[side];
                String direction = where + (readerIsOpener ? " acceptor->opener" : " opener->acceptor");
                if (reader.readFailure != null) {
                    throw new AssertionError(direction + ": read failed: " + reader.readFailure, reader.readFailure);
                }
                if (reader.writeFailure != null) {
                    throw new AssertionError(direction + ": write failed: " + reader.writeFailure, reader.writeFailure);
                }
                byte[] expected = concat(writes(scenario, index, !readerIsOpener));
                byte[] got = reader.received.toByteArray();
                assertTrue(reader.sawEnd, direction + ": no end of stream");
                assertEquals(expected.length, got.length, direction + ": byte count");
                int mismatch = Arrays.mismatch(expected, got);
                assertEquals(-1, mismatch, direction + ": first differing byte");
                assertTrue(reader.peakUnread.get() <= scenario.receiveWindow(), direction + ": held "
                        + reader.peakUnread.get() + " payload bytes unread, over the window of " + scenario.receiveWindow());
            }
        }
    }
}
