package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.wire.FrameType;
import java.io.ByteArrayOutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Data that overtakes its Open, the limits on held frames, peer checks and duplicate Opens. A
 * {@link ScriptedPeer} plays the other end of the client, frame by frame.
 */
class EarlyDataTest {

    private static byte[] piece(int i) {
        return ("piece-" + i + ";").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void dataBeforeOpenIsHeldThenDeliveredInOrder() throws Exception {
        long id = 0x0011223344556677L;
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).build()) {
            MixnetListener listener = server.listener();
            int[] order = {3, 1, 0, 4, 2};
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 5; i++) {
                expected.write(piece(i));
            }
            for (int seq : order) {
                peer.data(id, seq, piece(seq));
            }
            Await.until("5 early frames held", () -> server.stats().earlyFramesHeld() == 5);
            assertEquals(0, server.stats().earlyFramesDelivered());
            assertEquals(0, server.stats().streamsAccepted());

            peer.open(id);
            MixnetStream stream = listener.accept();
            assertEquals(new StreamId(id), stream.id());
            assertEquals(peer.tag(), stream.remoteSenderTag().orElseThrow());
            assertArrayEquals(expected.toByteArray(), StreamTestSupport.readExactly(stream.getInputStream(), expected.size()));
            assertEquals(5, server.stats().earlyFramesDelivered());
            assertEquals(expected.size(), server.stats().bytesIn());

            // Data after the Open goes straight in; end of stream follows.
            peer.data(id, 5, piece(5));
            peer.endOfStream(id, 6);
            assertArrayEquals(piece(5), stream.getInputStream().readAllBytes());
            assertEquals(-1, stream.getInputStream().read());
            assertEquals(5, server.stats().earlyFramesHeld(), "no more held");

