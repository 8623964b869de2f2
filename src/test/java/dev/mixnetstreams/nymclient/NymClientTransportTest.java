package dev.mixnetstreams.nymclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.testing.Await;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** NymClientTransport against the stand-in, over real WebSockets on loopback. */
@Timeout(60)
class NymClientTransportTest {

    private static byte[] number(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static int number(InboundMessage m) {
        return ByteBuffer.wrap(m.data()).getInt();
    }

    /** Makes a transport's inbound pushers (the threads that wait for room) and remembers every one. */
    private static final class RecordingThreads implements ThreadFactory {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final ThreadFactory virtual = Thread.ofVirtual().name("nym-client-inbound").factory();

        @Override
        public Thread newThread(Runnable task) {
            Thread t = virtual.newThread(task);
            threads.add(t);
            return t;
        }
    }

    /** Code that may throw, for {@link #stderrOf}. */
    interface Action {
        void run() throws Exception;
    }

    /** Runs an action and returns what was written to System.err meanwhile (where slf4j-simple logs). */
    static String stderrOf(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    @Test
    void connectLearnsTheAddressAndMessagesFlowWithTags() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(2).start();
             NymClientTransport a = NymClientTransport.connect(emulator.uri(0));
             NymClientTransport b = NymClientTransport.connect(emulator.uri(1))) {
            assertEquals(emulator.address(0), a.address());
            assertEquals(emulator.address(1), b.address());
            a.send(b.address(), new byte[] {1});
            InboundMessage plain = b.inbound().poll(20, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {1}, plain.data());
            assertNull(plain.senderTag());
            a.sendAnonymous(b.address(), new byte[] {2}, 5);
            InboundMessage anonymous = b.inbound().poll(20, TimeUnit.SECONDS);
            assertNotNull(anonymous.senderTag());
            b.reply(anonymous.senderTag(), new byte[] {3});
            InboundMessage reply = a.inbound().poll(20, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {3}, reply.data());
            assertNull(reply.senderTag());
            a.sendRequest(new NymRequest.GetLaneQueueLength(9));
            Await.until("lane queue length", () -> a.lastLaneQueueLength().isPresent());
            assertEquals(new NymResponse.LaneQueueLength(9, 0), a.lastLaneQueueLength().orElseThrow());
        }
    }

