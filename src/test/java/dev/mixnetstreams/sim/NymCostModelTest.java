package dev.mixnetstreams.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.testing.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulator under the Nym cost model: messages cut into packets by the formulas, paced out,
 * reply SURBs spent, asked for and refilled, lanes that make senders wait, packets counted.
 */
@Timeout(60) // a hang guard only
class NymCostModelTest {

    /** A thousand times the real pace: 50,000 packets a second, SURB retry 10 ms, give-up 300 ms. */
    private static final NymCostModel FAST = NymCostModel.defaults().speedUp(1000);

    private static SimulatedMixnet mixnet() {
        return SimulatedMixnet.builder().costModel(FAST).seed(1).build();
    }

    private static InboundMessage take(MixnetTransport endpoint) throws InterruptedException {
        InboundMessage message = endpoint.inbound().poll(Await.GIVE_UP.toNanos(), TimeUnit.NANOSECONDS);
        assertTrue(message != null, "nothing arrived");
        return message;
    }

    @Test
    void theFormulasOfTheReference() {
        PacketGeometry legacy = PacketGeometry.NYM_LEGACY_SURBS;
        assertEquals(8, legacy.anonymousPackets(16, 10), "an empty Open with 10 SURBs");
        assertEquals(1, legacy.anonymousPackets(16, 0));
        assertEquals(8, legacy.anonymousPackets(16 + 1024, 10), "a 1 KiB write with 10 SURBs");
        assertEquals(18, legacy.anonymousPackets(16 + 16384, 10));
        assertEquals(11, legacy.anonymousPackets(16 + 16384, 0));
        assertEquals(662, legacy.anonymousPackets(16 + (1 << 20), 10));
        assertEquals(654, legacy.anonymousPackets(16 + (1 << 20), 0));
        assertEquals(1, legacy.replyPackets(16 + 1585));
        assertEquals(2, legacy.replyPackets(16 + 1586));
        assertEquals(1565, legacy.anonymousPayloadFilling(1, 0), "payload bytes per packet from the opener");
        assertEquals(1585, legacy.replyPayloadFilling(1), "and from the acceptor");
        assertEquals(8, legacy.anonymousPackets(0, 10), "a refill of 10 SURBs");
        assertEquals(37, legacy.anonymousPackets(0, 50), "and of 50");
        assertEquals(1, legacy.freeSurbs(16 + 64, 0), "one SURB rides free with a small frame");
        assertEquals(0, legacy.freeSurbs(16 + 1565, 0));
        assertEquals(3, PacketGeometry.NYM_CURRENT_SURBS.freeSurbs(16 + 64, 0));
        assertEquals(10, NymCostModel.surbRequestAmount(1));
        assertEquals(37, NymCostModel.surbRequestAmount(37));
        assertEquals(50, NymCostModel.surbRequestAmount(500));
    }

    @Test
    void packetsAreCountedPerEndpointAndInAll() throws Exception {
        try (SimulatedMixnet mixnet = mixnet()) {
            MixnetTransport a = mixnet.newEndpoint();
            MixnetTransport b = mixnet.newEndpoint();
            a.sendAnonymous(b.address(), new byte[16], 10);               // 8 packets
            a.send(b.address(), new byte[16 + 1565]);                     // 1: plain, no SURBs
            a.send(b.address(), new byte[16 + 1566]);                     // 2
            take(b);
            take(b);
            take(b);
            assertEquals(new PacketCosts(11, 10, 0, 0, 0), mixnet.costs(a));
            assertEquals(PacketCosts.NONE, mixnet.costs(b));
            assertEquals(11, mixnet.packetsSent());
            assertEquals(PacketGeometry.NYM_LEGACY_SURBS, a.packetGeometry().orElseThrow());
        }
    }

