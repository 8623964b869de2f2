package dev.mixnetstreams;

import static dev.mixnetstreams.StreamTestSupport.data;
import static dev.mixnetstreams.StreamTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.testing.Await;
import java.io.ByteArrayOutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Data that overtakes its Open, the limits on held frames, peer checks and duplicate Opens. */
class EarlyDataTest {

    private static byte[] piece(int i) {
        return ("piece-" + i + ";").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void dataBeforeOpenIsHeldThenDeliveredInOrder() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint peer = net.newEndpoint();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        SenderTag tag = net.issueTag(peer, endpoint, 11);
        long id = 0x0011223344556677L;
        try (MixnetClient server = MixnetClient.builder(endpoint).build()) {
            MixnetListener listener = server.listener();
            int[] order = {3, 1, 0, 4, 2};
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 5; i++) {
                expected.write(piece(i));
            }
            for (int seq : order) {
                endpoint.inbound.add(new InboundMessage(data(id, seq, piece(seq)), tag));
            }
            Await.until("5 early frames held", () -> server.stats().earlyFramesHeld() == 5);
            assertEquals(0, server.stats().earlyFramesDelivered());
            assertEquals(0, server.stats().streamsAccepted());

            endpoint.inbound.add(new InboundMessage(open(id), tag));
            MixnetStream stream = listener.accept();
            assertEquals(new StreamId(id), stream.id());
            assertEquals(tag, stream.remoteSenderTag().orElseThrow());
            assertArrayEquals(expected.toByteArray(), StreamTestSupport.readExactly(stream.getInputStream(), expected.size()));
            assertEquals(5, server.stats().earlyFramesDelivered());
            assertEquals(expected.size(), server.stats().bytesIn());

            // Data after the Open goes straight in; end of stream follows.
            endpoint.inbound.add(new InboundMessage(data(id, 5, piece(5)), tag));
            endpoint.inbound.add(new InboundMessage(data(id, 6, new byte[0]), tag));
            assertArrayEquals(piece(5), stream.getInputStream().readAllBytes());
            assertEquals(-1, stream.getInputStream().read());
            assertEquals(5, server.stats().earlyFramesHeld(), "no more held");

            // The reply goes to the tag's owner.
            stream.getOutputStream().write("ok".getBytes(StandardCharsets.UTF_8));
            InboundMessage reply = peer.inbound.take();
            assertEquals(null, reply.senderTag());
            assertArrayEquals(data(id, 0, "ok".getBytes(StandardCharsets.UTF_8)), reply.data());
        }
    }

    @Test
    void earlyFramesBeyondTheLimitAreDroppedAndCounted() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        SenderTag tag = StreamTestSupport.tag(5);
        long id = 77;
        try (MixnetClient server = MixnetClient.builder(endpoint).maxEarlyFrames(3).build()) {
            MixnetListener listener = server.listener();
            for (int seq = 0; seq < 5; seq++) {
                endpoint.inbound.add(new InboundMessage(data(id, seq, piece(seq)), tag));
            }
            Await.until("2 dropped", () -> server.stats().dropped(DropReason.EARLY_DATA_LIMIT) == 2);
            assertEquals(3, server.stats().earlyFramesHeld());

            endpoint.inbound.add(new InboundMessage(open(id), tag));
            MixnetStream stream = listener.accept();
            byte[] first3 = concat(piece(0), piece(1), piece(2));
            assertArrayEquals(first3, StreamTestSupport.readExactly(stream.getInputStream(), first3.length));
            assertEquals(3, server.stats().earlyFramesDelivered());
            stream.setReadTimeout(Duration.ofMillis(20));
            assertThrows(SocketTimeoutException.class, () -> stream.getInputStream().read(), "3 and 4 were dropped");

            // Sent again (as a retransmitting peer would), they complete the stream.
            endpoint.inbound.add(new InboundMessage(data(id, 3, piece(3)), tag));
            endpoint.inbound.add(new InboundMessage(data(id, 4, piece(4)), tag));
            endpoint.inbound.add(new InboundMessage(data(id, 5, new byte[0]), tag));
            stream.setReadTimeout(Duration.ZERO);
            assertArrayEquals(concat(piece(3), piece(4)), stream.getInputStream().readAllBytes());
        }
    }

    @Test
    void oneStreamHoldsAtMostItsReorderWindowOfEarlyFrames() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        SenderTag tag = StreamTestSupport.tag(6);
        long lostOpen = 91;
        long other = 92;
        try (MixnetClient server = MixnetClient.builder(endpoint).reorderWindow(8).maxEarlyFrames(100).build()) {
            MixnetListener listener = server.listener();
            // A stream whose Open was lost: its Data would otherwise fill the whole store.
            for (int seq = 0; seq < 20; seq++) {
                endpoint.inbound.add(new InboundMessage(data(lostOpen, seq, piece(seq)), tag));
            }
            Await.until("12 dropped", () -> server.stats().dropped(DropReason.EARLY_DATA_LIMIT) == 12);
            assertEquals(8, server.stats().earlyFramesHeld());

            // Another stream's early data still has room, and arrives.
            endpoint.inbound.add(new InboundMessage(data(other, 0, piece(0)), tag));
            endpoint.inbound.add(new InboundMessage(open(other), tag));
            MixnetStream stream = listener.accept();
            assertEquals(new StreamId(other), stream.id());
            assertArrayEquals(piece(0), StreamTestSupport.readExactly(stream.getInputStream(), piece(0).length));
            assertEquals(12, server.stats().dropped(DropReason.EARLY_DATA_LIMIT));
        }
    }

    @Test
    void earlyBytesBeyondTheByteLimitAreDroppedAndCounted() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        SenderTag tag = StreamTestSupport.tag(5);
        // Each frame counts its payload plus the store's overhead per frame.
        long overhead = EarlyFrameStore.FRAME_OVERHEAD;
        long limit = (60 + overhead) + (40 + overhead);
        try (MixnetClient server = MixnetClient.builder(endpoint).maxEarlyBytes(limit).build()) {
            server.listener();
            endpoint.inbound.add(new InboundMessage(data(1, 0, new byte[60]), tag));
            endpoint.inbound.add(new InboundMessage(data(1, 1, new byte[60]), tag)); // over the limit
            endpoint.inbound.add(new InboundMessage(data(2, 0, new byte[40]), tag)); // exactly the limit: fits
            Await.until("3 handled", () -> server.stats().earlyFramesHeld()
                    + server.stats().dropped(DropReason.EARLY_DATA_LIMIT) == 3);
            assertEquals(2, server.stats().earlyFramesHeld());
            assertEquals(1, server.stats().dropped(DropReason.EARLY_DATA_LIMIT));
        }
    }

    @Test
    void aSenderThatFillsTheStoreEvictsOnlyItsOwnFramesAndHonestEarlyDataStillArrives() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        SenderTag squatter = StreamTestSupport.tag(666);
        try (MixnetClient server = MixnetClient.builder(endpoint).build()) { // default limits
            MixnetListener listener = server.listener();
            // 4096 one-byte frames for 16 made-up ids: the whole store (256 per stream).
            for (int id = 0; id < 16; id++) {
                for (int seq = 0; seq < 256; seq++) {
                    endpoint.inbound.add(new InboundMessage(data(1000 + id, seq, new byte[1]), squatter));
                }
            }
            Await.until("store full", () -> server.stats().earlyFramesHeld() == 4096);
            // 40 request/response streams whose first Data overtakes its Open, while the squatter
            // keeps sending; each honest sender has its own tag.
            for (int i = 0; i < 40; i++) {
                SenderTag honest = StreamTestSupport.tag(i);
                long id = 5000 + i;
                endpoint.inbound.add(new InboundMessage(data(2000 + i, 0, new byte[1]), squatter));
                endpoint.inbound.add(new InboundMessage(data(id, 0, piece(i)), honest));
                endpoint.inbound.add(new InboundMessage(data(id, 1, new byte[0]), honest));
                endpoint.inbound.add(new InboundMessage(open(id), honest));
                MixnetStream stream = listener.accept();
                assertEquals(new StreamId(id), stream.id());
                assertArrayEquals(piece(i), stream.getInputStream().readAllBytes(), "stream " + i);
            }
            ClientStats stats = server.stats();
            assertEquals(80, stats.earlyFramesDelivered(), "every honest early frame");
            // The squatter's first newcomer found the store full and its own share the largest:
            // refused. Each later one took a slot an honest stream had just freed, and each honest
            // pair then evicted the squatter's oldest frames: two the first time, one after.
            assertEquals(1, stats.dropped(DropReason.EARLY_DATA_LIMIT));
            assertEquals(2 + 39, stats.dropped(DropReason.EARLY_DATA_EVICTED));
            assertEquals(4096 - 2, stats.earlyFramesHeld() - stats.earlyFramesDelivered()
                    - stats.dropped(DropReason.EARLY_DATA_EVICTED), "what stays held is the squatter's");
        }
    }

    @Test
    void earlyDataWithoutASenderTagIsNeverHeld() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        try (MixnetClient server = MixnetClient.builder(endpoint).build()) {
            server.listener();
            for (int seq = 0; seq < 10; seq++) {
                endpoint.inbound.add(new InboundMessage(data(42, seq, new byte[1]), null));
            }
            Await.until("dropped", () -> server.stats().dropped(DropReason.UNKNOWN_STREAM) == 10);
            assertEquals(0, server.stats().earlyFramesHeld());
        }
    }

    @Test
    void dataFromAnotherSenderTagIsDroppedAsWrongPeer() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        SenderTag owner = StreamTestSupport.tag(1);
        SenderTag intruder = StreamTestSupport.tag(2);
        long id = 0xabcdefL;
        try (MixnetClient server = MixnetClient.builder(endpoint).build()) {
            MixnetListener listener = server.listener();
            // Early: the intruder's frame overtakes the Open, is held, and is refused when the Open comes.
            endpoint.inbound.add(new InboundMessage(data(id, 0, "evil".getBytes(StandardCharsets.UTF_8)), intruder));
            endpoint.inbound.add(new InboundMessage(open(id), owner));
            MixnetStream stream = listener.accept();
            Await.until("wrong peer counted", () -> server.stats().dropped(DropReason.WRONG_PEER) == 1);
            assertEquals(1, server.stats().earlyFramesHeld());
            assertEquals(0, server.stats().earlyFramesDelivered(), "refused, not delivered");
            // After the Open: same.
            endpoint.inbound.add(new InboundMessage(data(id, 0, "evil".getBytes(StandardCharsets.UTF_8)), intruder));
            endpoint.inbound.add(new InboundMessage(data(id, 0, "good".getBytes(StandardCharsets.UTF_8)), owner));
            endpoint.inbound.add(new InboundMessage(data(id, 1, "evil".getBytes(StandardCharsets.UTF_8)), null));
            endpoint.inbound.add(new InboundMessage(data(id, 1, new byte[0]), owner));
            assertArrayEquals("good".getBytes(StandardCharsets.UTF_8), stream.getInputStream().readAllBytes());
            assertEquals(3, server.stats().dropped(DropReason.WRONG_PEER));
        }
    }

    @Test
    void dataWithASenderTagToAnOpenedStreamIsDroppedAsWrongPeer() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint peer = net.newEndpoint();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        try (MixnetClient client = MixnetClient.builder(endpoint).build()) {
            MixnetStream stream = client.openStream(peer.address());
            InboundMessage openFrame = peer.inbound.take();
            assertArrayEquals(open(stream.id().value()), openFrame.data());
            long id = stream.id().value();
            // Replies come without a tag; a tagged message is someone else opening anonymously.
            endpoint.inbound.add(new InboundMessage(data(id, 0, "evil".getBytes(StandardCharsets.UTF_8)), StreamTestSupport.tag(9)));
            endpoint.inbound.add(new InboundMessage(data(id, 0, "reply".getBytes(StandardCharsets.UTF_8)), null));
            endpoint.inbound.add(new InboundMessage(data(id, 1, new byte[0]), null));
            assertArrayEquals("reply".getBytes(StandardCharsets.UTF_8), stream.getInputStream().readAllBytes());
            assertEquals(1, client.stats().dropped(DropReason.WRONG_PEER));
        }
    }

    @Test
    void duplicateOpenNeverReplacesTheLiveStream() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint endpoint = net.newEndpoint();
        SenderTag first = StreamTestSupport.tag(1);
        SenderTag second = StreamTestSupport.tag(2);
        long id = 0x0123456789abcdefL;
        try (MixnetClient server = MixnetClient.builder(endpoint).build()) {
            MixnetListener listener = server.listener();
            endpoint.inbound.add(new InboundMessage(open(id), first));
            MixnetStream stream = listener.accept();
            endpoint.inbound.add(new InboundMessage(data(id, 0, "a".getBytes(StandardCharsets.UTF_8)), first));
            endpoint.inbound.add(new InboundMessage(open(id), first));  // a mixnet duplicate
            endpoint.inbound.add(new InboundMessage(open(id), second)); // a hijack attempt
            endpoint.inbound.add(new InboundMessage(data(id, 1, "b".getBytes(StandardCharsets.UTF_8)), first));
            endpoint.inbound.add(new InboundMessage(data(id, 2, "X".getBytes(StandardCharsets.UTF_8)), second));
            endpoint.inbound.add(new InboundMessage(data(id, 2, new byte[0]), first));
            assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8), stream.getInputStream().readAllBytes());
            ClientStats stats = server.stats();
            assertEquals(2, stats.dropped(DropReason.DUPLICATE_OPEN));
            assertEquals(1, stats.dropped(DropReason.WRONG_PEER));
            assertEquals(1, stats.streamsAccepted());
            assertEquals(0, listener.backlogSize());
            assertEquals(first, stream.remoteSenderTag().orElseThrow());
        }
    }

    @Test
    void openStreamNeverReusesALiveId() throws Exception {
        LoopbackNetwork net = new LoopbackNetwork();
        LoopbackNetwork.Endpoint peer = net.newEndpoint();
        try (MixnetClient client = MixnetClient.builder(net.newEndpoint()).build()) {
            Set<StreamId> ids = new HashSet<>();
            for (int i = 0; i < 5000; i++) {
                assertTrue(ids.add(client.openStream(peer.address()).id()));
            }
            assertEquals(5000, client.stats().openStreams());
            assertEquals(5000, peer.inbound.size(), "one Open each");
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
