package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.StreamPair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Idle reaping, client close, the listener's uniqueness. */
class LifecycleTest {

    /** Runs {@code action} on a new virtual thread; the future completes with what it returned or threw. */
    static <T> Started<T> start(String name, ThrowingSupplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name(name).start(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return new Started<>(thread, result);
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    record Started<T>(Thread thread, CompletableFuture<T> result) {
        Throwable failure() throws Exception {
            try {
                T value = result.get(30, TimeUnit.SECONDS);
                throw new AssertionError("expected a failure, got " + value);
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }

    @Test
    void idleStreamIsReapedAndItsBlockedReaderGetsAnIOException() throws Exception {
        try (StreamPair pair = StreamPair.builder().server(b -> b.streamIdleTimeout(Duration.ofMillis(200)))
                .firstBytes("x".getBytes(StandardCharsets.UTF_8)).open()) {
            MixnetClient server = pair.server();
            MixnetClient client = pair.client();
            MixnetStream accepted = pair.accepted();
            InputStream in = accepted.getInputStream();
            assertEquals('x', in.read());
            Started<Integer> reader = start("blocked-reader", in::read);
            Await.blocked(reader.thread());

            Throwable failure = reader.failure();
            assertInstanceOf(IOException.class, failure, "reaping is an error, not -1");
            assertTrue(failure.getMessage().contains("idle timeout"), failure.getMessage());
            assertEquals(1, server.stats().streamsReaped());
            assertEquals(0, server.stats().openStreams());
            IOException write = assertThrows(IOException.class, () -> accepted.getOutputStream().write(1));
            assertTrue(write.getMessage().contains("idle timeout"), write.getMessage());
            assertThrows(IOException.class, in::read, "stays failed");
            assertThrows(IOException.class, accepted::shutdownOutput);
            // The opener's side has the default 30 minutes and is untouched.
            assertEquals(0, client.stats().streamsReaped());
            assertEquals(1, client.stats().openStreams());
        }
    }

    /**
     * A stream whose traffic never stops — in both directions, over five idle timeouts — must never
     * be reaped on either side, however the sweeps fall between the frames; once it stops, both
     * sides reap it.
     */
    @Test
    void streamWithSteadyTrafficIsNeverReaped() throws Exception {
        Duration idle = Duration.ofMillis(100);
        try (StreamPair pair = StreamPair.builder().server(b -> b.streamIdleTimeout(idle))
                .client(b -> b.streamIdleTimeout(idle)).firstBytes(new byte[] {0}).open()) {
            MixnetClient server = pair.server();
            MixnetClient client = pair.client();
            MixnetStream opened = pair.opened();
            MixnetStream accepted = pair.accepted();
            InputStream serverIn = accepted.getInputStream();
            InputStream clientIn = opened.getInputStream();
            assertEquals(0, serverIn.read());
            long end = System.nanoTime() + 5 * idle.toNanos();
            int rounds = 0;
            while (System.nanoTime() - end < 0) {   // a ping-pong, one byte each way per round
                accepted.getOutputStream().write(rounds & 0xff);
                assertEquals(rounds & 0xff, clientIn.read());
                opened.getOutputStream().write(rounds & 0xff);
                assertEquals(rounds & 0xff, serverIn.read());
                rounds++;
            }
            assertEquals(0, server.stats().streamsReaped(), "after " + rounds + " rounds");
            assertEquals(0, client.stats().streamsReaped(), "after " + rounds + " rounds");
            // Once the traffic stops, both sides reap it.
            Await.until("both reaped", () -> server.stats().streamsReaped() == 1
                    && client.stats().streamsReaped() == 1);
        }
    }

    @Test
    void bytesReceivedBeforeReapingAreStillReadThenTheError() throws Exception {
        try (StreamPair pair = StreamPair.builder().server(b -> b.streamIdleTimeout(Duration.ofMillis(200)))
                .firstBytes("abc".getBytes(StandardCharsets.UTF_8)).open()) {
            MixnetClient server = pair.server();
            MixnetStream accepted = pair.accepted();
            Await.until("reaped", () -> server.stats().streamsReaped() == 1);
            InputStream in = accepted.getInputStream();
            assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), in.readNBytes(3));
            IOException e = assertThrows(IOException.class, in::read);
            assertTrue(e.getMessage().contains("idle timeout"), e.getMessage());
        }
    }

    @Test
    void closingTheListenerEndsItsBacklogWithoutTellingTheOpenersACleanEnd() throws Exception {
        ScriptedPeer peer = ScriptedPeer.create();
        MixnetClient server = MixnetClient.builder(peer.client()).build();
        try (peer; server) {
            MixnetListener listener = server.listener();
            peer.open(1);
            peer.open(2);
            Await.until("two in the backlog", () -> listener.backlogSize() == 2);
            listener.close();
            assertEquals(0, server.stats().openStreams());
            server.close(); // waits for the ends of stream still due
            peer.assertNothingMoreSent(); // no end of stream for streams nobody accepted
        }
    }

    @Test
    void idleTimeoutMustBePositive() {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        MixnetClient.Builder builder = MixnetClient.builder(net.newEndpoint());
        assertThrows(IllegalArgumentException.class, () -> builder.streamIdleTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.streamIdleTimeout(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> builder.streamIdleTimeout(null));
        assertThrows(IllegalArgumentException.class, () -> builder.acceptBacklog(0));
        assertThrows(IllegalArgumentException.class, () -> builder.maxUnreadBytes(0));
        assertThrows(IllegalArgumentException.class, () -> builder.reorderWindow(-1));
    }

    /**
     * A peer of this library sends 64 KiB before it hears the first grant, so a smaller receive
     * window could never hold: it is refused where it is set, and the window a stream grants is
     * never below it, however small the limit on unread bytes.
     */
    @Test
    void receiveWindowBelowTheInitialCreditIsRefused() {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        MixnetClient.Builder builder = MixnetClient.builder(net.newEndpoint());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> builder.receiveWindow(4096));
        assertEquals("receiveWindow must be at least 65536, got 4096", small.getMessage());
        try (MixnetClient client = builder.receiveWindow(SendWindow.INITIAL_CREDIT).maxUnreadBytes(32 * 1024).build()) {
            assertEquals(SendWindow.INITIAL_CREDIT, client.receiveWindow());
        }
    }

    @Test
    void durationsTooLongToCountAreRefusedWhereTheyAreSetAndBuildNeverFails() {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint endpoint = net.newEndpoint();
        MixnetClient.Builder builder = MixnetClient.builder(endpoint);
        for (Duration tooLong : new Duration[] {Duration.ofDays(365L * 1000), ChronoUnit.FOREVER.getDuration()}) {
            IllegalArgumentException idle = assertThrows(IllegalArgumentException.class,
                    () -> builder.streamIdleTimeout(tooLong));
            assertTrue(idle.getMessage().startsWith("streamIdleTimeout must be at most 36500 days, got "),
                    idle.getMessage());
            assertThrows(IllegalArgumentException.class, () -> builder.earlyFrameTimeout(tooLong));
        }
        // The longest accepted values build a working client (build() used to overflow and leave
        // its transport open).
        try (MixnetClient client = builder.streamIdleTimeout(Duration.ofDays(36_500))
                .earlyFrameTimeout(Duration.ofDays(36_500)).build()) {
            assertFalse(client.isClosed());
        }
        assertTrue(endpoint.isClosed(), "the client closed its transport");
    }

    @Test
    void closeWakesBlockedReadersAndAcceptsAndStopsTheRouter() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint serverEndpoint = net.newEndpoint();
        LoopbackMixnet.Endpoint clientEndpoint = net.newEndpoint();
        MixnetClient server = MixnetClient.builder(serverEndpoint).build();
        MixnetClient client = MixnetClient.builder(clientEndpoint).build();
        try (server; client) {
            MixnetListener listener = server.listener();
            MixnetStream opened = client.openStream(server.address());
            MixnetStream accepted = listener.accept();
            Started<Integer> acceptedReader = start("accepted-reader", () -> accepted.getInputStream().read());
            Started<Integer> openedReader = start("opened-reader", () -> opened.getInputStream().read());
            Started<MixnetStream> acceptor = start("acceptor", listener::accept);
            Await.blocked(acceptedReader.thread());
            Await.blocked(openedReader.thread());
            Await.blocked(acceptor.thread());
            Thread serverRouter = server.routerThread();
            assertNotNull(serverRouter);
            assertTrue(serverRouter.getName().startsWith("mixnet-router-"), serverRouter.getName());
            assertTrue(serverRouter.isAlive());

            server.close();
            assertInstanceOf(IOException.class, acceptedReader.failure());
            assertTrue(acceptedReader.failure().getMessage().contains("closed"));
            Throwable acceptFailure = acceptor.failure();
            assertInstanceOf(IOException.class, acceptFailure);
            assertFalse(serverRouter.isAlive(), "the router ended");
            assertTrue(server.isClosed());
            assertTrue(serverEndpoint.isClosed(), "the transport was closed");
            server.close(); // idempotent
            assertThrows(IOException.class, () -> server.openStream(client.address()));
            assertThrows(IllegalStateException.class, server::listener);
            assertThrows(IOException.class, accepted.getInputStream()::read);
            assertThrows(IOException.class, () -> accepted.getOutputStream().write(1));
            assertThrows(IOException.class, listener::accept);
            assertThrows(IOException.class, () -> listener.accept(Duration.ofSeconds(1)));

            // The opener got the acceptor's end of stream, sent on close (best effort): -1 is honest here.
            assertEquals(-1, openedReader.result().get(30, TimeUnit.SECONDS));
            Started<Integer> openedReader2 = start("opened-reader-2", () -> {
                MixnetStream another = client.openStream(server.address()); // transport send ignores a closed peer
                return another.getInputStream().read();
            });
            Await.blocked(openedReader2.thread());
            Thread clientRouter = client.routerThread();
            client.close();
            assertInstanceOf(IOException.class, openedReader2.failure());
            assertFalse(clientRouter.isAlive());
            client.close();
        }
    }

    @Test
    void closeWakesAThreadWaitingForMessages() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        MixnetClient client = MixnetClient.builder(net.newEndpoint()).build();
        Started<Object> waiter = start("waiter", client::waitForMessages);
        Await.blocked(waiter.thread());
        client.close();
        Throwable failure = waiter.failure();
        assertInstanceOf(IOException.class, failure);
        assertFalse(failure instanceof StreamModeActiveException);
        assertThrows(IOException.class, client::waitForMessages);
        assertThrows(IOException.class, () -> client.sendPlainMessage(client.address(), new byte[1]));
    }

    @Test
    void secondListenerIsRefused() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            IllegalStateException e = assertThrows(ListenerAlreadyTakenException.class, server::listener);
            assertInstanceOf(IllegalStateException.class, e);
            listener.close();
            assertTrue(listener.isClosed());
            assertThrows(ListenerAlreadyTakenException.class, server::listener, "stays taken after close");
            assertThrows(IOException.class, listener::accept);
        }
    }
}