    @Test
    void aReplyAboveTheReserveLeavesAtOnce() throws Exception {
        try (SimulatedMixnet mixnet = mixnet()) {
            MixnetTransport opener = mixnet.newEndpoint();
            MixnetTransport acceptor = mixnet.newEndpoint();
            opener.sendAnonymous(acceptor.address(), new byte[16], 12);    // 10 in reserve + 2
            InboundMessage open = take(acceptor);
            acceptor.reply(open.senderTag(), new byte[16 + 3000]);        // 2 packets
            assertNull(take(opener).senderTag());
            assertEquals(new PacketCosts(2, 0, 2, 0, 0), mixnet.costs(acceptor));
        }
    }

    @Test
    void aReplyShortOfSurbsAsksForMoreAndLeavesWhenTheyCome() throws Exception {
        try (SimulatedMixnet mixnet = mixnet()) {
            MixnetTransport opener = mixnet.newEndpoint();
            MixnetTransport acceptor = mixnet.newEndpoint();
            opener.sendAnonymous(acceptor.address(), new byte[16], 10);    // only the reserve
            InboundMessage open = take(acceptor);
            acceptor.reply(open.senderTag(), new byte[]{1, 2, 3});        // 1 packet: waits
            assertArrayEquals(new byte[]{1, 2, 3}, take(opener).data());
            // The acceptor asked (1 packet, a reserve SURB), the opener answered with 10 SURBs (8 packets).
            assertEquals(new PacketCosts(2, 0, 2, 1, 0), mixnet.costs(acceptor));
            assertEquals(new PacketCosts(8 + 8, 20, 0, 0, 0), mixnet.costs(opener));
        }
    }

    @Test
    void repliesNobodyRefillsAreGivenUp() throws Exception {
        try (SimulatedMixnet mixnet = mixnet()) {
            MixnetTransport opener = mixnet.newEndpoint();
            MixnetTransport acceptor = mixnet.newEndpoint();
            opener.sendAnonymous(acceptor.address(), new byte[16], 10);
            InboundMessage open = take(acceptor);
            opener.close(); // nobody will answer the SURB requests
            acceptor.reply(open.senderTag(), new byte[1]);
            Await.until("given up", () -> mixnet.costs(acceptor).repliesDropped() == 1);
            assertEquals(1 + NymCostModel.SURB_REQUEST_ATTEMPTS, mixnet.costs(acceptor).surbRequests(),
                    "asked, asked again five times, then gave up");
        }
    }

    @Test
    void aWriterWaitsWhileItsLaneIsLong() throws Exception {
        try (SimulatedMixnet mixnet = mixnet()) {
            MixnetTransport a = mixnet.newEndpoint();
            MixnetTransport b = mixnet.newEndpoint();
            for (int i = 0; i < 40; i++) {
                a.sendAnonymous(b.address(), new byte[16], 0, 7); // one packet each; sends never wait
            }
            assertTrue(a.awaitLane(8, 0), "another lane has room at once");
            assertTrue(a.awaitLane(7, 30), "room once ten packets have left");
            assertTrue(a.awaitLane(7, 0), "and once all have");
            for (int i = 0; i < 40; i++) {
                take(b);
            }
        }
    }

    @Test
    void aWriterWaitingForItsLaneIsWokenWhenTold() throws Exception {
        NymCostModel crawling = NymCostModel.defaults().withPacketsPerSecond(0.01);
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().costModel(crawling).seed(2).build()) {
            MixnetTransport a = mixnet.newEndpoint();
            MixnetTransport b = mixnet.newEndpoint();
            a.sendAnonymous(b.address(), new byte[16], 0, 3);
            CompletableFuture<Boolean> room = new CompletableFuture<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    room.complete(a.awaitLane(3, 0));
                } catch (Exception e) {
                    room.completeExceptionally(e);
                }
            });
            Await.blocked(waiter);
            a.wakeLane(3);
            assertFalse(room.get(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS), "woken, not room");
        }
    }

    @Test
    void speedUpAndPaceAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> NymCostModel.defaults().withPacketsPerSecond(0));
        assertThrows(IllegalArgumentException.class, () -> NymCostModel.defaults().speedUp(0.5));
        assertEquals(Duration.ofMillis(10), FAST.surbRequestRetry());
        assertEquals(50_000, FAST.packetsPerSecond());
    }
}
