package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Message mode, its guard once stream mode starts, and an Open received while still in message mode. */
class MessageModeTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainMessagesAndRepliesBetweenTwoClients() throws Exception {
        try (SimulatedMixnet mixnet = StreamTestSupport.jitteryMixnet(3, 0);
             MixnetClient alice = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient bob = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            alice.sendPlainMessage(bob.address(), utf8("ping"));
            List<InboundMessage> atBob = bob.waitForMessages();
            assertEquals(1, atBob.size());
            assertArrayEquals(utf8("ping"), atBob.get(0).data());
            SenderTag tag = atBob.get(0).senderTag();
            assertNotNull(tag, "sent anonymously with SURBs");
            bob.sendReply(tag, utf8("pong"));
            List<InboundMessage> atAlice = alice.waitForMessages();
            assertEquals(1, atAlice.size());
            assertArrayEquals(utf8("pong"), atAlice.get(0).data());
            assertNull(atAlice.get(0).senderTag(), "replies carry no tag");
            assertEquals(List.of(), alice.waitForMessages(Duration.ofMillis(10)));
            assertTrue(!alice.isStreamMode() && !bob.isStreamMode());
        }
    }

    @Test
    void messageModeCallsThrowOnceStreamModeStarts() throws Exception {
        try (SimulatedMixnet mixnet = StreamTestSupport.jitteryMixnet(4, 0);
             MixnetClient alice = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient bob = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            alice.sendPlainMessage(bob.address(), utf8("hi"));
            SenderTag tag = bob.waitForMessages().get(0).senderTag();

            alice.openStream(bob.address());
            bob.listener();
            for (MixnetClient c : List.of(alice, bob)) {
                assertTrue(c.isStreamMode());
                IllegalStateException e = assertThrows(StreamModeActiveException.class,
                        () -> c.sendPlainMessage(bob.address(), utf8("x")));
                assertInstanceOf(IllegalStateException.class, e);
                assertThrows(StreamModeActiveException.class, () -> c.sendReply(tag, utf8("x")));
                assertThrows(StreamModeActiveException.class, c::waitForMessages);
                assertThrows(StreamModeActiveException.class, () -> c.waitForMessages(Duration.ofMillis(1)));
            }
        }
    }

    @Test
    void aThreadWaitingForMessagesIsWokenWhenStreamModeStarts() throws Exception {
        for (boolean byListener : new boolean[] {true, false}) {
            LoopbackMixnet net = LoopbackMixnet.builder().build();
            LoopbackMixnet.Endpoint peer = net.newEndpoint();
            try (MixnetClient client = MixnetClient.builder(net.newEndpoint()).build()) {
                LifecycleTest.Started<List<InboundMessage>> waiter = LifecycleTest.start("waiter", client::waitForMessages);
                Await.blocked(waiter.thread());
                if (byListener) {
                    client.listener();
                } else {
                    client.openStream(peer.address());
                }
                assertInstanceOf(StreamModeActiveException.class, waiter.failure(), "started by " + (byListener ? "listener" : "openStream"));
            }
        }
    }

    @Test
    void anOpenReceivedInMessageModeIsAcceptedOnceTheListenerIsTaken() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        // The opener without the extensions: its credit for the acceptor would be a fourth frame.
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(net.newEndpoint()).extensions(false).build()) {
            MixnetStream opened = client.openStream(server.address());
            opened.getOutputStream().write(utf8("early"));
            opened.shutdownOutput();
            // Open, Data and end of stream have reached the server's router, which queued them as
            // message-mode messages and went back to waiting on its queue.
            Await.until("3 messages in and the router idle", () -> server.stats().messagesIn() == 3
                    && (server.routerThread().getState() == Thread.State.WAITING
                    || server.routerThread().getState() == Thread.State.TIMED_WAITING));
            assertTrue(!server.isStreamMode());
            assertEquals(0, server.stats().framesIn());

            MixnetListener listener = server.listener();
            MixnetStream accepted = listener.accept(Duration.ofSeconds(30));
            assertEquals(opened.id(), accepted.id());
            assertArrayEquals(utf8("early"), accepted.getInputStream().readAllBytes());
            assertEquals(3, server.stats().framesIn());
            assertEquals(0, server.stats().droppedTotal());
        }
    }
}
