package dev.mixnetstreams;

import static dev.mixnetstreams.LifecycleTest.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.LifecycleTest.Started;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.ScriptedPeer.SentFrame;
import dev.mixnetstreams.testing.StreamPair;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resets between peers of this library, and what peers that do not speak the extensions see: the
 * flag on every frame, never an extension frame, never a clean end for an aborted stream; and the
 * typed failures callers can tell apart.
 */
@Timeout(60) // a hang guard only
class ResetTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean hasBytes(MixnetStream stream) {
        try {
            return stream.getInputStream().available() > 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyFrameCarriesTheExtensionsFlagUnlessTheyAreOff() throws Exception {
        for (boolean extensions : new boolean[] {true, false}) {
            try (ScriptedPeer peer = ScriptedPeer.create();
                 MixnetClient client = MixnetClient.builder(peer.client()).extensions(extensions).build()) {
                MixnetStream stream = client.openStream(peer.address());
                stream.getOutputStream().write(utf8("x"));
                stream.shutdownOutput();
                int expected = extensions ? FrameCodec.FLAG_EXTENSIONS : 0;
                for (int i = 0; i < 3; i++) { // Open, Data, end of stream
                    assertEquals(expected, peer.takeFrame().message().data()[15]);
                }
            }
        }
    }

    @Test
    void aPeerWithoutTheExtensionsIsSentNoneAndAnAbortSendsItNothing() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.reply(id, 0, utf8("hello")); // a Rust peer's frame: flag 0
            assertEquals('h', stream.getInputStream().read());
            stream.abort(); // unread bytes left, and an abort: still nothing on the wire
            assertThrows(IOException.class, () -> stream.getInputStream().read());
            client.close();
            peer.assertNothingMoreSent(); // neither a RESET nor a clean end of stream
        }
    }

    @Test
    void closingWithDataUnreadEndsCleanlyTowardsAPeerWithoutTheExtensions() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.reply(id, 0, utf8("unread"));
            Await.until("the reply arrived", () -> hasBytes(stream));
            stream.close();
            peer.takeFrame().assertEndOfStream(id, 0); // as the reference expects
            client.close();
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void anAbortResetsThePeersBlockedReadAndItsWrites() throws Exception {
        try (StreamPair pair = StreamPair.builder().firstBytes(utf8("hi")).open()) {
            MixnetStream accepted = pair.accepted();
            assertEquals('h', accepted.getInputStream().read());
            assertEquals('i', accepted.getInputStream().read());
            Started<Integer> reader = start("blocked-reader", () -> accepted.getInputStream().read());
            Await.blocked(reader.thread());
            pair.opened().abort();
            StreamResetException reset = assertInstanceOf(StreamResetException.class, reader.failure());
            assertEquals(ResetReason.ABORTED, reset.reason());
            assertTrue(reset.byPeer());
            StreamResetException write = assertThrows(StreamResetException.class,
                    () -> accepted.getOutputStream().write(1));
            assertEquals(ResetReason.ABORTED, write.reason());
            assertThrows(IOException.class, () -> pair.opened().getInputStream().read(), "aborted here too");
            Await.until("counted when sent", () -> pair.client().stats().resetsSent() == 1); // after the send returns
            assertEquals(1, pair.server().stats().resetsReceived());
        }
    }

    @Test
    void closingWithDataUnreadResetsAPeerOfThisLibrary() throws Exception {
        try (StreamPair pair = StreamPair.builder().firstBytes(utf8("request")).open()) {
            MixnetStream accepted = pair.accepted();
            Await.until("the request arrived", () -> hasBytes(accepted));
            accepted.close(); // the request was never read
            StreamResetException reset = assertThrows(StreamResetException.class,
                    () -> pair.opened().getInputStream().read());
            assertEquals(ResetReason.CLOSED_UNREAD, reset.reason());
            Await.until("the writer is told too", () -> {
                try {
                    pair.opened().getOutputStream().write(1);
                    return false;
                } catch (StreamResetException e) {
                    return e.reason() == ResetReason.CLOSED_UNREAD;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void closingAfterReadingEverythingEndsCleanly() throws Exception {
        try (StreamPair pair = StreamPair.builder().firstBytes(utf8("all")).open()) {
            pair.opened().shutdownOutput();
            assertEquals("all", new String(pair.accepted().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            pair.accepted().getOutputStream().write(utf8("answer"));
            pair.accepted().close();
            assertEquals("answer", new String(pair.opened().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(0, pair.server().stats().resetsSent());
        }
    }

    @Test
    void aStopSendingResetFailsOnlyTheWrites() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create().speakingExtensions();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.reply(id, 0, utf8("last"));
            peer.replyEndOfStream(id, 1);
            peer.reset(id, ResetReason.STOP_SENDING.code(), "takes no more", null);
            Await.until("the reset arrived", () -> client.stats().resetsReceived() == 1);
            StreamResetException write = assertThrows(StreamResetException.class,
                    () -> stream.getOutputStream().write(1));
            assertEquals(ResetReason.STOP_SENDING, write.reason());
            assertEquals("last", new String(stream.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aResetFromAPeerThatNeverShowedTheExtensionsIsDropped() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.reply(id, 0, utf8("x")); // flag 0: the peer does not speak the extensions
            // A RESET carries the flag, but the peer's frames said otherwise: not believed.
            peer.reset(id, ResetReason.ABORTED.code(), "forged", null);
            Await.until("dropped", () -> client.stats().dropped(DropReason.EXTENSION_NOT_USABLE) == 1);
            assertEquals('x', stream.getInputStream().read());
            assertEquals(0, client.stats().resetsReceived());
        }
    }

    @Test
    void anAbortBeforeThePeerShowedItselfSendsNothing() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            peer.takeFrame().assertOpen();
            stream.abort();
            client.close();
            for (SentFrame frame : peer.takeAll()) {
                assertTrue(!frame.type().isExtension() && frame.type() != FrameType.DATA, frame.toString());
            }
        }
    }

    /** The next frame the client sends that is not a CREDIT (acknowledgements and grants come and go). */
    /** Takes the client's next frame but CREDITs and checks that it is a RESET with {@code reason}. */
    private static void assertNextReset(ScriptedPeer peer, ResetReason reason) throws InterruptedException {
        SentFrame frame = nextNotCredit(peer);
        assertEquals(FrameType.RESET, frame.type(), frame::toString);
        assertEquals(reason.code(), frame.sequence(), frame::toString);
    }

    private static SentFrame nextNotCredit(ScriptedPeer peer) throws InterruptedException {
        SentFrame frame;
        do {
            frame = peer.takeFrame();
        } while (frame.type() == FrameType.CREDIT);
        return frame;
    }

    /**
     * A RESET is sent once; if the mixnet loses it, the peer's next frames for the stream (data it
     * sends again, a probe for credit) are answered with it again, with the reason of the abort,
     * never a stop-sending one that would leave the peer's reads waiting.
     */
    @Test
    void aLostResetIsSentAgainWhenThePeersFramesShowItDidNotHear() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create().speakingExtensions();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.reply(id, 0, utf8("hello"));
            assertEquals('h', stream.getInputStream().read());
            stream.abort();
            assertNextReset(peer, ResetReason.ABORTED); // "lost": the peer goes on as if it never came
            peer.reply(id, 1, utf8("more")); // new data: before, told only to stop sending
            assertNextReset(peer, ResetReason.ABORTED);
            peer.credit(id, new ExtensionFrames.Credit(0, 1 << 20, 0, true), null); // a probe
            assertNextReset(peer, ResetReason.ABORTED);
        }
    }

    /**
     * An abort before the peer showed what it speaks sends nothing (it may be a Rust peer); when
     * its first frame then shows the extensions (its OpenAck, after a RESET that overtook the
     * Open would have been dropped), it is told.
     */
    @Test
    void anAbortBeforeThePeerShowedItselfIsToldWhenItsFirstFrameShowsTheExtensions() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create().speakingExtensions();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            stream.abort();
            peer.openAck(id);
            assertNextReset(peer, ResetReason.ABORTED);
        }
    }

    /** A peer's reset ends the sending too: frames it never acknowledged are not sent again. */
    @Test
    void aResetByThePeerDropsTheFramesWaitingForItsAcknowledgement() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create().speakingExtensions();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.reply(id, 0, utf8("x")); // the peer speaks the extensions; it acknowledges nothing
            stream.getOutputStream().write(utf8("never acknowledged"));
            assertTrue(!stream.writer().isDrained(), "the frame waits for its acknowledgement");
            peer.reset(id, ResetReason.ABORTED.code(), "gone", null);
            Await.until("nothing is kept to be sent again", () -> stream.writer().isDrained());
        }
    }

    @Test
    void failuresHaveTypesOfTheirOwn() throws Exception {
        StreamPair pair = StreamPair.builder().firstBytes(utf8("x")).open();
        MixnetStream accepted = pair.accepted();
        assertEquals('x', accepted.getInputStream().read());
        Started<Integer> reader = start("blocked-reader", () -> accepted.getInputStream().read());
        Await.blocked(reader.thread());
        pair.server().close();
        assertInstanceOf(ClientClosedException.class, reader.failure());
        assertThrows(ClientClosedException.class, () -> accepted.getOutputStream().write(1));
        pair.close();

        try (StreamPair failing = StreamPair.builder().firstBytes(utf8("y")).open()) {
            MixnetStream opened = failing.opened();
            ((dev.mixnetstreams.sim.LoopbackMixnet.Endpoint) failing.clientTransport())
                    .fail(new IOException("connection lost"));
            assertInstanceOf(TransportFailedException.class,
                    assertThrows(IOException.class, () -> opened.getInputStream().read()));
            assertThrows(TransportFailedException.class, () -> failing.client().openStream(failing.server().address()));
        }
    }
}
