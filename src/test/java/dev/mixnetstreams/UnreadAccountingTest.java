package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What unread bytes are charged for and when they are given back: streams the client ended
 * (reaped, transport failed) keep their bytes for their reader but stay the first to be reset
 * under the client-wide limit, and nothing stays charged after the client closes.
 */
@Timeout(60) // a hang guard only
class UnreadAccountingTest {

    private static final int FRAME_COST = 1000 + MixnetClient.RECEIVED_FRAME_OVERHEAD;

    @Test
    void aReapedStreamsUnreadBytesAreTheFirstResetUnderTheClientLimitAndNoneOutliveTheClient() throws Exception {
        ScriptedPeer peer = ScriptedPeer.create();
        long idle = 0x1D1E;
        long busy = 0xB05F;
        MixnetClient server = MixnetClient.builder(peer.client())
                .streamIdleTimeout(Duration.ofMillis(100))
                .maxTotalUnreadBytes(10L * FRAME_COST)
                .build();
        try (peer; server) {
            MixnetListener listener = server.listener();
            peer.open(idle);
            MixnetStream idleStream = listener.accept();
            for (int seq = 0; seq < 6; seq++) {
                peer.data(idle, seq, new byte[1000]);
            }
            Await.until("six frames held", () -> server.unreadBytes() == 6L * FRAME_COST);
            Await.until("reaped", () -> server.stats().streamsReaped() == 1);
            assertEquals(6L * FRAME_COST, server.unreadBytes(), "kept for its reader for the linger");

            // A healthy stream whose reader is slow: five frames do not fit beside the reaped six.
            peer.open(busy);
            MixnetStream busyStream = listener.accept();
            for (int seq = 0; seq < 5; seq++) {
                peer.data(busy, seq, new byte[1000]);
            }
            Await.until("busy's five frames held", () -> busyStream.inbound.readyBytes() == 5000);
            assertEquals(1, server.stats().streamsReset(), "the reaped stream, which held the most");
            assertEquals(5L * FRAME_COST, server.unreadBytes());
            IOException reset = assertThrows(IOException.class, () -> idleStream.getInputStream().read());
            assertTrue(reset.getMessage().contains("maxTotalUnreadBytes"), reset.getMessage());
            assertEquals(5000, busyStream.getInputStream().readNBytes(5000).length);
        }
        assertEquals(0, server.unreadBytes());
    }

    @Test
    void afterATransportFailureReadersGetWhatCameThenTheFailureAndCloseReleasesTheRest() throws Exception {
        ScriptedPeer peer = ScriptedPeer.create();
        MixnetClient server = MixnetClient.builder(peer.client()).build();
        MixnetStream read;
        try (peer; server) {
            MixnetListener listener = server.listener();
            peer.open(1);
            peer.open(2);
            read = listener.accept();
            MixnetStream unread = listener.accept();
            // Frames still queued when the transport fails are routed before anything fails.
            for (int seq = 0; seq < 100; seq++) {
                peer.data(1, seq, new byte[] {(byte) seq});
                peer.data(2, seq, new byte[1000]);
            }
            peer.client().fail(new IOException("connection to nym-client lost"));
            InputStream in = read.getInputStream();
            for (int seq = 0; seq < 100; seq++) {
                assertEquals(seq, in.read());
            }
            IOException failure = assertThrows(IOException.class, in::read);
            assertTrue(failure.getMessage().contains("connection to nym-client lost"), failure.getMessage());
            assertEquals(100L * FRAME_COST, server.unreadBytes(), "the unread stream keeps its bytes");
            assertEquals(0, server.stats().dropped(DropReason.CLOSED_STREAM), "nothing routed was lost");
            assertEquals(100_000, unread.getInputStream().available());
        }
        assertEquals(0, server.unreadBytes(), "closing the client gives everything back");
        assertThrows(IOException.class, () -> read.getInputStream().read());
    }

    @Test
    void aResetFailsTheNextReadAtOnceEvenInTheMiddleOfAFrame() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).maxUnreadBytes(2L * FRAME_COST - 1).build()) {
            MixnetListener listener = server.listener();
            peer.open(7);
            MixnetStream stream = listener.accept();
            peer.data(7, 0, new byte[1000]);
            InputStream in = stream.getInputStream();
            assertEquals(10, in.read(new byte[10])); // the reader holds the rest of frame 0
            peer.data(7, 1, new byte[1000]);
            peer.data(7, 2, new byte[1000]); // over the limit
            Await.until("reset", () -> server.stats().streamsReset() == 1);
            IOException reset = assertThrows(IOException.class, () -> in.read(new byte[10]));
            assertTrue(reset.getMessage().contains("maxUnreadBytes"), reset.getMessage());
        }
    }

    @Test
    void messageModeKeepsWhatCameBeforeTheTransportFailedThenFails() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint endpoint = net.newEndpoint();
        try (MixnetClient client = MixnetClient.builder(endpoint).build()) {
            for (int i = 0; i < 3000; i++) {
                endpoint.inject(new byte[] {(byte) i}, null);
            }
            endpoint.fail(new IOException("gone"));
            int taken = 0;
            while (taken < 3000) {
                for (InboundMessage message : client.waitForMessages()) {
                    assertArrayEquals(new byte[] {(byte) taken}, message.data());
                    taken++;
                }
            }
            IOException failure = assertThrows(IOException.class, client::waitForMessages);
            assertTrue(failure.getMessage().contains("gone"), failure.getMessage());
            assertEquals(0, client.stats().droppedTotal());
        }
    }

    @Test
    void theMessageQueueIsBoundedInBytesToo() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint endpoint = net.newEndpoint();
        long limit = 2L * (400 + MessageQueue.MESSAGE_OVERHEAD);
        try (MixnetClient client = MixnetClient.builder(endpoint).maxMessageQueueBytes(limit).build()) {
            for (int i = 0; i < 3; i++) {
                endpoint.inject(new byte[400], null);
            }
            Await.until("the third dropped", () -> client.stats().dropped(DropReason.MESSAGE_QUEUE_FULL) == 1);
            assertEquals(2, client.waitForMessages().size());
            endpoint.inject(new byte[400], null); // room again
            assertEquals(1, client.waitForMessages().size());
        }
    }
}