    @Test
    void aSecondConnectionToTheSameClientIsRefused() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport first = NymClientTransport.connect(emulator.uri(0))) {
            IOException e = assertThrows(IOException.class, () -> NymClientTransport.builder(emulator.uri(0)).connectTimeout(Duration.ofSeconds(20)).connect());
            assertTrue(e.getMessage().contains("1008") || e.getMessage().contains("closed"), e.getMessage());
            assertTrue(first.failure().isEmpty());
        }
    }

    @Test
    void errorResponsesAreSurfacedAndNotFatal() throws Exception {
        CompletableFuture<NymResponse.Error> seen = new CompletableFuture<>();
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport t = NymClientTransport.builder(emulator.uri(0)).errorListener(seen::complete).connect()) {
            t.sendRaw(new byte[] {0x03, 0x00}); // SelfAddress with a trailing byte: malformed
            NymResponse.Error error = seen.get(20, TimeUnit.SECONDS);
            assertEquals(NymResponse.Error.KIND_MALFORMED_REQUEST, error.kind());
            assertEquals(error, t.lastError().orElseThrow());
            assertEquals(1, t.stats().errorResponses());
            // still usable
            t.send(t.address(), new byte[] {42});
            assertArrayEquals(new byte[] {42}, t.inbound().poll(20, TimeUnit.SECONDS).data());
            assertTrue(t.failure().isEmpty());
        }
    }

    @Test
    void inboundBackPressureLosesNothing() throws Exception {
        int messages = 2000;
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(2).start();
             NymClientTransport a = NymClientTransport.connect(emulator.uri(0));
             NymClientTransport b = NymClientTransport.builder(emulator.uri(1)).inboundCapacity(4).connect()) {
            for (int i = 0; i < messages; i++) {
                a.send(b.address(), ByteBuffer.allocate(4).putInt(i).array());
            }
            Await.until("the inbound queue filled and reading paused", () -> b.stats().inboundFullPauses() > 0);
            for (int i = 0; i < messages; i++) {
                InboundMessage m = b.inbound().poll(20, TimeUnit.SECONDS);
                assertNotNull(m, "message " + i + " lost");
                assertEquals(i, ByteBuffer.wrap(m.data()).getInt(), "in order without latency");
            }
            assertNull(b.inbound().poll());
            assertEquals(0, emulator.stats().dropped());
        }
    }

    @Test
    void noInboundPusherOutlivesCloseWhileASmallQueueIsDrainedOneAtATime() throws Exception {
        RecordingThreads pushers = new RecordingThreads();
        int takes = 10;
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start()) {
            NymClientTransport t = NymClientTransport.builder(emulator.uri(0)).inboundCapacity(1).inboundThreads(pushers).connect();
            try {
                for (int i = 0; i < 4 * takes; i++) {
                    t.send(t.address(), number(i));
                }
                for (int i = 0; i < takes; i++) {
                    int pauses = i + 1;
                    // a pusher waits with message i + 1 (its put, then its request for the next
                    // message, finds the queue full again and starts the next pusher)
                    Await.until("pause " + pauses, () -> t.stats().inboundFullPauses() == pauses
                            && pushers.threads.size() == pauses);
                    assertEquals(i, number(t.inbound().take()));
                }
                Await.until("the last pusher", () -> t.stats().inboundFullPauses() == takes + 1
                        && pushers.threads.size() == takes + 1);
            } finally {
                t.close();
            }
            for (Thread pusher : pushers.threads) {
                // a generous bound, not a timing assertion: a leaked pusher stays parked for good
                assertTrue(pusher.join(Duration.ofSeconds(20)), "a pusher outlived close(): " + pusher);
            }
            // Every message received is accounted for: taken, still queued, or dropped at close.
            NymClientTransport.Stats stats = t.stats();
            assertEquals(takes + 2, stats.messagesReceived());
            assertEquals(1, stats.messagesDroppedAtClose(), "the pusher's message, dropped by close()");
            assertEquals(takes, number(t.inbound().poll()), "the queue keeps what it held");
            assertNull(t.inbound().poll());
        }
    }

    @Test
    void aLostConnectionKeepsTheMessagesAlreadyReceived() throws Exception {
        RecordingThreads pushers = new RecordingThreads();
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport t = NymClientTransport.builder(emulator.uri(0)).inboundCapacity(2).inboundThreads(pushers)
                     .reconnectTimeout(Duration.ZERO).connect()) {
            for (int i = 0; i < 10; i++) {
                t.send(t.address(), number(i));
            }
            // messages 0 and 1 fill the queue; a pusher waits with message 2
            Await.until("reading paused", () -> t.stats().inboundFullPauses() == 1 && pushers.threads.size() == 1);
            CompletableFuture<IOException> lost = new CompletableFuture<>();
            t.onFailure(lost::complete); // runs when fail() has done everything else
            emulator.disconnect(0);
            // Reading is paused (the queue is full), so the transport notices the loss when it writes.
            Await.until("the connection loss noticed", () -> {
                try {
                    t.send(t.address(), number(-1));
                } catch (IOException e) {
                    // the loss, noticed by an earlier write
                }
                return lost.isDone();
            });
            assertEquals(3, t.stats().messagesReceived());
            for (int i = 0; i < 3; i++) {
                InboundMessage m = t.inbound().poll(20, TimeUnit.SECONDS);
                assertNotNull(m, "message " + i + " was received, then lost with the connection");
                assertEquals(i, number(m));
            }
            assertTrue(pushers.threads.get(0).join(Duration.ofSeconds(20)));
            assertNull(t.inbound().poll());
            t.close();
            assertEquals(3, t.stats().messagesReceived());
            assertEquals(0, t.stats().messagesDroppedAtClose());
        }
    }

    @Test
    void fragmentedAndLargeMessagesAreReassembled() throws Exception {
        byte[] big = new byte[3 << 20];
        new SplittableRandom(3).nextBytes(big);
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport t = NymClientTransport.connect(emulator.uri(0))) {
            t.send(t.address(), big); // the JDK client may deliver this in several parts
            assertArrayEquals(big, t.inbound().poll(20, TimeUnit.SECONDS).data());
        }
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport t = NymClientTransport.builder(emulator.uri(0)).maxMessageBytes(1 << 20).connect()) {
            t.send(t.address(), big);
            t.send(t.address(), new byte[] {7});
            assertArrayEquals(new byte[] {7}, t.inbound().poll(20, TimeUnit.SECONDS).data());
            assertEquals(1, t.stats().oversizedMessages());
        }
    }

    @Test
    void builderRefusesDurationsTooLongToCountWhereTheyAreSet() throws Exception {
        NymClientTransport.Builder options = NymClientTransport.builder(URI.create("ws://127.0.0.1:1"));
        for (Duration tooLong : new Duration[] {Duration.ofDays(365L * 1000), ChronoUnit.FOREVER.getDuration()}) {
            IllegalArgumentException send = assertThrows(IllegalArgumentException.class,
                    () -> options.sendTimeout(tooLong));
            assertEquals("sendTimeout must be at most 36500 days, got " + tooLong, send.getMessage());
            assertThrows(IllegalArgumentException.class, () -> options.connectTimeout(tooLong));
            assertThrows(IllegalArgumentException.class, () -> options.closeTimeout(tooLong));
        }
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> options.closeTimeout(Duration.ZERO));
        assertEquals("closeTimeout must be positive, got PT0S", zero.getMessage());
        assertThrows(NullPointerException.class, () -> options.connectTimeout(null));
        IllegalArgumentException capacity = assertThrows(IllegalArgumentException.class,
                () -> options.inboundCapacity(0));
        assertEquals("inboundCapacity must be positive, got 0", capacity.getMessage());
        assertEquals("maxBytesInFlight must be positive, got -1",
                assertThrows(IllegalArgumentException.class, () -> options.maxBytesInFlight(-1)).getMessage());
        assertEquals("maxMessageBytes must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> options.maxMessageBytes(0)).getMessage());
        // The longest accepted durations connect, send, receive and close (sends used to overflow).
        Duration longest = ArgumentChecks.MAX_DURATION;
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport t = NymClientTransport.builder(emulator.uri(0))
                     .connectTimeout(longest).sendTimeout(longest).closeTimeout(longest).connect()) {
            t.send(t.address(), new byte[] {5});
            assertArrayEquals(new byte[] {5}, t.inbound().poll(20, TimeUnit.SECONDS).data());
        }
    }

    @Test
    void anOversizedMessageInOneFrameIsLoggedCountedAndDroppedAndTheTransportGoesOn() throws Exception {
        int limit = 512;
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport t = NymClientTransport.builder(emulator.uri(0)).maxMessageBytes(limit).connect()) {
            String log = stderrOf(() -> {
                t.send(t.address(), new byte[2 * limit]); // one small WebSocket frame, over the limit
                t.send(t.address(), new byte[] {7});
                // handled after the oversized one, on the same listener: its warning is written by now
                assertArrayEquals(new byte[] {7}, t.inbound().poll(20, TimeUnit.SECONDS).data());
            });
            String warning = "WARN " + NymClientTransport.class.getName() + " - nym-client at " + t.uri()
                    + ": dropped a message larger than " + limit + " bytes";
            assertEquals(1, log.lines().filter(line -> line.contains(warning)).count(), log);
            NymClientTransport.Stats stats = t.stats();
            assertEquals(1, stats.oversizedMessages());
            assertEquals(1, stats.messagesReceived());
            assertNull(t.inbound().poll());
            assertTrue(t.failure().isEmpty());
        }
    }

    @Test
    void aSlowConnectionBlocksSendersWithinTheBoundAndLossFailsThem() throws Exception {
        long bound = 64 << 10;
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             NymClientTransport t = NymClientTransport.builder(emulator.uri(0)).maxBytesInFlight(bound)
                     .reconnectTimeout(Duration.ZERO).connect()) {
            emulator.pauseRequests(0, true);
            byte[] chunk = new byte[8 << 10];
            CompletableFuture<Throwable> sender = CompletableFuture.supplyAsync(() -> {
                try {
                    while (true) {
                        t.send(t.address(), chunk);
                    }
                } catch (IOException e) {
                    return e;
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            Await.until("a sender blocked", () -> t.stats().blockedSenders() > 0);
            assertTrue(t.stats().bytesInFlight() <= bound, "in flight: " + t.stats().bytesInFlight());
            emulator.disconnect(0);
            Throwable failure = sender.get(20, TimeUnit.SECONDS);
            assertTrue(failure instanceof IOException, String.valueOf(failure));
            assertTrue(failure.getMessage().contains("connection lost"), failure.getMessage());
            IOException later = assertThrows(IOException.class, () -> t.send(t.address(), chunk));
            assertTrue(later.getMessage().contains("connection lost"), later.getMessage());
            emulator.pauseRequests(0, false);
        }
    }

    @Test
    void streamsEndToEndWithJitterAndDuplicates() throws Exception {
        int streams = 24;
        int bytes = 48 << 10;
        // closed last: the accept loop ends when the server client closes
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
             NymClientEmulator emulator = NymClientEmulator.builder().clients(2).seed(11)
                .latency(Duration.ZERO, Duration.ofMillis(15)).duplicate(0.02).start();
             MixnetClient server = MixnetClient.builder(NymClientTransport.connect(emulator.uri(0))).build();
             MixnetClient client = MixnetClient.builder(NymClientTransport.connect(emulator.uri(1))).build()) {
            MixnetListener listener = server.listener();
            threads.submit(() -> {
                while (true) {
                    MixnetStream s = listener.accept();
                    threads.submit(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                            s.shutdownOutput();
                        }
                        return null;
                    });
                }
            });
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                int n = i;
                done.add(threads.submit(() -> {
                    byte[] data = new byte[bytes];
                    SplittableRandom random = new SplittableRandom(n);
                    random.nextBytes(data);
                    try (MixnetStream s = client.openStream(server.address())) {
                        Future<byte[]> echoed = threads.submit(() -> s.getInputStream().readAllBytes());
                        OutputStream out = s.getOutputStream();
                        for (int off = 0; off < data.length; ) {
                            int len = Math.min(data.length - off, 1 + random.nextInt(8192));
                            out.write(data, off, len);
                            off += len;
                        }
                        s.shutdownOutput();
                        assertArrayEquals(data, echoed.get());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(streams, client.stats().streamsOpened());
        }
    }

    /** Without reconnection ({@code reconnectTimeout(ZERO)}), a lost connection fails the transport and everything over it. */
    @Test
    void aNymClientThatDisconnectsMidTransferFailsBlockedReadsAndWritesPromptly() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(2).start();
             MixnetClient server = MixnetClient.builder(NymClientTransport.builder(emulator.uri(0))
                     .reconnectTimeout(Duration.ZERO).connect()).build();
             MixnetClient client = MixnetClient.builder(NymClientTransport.builder(emulator.uri(1)).maxBytesInFlight(32 << 10)
                     .reconnectTimeout(Duration.ZERO).connect()).build()) {
            MixnetListener listener = server.listener();
            MixnetStream opened = client.openStream(server.address());
            opened.getOutputStream().write(new byte[1000]);
            MixnetStream accepted = listener.accept();
            InputStream in = accepted.getInputStream();
            assertEquals(1000, in.readNBytes(1000).length);

            // the server's reader blocks; the client's writer blocks on a nym-client that stopped reading
            CountDownLatch started = new CountDownLatch(2);
            CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    in.read();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            emulator.pauseRequests(1, true);
            CompletableFuture<Throwable> write = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    while (true) {
                        opened.getOutputStream().write(new byte[4096]);
                    }
                } catch (IOException e) {
                    return e;
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            started.await();
            MixnetStream openedReader = opened;
            CompletableFuture<Throwable> openerRead = CompletableFuture.supplyAsync(() -> {
                try {
                    openedReader.getInputStream().read();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            }, Executors.newVirtualThreadPerTaskExecutor());

            emulator.disconnect(0); // the server's nym-client goes away
            Throwable readFailure = read.get(20, TimeUnit.SECONDS);
            assertTrue(readFailure instanceof IOException && readFailure.getMessage().contains("transport failed"),
                    String.valueOf(readFailure));
            assertThrows(IOException.class, listener::accept);

            emulator.disconnect(1); // and the client's, while its writer is blocked
            Throwable writeFailure = write.get(20, TimeUnit.SECONDS);
            assertTrue(writeFailure instanceof IOException, String.valueOf(writeFailure));
            Throwable openerFailure = openerRead.get(20, TimeUnit.SECONDS);
            assertTrue(openerFailure instanceof IOException, String.valueOf(openerFailure));
            assertThrows(IOException.class, () -> client.openStream(server.address()));
            emulator.pauseRequests(1, false);
        }
    }
}
