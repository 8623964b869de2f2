package dev.mixnetstreams.tunnel;

import static dev.mixnetstreams.tunnel.TunnelFixture.HANG_GUARD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * A tunnel client whose accepts keep failing (as at the file-descriptor limit) pauses between
 * attempts and logs a bounded number of warnings. Time is the test's: the pause records what it
 * was asked and advances a clock by as much, so attempts and lines are counted, never timed.
 */
class TunnelAcceptRetryTest {

    /** Fails the attempts {@code failing} says, accepts for real otherwise; counts attempts. */
    private static final class ScriptedServerSocket extends ServerSocket {
        private final java.util.function.IntPredicate failing;
        final AtomicInteger attempts = new AtomicInteger();
        /** Opens when attempt number {@code watched} begins. */
        private final int watched;
        final CountDownLatch watchedAttemptBegan = new CountDownLatch(1);
        private final int secondWatched;
        final CountDownLatch secondWatchedAttemptBegan = new CountDownLatch(1);

        ScriptedServerSocket(java.util.function.IntPredicate failing, int watched, int secondWatched) throws IOException {
            super(0, 50, InetAddress.getLoopbackAddress());
            this.failing = failing;
            this.watched = watched;
            this.secondWatched = secondWatched;
        }

        @Override
        public Socket accept() throws IOException {
            int attempt = attempts.incrementAndGet();
            if (attempt == watched) {
                watchedAttemptBegan.countDown();
            }
            if (attempt == secondWatched) {
                secondWatchedAttemptBegan.countDown();
            }
            if (failing.test(attempt)) {
                throw new IOException("Too many open files");
            }
            return super.accept();
        }
    }

    @Test
    void persistentAcceptFailuresBackOffAndLogABoundedNumberOfWarnings() throws Exception {
        int firstFailures = 50;
        int laterFailures = 3;
        // Attempts 1-50 fail, 51 accepts a real connection, 52-54 fail, 55 waits for a connection.
        ScriptedServerSocket socket = new ScriptedServerSocket(
                attempt -> attempt <= firstFailures || (attempt > firstFailures + 1 && attempt <= firstFailures + 1 + laterFailures),
                firstFailures + 1, firstFailures + laterFailures + 2);
        AtomicLong clock = new AtomicLong();
        List<Duration> pauses = new CopyOnWriteArrayList<>();
        CapturingLogger log = new CapturingLogger("tunnel-client");
        TunnelEnvironment environment = new TunnelEnvironment(log, pause -> {
            pauses.add(pause);
            clock.addAndGet(pause.toNanos());
        }, clock::get);
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().seed(41).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            TunnelClient tunnel = TunnelClient.start(client, Recipient.random(new SplittableRandom(42)), socket,
                    TunnelConfig.defaults(), environment);
            try {
                assertTrue(socket.watchedAttemptBegan.await(HANG_GUARD.toMillis(), TimeUnit.MILLISECONDS));
                try (Socket local = new Socket(socket.getInetAddress(), socket.getLocalPort())) {
                    assertTrue(socket.secondWatchedAttemptBegan.await(HANG_GUARD.toMillis(), TimeUnit.MILLISECONDS),
                            "no attempt after the one that accepted " + local);
                }
            } finally {
                tunnel.close();
            }
        }

        // One attempt per pause, plus the two that accepted (or waited to).
        assertEquals(firstFailures + laterFailures + 2, socket.attempts.get());
        List<Duration> expected = new ArrayList<>();
        Duration next = AcceptRetry.FIRST_PAUSE;
        for (int i = 0; i < firstFailures; i++) {
            expected.add(next);
            next = next.multipliedBy(2).compareTo(AcceptRetry.MAX_PAUSE) > 0 ? AcceptRetry.MAX_PAUSE : next.multipliedBy(2);
        }
        expected.addAll(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40))); // reset by the success
        assertEquals(expected, pauses);
        assertEquals(Duration.ofSeconds(1), pauses.get(firstFailures - 1), "the pause grows to 1 s, no further");

        List<String> warnings = log.at(Level.WARN);
        long elapsedNanos = clock.get();
        long bound = 1 + elapsedNanos / AcceptRetry.WARNING_INTERVAL.toNanos();
        assertTrue(warnings.size() >= 2 && warnings.size() <= bound,
                warnings.size() + " warnings over " + Duration.ofNanos(elapsedNanos) + ", at most " + bound + ": " + warnings);
        assertTrue(warnings.get(0).startsWith("tunnel client: accept failed: java.io.IOException: Too many open files"),
                warnings.get(0));
        long reported = 0;
        Pattern count = Pattern.compile("\\((\\d+) more failures not logged since the last warning\\)");
        for (String line : warnings.subList(1, warnings.size())) {
            Matcher m = count.matcher(line);
            assertTrue(m.find(), line);
            reported += Long.parseLong(m.group(1));
        }
        assertTrue(reported + warnings.size() <= firstFailures + laterFailures,
                "every failure is logged or counted once: " + warnings);
        assertTrue(reported > 0, "the warnings say how many failures they stand for: " + warnings);
    }
}