            // The reply goes to the tag's owner (and so arrives without a tag), after the OpenAck
            // that accept() sent it.
            peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.OPEN_ACK, id, 0);
            stream.getOutputStream().write("ok".getBytes(StandardCharsets.UTF_8));
            peer.takeFrame().assertReplyTo(peer.tag()).assertData(id, 0, "ok".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void earlyFramesBeyondTheLimitAreDroppedAndCounted() throws Exception {
        long id = 77;
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).maxEarlyFrames(3).build()) {
            MixnetListener listener = server.listener();
            for (int seq = 0; seq < 5; seq++) {
                peer.data(id, seq, piece(seq));
            }
            Await.until("2 dropped", () -> server.stats().dropped(DropReason.EARLY_DATA_LIMIT) == 2);
            assertEquals(3, server.stats().earlyFramesHeld());

            peer.open(id);
            MixnetStream stream = listener.accept();
            byte[] first3 = concat(piece(0), piece(1), piece(2));
            assertArrayEquals(first3, StreamTestSupport.readExactly(stream.getInputStream(), first3.length));
            assertEquals(3, server.stats().earlyFramesDelivered());
            stream.setReadTimeout(Duration.ofMillis(20));
            assertThrows(SocketTimeoutException.class, () -> stream.getInputStream().read(), "3 and 4 were dropped");

            // Sent again (as a retransmitting peer would), they complete the stream.
            peer.data(id, 3, piece(3));
            peer.data(id, 4, piece(4));
            peer.endOfStream(id, 5);
            stream.setReadTimeout(Duration.ZERO);
            assertArrayEquals(concat(piece(3), piece(4)), stream.getInputStream().readAllBytes());
        }
    }

    @Test
    void oneStreamHoldsAtMostItsReorderWindowOfEarlyFrames() throws Exception {
        long lostOpen = 91;
        long other = 92;
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).reorderWindow(8).maxEarlyFrames(100).build()) {
            MixnetListener listener = server.listener();
            // A stream whose Open was lost: its Data would otherwise fill the whole store.
            for (int seq = 0; seq < 20; seq++) {
                peer.data(lostOpen, seq, piece(seq));
            }
            Await.until("12 dropped", () -> server.stats().dropped(DropReason.EARLY_DATA_LIMIT) == 12);
            assertEquals(8, server.stats().earlyFramesHeld());

            // Another stream's early data still has room, and arrives.
            peer.data(other, 0, piece(0));
            peer.open(other);
            MixnetStream stream = listener.accept();
            assertEquals(new StreamId(other), stream.id());
            assertArrayEquals(piece(0), StreamTestSupport.readExactly(stream.getInputStream(), piece(0).length));
            assertEquals(12, server.stats().dropped(DropReason.EARLY_DATA_LIMIT));
        }
    }

    @Test
    void earlyBytesBeyondTheByteLimitAreDroppedAndCounted() throws Exception {
        // Each frame counts its payload plus the store's overhead per frame.
        long overhead = EarlyFrameStore.FRAME_OVERHEAD;
        long limit = (60 + overhead) + (40 + overhead);
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).maxEarlyBytes(limit).build()) {
            server.listener();
            peer.data(1, 0, new byte[60]);
            peer.data(1, 1, new byte[60]); // over the limit
            peer.data(2, 0, new byte[40]); // exactly the limit: fits
            Await.until("3 handled", () -> server.stats().earlyFramesHeld()
                    + server.stats().dropped(DropReason.EARLY_DATA_LIMIT) == 3);
            assertEquals(2, server.stats().earlyFramesHeld());
            assertEquals(1, server.stats().dropped(DropReason.EARLY_DATA_LIMIT));
        }
    }

    @Test
    void aSenderThatFillsTheStoreEvictsOnlyItsOwnFramesAndHonestEarlyDataStillArrives() throws Exception {
        SenderTag squatter = StreamTestSupport.tag(666);
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).build()) { // default limits
            MixnetListener listener = server.listener();
            // 4096 one-byte frames for 16 made-up ids: the whole store (256 per stream).
            for (int id = 0; id < 16; id++) {
                for (int seq = 0; seq < 256; seq++) {
                    peer.data(1000 + id, seq, new byte[1], squatter);
                }
            }
            Await.until("store full", () -> server.stats().earlyFramesHeld() == 4096);
            // 40 request/response streams whose first Data overtakes its Open, while the squatter
            // keeps sending; each honest sender has its own tag.
            for (int i = 0; i < 40; i++) {
                SenderTag honest = StreamTestSupport.tag(i);
                long id = 5000 + i;
                peer.data(2000 + i, 0, new byte[1], squatter);
                peer.data(id, 0, piece(i), honest);
                peer.data(id, 1, new byte[0], honest);
                peer.open(id, honest);
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
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).build()) {
            server.listener();
            for (int seq = 0; seq < 10; seq++) {
                peer.data(42, seq, new byte[1], null);
            }
            Await.until("dropped", () -> server.stats().dropped(DropReason.UNKNOWN_STREAM) == 10);
            assertEquals(0, server.stats().earlyFramesHeld());
        }
    }

    @Test
    void dataFromAnotherSenderTagIsDroppedAsWrongPeer() throws Exception {
        SenderTag intruder = StreamTestSupport.tag(2);
        long id = 0xabcdefL;
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).build()) {
            MixnetListener listener = server.listener();
            // Early: the intruder's frame overtakes the Open, is held, and is refused when the Open comes.
            peer.data(id, 0, "evil".getBytes(StandardCharsets.UTF_8), intruder);
            peer.open(id);
            MixnetStream stream = listener.accept();
            Await.until("wrong peer counted", () -> server.stats().dropped(DropReason.WRONG_PEER) == 1);
            assertEquals(1, server.stats().earlyFramesHeld());
            assertEquals(0, server.stats().earlyFramesDelivered(), "refused, not delivered");
            // After the Open: same.
            peer.data(id, 0, "evil".getBytes(StandardCharsets.UTF_8), intruder);
            peer.data(id, 0, "good".getBytes(StandardCharsets.UTF_8));
            peer.data(id, 1, "evil".getBytes(StandardCharsets.UTF_8), null);
            peer.endOfStream(id, 1);
            assertArrayEquals("good".getBytes(StandardCharsets.UTF_8), stream.getInputStream().readAllBytes());
            assertEquals(3, server.stats().dropped(DropReason.WRONG_PEER));
        }
    }

    @Test
    void dataWithASenderTagToAnOpenedStreamIsDroppedAsWrongPeer() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = stream.id().value();
            assertEquals(id, peer.takeFrame().assertOpen());
            // Replies come without a tag; a tagged message is someone else opening anonymously.
            peer.data(id, 0, "evil".getBytes(StandardCharsets.UTF_8), StreamTestSupport.tag(9));
            peer.reply(id, 0, "reply".getBytes(StandardCharsets.UTF_8));
            peer.replyEndOfStream(id, 1);
            assertArrayEquals("reply".getBytes(StandardCharsets.UTF_8), stream.getInputStream().readAllBytes());
            assertEquals(1, client.stats().dropped(DropReason.WRONG_PEER));
        }
    }

    @Test
    void duplicateOpenNeverReplacesTheLiveStream() throws Exception {
        SenderTag second = StreamTestSupport.tag(2);
        long id = 0x0123456789abcdefL;
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient server = MixnetClient.builder(peer.client()).build()) {
            MixnetListener listener = server.listener();
            peer.open(id);
            MixnetStream stream = listener.accept();
            peer.data(id, 0, "a".getBytes(StandardCharsets.UTF_8));
            peer.open(id);         // a mixnet duplicate
            peer.open(id, second); // a hijack attempt
            peer.data(id, 1, "b".getBytes(StandardCharsets.UTF_8));
            peer.data(id, 2, "X".getBytes(StandardCharsets.UTF_8), second);
            peer.endOfStream(id, 2);
            assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8), stream.getInputStream().readAllBytes());
            ClientStats stats = server.stats();
            assertEquals(2, stats.dropped(DropReason.DUPLICATE_OPEN));
            assertEquals(1, stats.dropped(DropReason.WRONG_PEER));
            assertEquals(1, stats.streamsAccepted());
            assertEquals(0, listener.backlogSize());
            assertEquals(peer.tag(), stream.remoteSenderTag().orElseThrow());
        }
    }

    @Test
    void openStreamNeverReusesALiveId() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            Set<StreamId> ids = new HashSet<>();
            for (int i = 0; i < 5000; i++) {
                assertTrue(ids.add(client.openStream(peer.address()).id()));
            }
            assertEquals(5000, client.stats().openStreams());
            List<ScriptedPeer.SentFrame> sent = peer.takeAll();
            assertEquals(5000, sent.size(), "one Open each");
            Set<StreamId> opened = new HashSet<>();
            for (ScriptedPeer.SentFrame frame : sent) {
                opened.add(new StreamId(frame.assertOpen()));
            }
            assertEquals(ids, opened);
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
