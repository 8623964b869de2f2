package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mixnetstreams.sim.SentMessage;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.ScriptedPeer.SentFrame;
import dev.mixnetstreams.wire.DecodeStatus;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the library sends, frame by frame, as the peer sees it (PROTOCOL.md sections 4.1 to 4.4):
 * the opener's Open and Data go anonymously with its SURBs, the acceptor's as replies to the
 * opener's tag; Data is numbered per direction from 0; an end of stream is an empty Data frame at
 * the next number, and none follows a send that failed.
 */
@Timeout(60) // a hang guard only
class SentFramesTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anOpenIsAnonymousWithTwentySurbsByDefaultSequenceZeroAndEmpty() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            SentFrame open = peer.takeFrame().assertAnonymous(peer.address(), MixnetClient.DEFAULT_OPEN_SURBS);
            assertEquals(stream.id().value(), open.assertOpen());
            assertEquals(FrameCodec.FLAG_EXTENSIONS, open.message().data()[15], "the reserved byte: the extensions flag");
            peer.assertNothingMoreSent(); // no handshake: the Open is all
        }
    }

    @Test
    void theSurbsGivenToOpenStreamGoWithTheOpenAndDataFramesCarryNone() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            for (int surbs : new int[] {3, 0}) {
                MixnetStream stream = client.openStream(peer.address(), surbs);
                long id = stream.id().value();
                assertEquals(id, peer.takeFrame().assertAnonymous(peer.address(), surbs).assertOpen());
                stream.getOutputStream().write(utf8("data"));
                peer.takeFrame().assertAnonymous(peer.address(), 0).assertData(id, 0, utf8("data"));
                stream.shutdownOutput();
                peer.takeFrame().assertAnonymous(peer.address(), 0).assertEndOfStream(id, 1);
            }
            assertThrows(IllegalArgumentException.class, () -> client.openStream(peer.address(), -1));
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void theReferencePolicyPutsTheOpensSurbsOnEveryDataFrame() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).surbsOnEveryFrame(true).build()) {
            MixnetStream stream = client.openStream(peer.address(), 10);
            long id = peer.takeFrame().assertAnonymous(peer.address(), 10).assertOpen();
            stream.getOutputStream().write(utf8("data"));
            peer.takeFrame().assertAnonymous(peer.address(), 10).assertData(id, 0, utf8("data"));
            stream.close();
            peer.takeFrame().assertAnonymous(peer.address(), 10).assertEndOfStream(id, 1);
        }
    }

    @Test
    void eachWriteIsOneDataFrameNumberedFromZeroAndLargerOnesAreSplit() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).maxFramePayload(4).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            stream.getOutputStream().write(utf8("a"));
            stream.getOutputStream().write(utf8("bb"));
            stream.getOutputStream().write(new byte[0]); // sends nothing
            stream.getOutputStream().write(utf8("cccc"));
            peer.takeFrame().assertData(id, 0, utf8("a"));
            peer.takeFrame().assertData(id, 1, utf8("bb"));
            peer.takeFrame().assertData(id, 2, utf8("cccc"));
            peer.assertNothingMoreSent();
            stream.getOutputStream().write(utf8("0123456789")); // over maxFramePayload: consecutive frames
            peer.takeFrame().assertData(id, 3, utf8("0123"));
            peer.takeFrame().assertData(id, 4, utf8("4567"));
            peer.takeFrame().assertData(id, 5, utf8("89"));
            stream.getOutputStream().write('z');
            peer.takeFrame().assertData(id, 6, utf8("z"));
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void shutdownOutputSendsOneEmptyDataFrameAtTheNextSequenceAndNothingAfter() throws Exception {
        ScriptedPeer peer = ScriptedPeer.create();
        MixnetClient client = MixnetClient.builder(peer.client()).build();
        try (peer; client) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            stream.getOutputStream().write(utf8("x"));
            stream.getOutputStream().write(utf8("y"));
            stream.shutdownOutput();
            peer.takeFrame().assertData(id, 0, utf8("x"));
            peer.takeFrame().assertData(id, 1, utf8("y"));
            peer.takeFrame().assertAnonymous(peer.address(), 0).assertEndOfStream(id, 2);
            stream.shutdownOutput(); // idempotent: no second end
            stream.close();          // its end was sent already
            client.close();          // waits for ends of stream still due
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void closeSendsTheEndOfStreamIfShutdownOutputDidNot() throws Exception {
        ScriptedPeer peer = ScriptedPeer.create();
        MixnetClient client = MixnetClient.builder(peer.client()).build();
        try (peer; client) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            stream.getOutputStream().write(utf8("last"));
            peer.takeFrame().assertData(id, 0, utf8("last"));
            stream.close(); // the end of stream follows from the client's sender thread
            peer.takeFrame().assertAnonymous(peer.address(), 0).assertEndOfStream(id, 1);
            client.close();
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void noEndOfStreamFollowsASendThatFailed() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create()) {
            ControllableTransport transport = new ControllableTransport(peer.client());
            try (MixnetClient client = MixnetClient.builder(transport).build()) {
                MixnetStream stream = client.openStream(peer.address());
                long id = peer.takeFrame().assertOpen();
                stream.getOutputStream().write(utf8("sent"));
                peer.takeFrame().assertData(id, 0, utf8("sent"));
                transport.failNextSend(new IOException("nym-client took no more data"));
                assertThrows(IOException.class, () -> stream.getOutputStream().write(utf8("lost")));
                assertThrows(IOException.class, () -> stream.getOutputStream().write(utf8("refused")));
                assertThrows(IOException.class, stream::shutdownOutput);
                stream.close();
            } // closing the client waits for ends of stream still due
            peer.assertNothingMoreSent(); // Data 1 was lost, so no end of stream at 2 and nothing after
        }
    }

    @Test
    void theAcceptorRepliesToItsOpenersTagAndNumbersItsOwnFramesFromZero() throws Exception {
        long first = 0x1111;
        long second = 0x2222;
        ScriptedPeer peer = ScriptedPeer.create();
        MixnetClient server = MixnetClient.builder(peer.client()).build();
        try (peer; server) {
            MixnetListener listener = server.listener();
            SenderTag otherTag = peer.tagOf(Recipient.random(new SplittableRandom(2))); // a second opener
            peer.open(first);
            peer.open(second, otherTag);
            MixnetStream a = listener.accept();
            MixnetStream b = listener.accept();
            assertEquals(first, a.id().value());
            // Accepting sends each opener an OpenAck, by reply to its tag.
            peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.OPEN_ACK, first, 0);
            peer.takeFrame().assertReplyTo(otherTag).assertControl(FrameType.OPEN_ACK, second, 0);
            peer.assertNothingMoreSent();
            peer.data(first, 0, utf8("request"));
            assertArrayEquals(utf8("request"), a.getInputStream().readNBytes(7));

            a.getOutputStream().write(utf8("re"));
            b.getOutputStream().write(utf8("other"));
            a.getOutputStream().write(utf8("ply"));
            a.shutdownOutput();
            peer.takeFrame().assertReplyTo(peer.tag()).assertData(first, 0, utf8("re"));
            peer.takeFrame().assertReplyTo(otherTag).assertData(second, 0, utf8("other"));
            peer.takeFrame().assertReplyTo(peer.tag()).assertData(first, 1, utf8("ply"));
            peer.takeFrame().assertReplyTo(peer.tag()).assertEndOfStream(first, 2);
            b.close();
            peer.takeFrame().assertReplyTo(otherTag).assertEndOfStream(second, 1);
            server.close();
            peer.assertNothingMoreSent(); // a's end was sent already
        }
    }

    @Test
    void messageModeSendsACopyAnonymouslyWithTenSurbsAndRepliesByTag() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            byte[] message = utf8("hello");
            client.sendPlainMessage(peer.address(), message);
            SentMessage sent = peer.takeFrame().assertAnonymous(peer.address(), 10).message();
            assertArrayEquals(message, sent.data());
            assertNotSame(message, sent.data(), "the caller's array is not kept");
            peer.send(utf8("question"), peer.tag());
            InboundMessage received = client.waitForMessages().get(0);
            client.sendReply(received.senderTag(), utf8("answer"));
            SentFrame reply = peer.takeFrame().assertReplyTo(peer.tag());
            assertArrayEquals(utf8("answer"), reply.message().data());
            assertEquals(DecodeStatus.TOO_SHORT, reply.status(), "a message, not a stream frame");
        }
    }
}
