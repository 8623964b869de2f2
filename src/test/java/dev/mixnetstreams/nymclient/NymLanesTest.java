package dev.mixnetstreams.nymclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.testing.Await;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lanes over a nym-client (the stand-in, with the Nym cost model): requests carry the lane as their
 * connection id, nym-client's answers say how long the lane is, a writer waits while it is long and
 * is woken when told; streams over the transport fill packets as its geometry says.
 */
@Timeout(60) // a hang guard only
class NymLanesTest {

    @Test
    void aWriterWaitsWhileNymClientReportsItsLaneLongAndIsWokenWhenTold() throws Exception {
        NymCostModel crawling = NymCostModel.defaults().withPacketsPerSecond(0.01);
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(2).costModel(crawling).seed(1).start();
             NymClientTransport a = NymClientTransport.connect(emulator.uri(0))) {
            for (int i = 0; i < 40; i++) {
                a.sendAnonymous(emulator.address(1), new byte[16], 0, 5); // one packet each
            }
            Await.until("nym-client reported the lane", () -> a.lastLaneQueueLength()
                    .filter(l -> l.lane() == 5 && l.queueLength() >= 31).isPresent());
            assertTrue(a.awaitLane(6, 30), "a lane nym-client never reported has room");
            CompletableFuture<Boolean> room = new CompletableFuture<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    room.complete(a.awaitLane(5, 30));
                } catch (Exception e) {
                    room.completeExceptionally(e);
                }
            });
            Await.blocked(waiter);
            a.wakeLane(5);
            assertFalse(room.get(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS), "woken, not room");
        }
    }

    @Test
    void aWaitingWriterSeesRoomWhenNymClientReportsIt() throws Exception {
        NymCostModel fast = NymCostModel.defaults().speedUp(1000);
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(2).costModel(fast).seed(2).start();
             NymClientTransport a = NymClientTransport.connect(emulator.uri(0))) {
            for (int i = 0; i < 200; i++) {
                a.sendAnonymous(emulator.address(1), new byte[16], 0, 9);
            }
            assertTrue(a.awaitLane(9, 0), "the lane drains, and the writer asks until it hears so");
        }
    }

    @Test
    void theLaneReportsStayBounded() {
        LaneLengths lanes = new LaneLengths();
        for (long lane = 1; lane <= LaneLengths.MAX_LANES + 100; lane++) {
            lanes.update(lane, 3);
        }
        assertEquals(LaneLengths.MAX_LANES, lanes.size());
        assertEquals(0, lanes.length(1), "the oldest report was forgotten");
        lanes.update(LaneLengths.MAX_LANES + 100, 0);
        assertEquals(LaneLengths.MAX_LANES - 1, lanes.size(), "an empty lane is forgotten");
    }

    @Test
    void streamsOverNymClientFillPacketsAndCostWhatTheModelSays() throws Exception {
        NymCostModel fast = NymCostModel.defaults().speedUp(1000);
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(2).costModel(fast).seed(3).start();
             MixnetClient server = MixnetClient.builder(NymClientTransport.connect(emulator.uri(0))).build();
             MixnetClient client = MixnetClient.builder(NymClientTransport.connect(emulator.uri(1))).build()) {
            MixnetListener listener = server.listener();
            MixnetStream stream = client.openStream(server.address());
            byte[] bytes = new byte[100_000];
            new SplittableRandom(4).nextBytes(bytes);
            for (int off = 0; off < bytes.length; off += 1000) {
                stream.getOutputStream().write(bytes, off, 1000);
            }
            stream.shutdownOutput();
            MixnetStream accepted = listener.accept();
            assertArrayEquals(bytes, accepted.getInputStream().readAllBytes());
            // Everything on the stream's lane has left: the end of stream was the last of it.
            assertEquals(client.stats().packetsOut(), emulator.costs(1).packetsSent(),
                    "the client counts what its nym-client sent");
            double floor = bytes.length / (double) PacketGeometry.NYM_LEGACY_SURBS.anonymousPayloadFilling(1, 0);
            assertTrue(client.stats().packetsOut() < 1.1 * floor + 16, "about the floor: " + client.stats());
            accepted.getOutputStream().write(bytes);
            accepted.close();
            assertArrayEquals(bytes, stream.getInputStream().readAllBytes());
        }
    }
}
