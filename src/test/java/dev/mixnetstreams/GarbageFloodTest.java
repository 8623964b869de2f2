package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Thousands of malformed and unwanted messages while a real stream flows: counted, dropped, harmless. */
class GarbageFloodTest {

    /** Injects {@code count} garbage messages of every kind into {@code inbound}; returns what each should count as. */
    private static Map<DropReason, Long> flood(BlockingQueue<InboundMessage> inbound, SplittableRandom random,
                                               int count, boolean hasListener, long liveStreamId) {
        Map<DropReason, Long> expected = new EnumMap<>(DropReason.class);
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(hasListener ? 5 : 8);
            SenderTag tag = random.nextBoolean() ? StreamTestSupport.tag(random.nextInt()) : null;
            byte[] message;
            DropReason reason;
            switch (kind) {
                case 0 -> { // short, including empty
                    message = StreamTestSupport.bytes(random, random.nextInt(FrameCodec.HEADER_LENGTH));
                    reason = DropReason.TOO_SHORT;
                }
                case 1 -> { // random bytes whose kind is not SphinxStream
                    message = StreamTestSupport.bytes(random, FrameCodec.HEADER_LENGTH + random.nextInt(200));
                    if (message[0] == 3 && message[1] == 0) {
                        message[1] = 1;
                    }
                    reason = DropReason.NOT_STREAM_KIND;
                }
                case 2 -> { // an OpenAck, Ping or Pong for no stream, or a frame of an unknown type
                    message = FrameCodec.encode(random.nextLong(), FrameType.DATA, random.nextInt(),
                            StreamTestSupport.bytes(random, random.nextInt(50)));
                    boolean control = random.nextBoolean();
                    message[10] = (byte) (control ? 2 + random.nextInt(3) : StreamTestSupport.unknownType(random));
                    reason = control ? DropReason.CONTROL_FOR_UNKNOWN_STREAM : DropReason.UNKNOWN_MESSAGE_TYPE;
                }
                case 3 -> { // an Open nobody can answer
                    message = StreamTestSupport.open(random.nextLong());
                    tag = null;
                    reason = DropReason.OPEN_WITHOUT_SENDER_TAG;
                }
                case 4 -> { // a Data frame claiming the live stream, from someone else (tagged)
                    message = StreamTestSupport.data(liveStreamId, random.nextInt(),
                            StreamTestSupport.bytes(random, 1 + random.nextInt(30)));
                    tag = StreamTestSupport.tag(random.nextInt());
                    reason = DropReason.WRONG_PEER;
                }
                case 5 -> { // Data for a stream that does not exist (no listener here)
                    message = StreamTestSupport.data(random.nextLong(), random.nextInt(),
                            StreamTestSupport.bytes(random, random.nextInt(30)));
                    reason = DropReason.UNKNOWN_STREAM;
                }
                case 6 -> { // an Open while nobody listens
                    message = StreamTestSupport.open(random.nextLong());
                    tag = StreamTestSupport.tag(random.nextInt());
                    reason = DropReason.NO_LISTENER;
                }
                default -> { // Data for the live stream with a sequence number already passed
                    message = StreamTestSupport.data(liveStreamId, -1 - random.nextInt(1000), // behind by less than 2^31
                            StreamTestSupport.bytes(random, 1 + random.nextInt(30)));
                    tag = null;
                    reason = DropReason.DUPLICATE_DATA;
                }
            }
            inbound.add(new InboundMessage(message, tag));
            expected.merge(reason, 1L, Long::sum);
        }
        return expected;
    }

    @Test
    void garbageIsDroppedAndCountedWhileARealStreamKeepsItsBytesExact() throws Exception {
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().latency(java.time.Duration.ZERO,
                     java.time.Duration.ofMillis(5)).seed(21).build();
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (MixnetStream s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            MixnetStream stream = client.openStream(server.address());
            SplittableRandom random = new SplittableRandom(99);
            byte[] content = StreamTestSupport.bytes(random, 200_000);
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return stream.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Map<DropReason, Long> atClient = new EnumMap<>(DropReason.class);
            Map<DropReason, Long> atServer = new EnumMap<>(DropReason.class);
            int off = 0;
            int round = 0;
            while (off < content.length) {
                int n = Math.min(content.length - off, 1 + random.nextInt(4000));
                stream.getOutputStream().write(content, off, n);
                off += n;
                // Garbage into both routers, interleaved with the stream's own traffic.
                flood(inboundOf(client), random, 100, false, stream.id().value())
                        .forEach((k, v) -> atClient.merge(k, v, Long::sum));
                flood(inboundOf(server), random, 60, true, stream.id().value())
                        .forEach((k, v) -> atServer.merge(k, v, Long::sum));
                round++;
            }
            stream.shutdownOutput();
            assertArrayEquals(content, reader.get(60, TimeUnit.SECONDS), "every byte exact");
            echo.get(60, TimeUnit.SECONDS);
            long clientTotal = atClient.values().stream().mapToLong(Long::longValue).sum();
            long serverTotal = atServer.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(true, clientTotal + serverTotal > 5000, "thousands: " + (clientTotal + serverTotal) + " in " + round + " rounds");
            Await.until(() -> "client counted all: expected " + atClient + ", got " + client.stats().drops(),
                    () -> sum(client.stats(), atClient) >= clientTotal);
            Await.until(() -> "server counted all: expected " + atServer + ", got " + server.stats().drops(),
                    () -> sum(server.stats(), atServer) >= serverTotal);
            for (DropReason reason : DropReason.values()) {
                if (atClient.containsKey(reason)) {
                    assertEquals(atClient.get(reason), client.stats().dropped(reason), "client " + reason);
                }
                if (atServer.containsKey(reason)) {
                    assertEquals(atServer.get(reason), server.stats().dropped(reason), "server " + reason);
                }
            }
            assertEquals(9, atClient.size(), "every kind injected at the client");
            assertEquals(6, atServer.size(), "every kind injected at the server");

            // The routers still serve: a fresh stream round-trips.
            CompletableFuture<Void> echo2 = CompletableFuture.runAsync(() -> {
                try (MixnetStream s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            try (MixnetStream again = client.openStream(server.address())) {
                again.getOutputStream().write(content, 0, 1000);
                again.shutdownOutput();
                assertArrayEquals(java.util.Arrays.copyOf(content, 1000), again.getInputStream().readAllBytes());
            }
            echo2.get(60, TimeUnit.SECONDS);
        }
    }

    private static long sum(ClientStats stats, Map<DropReason, Long> expected) {
        long total = 0;
        for (DropReason reason : expected.keySet()) {
            total += stats.dropped(reason);
        }
        return total;
    }

    /** The transport's inbound queue of a client. */
    private static BlockingQueue<InboundMessage> inboundOf(MixnetClient client) {
        return client.transport().inbound();
    }
}
