package dev.mixnetstreams.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.testing.Await;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour of {@link SimulatedMixnet}. The timeout only guards against hangs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulatedMixnetTest {

    private static byte[] number(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static int number(InboundMessage m) {
        return ByteBuffer.wrap(m.data()).getInt();
    }

    /** Takes {@code n} messages and returns their numbers in arrival order. */
    private static List<Integer> take(MixnetTransport t, int n) throws InterruptedException {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            InboundMessage m = t.inbound().take();
            assertNull(m.senderTag());
            got.add(number(m));
        }
        return got;
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void zeroLatencyDeliversEverythingInOrder() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().seed(1).build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            assertNotEquals(a.address(), b.address());
            assertSame(b.inbound(), b.inbound());
            for (int i = 0; i < 10_000; i++) {
                a.send(b.address(), number(i));
            }
            assertEquals(range(10_000), take(b, 10_000));
            SimulatedMixnet.Stats s = net.stats();
            assertEquals(new SimulatedMixnet.Stats(10_000, 10_000, 0, 0, 0), s);
            assertEquals(0, s.inFlight());
            assertTrue(a.inbound().isEmpty());
            assertTrue(b.inbound().isEmpty());
        }
    }

    @Test
    void deliversTheSenderArrayItself() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().build()) {
            MixnetTransport a = net.newEndpoint();
            byte[] data = {1, 2, 3};
            a.send(a.address(), data); // to itself
            assertSame(data, a.inbound().take().data());
        }
    }

    @Test
    void jitterReordersButDeliversEverything() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(20))
                .seed(42)
                .build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            for (int i = 0; i < 200; i++) {
                a.send(b.address(), number(i));
            }
            List<Integer> got = take(b, 200);
            assertEquals(new HashSet<>(range(200)), new HashSet<>(got));
            // 200 independent delays of up to 20 ms, sent back to back: in practice always reordered.
            assertNotEquals(range(200), got);
            assertEquals(200, net.stats().delivered());
        }
    }

    @Test
    void fixedLatencyKeepsOrder() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder()
                .latency(Duration.ofMillis(1), Duration.ofMillis(1))
                .build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            for (int i = 0; i < 500; i++) {
                a.send(b.address(), number(i));
            }
            assertEquals(range(500), take(b, 500));
        }
    }

    @Test
    void lossRateOneDeliversNothing() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().lossRate(1.0).duplicateRate(1.0).build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            for (int i = 0; i < 100; i++) {
                a.send(b.address(), number(i));
                a.sendAnonymous(b.address(), number(i), 3);
            }
            // Loss is decided at send time: nothing is on its way.
            assertEquals(new SimulatedMixnet.Stats(200, 0, 200, 0, 0), net.stats());
            assertTrue(b.inbound().isEmpty());
        }
    }

    @Test
    void duplicateRateOneDeliversExactlyTwoCopies() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(2))
                .duplicateRate(1.0)
                .build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            for (int i = 0; i < 100; i++) {
                a.send(b.address(), number(i));
            }
            Map<Integer, Integer> counts = new HashMap<>();
            List<byte[]> arrays = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                InboundMessage m = b.inbound().take();
                counts.merge(number(m), 1, Integer::sum);
                arrays.add(m.data());
            }
            for (int i = 0; i < 100; i++) {
                assertEquals(2, counts.get(i), "copies of " + i);
            }
            SimulatedMixnet.Stats s = net.stats();
            assertEquals(new SimulatedMixnet.Stats(100, 200, 0, 100, 0), s);
            assertEquals(0, s.inFlight()); // so nothing else can still arrive
            assertTrue(b.inbound().isEmpty());
            // The two copies do not share an array.
            assertEquals(200, arrays.stream().map(System::identityHashCode).distinct().count());
        }
    }

    @Test
    void partialLossIsReproducibleForASeed() throws Exception {
        List<Integer> first = survivors(7);
        assertEquals(first, survivors(7));
        assertNotEquals(first, survivors(8));
        assertTrue(first.size() > 300 && first.size() < 700, "about half of 1000 survive: " + first.size());
    }

    private static List<Integer> survivors(long seed) throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().lossRate(0.5).seed(seed).build()) {
            assertEquals(seed, net.seed());
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            assertEquals(Recipient.random(new SplittableRandom(seed)), a.address());
            for (int i = 0; i < 1000; i++) {
                a.send(b.address(), number(i));
            }
            SimulatedMixnet.Stats s = net.stats();
            assertEquals(1000, s.sent());
            assertEquals(1000, s.delivered() + s.lost() + s.inFlight());
            return take(b, (int) (1000 - s.lost()));
        }
    }

    @Test
    void senderTagsAreStablePerPairAndDistinctAcrossPairs() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            MixnetTransport c = net.newEndpoint();
            a.sendAnonymous(c.address(), number(1), 10);
            a.sendAnonymous(c.address(), number(2), 0);
            b.sendAnonymous(c.address(), number(3), 10);
            a.send(c.address(), number(4));
            a.sendAnonymous(b.address(), number(5), 10);
            SenderTag ac1 = c.inbound().take().senderTag();
            SenderTag ac2 = c.inbound().take().senderTag();
            SenderTag bc = c.inbound().take().senderTag();
            InboundMessage plain = c.inbound().take();
            SenderTag ab = b.inbound().take().senderTag();
            assertNotNull(ac1);
            assertEquals(ac1, ac2);
            assertNotEquals(ac1, bc);
            assertNotEquals(ac1, ab);
            assertNotEquals(bc, ab);
            assertEquals(4, number(plain));
            assertNull(plain.senderTag());
        }
    }

    @Test
    void repliesReachTheAnonymousSenderWithoutATag() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            MixnetTransport c = net.newEndpoint();
            a.sendAnonymous(c.address(), number(1), 5);
            b.sendAnonymous(c.address(), number(2), 5);
            InboundMessage fromA = c.inbound().take();
            InboundMessage fromB = c.inbound().take();
            c.reply(fromB.senderTag(), number(20));
            c.reply(fromA.senderTag(), number(10));
            assertEquals(List.of(10), take(a, 1));
            assertEquals(List.of(20), take(b, 1));
            assertTrue(c.inbound().isEmpty());
            // Only the endpoint the tag was issued to can reply with it.
            IOException e = assertThrows(IOException.class, () -> b.reply(fromA.senderTag(), number(0)));
            assertTrue(e.getMessage().startsWith("unknown sender tag"), e.getMessage());
            assertThrows(IOException.class, () -> a.reply(fromA.senderTag(), number(0)));
        }
    }

    @Test
    void unknownSenderTagFails() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().build()) {
            MixnetTransport a = net.newEndpoint();
            SenderTag tag = SenderTag.random(new SplittableRandom(3));
            IOException e = assertThrows(IOException.class, () -> a.reply(tag, number(0)));
            assertEquals("unknown sender tag " + tag, e.getMessage());
            assertEquals(0, net.stats().sent());
        }
    }

    @Test
    void messagesToNobodyAreCountedUndeliverable() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().duplicateRate(1.0).build()) {
            MixnetTransport a = net.newEndpoint();
            a.send(Recipient.random(new SplittableRandom(5)), number(1));
            assertEquals(new SimulatedMixnet.Stats(1, 0, 0, 1, 2), net.stats());
        }
    }

    @Test
    void closedEndpointRefusesSendsAndDropsMessagesToIt() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport b = net.newEndpoint();
            b.sendAnonymous(a.address(), number(1), 1);
            SenderTag tagOfB = a.inbound().take().senderTag();
            Thread bThread = net.deliveryThreads().get(1);
            assertEquals("sim-delivery-", bThread.getName().replaceAll("\\d+$", ""));
            b.close();
            b.close(); // idempotent
            assertFalse(bThread.isAlive());
            IOException e = assertThrows(IOException.class, () -> b.send(a.address(), number(0)));
            assertEquals("transport closed", e.getMessage());
            assertThrows(IOException.class, () -> b.sendAnonymous(a.address(), number(0), 1));
            assertThrows(IOException.class, () -> b.reply(tagOfB, number(0)));
            a.send(b.address(), number(2));
            a.reply(tagOfB, number(3)); // the tag is still valid; its owner is gone
            SimulatedMixnet.Stats s = net.stats();
            assertEquals(new SimulatedMixnet.Stats(3, 1, 0, 0, 2), s);
            assertEquals(1, net.deliveryThreads().size());
        }
    }

    @Test
    void closingDropsMessagesOnTheirWay() throws Exception {
        SimulatedMixnet net = SimulatedMixnet.builder()
                .latency(Duration.ofHours(1), Duration.ofHours(2))
                .build();
        MixnetTransport a = net.newEndpoint();
        MixnetTransport b = net.newEndpoint();
        for (int i = 0; i < 50; i++) {
            a.send(b.address(), number(i));
        }
        assertEquals(50, net.stats().inFlight());
        net.close();
        assertEquals(new SimulatedMixnet.Stats(50, 0, 0, 0, 50), net.stats());
        assertTrue(b.inbound().isEmpty());
    }

    @Test
    void closeStopsAllThreads() throws Exception {
        SimulatedMixnet net = SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(5))
                .inboundCapacity(1)
                .build();
        List<MixnetTransport> endpoints = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            endpoints.add(net.newEndpoint());
        }
        // Fill inbound queues so that some delivery threads are blocked in put().
        for (MixnetTransport from : endpoints) {
            for (MixnetTransport to : endpoints) {
                from.send(to.address(), number(0));
            }
        }
        List<Thread> threads = net.deliveryThreads();
        assertEquals(20, threads.size());
        for (Thread t : threads) {
            assertTrue(t.isVirtual());
            assertTrue(t.getName().matches("sim-delivery-\\d+"), t.getName());
        }
        net.close();
        for (Thread t : threads) {
            assertFalse(t.isAlive(), t.getName());
        }
        assertTrue(net.deliveryThreads().isEmpty());
        net.close(); // idempotent
        assertThrows(IllegalStateException.class, net::newEndpoint);
        assertThrows(IOException.class, () -> endpoints.get(0).send(endpoints.get(1).address(), number(1)));
        SimulatedMixnet.Stats s = net.stats();
        assertEquals(400, s.sent());
        assertEquals(0, s.inFlight());
    }

    @Test
    void closingTheMixnetRunsEachEndpointsFailureCallbacksOnceAndNotForAnEndpointItsClientClosed()
            throws Exception {
        SimulatedMixnet net = SimulatedMixnet.builder().build();
        MixnetTransport live = net.newEndpoint();
        MixnetTransport closedByItsClient = net.newEndpoint();
        List<IOException> liveCalls = new CopyOnWriteArrayList<>();
        List<IOException> closedCalls = new CopyOnWriteArrayList<>();
        live.onFailure(liveCalls::add);
        closedByItsClient.onFailure(closedCalls::add);
        closedByItsClient.close();
        net.close(); // runs the callbacks on this thread, before it returns
        assertEquals(1, liveCalls.size());
        assertEquals("simulated mixnet closed", liveCalls.get(0).getMessage());
        assertTrue(closedCalls.isEmpty(), "an endpoint closed by its own client is not failed");
        IOException send = assertThrows(IOException.class, () -> live.send(live.address(), number(0)));
        assertEquals("simulated mixnet closed", send.getMessage());
        net.close();
        live.close(); // its client closes it afterwards
        assertEquals(1, liveCalls.size(), "once");
        List<IOException> late = new ArrayList<>();
        live.onFailure(late::add);
        assertEquals(List.of(liveCalls.get(0)), late, "registered after the failure: runs at once");
        closedByItsClient.onFailure(closedCalls::add);
        assertTrue(closedCalls.isEmpty());
    }

    /** A blocking call on its own virtual thread: completes with what it threw, or null. */
    private record Blocked(Thread thread, CompletableFuture<Throwable> outcome) {
        static Blocked start(Callable<?> call) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread thread = Thread.ofVirtual().start(() -> {
                try {
                    call.call();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            return new Blocked(thread, outcome);
        }

        /** Waits until the call is parked; fails if it returned or threw instead. */
        Blocked awaitParked() {
            Await.until(() -> "parked or done: " + thread, () -> thread.getState() == Thread.State.WAITING
                    || thread.getState() == Thread.State.TIMED_WAITING || outcome.isDone());
            assertFalse(outcome.isDone(), () -> "did not block: " + outcome.join());
            return this;
        }

        void assertFailsWithTheMixnetClosed() throws Exception {
            Throwable t = outcome.get(20, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, t);
            assertTrue(t.getMessage().contains("simulated mixnet closed"), t.getMessage());
        }
    }

    @Test
    void closingTheMixnetFailsBlockedReadsAcceptsAndMessageWaitsOfItsClients() throws Exception {
        SimulatedMixnet net = SimulatedMixnet.builder().seed(9).build();
        try (MixnetClient opener = MixnetClient.builder(net.newEndpoint()).build();
             MixnetClient acceptor = MixnetClient.builder(net.newEndpoint()).build();
             MixnetClient messenger = MixnetClient.builder(net.newEndpoint()).build()) {
            MixnetListener listener = acceptor.listener();
            MixnetStream opened = opener.openStream(acceptor.address());
            opened.getOutputStream().write(1);
            MixnetStream accepted = listener.accept();
            assertEquals(1, accepted.getInputStream().read());
            Blocked read = Blocked.start(() -> accepted.getInputStream().read()).awaitParked();
            Blocked accept = Blocked.start(listener::accept).awaitParked();
            Blocked messages = Blocked.start(messenger::waitForMessages).awaitParked();
            net.close();
            read.assertFailsWithTheMixnetClosed();
            accept.assertFailsWithTheMixnetClosed();
            messages.assertFailsWithTheMixnetClosed();
            assertThrows(IOException.class, () -> opener.openStream(acceptor.address()));
        }
    }

    @Test
    void fullInboundQueueDoesNotHoldUpOtherEndpoints() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().inboundCapacity(2).build()) {
            MixnetTransport a = net.newEndpoint();
            MixnetTransport slow = net.newEndpoint();
            MixnetTransport fast = net.newEndpoint();
            for (int i = 0; i < 100; i++) {
                a.send(slow.address(), number(i)); // nobody reads slow yet: its queue fills up
            }
            for (int i = 0; i < 100; i++) {
                a.send(fast.address(), number(i)); // the sender is not blocked either
            }
            assertEquals(range(100), take(fast, 100));
            assertTrue(slow.inbound().size() <= 2);
            // Nothing was lost: the slow endpoint gets everything once it reads.
            assertEquals(range(100), take(slow, 100));
            assertEquals(0, net.stats().inFlight());
        }
    }

    @Test
    void concurrentSendersAllGetThrough() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(1))
                .inboundCapacity(16)
                .build()) {
            MixnetTransport sink = net.newEndpoint();
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < 8; s++) {
                MixnetTransport from = net.newEndpoint();
                int base = s * 1000;
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < 1000; i++) {
                            from.sendAnonymous(sink.address(), number(base + i), 1);
                        }
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            Set<Integer> got = new HashSet<>();
            Set<SenderTag> tags = new HashSet<>();
            for (int i = 0; i < 8000; i++) {
                InboundMessage m = sink.inbound().take();
                got.add(number(m));
                tags.add(m.senderTag());
            }
            for (Thread t : senders) {
                t.join();
            }
            assertEquals(new HashSet<>(range(8000)), got);
            assertEquals(8, tags.size());
        }
    }

    @Test
    void builderChecksEachSettingWhereItIsSet() {
        Duration one = Duration.ofMillis(1);
        assertInvalid(() -> SimulatedMixnet.builder().latency(one, Duration.ZERO),
                "latency max must be at least latency min (PT0.001S), got PT0S");
        assertInvalid(() -> SimulatedMixnet.builder().latency(one.negated(), one),
                "latency min must not be negative, got PT-0.001S");
        assertInvalid(() -> SimulatedMixnet.builder().latency(Duration.ZERO, one.negated()),
                "latency max must not be negative, got PT-0.001S");
        NullPointerException noMin = assertThrows(NullPointerException.class,
                () -> SimulatedMixnet.builder().latency(null, one));
        assertEquals("latency min", noMin.getMessage());
        NullPointerException noMax = assertThrows(NullPointerException.class,
                () -> SimulatedMixnet.builder().latency(one, null));
        assertEquals("latency max", noMax.getMessage());
        assertInvalid(() -> SimulatedMixnet.builder().latency(Duration.ZERO, Duration.ofDays(365 * 1000)),
                "latency max must be at most 36500 days, got PT8760000H");
        assertInvalid(() -> SimulatedMixnet.builder().lossRate(-0.1), "lossRate must be between 0 and 1, got -0.1");
        assertInvalid(() -> SimulatedMixnet.builder().lossRate(1.1), "lossRate must be between 0 and 1, got 1.1");
        assertInvalid(() -> SimulatedMixnet.builder().lossRate(Double.NaN), "lossRate must be between 0 and 1, got NaN");
        assertInvalid(() -> SimulatedMixnet.builder().duplicateRate(2), "duplicateRate must be between 0 and 1, got 2.0");
        assertInvalid(() -> SimulatedMixnet.builder().duplicateRate(-1), "duplicateRate must be between 0 and 1, got -1.0");
        assertInvalid(() -> SimulatedMixnet.builder().inboundCapacity(0), "inboundCapacity must be positive, got 0");
        assertInvalid(() -> SimulatedMixnet.builder().inboundCapacity(-5), "inboundCapacity must be positive, got -5");
        // A refused setting leaves the builder as it was, and build() cannot fail.
        SimulatedMixnet.Builder b = SimulatedMixnet.builder().lossRate(0.25).latency(one, one);
        assertThrows(IllegalArgumentException.class, () -> b.lossRate(5));
        assertThrows(IllegalArgumentException.class, () -> b.latency(one, Duration.ZERO));
        try (SimulatedMixnet net = b.duplicateRate(0).inboundCapacity(1).build()) {
            assertTrue(net.toString().contains("latency=PT0.001S..PT0.001S, loss=0.25,"), net.toString());
        }
    }

    @Test
    void aLatencyTooLongToCountIsRefusedInsteadOfWrappingToNoDelay() throws Exception {
        // System.nanoTime() + a delay near Long.MAX_VALUE ns wraps: the message would be due at once.
        Duration nearMax = Duration.ofNanos(Long.MAX_VALUE - 1);
        assertInvalid(() -> SimulatedMixnet.builder().latency(nearMax, nearMax),
                "latency min must be at most 36500 days, got " + nearMax);
        assertInvalid(() -> SimulatedMixnet.builder().latency(Duration.ZERO, nearMax),
                "latency max must be at most 36500 days, got " + nearMax);
        // The longest latency accepted holds a message until the mixnet closes.
        SimulatedMixnet net = SimulatedMixnet.builder()
                .latency(ArgumentChecks.MAX_DURATION, ArgumentChecks.MAX_DURATION).build();
        MixnetTransport a = net.newEndpoint();
        a.send(a.address(), number(1));
        net.close();
        assertEquals(new SimulatedMixnet.Stats(1, 0, 0, 0, 1), net.stats());
        assertTrue(a.inbound().isEmpty());
    }

    @Test
    void sendArgumentsAreChecked() throws Exception {
        try (SimulatedMixnet net = SimulatedMixnet.builder().build()) {
            MixnetTransport a = net.newEndpoint();
            assertThrows(NullPointerException.class, () -> a.send(null, new byte[0]));
            assertThrows(NullPointerException.class, () -> a.send(a.address(), null));
            assertThrows(IllegalArgumentException.class, () -> a.sendAnonymous(a.address(), new byte[0], -1));
            a.send(a.address(), new byte[0]);
            assertArrayEquals(new byte[0], a.inbound().take().data());
        }
    }

    /** Asserts the setting is refused with exactly this message. */
    private static void assertInvalid(org.junit.jupiter.api.function.Executable setting, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setting);
        assertEquals(expected, e.getMessage());
    }
}
