package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.ScriptedPeer.SentFrame;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Newer Rust peers' OpenAck, Ping and Pong, played frame by frame by a scripted peer, in both
 * roles, through upstream's own scenarios (PROTOCOL.md, sections 3 and 4.7); and a peer of the
 * first protocol version, which sends none of them.
 */
@Timeout(60) // a hang guard only
class EstablishmentAndKeepaliveTest {

    /** Short, so that keepalive steps come within the test; the sweep runs every quarter of it. */
    private static final Duration INTERVAL = Duration.ofMillis(100);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MixnetClient client(ScriptedPeer peer) {
        return MixnetClient.builder(peer.client()).keepaliveInterval(INTERVAL).build();
    }

    // ---- this library opens; the scripted peer accepts ----

    @Test
    void againstAFirstVersionPeerEstablishmentWaitsForItsDataAndItIsNeverPinged() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = client(peer)) {
            MixnetStream quiet = client.openStream(peer.address());
            long quietId = peer.takeFrame().assertOpen();
            assertFalse(quiet.isEstablished());
            assertThrows(SocketTimeoutException.class, () -> quiet.awaitEstablished(Duration.ofMillis(50)));
            quiet.getOutputStream().write(utf8("still usable"));
            peer.takeFrame().assertData(quietId, 0, utf8("still usable"));

            // A canary armed by an OpenAck gets pinged twice: sweeps ran, and the quiet stream,
            // established by Data alone (not armed), sent nothing all along.
            MixnetStream canary = client.openStream(peer.address());
            long canaryId = peer.takeFrame().assertOpen();
            peer.reply(quietId, 0, utf8("hi"));
            quiet.awaitEstablished(Duration.ofSeconds(20));
            assertTrue(quiet.isEstablished());
            peer.openAck(canaryId);
            canary.awaitEstablished(Duration.ofSeconds(20));
            int first = peer.takeFrame().assertAnonymous(peer.address(), ControlSender.PING_REPLY_SURBS)
                    .assertPing(canaryId).sequence();
            SentFrame again = peer.takeFrame();
            again.assertControl(FrameType.PING, canaryId, first); // the same nonce until answered
            peer.assertNothingMoreSent();
            assertEquals(0, client.stats().streamsUnresponsive());
        }
    }

    @Test
    void anOpenAckEstablishesAndArmsAndAnsweredPingsKeepTheStreamAlive() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = client(peer)) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.openAck(id);
            stream.awaitEstablished(Duration.ofSeconds(20));
            assertEquals(1, client.stats().openAcksReceived());
            int previous = 0;
            for (int round = 0; round < 4; round++) {
                SentFrame ping = peer.takeFrame().assertPing(id);
                if (round > 0) {
                    assertNotEquals(previous, ping.sequence(), "an answered Ping's nonce is not used again");
                }
                previous = ping.sequence();
                peer.pong(id, ping.sequence(), null);
            }
            assertEquals(0, client.stats().streamsUnresponsive());
            stream.getOutputStream().write(utf8("alive"));
            Await.until("the data frame sent", () -> client.stats().framesOut() == 2);
        }
    }

    @Test
    void threeMissedPingsFailReadsAndWritesWithPeerUnresponsive() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = client(peer)) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.openAck(id);
            peer.reply(id, 0, utf8("kept"));
            for (int miss = 0; miss < 3; miss++) {
                peer.takeFrame().assertPing(id);
            }
            Await.until("given up", () -> client.stats().streamsUnresponsive() == 1);
            assertArrayEquals(utf8("kept"), stream.getInputStream().readNBytes(4), "what came is handed out first");
            IOException read = assertThrows(IOException.class, () -> stream.getInputStream().read());
            assertInstanceOf(PeerUnresponsiveException.class, read, read.toString());
            IOException write = assertThrows(IOException.class, () -> stream.getOutputStream().write(1));
            assertInstanceOf(PeerUnresponsiveException.class, write, write.toString());
            // It stays failed even if the peer speaks again.
            peer.reply(id, 1, utf8("late"));
            Await.until("dropped", () -> client.stats().dropped(DropReason.CLOSED_STREAM) == 1);
            assertInstanceOf(PeerUnresponsiveException.class, assertThrows(IOException.class,
                    () -> stream.getInputStream().read()));
        }
    }

    @Test
    void aPingThatCannotLeaveIsNoMiss() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); ScriptedPeer canaryPeer = ScriptedPeer.create()) {
            ControllableTransport transport = new ControllableTransport(peer.client());
            try (MixnetClient client = MixnetClient.builder(transport).keepaliveInterval(INTERVAL).build();
                 MixnetClient canaryClient = client(canaryPeer)) {
                MixnetStream stream = client.openStream(peer.address());
                long id = peer.takeFrame().assertOpen();
                peer.openAck(id);
                stream.awaitEstablished(Duration.ofSeconds(20));
                transport.closeGate(); // a nym-client that takes no more data
                Await.until("a Ping waits at the gate", () -> transport.waitingSenders() == 1);
                // A canary with the same interval, whose Pings do leave and go unanswered, is given
                // up on: at least four intervals have passed, and the gated Ping counted no miss.
                MixnetStream canary = canaryClient.openStream(canaryPeer.address());
                canaryPeer.openAck(canaryPeer.takeFrame().assertOpen());
                canary.awaitEstablished(Duration.ofSeconds(20));
                Await.until("the canary given up", () -> canaryClient.stats().streamsUnresponsive() == 1);
                assertEquals(0, client.stats().streamsUnresponsive(), "no miss while the Ping could not leave");
                assertEquals(0, client.stats().pingsSent());
                transport.openGate();
                int nonce = peer.takeFrame().assertPing(id).sequence();
                assertEquals(0, client.stats().streamsUnresponsive(), "a Ping that just left is no miss yet");
                // Unanswered from now on, it takes three Pings that left to give up.
                peer.takeFrame().assertControl(FrameType.PING, id, nonce);
                peer.takeFrame().assertControl(FrameType.PING, id, nonce);
                Await.until("given up", () -> client.stats().streamsUnresponsive() == 1);
                assertEquals(3, client.stats().pingsSent());
            }
        }
    }

    @Test
    void aPongWithAStaleNonceNeitherEstablishesNorArms() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = client(peer)) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.pong(id, 0x1234, null);
            Await.until("counted", () -> client.stats().pongsReceived() == 1);
            assertFalse(stream.isEstablished());
            peer.openAck(id); // now armed: a Ping
            int nonce = peer.takeFrame().assertPing(id).sequence();
            peer.pong(id, nonce + 1, null); // stale: a sign of life, not an answer
            peer.pong(id, nonce, null);
            assertTrue(stream.isEstablished());
            assertEquals(0, client.stats().streamsUnresponsive());
        }
    }

    // ---- the scripted peer opens; this library accepts ----

    @Test
    void anOpensPayloadIsTheFirstBytesEvenWhenDataOvertakesIt() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient server = client(peer)) {
            MixnetListener listener = server.listener();
            long id = 0x1D;
            peer.data(id, 0, utf8(" world"));      // overtakes its Open
            peer.send(FrameCodec.encode(id, FrameType.OPEN, 0, utf8("hello")), peer.tag());
            peer.endOfStream(id, 1);
            MixnetStream stream = listener.accept();
            assertTrue(stream.isEstablished(), "an accepted stream is established from the start");
            assertArrayEquals(utf8("hello world"), stream.getInputStream().readAllBytes());
        }
    }

    @Test
    void acceptSendsAnOpenAckAndPingsGetPongsOnlyForStreamsOpenHere() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient server = client(peer)) {
            MixnetListener listener = server.listener();
            long id = 0x0A;
            peer.open(id);
            MixnetStream stream = listener.accept();
            peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.OPEN_ACK, id, 0);
            peer.ping(id, 0xcafebabe, peer.tag());
            peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.PONG, id, 0xcafebabe);

            peer.ping(0x0B, 1, peer.tag());                           // unknown id: silence, nothing held
            peer.ping(id, 2, peer.tagOf(Recipient.random(new java.util.SplittableRandom(5)))); // not its opener
            peer.send(FrameCodec.encode(id, FrameType.OPEN_ACK, 0, new byte[0]), peer.tag()); // only openers get one
            Await.until("all three dropped", () -> server.stats().dropped(DropReason.CONTROL_FOR_UNKNOWN_STREAM) == 1
                    && server.stats().dropped(DropReason.WRONG_PEER) == 1
                    && server.stats().dropped(DropReason.UNEXPECTED_OPEN_ACK) == 1);
            assertEquals(0, server.stats().earlyFramesHeld());

            stream.close();
            peer.takeFrame().assertReplyTo(peer.tag()).assertEndOfStream(id, 0);
            peer.ping(id, 3, peer.tag());                              // closed here: silence
            Await.until("dropped", () -> server.stats().dropped(DropReason.CLOSED_STREAM) == 1);
            server.close();
            peer.assertNothingMoreSent();
            assertEquals(1, server.stats().pongsSent());
            assertEquals(1, server.stats().openAcksSent());
        }
    }

    @Test
    void aFirstVersionOpenerWorksByteForByteAndOnlyGetsAnOpenAckItDrops() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient server = client(peer)) {
            MixnetListener listener = server.listener();
            long id = 0x5EED;
            peer.open(id);
            peer.data(id, 0, utf8("request"));
            MixnetStream stream = listener.accept();
            peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.OPEN_ACK, id, 0);
            assertArrayEquals(utf8("request"), stream.getInputStream().readNBytes(7));
            stream.getOutputStream().write(utf8("response"));
            stream.shutdownOutput();
            peer.takeFrame().assertReplyTo(peer.tag()).assertData(id, 0, utf8("response"));
            peer.takeFrame().assertReplyTo(peer.tag()).assertEndOfStream(id, 1);
            peer.assertNothingMoreSent(); // no Ping: an acceptor never pings
        }
    }
}
