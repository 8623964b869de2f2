package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.sim.PacketCosts;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Await;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streams over the simulated mixnet under the Nym cost model: what they cost in packets and SURBs,
 * that replies ride on the SURBs the nym-clients refill, and that a writer waits while its lane in
 * the nym-client is long.
 */
@Timeout(120) // a hang guard only
class StreamCostTest {

    /** A thousand times the real pace, so tests move packets, not time. */
    private static final NymCostModel FAST = NymCostModel.defaults().speedUp(1000);
    private static final PacketGeometry LEGACY = PacketGeometry.NYM_LEGACY_SURBS;
    private static final Duration NEVER = MixnetClient.Builder.MAX_WRITE_LINGER;

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /** Uploads 64 KiB as 1 KiB writes and returns what the opener's nym-client spent. */
    private static PacketCosts upload(UnaryOperator<MixnetClient.Builder> opener, int openSurbs) throws Exception {
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().costModel(FAST).seed(1).build()) {
            MixnetTransport openerEndpoint = mixnet.newEndpoint();
            try (MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
                 MixnetClient client = opener.apply(MixnetClient.builder(openerEndpoint)).build()) {
                MixnetListener listener = server.listener();
                MixnetStream stream = client.openStream(server.address(), openSurbs);
                byte[] bytes = random(64 * 1024, 2);
                for (int off = 0; off < bytes.length; off += 1024) {
                    stream.getOutputStream().write(bytes, off, 1024);
                }
                stream.shutdownOutput();
                assertArrayEquals(bytes, listener.accept().getInputStream().readAllBytes());
                PacketCosts costs = mixnet.costs(openerEndpoint);
                if (costs.surbsSent() == client.stats().surbsSent()) { // no SURB refill: only the client's frames
                    assertEquals(client.stats().packetsOut(), costs.packetsSent(), "the client counts what the mixnet does");
                }
                return costs;
            }
        }
    }

    @Test
    void anUploadCostsNearTheFloorInPackets() throws Exception {
        PacketCosts ours = upload(b -> b.writeLinger(NEVER), MixnetClient.DEFAULT_OPEN_SURBS);
        // The Open (20 SURBs and 741 bytes: 15 packets), the ramp's frames of 1, 2 and 4 packets,
        // four full frames of 8, the last 2,512 bytes (2 packets), the end of stream (1 packet),
        // and the credit the opener grants its peer of this library (1 packet).
        assertEquals(15 + 1 + 2 + 4 + 4 * 8 + 2 + 1 + 1, ours.packetsSent());
        PacketCosts reference = upload(b -> b.writeLinger(Duration.ZERO).surbsOnEveryFrame(true).extensions(false), 10);
        // Every message 8 packets: the Open, 64 writes, the end of stream.
        assertEquals(8 * (1 + 64 + 1), reference.packetsSent());
    }

    @Test
    void aDownloadRidesOnSurbsTheNymClientsRefill() throws Exception {
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().costModel(FAST).seed(3).build()) {
            MixnetTransport serverEndpoint = mixnet.newEndpoint();
            MixnetTransport clientEndpoint = mixnet.newEndpoint();
            try (MixnetClient server = MixnetClient.builder(serverEndpoint).build();
                 MixnetClient client = MixnetClient.builder(clientEndpoint).build()) {
                MixnetListener listener = server.listener();
                MixnetStream stream = client.openStream(server.address());
                stream.getOutputStream().write(new byte[100]);
                stream.shutdownOutput();
                MixnetStream accepted = listener.accept();
                assertEquals(100, accepted.getInputStream().readAllBytes().length);
                byte[] answer = random(256 * 1024, 4);
                accepted.getOutputStream().write(answer);
                accepted.close();
                assertArrayEquals(answer, stream.getInputStream().readAllBytes());
                PacketCosts acceptor = mixnet.costs(serverEndpoint);
                assertTrue(acceptor.surbRequests() > 0, "the 20 SURBs of the Open were not enough: " + acceptor);
                assertEquals(0, acceptor.repliesDropped());
                assertTrue(acceptor.surbsUsed() <= mixnet.costs(clientEndpoint).surbsSent(), "spent no more than sent");
            }
        }
    }

    /** What a write threw, and whether the writer's interrupt flag was set after it. */
    private record WriteFailure(IOException thrown, boolean interruptFlag) {
    }

    /**
     * Starts a writer of ten full frames on a stream over a crawling nym-client and waits until it
     * waits for its lane: the Open (15 packets) and the ramp's frames (1, 2, 4, 8 and 8 packets)
     * fill the lane to 38 packets, over 30, so the next full frame waits for room.
     */
    private static Thread blockedWriter(MixnetClient client, MixnetStream stream, CompletableFuture<WriteFailure> outcome) {
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                stream.getOutputStream().write(new byte[10 * 12_793]);
                outcome.completeExceptionally(new AssertionError("the write returned"));
            } catch (IOException e) {
                outcome.complete(new WriteFailure(e, Thread.currentThread().isInterrupted()));
            }
        });
        Await.blocked(writer);
        assertEquals(6, client.stats().framesOut(), "the Open and five full frames");
        return writer;
    }

    private static SimulatedMixnet crawling(long seed) {
        return SimulatedMixnet.builder().costModel(NymCostModel.defaults().withPacketsPerSecond(0.01)).seed(seed).build();
    }

    @Test
    void aWriterWaitsWhileItsLaneIsLongAndCloseWakesIt() throws Exception {
        try (SimulatedMixnet mixnet = crawling(5);
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).writeLinger(NEVER).build()) {
            MixnetStream stream = client.openStream(server.address());
            CompletableFuture<WriteFailure> outcome = new CompletableFuture<>();
            blockedWriter(client, stream, outcome);
            stream.close();
            assertEquals("stream closed", outcome.get(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS).thrown().getMessage());
            // The frame cut before the wait was sent, then the end of stream behind it.
            Await.until("the cut frame and the end of stream sent", () -> client.stats().framesOut() == 8);
        }
    }

    @Test
    void aWriterWaitingForItsLaneCanBeInterrupted() throws Exception {
        try (SimulatedMixnet mixnet = crawling(6);
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).writeLinger(NEVER).build()) {
            MixnetStream stream = client.openStream(server.address());
            CompletableFuture<WriteFailure> outcome = new CompletableFuture<>();
            blockedWriter(client, stream, outcome).interrupt();
            WriteFailure failure = outcome.get(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS);
            assertTrue(failure.thrown() instanceof InterruptedIOException, failure.thrown().toString());
            assertTrue(failure.interruptFlag(), "the interrupt flag is set again");
            assertEquals(7, client.stats().framesOut(), "the frame cut before the wait was sent");
        }
    }
}
