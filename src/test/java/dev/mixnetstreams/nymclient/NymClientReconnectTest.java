package dev.mixnetstreams.nymclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.TransportFailedException;
import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ThreadCensus;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NymClientTransport across losses of its connection: nym-client stand-ins stopped and started
 * again on the same port with the same seed (the same addresses), or another seed (another
 * client); and what a MixnetClient over it does with its streams.
 */
@Timeout(120)
class NymClientReconnectTest {

    /** Quick attempts: the stand-in comes back within the test, and nothing waits for the defaults. */
    private static final Duration FIRST_DELAY = Duration.ofMillis(5);
    private static final Duration MAX_DELAY = Duration.ofMillis(50);
    private static final Duration PING = Duration.ofMillis(20);

    /** What a connection listener heard, in order. */
    private static final class Events implements MixnetTransport.ConnectionListener {
        final BlockingQueue<IOException> lost = new LinkedBlockingQueue<>();
        final BlockingQueue<Boolean> restored = new LinkedBlockingQueue<>();

        @Override
        public void connectionLost(IOException cause) {
            lost.add(cause);
        }

        @Override
        public void connectionRestored() {
            restored.add(true);
        }

        IOException awaitLost() throws InterruptedException {
            IOException cause = lost.poll(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(cause, "the loss was not reported");
            return cause;
        }

        void awaitRestored() throws InterruptedException {
            assertNotNull(restored.poll(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS), "the connection did not come back");
        }
    }

    /**
     * Quick attempts, and Pings on an idle connection often: the JDK's WebSocket can miss the end
     * of a connection that arrives while a message is handled, and a write finds it.
     */
    private static NymClientTransport.Builder quickly(URI uri) {
        return NymClientTransport.builder(uri).reconnectDelays(FIRST_DELAY, MAX_DELAY).pingInterval(PING);
    }

