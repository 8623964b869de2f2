package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many concurrent echo streams over a jittery, duplicating simulated mixnet; every byte verified. */
class ConcurrentStreamsTest {

    private static final int STREAMS = 200;

    @Test
    void twoHundredConcurrentEchoStreamsUnderJitterAndDuplicates() throws Exception {
        try (SimulatedMixnet mixnet = StreamTestSupport.jitteryMixnet(42, 0.1);
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            Set<StreamId> acceptedIds = ConcurrentHashMap.newKeySet();
            Thread acceptor = Thread.ofVirtual().name("test-acceptor").start(() -> {
                try {
                    while (true) {
                        MixnetStream s = listener.accept();
                        acceptedIds.add(s.id());
                        Thread.ofVirtual().start(() -> echo(s));
                    }
                } catch (IOException e) {
                    // listener closed with the server
                }
            });

            long expectedBytes = 0;
            List<CompletableFuture<Void>> readers = new ArrayList<>();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            Set<StreamId> openedIds = new HashSet<>();
            for (int i = 0; i < STREAMS; i++) {
                SplittableRandom random = new SplittableRandom(1000 + i);
                byte[] content = StreamTestSupport.bytes(random, 1 + random.nextInt(16 * 1024));
                expectedBytes += content.length;
                MixnetStream stream = client.openStream(server.address());
                assertTrue(openedIds.add(stream.id()), "ids are distinct");
                CompletableFuture<Void> read = new CompletableFuture<>();
                Thread.ofVirtual().name("test-reader-" + i).start(() -> {
                    try (stream) {
                        InputStream in = stream.getInputStream();
                        byte[] echoed = in.readAllBytes();
                        assertEquals(content.length, echoed.length, stream + ": length");
                        for (int k = 0; k < content.length; k++) {
                            if (content[k] != echoed[k]) {
                                throw new AssertionError(stream + ": byte " + k + " differs");
                            }
                        }
                        assertEquals(-1, in.read(), "end of stream is sticky");
                        read.complete(null);
                    } catch (Throwable t) {
                        read.completeExceptionally(t);
                    }
                });
                readers.add(read);
                CompletableFuture<Void> write = new CompletableFuture<>();
                long sizeSeed = random.nextLong();
                Thread.ofVirtual().name("test-writer-" + i).start(() -> {
                    try {
                        SplittableRandom sizes = new SplittableRandom(sizeSeed);
                        OutputStream out = stream.getOutputStream();
                        int off = 0;
                        while (off < content.length) {
                            int n = Math.min(content.length - off, sizes.nextInt(2) == 0 ? 1 + sizes.nextInt(16) : 1 + sizes.nextInt(3000));
                            out.write(content, off, n);
                            off += n;
                        }
                        out.write(new byte[0]); // an empty write sends nothing
                        stream.shutdownOutput();
                        write.complete(null);
                    } catch (Throwable t) {
                        write.completeExceptionally(t);
                    }
                });
                writers.add(write);
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertEquals(openedIds, acceptedIds, "every opened stream was accepted, once");
            ClientStats c = client.stats();
            ClientStats s = server.stats();
            assertEquals(STREAMS, c.streamsOpened());
            assertEquals(STREAMS, s.streamsAccepted());
            assertEquals(expectedBytes, c.bytesIn(), "opener received every echoed byte exactly once");
            assertEquals(expectedBytes, s.bytesIn(), "acceptor received every byte exactly once");
            assertEquals(0, c.dataLossEvents());
            assertEquals(0, s.dataLossEvents());
            assertTrue(mixnet.stats().duplicated() > 0, "the mixnet did duplicate");
            assertTrue(s.dropped(DropReason.DUPLICATE_DATA) + s.dropped(DropReason.DUPLICATE_OPEN)
                    + s.dropped(DropReason.CLOSED_STREAM) > 0, "duplicates were dropped and counted");
            assertEquals(s.earlyFramesHeld(), s.earlyFramesDelivered(), "every early frame met its Open");
            assertEquals(0, s.dropped(DropReason.EARLY_DATA_LIMIT) + s.dropped(DropReason.EARLY_DATA_EXPIRED)
                    + s.dropped(DropReason.ACCEPT_BACKLOG_FULL) + s.dropped(DropReason.WRONG_PEER)
                    + s.dropped(DropReason.UNREAD_LIMIT));
            listener.close();
            acceptor.join();
        }
    }

    private static void echo(MixnetStream s) {
        try (s) {
            s.getInputStream().transferTo(s.getOutputStream());
            s.shutdownOutput();
        } catch (IOException e) {
            throw new AssertionError(s + ": echo failed", e);
        }
    }
}
