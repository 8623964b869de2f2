package dev.mixnetstreams.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.testing.Await;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour of {@link LoopbackMixnet}. The timeout only guards against hangs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackMixnetTest {

    private static byte[] number(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static int number(InboundMessage m) {
        return ByteBuffer.wrap(m.data()).getInt();
    }

    /** A send on its own virtual thread; the future completes with what it threw, or null. */
    private record Sending(Thread thread, CompletableFuture<Throwable> outcome) {
        static Sending start(LoopbackMixnet.Endpoint from, Recipient to, byte[] message) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread thread = Thread.ofVirtual().start(() -> {
                try {
                    from.send(to, message);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            return new Sending(thread, outcome);
        }
    }

    @Test
    void aSendIsInTheReceiversQueueWhenItReturns() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().seed(1).build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            assertNotEquals(a.address(), b.address());
            assertSame(b.inbound(), b.inbound());
            byte[] first = number(0);
            a.send(b.address(), first);
            assertEquals(1, b.inbound().size(), "delivered on the sender's thread");
            InboundMessage m = b.inbound().poll();
            assertSame(first, m.data(), "the sender's array itself");
            assertNull(m.senderTag());
            for (int i = 0; i < 10_000; i++) {
                a.send(b.address(), number(i));
            }
            for (int i = 0; i < 10_000; i++) {
                assertEquals(i, number(b.inbound().poll()), "in the order sent");
            }
            assertTrue(a.inbound().isEmpty());
        }
    }

    @Test
    void theSameSeedGivesTheSameAddressesAndTags() {
        List<Object> first = addressesAndTag(LoopbackMixnet.builder().seed(42).build());
        assertEquals(first, addressesAndTag(LoopbackMixnet.builder().seed(42).build()));
        assertNotEquals(first, addressesAndTag(LoopbackMixnet.builder().seed(43).build()));
    }

    private static List<Object> addressesAndTag(LoopbackMixnet net) {
        try (net) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            return List.of(a.address(), b.address(), net.issueTag(a.address(), b.address()));
        }
    }

    @Test
    void anonymousMessagesCarryOneTagPerPairAndRepliesGoBackUntagged() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            LoopbackMixnet.Endpoint c = net.newEndpoint();
            a.sendAnonymous(b.address(), number(1), 10);
            a.sendAnonymous(b.address(), number(2), 0);
            c.sendAnonymous(b.address(), number(3), 1);
            SenderTag fromA = b.inbound().poll().senderTag();
            assertEquals(fromA, b.inbound().poll().senderTag(), "fixed per (sender, recipient)");
            SenderTag fromC = b.inbound().poll().senderTag();
            assertNotEquals(fromA, fromC);
            assertEquals(fromA, net.issueTag(a.address(), b.address()), "the tag a's messages to b carry");

            b.reply(fromA, number(4));
            InboundMessage reply = a.inbound().poll();
            assertEquals(4, number(reply));
            assertNull(reply.senderTag(), "a reply carries no tag");
            assertTrue(c.inbound().isEmpty());

            // Only the recipient the tag was issued to can reply with it.
            IOException notIssued = assertThrows(IOException.class, () -> c.reply(fromA, number(5)));
            assertEquals("unknown sender tag " + fromA, notIssued.getMessage());
            SenderTag unknown = SenderTag.random(new SplittableRandom(1));
            assertThrows(IOException.class, () -> b.reply(unknown, number(6)));
            assertThrows(IllegalArgumentException.class, () -> a.sendAnonymous(b.address(), number(7), -1));
        }
    }

    @Test
    void aPeerATestPlaysGetsATagTheReceiverCanReplyToAndItsRepliesAreDropped() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().build()) {
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            Recipient peer = Recipient.random(new SplittableRandom(9)); // no endpoint
            SenderTag tag = net.issueTag(peer, b.address());
            assertEquals(tag, net.issueTag(peer, b.address()));
            assertTrue(b.inject(number(1), tag));
            assertEquals(tag, b.inbound().poll().senderTag());
            List<SentMessage> sent = new CopyOnWriteArrayList<>();
            b.onSend(sent::add);
            b.reply(tag, number(2)); // routed to the peer's address, where no endpoint listens: dropped
            assertEquals(1, sent.size());
            assertEquals(SentMessage.Kind.REPLY, sent.get(0).kind());
            assertEquals(tag, sent.get(0).senderTag());
            assertNull(sent.get(0).recipient());
        }
    }

    @Test
    void everySendIsObservedWithHowItWasSentBeforeItIsDelivered() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            List<SentMessage> sent = new CopyOnWriteArrayList<>();
            List<Integer> queuedWhenObserved = new CopyOnWriteArrayList<>();
            a.onSend(m -> {
                sent.add(m);
                queuedWhenObserved.add(b.inbound().size());
            });
            byte[] plain = number(1);
            byte[] anonymous = number(2);
            Recipient nowhere = Recipient.random(new SplittableRandom(3));
            a.send(b.address(), plain);
            a.sendAnonymous(b.address(), anonymous, 7);
            a.send(nowhere, number(3)); // dropped by the network, but sent
            assertThrows(IOException.class, () -> a.reply(SenderTag.random(new SplittableRandom(4)), number(4)));

            assertEquals(3, sent.size(), "a refused reply is not sent");
            assertEquals(new SentMessage(SentMessage.Kind.SEND, b.address(), null, 0, 0, plain), sent.get(0));
            SentMessage anon = sent.get(1);
            assertEquals(SentMessage.Kind.SEND_ANONYMOUS, anon.kind());
            assertEquals(b.address(), anon.recipient());
            assertEquals(7, anon.replySurbs());
            assertSame(anonymous, anon.data());
            assertEquals(net.issueTag(a.address(), b.address()), anon.senderTag());
            assertEquals(nowhere, sent.get(2).recipient());
            assertEquals(List.of(0, 1, 2), queuedWhenObserved, "observed before delivery");
            assertEquals(2, b.inbound().size());
        }
    }

    @Test
    void aSenderWaitsWhileTheReceiversQueueIsFull() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().inboundCapacity(2).build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint slow = net.newEndpoint();
            LoopbackMixnet.Endpoint other = net.newEndpoint();
            a.send(slow.address(), number(0));
            a.send(slow.address(), number(1));
            Sending third = Sending.start(a, slow.address(), number(2));
            Await.blocked(third.thread());
            assertFalse(third.outcome().isDone());
            a.send(other.address(), number(9)); // other senders and receivers are not held up
            assertEquals(9, number(other.inbound().poll()));

            assertEquals(0, number(slow.inbound().take())); // room: the third goes in
            assertNull(third.outcome().get(30, TimeUnit.SECONDS));
            assertEquals(1, number(slow.inbound().take()));
            assertEquals(2, number(slow.inbound().take()));
        }
    }

    @Test
    void interruptingAWaitingSenderThrowsInterruptedIOExceptionAndKeepsTheFlag() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().inboundCapacity(1).build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint full = net.newEndpoint();
            a.send(full.address(), number(0));
            CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    a.send(full.address(), number(1));
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                } finally {
                    flagAfter.complete(Thread.currentThread().isInterrupted());
                }
            });
            Await.blocked(sender);
            sender.interrupt();
            assertInstanceOf(InterruptedIOException.class, outcome.get(30, TimeUnit.SECONDS));
            assertTrue(flagAfter.get(30, TimeUnit.SECONDS), "interrupt flag set again");
            assertEquals(1, full.inbound().size(), "the interrupted message was not delivered");
        }
    }

    @Test
    void closingTheReceiverLetsAWaitingSenderGoOnAndDropsItsMessage() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().inboundCapacity(1).build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            a.send(b.address(), number(0));
            Sending waiting = Sending.start(a, b.address(), number(1));
            Await.blocked(waiting.thread());
            b.close();
            assertNull(waiting.outcome().get(30, TimeUnit.SECONDS), "the send returns: its message is dropped");
            assertTrue(b.isClosed());
            assertEquals(1, b.inbound().size(), "what came before the close stays");
            assertEquals(0, number(b.inbound().poll()));
            a.send(b.address(), number(2)); // to a closed endpoint: dropped
            assertFalse(b.inject(number(3), null));
            assertTrue(b.inbound().isEmpty());
            assertEquals("transport closed", assertThrows(IOException.class, () -> b.send(a.address(), number(4))).getMessage());
            b.close(); // idempotent
        }
    }

    @Test
    void closingOrFailingTheSenderEndsItsWaitForRoom() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().inboundCapacity(1).build()) {
            LoopbackMixnet.Endpoint full = net.newEndpoint();
            LoopbackMixnet.Endpoint closing = net.newEndpoint();
            LoopbackMixnet.Endpoint failing = net.newEndpoint();
            closing.send(full.address(), number(0));
            Sending closed = Sending.start(closing, full.address(), number(1));
            Sending failed = Sending.start(failing, full.address(), number(2));
            Await.blocked(closed.thread());
            Await.blocked(failed.thread());
            closing.close();
            failing.fail(new IOException("connection to nym-client lost"));
            assertEquals("transport closed", closed.outcome().get(30, TimeUnit.SECONDS).getMessage());
            assertEquals("connection to nym-client lost", failed.outcome().get(30, TimeUnit.SECONDS).getMessage());
            assertEquals(1, full.inbound().size(), "neither was delivered");
            assertEquals(0, number(full.inbound().poll()));
        }
    }

    @Test
    void injectDeliversRawMessagesWithOrWithoutATag() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().inboundCapacity(1).build()) {
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            SenderTag tag = SenderTag.random(new SplittableRandom(5));
            byte[] raw = {1, 2, 3};
            assertTrue(b.inject(raw, tag));
            InboundMessage m = b.inbound().poll();
            assertSame(raw, m.data());
            assertEquals(tag, m.senderTag());
            assertTrue(b.inject(new byte[0], null));
            assertNull(b.inbound().poll().senderTag());
        }
    }

    @Test
    void failingAnEndpointRunsItsCallbacksOnceKeepsItsQueueAndFailsItsSends() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            LoopbackMixnet.Endpoint b = net.newEndpoint();
            List<IOException> calls = new CopyOnWriteArrayList<>();
            b.onFailure(calls::add);
            a.send(b.address(), number(1));
            IOException lost = new IOException("connection to nym-client lost");
            b.fail(lost);
            b.fail(new IOException("again")); // once only
            assertEquals(List.of(lost), calls);
            assertTrue(b.isClosed());
            assertEquals(1, number(b.inbound().poll()), "what came before the failure stays for the consumer");
            a.send(b.address(), number(2));
            assertTrue(b.inbound().isEmpty(), "nothing arrives after it");
            IOException send = assertThrows(IOException.class, () -> b.send(a.address(), number(3)));
            assertEquals("connection to nym-client lost", send.getMessage());
            assertSame(lost, send.getCause());
            List<IOException> late = new CopyOnWriteArrayList<>();
            b.onFailure(late::add); // after the failure: at once
            assertEquals(List.of(lost), late);

            // Closed by its client instead: no callback.
            LoopbackMixnet.Endpoint c = net.newEndpoint();
            List<IOException> none = new CopyOnWriteArrayList<>();
            c.onFailure(none::add);
            c.close();
            c.fail(new IOException("after close"));
            assertTrue(none.isEmpty());
        }
    }

    @Test
    void closingTheMixnetFailsEveryOpenEndpoint() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint a = net.newEndpoint();
        LoopbackMixnet.Endpoint b = net.newEndpoint();
        b.close();
        List<IOException> aCalls = new CopyOnWriteArrayList<>();
        List<IOException> bCalls = new CopyOnWriteArrayList<>();
        a.onFailure(aCalls::add);
        b.onFailure(bCalls::add);
        net.close();
        net.close(); // idempotent
        assertEquals(1, aCalls.size());
        assertEquals("loopback mixnet closed", aCalls.get(0).getMessage());
        assertTrue(bCalls.isEmpty(), "closed by its client first");
        assertEquals("loopback mixnet closed", assertThrows(IllegalStateException.class, net::newEndpoint).getMessage());
    }

    @Test
    void settingsAreCheckedWhereTheyAreSet() {
        assertEquals("inboundCapacity must be positive, got 0", assertThrows(IllegalArgumentException.class,
                () -> LoopbackMixnet.builder().inboundCapacity(0)).getMessage());
        try (LoopbackMixnet net = LoopbackMixnet.builder().seed(5).build()) {
            assertEquals(5, net.seed());
            assertEquals(LoopbackMixnet.Builder.DEFAULT_INBOUND_CAPACITY, net.newEndpoint().inbound().remainingCapacity());
        }
    }

    @Test
    void sendArgumentsAreChecked() throws Exception {
        try (LoopbackMixnet net = LoopbackMixnet.builder().build()) {
            LoopbackMixnet.Endpoint a = net.newEndpoint();
            assertThrows(NullPointerException.class, () -> a.send(null, new byte[0]));
            assertThrows(NullPointerException.class, () -> a.send(a.address(), null));
            assertThrows(NullPointerException.class, () -> a.inject(null, null));
            a.send(a.address(), new byte[0]); // to itself
            assertArrayEquals(new byte[0], a.inbound().poll().data());
        }
    }
}