    private static byte[] number(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static int number(InboundMessage m) {
        return ByteBuffer.wrap(m.data()).getInt();
    }

    @Test
    void aRestartedNymClientIsReconnectedAndSendsFailClearlyWhileItIsAway() throws Exception {
        NymClientEmulator emulator = NymClientEmulator.builder().seed(7).start();
        URI uri = emulator.uri(0);
        Events events = new Events();
        try (NymClientTransport t = quickly(uri).connect()) {
            t.addConnectionListener(events);
            Recipient address = t.address();
            assertTrue(t.isConnected());
            assertTrue(t.disconnectedFor().isEmpty());

            emulator.close(); // nym-client stops
            IOException lost = events.awaitLost();
            assertTrue(lost.getMessage().startsWith("nym-client at " + uri + " closed the connection"), lost.getMessage());
            assertFalse(t.isConnected());
            assertTrue(t.disconnectedFor().isPresent());
            IOException away = assertThrows(IOException.class, () -> t.send(address, new byte[] {1}));
            assertEquals("not connected to nym-client: " + lost.getMessage() + "; reconnecting", away.getMessage());
            assertTrue(t.failure().isEmpty(), "reconnecting is not failing");

            emulator = NymClientEmulator.builder().seed(7).ports(uri.getPort()).start(); // it comes back
            events.awaitRestored();
            assertTrue(t.isConnected());
            assertEquals(address, t.address());
            assertEquals(address, emulator.address(0), "the same seed, the same address");
            t.send(address, new byte[] {2});
            InboundMessage echo = t.inbound().poll(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(echo);
            assertArrayEquals(new byte[] {2}, echo.data());
            NymClientTransport.Stats stats = t.stats();
            assertEquals(1, stats.connectionsLost());
            assertEquals(1, stats.reconnections());
            assertEquals(lost, t.lastConnectionLoss().orElseThrow());
            assertTrue(t.disconnectedFor().isEmpty());
        } finally {
            emulator.close();
        }
    }

    @Test
    void aNymClientThatComesBackAsAnotherClientFailsTheTransportLoudly() throws Exception {
        NymClientEmulator emulator = NymClientEmulator.builder().seed(7).start();
        URI uri = emulator.uri(0);
        Events events = new Events();
        CompletableFuture<IOException> failed = new CompletableFuture<>();
        try (NymClientTransport t = quickly(uri).connect()) {
            t.addConnectionListener(events);
            t.onFailure(failed::complete);
            Recipient address = t.address();
            emulator.close();
            events.awaitLost();
            String log = NymClientTransportTest.stderrOf(() -> {
                NymClientEmulator other = NymClientEmulator.builder().seed(8).ports(uri.getPort()).start();
                try {
                    IOException cause = failed.get(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS);
                    assertEquals("nym-client at " + uri + " came back as another client: its address is "
                            + other.address(0) + ", not " + address
                            + "; messages to this transport's address no longer reach it", cause.getMessage());
                } finally {
                    other.close();
                }
            });
            assertEquals(1, log.lines().filter(line -> line.contains("ERROR " + NymClientTransport.class.getName())
                    && line.contains("came back as another client")).count(), log);
            assertTrue(events.restored.isEmpty());
            assertFalse(t.isConnected());
            IOException send = assertThrows(IOException.class, () -> t.send(address, new byte[] {1}));
            assertTrue(send.getMessage().contains("came back as another client"), send.getMessage());
        } finally {
            emulator.close();
        }
    }

    @Test
    void aNymClientThatStaysAwayFailsTheTransportOnceTheReconnectTimeoutRunsOut() throws Exception {
        NymClientEmulator emulator = NymClientEmulator.builder().start();
        URI uri = emulator.uri(0);
        CompletableFuture<IOException> failed = new CompletableFuture<>();
        try (NymClientTransport t = quickly(uri).reconnectTimeout(Duration.ofMillis(200)).connect()) {
            t.onFailure(failed::complete);
            emulator.close();
            IOException cause = failed.get(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS);
            assertTrue(cause.getMessage().startsWith("nym-client at " + uri + " did not come back within 200 ms ("),
                    cause.getMessage());
            assertTrue(cause.getMessage().endsWith("the last: connection refused — is nym-client running at " + uri + "?)"),
                    cause.getMessage());
            assertEquals(cause, t.failure().orElseThrow());
        } finally {
            emulator.close();
        }
    }

    @Test
    void connectingWhereNothingListensSaysSoInOneLine() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI uri = URI.create("ws://127.0.0.1:" + closedPort);
        IOException e = assertThrows(IOException.class, () -> NymClientTransport.connect(uri));
        assertEquals("connection refused — is nym-client running at " + uri + "?", e.getMessage());
        assertInstanceOf(java.net.ConnectException.class, e.getCause());
    }

    /**
     * Messages received over a lost connection are kept, and go into the queue before anything
     * the next connection brings, even while reading waits for room.
     */
    @Test
    void whatTheLostConnectionBroughtGoesInBeforeWhatTheNextBrings() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().seed(3).start();
             NymClientTransport t = quickly(emulator.uri(0)).inboundCapacity(2).connect()) {
            Events events = new Events();
            t.addConnectionListener(events);
            for (int i = 0; i < 10; i++) {
                t.send(t.address(), number(i));
            }
            // messages 0 and 1 fill the queue; a pusher waits with message 2
            Await.until("reading paused", () -> t.stats().inboundFullPauses() == 1);
            emulator.disconnect(0);
            // Reading is paused, so the transport notices the loss when it writes.
            Await.until("the connection loss noticed", () -> {
                try {
                    t.send(t.address(), number(-1));
                } catch (IOException e) {
                    // not connected: the loss was noticed
                }
                return !events.lost.isEmpty();
            });
            assertEquals(0, number(t.inbound().take()));
            assertEquals(1, number(t.inbound().take()));
            assertEquals(2, number(t.inbound().take()), "the message waiting for room when the connection was lost");
            events.awaitRestored();
            t.send(t.address(), number(100));
            // What nym-client still held for the lost connection may come, in order, then the new message.
            int previous = 2;
            while (true) {
                InboundMessage m = t.inbound().poll(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS);
                assertNotNull(m, "message 100 never came");
                int n = number(m);
                if (n == -1) {
                    continue; // sent while the loss was being noticed
                }
                assertTrue(n > previous, n + " after " + previous);
                previous = n;
                if (n == 100) {
                    break;
                }
            }
        }
    }

