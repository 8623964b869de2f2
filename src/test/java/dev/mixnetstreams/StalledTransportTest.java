package dev.mixnetstreams;

import static dev.mixnetstreams.LifecycleTest.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.LifecycleTest.Started;
import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.StreamPair;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transport that takes no more data (a nym-client whose connection is up but which stopped
 * reading) or that fails one send: closing never waits for it, and a failed send breaks the
 * stream's output instead of leaving a hole the peer would wait at for good.
 */
@Timeout(60) // a hang guard only
class StalledTransportTest {

    @Test
    void streamsClosingFasterThanTheirEndsCanLeaveWaitInBoundedMemory() throws Exception {
        int beyond = 10;
        int streams = ControlSender.MAX_PENDING_STREAMS + 1 + beyond;
        try (ScriptedPeer peer = ScriptedPeer.create()) {
            ControllableTransport transport = new ControllableTransport(peer.client());
            try (MixnetClient server = MixnetClient.builder(transport).build()) {
                MixnetListener listener = server.listener();
                transport.closeGate();
                peer.open(1);
                listener.accept(); // left open: its OpenAck alone blocks the sender, everything else waits
                Await.until("the sender blocked on the first", () -> transport.waitingSenders() == 1);
                for (long id = 2; id <= streams; id++) {
                    peer.open(id);
                    listener.accept().close(); // an OpenAck and an end of stream due, per stream
                }
                assertEquals(beyond, server.stats().controlFramesDropped(),
                        "all but the newest " + ControlSender.MAX_PENDING_STREAMS + " waiting streams given up");
                transport.openGate();
            }
        }
    }

    @Test
    void closeWakesTheReaderAndReturnsWhileTheEndOfStreamCannotBeSent() throws Exception {
        try (StreamPair pair = StreamPair.builder().clientTransport(ControllableTransport::new)
                .firstBytes(new byte[] {1, 2, 3}).open()) {
            ControllableTransport transport = (ControllableTransport) pair.clientTransport();
            MixnetStream stream = pair.opened();
            MixnetStream accepted = pair.accepted();
            Started<Integer> reader = start("reader", () -> stream.getInputStream().read());
            Await.blocked(reader.thread());

            transport.closeGate();
            stream.close(); // returns although its end of stream cannot leave
            IOException woken = (IOException) reader.failure();
            assertEquals("stream closed", woken.getMessage());
            Await.until("the end of stream waits at the gate", () -> transport.waitingSenders() == 1);

            transport.openGate();
            byte[] all = accepted.getInputStream().readAllBytes(); // then -1: the end arrived after all
            assertArrayEquals(new byte[] {1, 2, 3}, all);
        }
    }

    @Test
    void clientCloseWithAStalledTransportEndsEveryStreamAndGivesUpOnTheEndsOfStream() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        ControllableTransport transport = new ControllableTransport(net.newEndpoint());
        MixnetClient server = MixnetClient.builder(net.newEndpoint()).build();
        MixnetClient client = MixnetClient.builder(transport).build();
        try (server) {
            List<Started<Integer>> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                MixnetStream stream = client.openStream(server.address());
                Started<Integer> reader = start("reader-" + i, () -> stream.getInputStream().read());
                Await.blocked(reader.thread());
                readers.add(reader);
            }
            transport.closeGate();
            client.close(); // four ends of stream due, none can leave: one shared deadline, not one each
            for (Started<Integer> reader : readers) {
                assertEquals("mixnet client closed", reader.failure().getMessage());
            }
            assertEquals(1, transport.interruptedSenders(), "the one send in progress was given up");
            assertEquals(0, transport.waitingSenders());
            assertTrue(client.isClosed());
        }
    }

    @Test
    void closeRacingTheSweepStillKeepsTheIdSoAReplayedOpenIsRefused() throws Exception {
        long id = 0x5EED;
        long canary = 0xCA7A;
        try (ScriptedPeer peer = ScriptedPeer.create()) {
            ControllableTransport transport = new ControllableTransport(peer.client());
            // A short idle timeout makes the router sweep every 100 ms.
            try (MixnetClient server = MixnetClient.builder(transport).streamIdleTimeout(Duration.ofMillis(200)).build()) {
                MixnetListener listener = server.listener();
                peer.open(id);
                MixnetStream accepted = listener.accept();
                peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.OPEN_ACK, id, 0);
                transport.closeGate();
                accepted.close(); // its end of stream now waits at the gate, as long as the test wants
                Await.until("the end of stream waits at the gate", () -> transport.waitingSenders() == 1);
                // A sweep after the close: the canary, opened now and never used, is reaped by one.
                peer.open(canary);
                listener.accept();
                Await.until("a sweep ran after the close", () -> server.stats().streamsReaped() == 1);

                peer.open(id); // replayed
                peer.data(id, 0, new byte[] {9});
                Await.until("both dropped", () -> server.stats().dropped(DropReason.DUPLICATE_OPEN) == 1
                        && server.stats().dropped(DropReason.CLOSED_STREAM) == 1);
                assertEquals(2, server.stats().streamsAccepted(), "the stream and the canary, no resurrection");
                assertFalse(server.streams.containsKey(id), "the closed stream itself is not kept");
                transport.openGate();
            }
            // Once the gate opened the end of stream left, then the canary's OpenAck, queued behind
            // it, and nothing else: the reaped canary sends no end of stream.
            peer.takeFrame().assertReplyTo(peer.tag()).assertEndOfStream(id, 0);
            peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.OPEN_ACK, canary, 0);
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void aFailedSendBreaksTheOutputAndNoEndOfStreamFollowsTheHole() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint clientEndpoint = net.newEndpoint();
        ScriptedPeer watcher = ScriptedPeer.facing(net, clientEndpoint); // records what the client sends
        ControllableTransport transport = new ControllableTransport(clientEndpoint);
        MixnetClient client = MixnetClient.builder(transport).build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).build(); client) {
            MixnetListener listener = server.listener();
            MixnetStream stream = client.openStream(server.address());
            stream.getOutputStream().write(new byte[] {1});
            transport.failNextSend(new IOException("nym-client took no more data"));
            IOException failed = assertThrows(IOException.class, () -> stream.getOutputStream().write(new byte[] {2}));
            assertEquals("nym-client took no more data", failed.getMessage());
            IOException broken = assertThrows(IOException.class, () -> stream.getOutputStream().write(new byte[] {3}));
            assertTrue(broken.getMessage().startsWith("stream output broken"), broken.getMessage());
            assertThrows(IOException.class, stream::shutdownOutput);
            stream.close();

            MixnetStream accepted = listener.accept();
            assertArrayEquals(new byte[] {1}, accepted.getInputStream().readNBytes(1));
            client.close(); // waits for ends of stream still due: none here
            // What left: the Open and Data 0, nothing after the hole at 1 (no end of stream at 2).
            long id = stream.id().value();
            assertEquals(id, watcher.takeFrame().assertAnonymous(server.address(), 10).assertOpen());
            watcher.takeFrame().assertAnonymous(server.address(), 10).assertData(id, 0, new byte[] {1});
            watcher.assertNothingMoreSent();
        }
    }
}
