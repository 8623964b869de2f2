package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The unread-bytes limit, the accept backlog, and loss reported at a gap. */
class LimitsTest {

    /**
     * A peer that does not speak the extensions (so has no flow control; here a client with them
     * off) overruns a stream's limit: only that stream is reset.
     */
    @Test
    void unreadLimitResetsOnlyThatStreamAndOthersKeepFlowing() throws Exception {
        try (SimulatedMixnet mixnet = StreamTestSupport.jitteryMixnet(17, 0.05);
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).maxUnreadBytes(64 * 1024).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).extensions(false).build()) {
            MixnetListener listener = server.listener();
            MixnetStream hog = client.openStream(server.address());
            hog.getOutputStream().write(new byte[1]);
            MixnetStream hogAccepted = listener.accept();
            MixnetStream flowing = client.openStream(server.address());
            MixnetStream flowingAccepted = listener.accept();
            assertEquals(flowing.id(), flowingAccepted.id());
            assertEquals(hog.id(), hogAccepted.id());

            // The other stream echoes the whole time, one piece at a time (ping-pong), so its bytes in
            // flight stay far below the limit. (Observed while writing this test: the limit counts
            // out-of-order bytes too, so a stream whose reader keeps up is reset as well if jitter holds
            // back one frame while more than maxUnreadBytes of later frames arrive.)
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (flowingAccepted) {
                    flowingAccepted.getInputStream().transferTo(flowingAccepted.getOutputStream());
                    flowingAccepted.shutdownOutput();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            SplittableRandom random = new SplittableRandom(5);
            InputStream flowingIn = flowing.getInputStream();
            // The hog's peer writes 512 KiB that nobody reads, interleaved with the echo.
            byte[] chunk = StreamTestSupport.bytes(random, 4096);
            long echoedBytes = 0;
            for (int i = 0; i < 128; i++) {
                hog.getOutputStream().write(chunk); // the opener learns nothing: its writes succeed
                echoedBytes += pingPong(flowing, flowingIn, random);
            }
            Await.until("hog reset", () -> server.stats().streamsReset() == 1);
            for (int i = 0; i < 20; i++) {
                echoedBytes += pingPong(flowing, flowingIn, random);
            }
            flowing.shutdownOutput();
            assertEquals(-1, flowingIn.read());
            echo.get(60, TimeUnit.SECONDS);

            // Observed: the reset discards what was buffered; the first read fails at once, no bytes first.
            IOException e = assertThrows(IOException.class, () -> hogAccepted.getInputStream().read());
            assertTrue(e.getMessage().contains("maxUnreadBytes"), e.getMessage());
            assertThrows(IOException.class, () -> hogAccepted.getInputStream().read(), "stays failed");
            assertThrows(IOException.class, () -> hogAccepted.getOutputStream().write(1), "writes fail too");
            ClientStats stats = server.stats();
            assertEquals(1, stats.dropped(DropReason.UNREAD_LIMIT), "counted once, at the reset");
            assertEquals(1, stats.streamsReset());
            assertEquals(echoedBytes, client.stats().bytesIn(), "every echoed byte came back once");
            assertTrue(stats.bytesIn() <= 1 + 64 * 1024 + echoedBytes, "no hog bytes taken beyond the limit: " + stats.bytesIn());
            assertEquals(0, client.stats().streamsReset());
        }
    }

    /** Writes one random piece and reads its echo back, exactly; returns its length. */
    private static int pingPong(MixnetStream stream, InputStream in, SplittableRandom random) throws IOException {
        byte[] piece = StreamTestSupport.bytes(random, 1 + random.nextInt(2000));
        stream.getOutputStream().write(piece);
        assertArrayEquals(piece, StreamTestSupport.readExactly(in, piece.length));
        return piece.length;
    }

    @Test
    void acceptBacklogBoundsStreamsNotYetAccepted() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).acceptBacklog(4).build();
             MixnetClient client = MixnetClient.builder(net.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            List<MixnetStream> opened = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                opened.add(client.openStream(server.address()));
            }
            Await.until("10 Opens handled", () -> server.stats().streamsAccepted()
                    + server.stats().dropped(DropReason.ACCEPT_BACKLOG_FULL) == 10);
            assertEquals(4, server.stats().streamsAccepted());
            assertEquals(6, server.stats().dropped(DropReason.ACCEPT_BACKLOG_FULL));
            assertEquals(4, listener.backlogSize());
            assertEquals(4, server.stats().openStreams());
            for (int i = 0; i < 4; i++) {
                assertEquals(opened.get(i).id(), listener.accept().id(), "the first four, in order");
            }
            assertEquals(0, listener.backlogSize());
            // Room again.
            MixnetStream later = client.openStream(server.address());
            assertEquals(later.id(), listener.accept().id());
        }
    }

    @Test
    void aGapIsReportedOnceAtItsPlaceThenTheRestFollows() throws Exception {
        long id = 0x5eedL;
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).reorderWindow(4).build()) {
            MixnetListener listener = server.listener();
            peer.open(id);
            MixnetStream stream = listener.accept();
            ByteArrayOutputStream before = new ByteArrayOutputStream();
            ByteArrayOutputStream after = new ByteArrayOutputStream();
            for (int seq = 0; seq <= 7; seq++) {
                if (seq == 2) {
                    continue; // never arrives
                }
                byte[] payload = ("<" + seq + ">").repeat(seq + 1).getBytes(StandardCharsets.UTF_8);
                (seq < 2 ? before : after).writeBytes(payload);
                peer.data(id, seq, payload);
            }
            InputStream in = stream.getInputStream();
            assertArrayEquals(before.toByteArray(), in.readNBytes(before.size()));
            StreamDataLossException loss = assertThrows(StreamDataLossException.class, in::read);
            assertInstanceOf(IOException.class, loss);
            assertEquals(2, loss.firstLostSequence());
            assertEquals(1, loss.lostMessages());
            assertEquals(before.size(), loss.streamOffset());
            assertEquals(1, server.stats().dataLossEvents());
            assertArrayEquals(after.toByteArray(), in.readNBytes(after.size()), "then the rest, in order");
            // The lost message turning up late is dropped; end of stream follows.
            peer.data(id, 2, new byte[] {1, 2, 3});
            peer.endOfStream(id, 8);
            assertEquals(-1, in.read());
            assertEquals(1, server.stats().dataLossEvents(), "reported once");
            assertEquals(1, server.stats().dropped(DropReason.DUPLICATE_DATA));
            assertFalse(stream.isClosed());
        }
    }
}