    /**
     * A MixnetClient over a reconnecting transport: the streams open when the connection is lost
     * fail with an exception saying so (reads get what arrived first); the listener stays, and new
     * streams work once the connection is back. Both ends' losses.
     */
    @Test
    void streamsOpenAtALossFailAndNewStreamsAndTheListenerWorkOnceTheConnectionIsBack() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
             NymClientEmulator emulator = NymClientEmulator.builder().clients(2).seed(11).start();
             NymClientTransport serverTransport = quickly(emulator.uri(0)).connect();
             MixnetClient server = MixnetClient.builder(serverTransport).build();
             NymClientTransport clientTransport = quickly(emulator.uri(1)).connect();
             MixnetClient client = MixnetClient.builder(clientTransport).build()) {
            Events serverEvents = new Events();
            Events clientEvents = new Events();
            serverTransport.addConnectionListener(serverEvents);
            clientTransport.addConnectionListener(clientEvents);
            MixnetListener listener = server.listener();
            echoForever(threads, listener);

            // The client's nym-client drops: its open stream fails, a new one works.
            MixnetStream before = client.openStream(server.address());
            assertArrayEquals(new byte[] {1, 2, 3}, echo(before, new byte[] {1, 2, 3}));
            emulator.disconnect(1);
            clientEvents.awaitLost();
            IOException failure = assertThrows(TransportFailedException.class, () -> before.getInputStream().read());
            assertTrue(failure.getMessage().startsWith("mixnet transport lost its connection; messages in flight may be lost: ")
                    && failure.getMessage().contains("nym-client at " + emulator.uri(1)), failure.getMessage());
            assertThrows(IOException.class, () -> before.getOutputStream().write(4));
            clientEvents.awaitRestored();
            try (MixnetStream after = client.openStream(server.address())) {
                assertArrayEquals(new byte[] {5, 6}, echo(after, new byte[] {5, 6}));
            }
            before.close();

            // The server's nym-client drops: its accepted streams fail, the listener accepts again.
            MixnetStream open = client.openStream(server.address());
            assertArrayEquals(new byte[] {7}, echo(open, new byte[] {7}));
            assertTrue(server.stats().openStreams() > 0);
            emulator.disconnect(0);
            serverEvents.awaitLost();
            Await.until("the accepted streams failed", () -> server.stats().openStreams() == 0);
            serverEvents.awaitRestored();
            try (MixnetStream after = client.openStream(server.address())) {
                assertArrayEquals(new byte[] {8, 9}, echo(after, new byte[] {8, 9}));
            }
            open.close();
        }
    }

    /**
     * Fifty losses of both ends' connections, every other one a restart of the stand-in (the
     * others dropped connections), a stream open across each: every one fails, a new one works
     * after each, and nothing piles up: the same threads after 50 as after 5 (the stopped
     * stand-ins' included), no open stream, no request or inbound byte held, the heap as it was.
     */
    @Test
    void fiftyLossesAndRestartsLeaveNoThreadStreamOrBufferBehind() throws Exception {
        int losses = 50;
        int census = 6;
        long seed = 12;
        NymClientEmulator[] emulator = {NymClientEmulator.builder().clients(2).seed(seed).start()};
        int[] ports = {emulator[0].uri(0).getPort(), emulator[0].uri(1).getPort()};
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
             NymClientTransport serverTransport = quickly(emulator[0].uri(0)).connect();
             MixnetClient server = MixnetClient.builder(serverTransport).build();
             NymClientTransport clientTransport = quickly(emulator[0].uri(1)).connect();
             MixnetClient client = MixnetClient.builder(clientTransport).build()) {
            Events serverEvents = new Events();
            Events clientEvents = new Events();
            serverTransport.addConnectionListener(serverEvents);
            clientTransport.addConnectionListener(clientEvents);
            echoForever(threads, server.listener());
            Map<String, Integer> early = null;
            long earlyHeap = 0;
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 1; i <= losses; i++) {
                byte[] data = new byte[1 + random.nextInt(4096)];
                random.nextBytes(data);
                MixnetStream open = client.openStream(server.address());
                assertArrayEquals(data, echo(open, data));
                boolean restart = i % 2 == 1;
                if (restart) {
                    emulator[0].close();
                } else {
                    assertTrue(emulator[0].disconnect(0));
                    assertTrue(emulator[0].disconnect(1));
                }
                serverEvents.awaitLost();
                clientEvents.awaitLost();
                assertThrows(IOException.class, () -> open.getInputStream().read(), "loss " + i);
                open.close();
                if (restart) {
                    emulator[0] = NymClientEmulator.builder().clients(2).seed(seed).ports(ports).start();
                }
                serverEvents.awaitRestored();
                clientEvents.awaitRestored();
                try (MixnetStream after = client.openStream(server.address())) {
                    assertArrayEquals(data, echo(after, data), "after loss " + i);
                }
                if (i == census) {
                    early = settledCensus(server, client);
                    earlyHeap = heapAfterGc();
                }
            }
            Map<String, Integer> late = settledCensus(server, client);
            assertEquals(ours(early), ours(late), "threads after " + census + " losses and after " + losses);
            assertTrue(ThreadCensus.count(late, "nym-client-reconnect") == 0, late.toString());
            assertEquals(losses, clientTransport.stats().reconnections());
            assertEquals(losses, serverTransport.stats().reconnections());
            for (NymClientTransport t : List.of(serverTransport, clientTransport)) {
                assertEquals(0, t.stats().bytesInFlight());
                assertEquals(0, t.stats().inboundBytes());
            }
            assertEquals(0, client.stats().openStreams());
            long lateHeap = heapAfterGc();
            assertTrue(lateHeap < earlyHeap + (32L << 20),
                    "heap after " + losses + " losses: " + lateHeap + " bytes, after " + census + ": " + earlyHeap);
        } finally {
            emulator[0].close();
        }
    }

    /** The threads once the clients are idle: the accepted streams' echo threads have ended. */
    private static Map<String, Integer> settledCensus(MixnetClient server, MixnetClient client) {
        Await.until("the clients idle", () -> server.stats().openStreams() == 0 && client.stats().openStreams() == 0);
        Await.until("the echo threads ended", () -> ThreadCensus.count(ThreadCensus.byKind(), "echo-") == 0);
        return ThreadCensus.byKind();
    }

    /** The threads this project starts: the clients', the transports', the stand-in's. */
    private static Map<String, Integer> ours(Map<String, Integer> census) {
        Map<String, Integer> ours = new java.util.TreeMap<>();
        census.forEach((kind, n) -> {
            if (kind.startsWith("nym-client-") || kind.startsWith("mixnet-") || kind.startsWith("emulator-")
                    || kind.startsWith("WebSocket")) {
                ours.put(kind, n);
            }
        });
        return ours;
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Accepts streams and echoes each on a thread of its own ("echo-N"), until the listener closes. */
    private static void echoForever(ExecutorService threads, MixnetListener listener) {
        threads.submit(() -> {
            int n = 0;
            while (true) {
                MixnetStream s = listener.accept();
                Thread.ofVirtual().name("echo-" + n++).start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                        s.shutdownOutput();
                    } catch (IOException e) {
                        // the stream failed: the test looks at its own end
                    }
                });
            }
        });
    }

    /** Writes {@code data}, flushes, and reads as many bytes back. */
    private static byte[] echo(MixnetStream stream, byte[] data) throws IOException {
        stream.getOutputStream().write(data);
        stream.getOutputStream().flush();
        InputStream in = stream.getInputStream();
        stream.setReadTimeout(Await.GIVE_UP);
        return in.readNBytes(data.length);
    }
}
