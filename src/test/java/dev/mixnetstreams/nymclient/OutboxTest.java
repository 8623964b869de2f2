package dev.mixnetstreams.nymclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.testing.Await;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outbox's admission, with the test as the writer: it decides when a request has been sent,
 * so who is admitted when is deterministic.
 */
@Timeout(60)
class OutboxTest {

    private static final Duration LONG = Duration.ofMinutes(5);

    /** A sender on its own virtual thread: completes with null when queued, or with what it threw. */
    private record Sender(Thread thread, CompletableFuture<Throwable> done) {
    }

    private static Sender submit(Outbox outbox, byte[] request, Duration timeout) {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                outbox.submit(request, timeout);
                done.complete(null);
            } catch (Throwable t) {
                done.complete(t);
            }
        });
        return new Sender(thread, done);
    }

    /**
     * Waits until {@code waiting} senders wait for admission, or {@code sender} is done (then the
     * caller's assertion says what went wrong).
     */
    private static void awaitWaiting(Outbox outbox, int waiting, Sender sender) {
        Await.until(() -> waiting + " waiting senders, or the sender done; waiting: " + outbox.waitingSenders(),
                () -> outbox.waitingSenders() == waiting || sender.done().isDone());
    }

    /** The writer: sends (takes) the next {@code n} requests and returns them in order. */
    private static List<byte[]> send(Outbox outbox, int n) {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] next = outbox.awaitNext();
            sent.add(next);
            outbox.sent(next);
        }
        return sent;
    }

    @Test
    void aLargeRequestQueuedBehindSmallOnesIsNotOvertakenByLaterSmallOnes() throws Exception {
        Outbox outbox = new Outbox(100, "test");
        byte[] first = new byte[60];
        outbox.submit(first, LONG);
        byte[] large = new byte[80];
        Sender largeSender = submit(outbox, large, LONG);
        awaitWaiting(outbox, 1, largeSender);
        assertFalse(largeSender.done().isDone(), "80 bytes do not fit beside 60 in 100");
        List<byte[]> smalls = new ArrayList<>();
        List<Sender> smallSenders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] small = new byte[10];
            smalls.add(small);
            Sender s = submit(outbox, small, LONG);
            smallSenders.add(s);
            awaitWaiting(outbox, 2 + i, s);
            assertFalse(s.done().isDone(), "small sender " + i + " fits but came after the waiting large one");
        }
        assertEquals(60, outbox.bytes());
        List<byte[]> sent = send(outbox, 5);
        assertSame(first, sent.get(0));
        assertSame(large, sent.get(1));
        for (int i = 0; i < 3; i++) {
            assertSame(smalls.get(i), sent.get(2 + i), "small " + i);
            assertNull(smallSenders.get(i).done().get());
        }
        assertNull(largeSender.done().get());
        assertEquals(0, outbox.bytes());
        assertEquals(0, outbox.waitingSenders());
    }

    @Test
    void aRequestLargerThanTheBoundGoesAloneAndInTurn() throws Exception {
        Outbox outbox = new Outbox(100, "test");
        byte[] first = new byte[50];
        outbox.submit(first, LONG);
        byte[] huge = new byte[150];
        Sender hugeSender = submit(outbox, huge, LONG);
        awaitWaiting(outbox, 1, hugeSender);
        byte[] small = new byte[10];
        Sender smallSender = submit(outbox, small, LONG);
        awaitWaiting(outbox, 2, smallSender);
        assertFalse(smallSender.done().isDone());

        assertSame(first, send(outbox, 1).get(0));
        assertNull(hugeSender.done().get(), "the outbox is empty: the huge one goes");
        awaitWaiting(outbox, 1, smallSender);
        assertEquals(150, outbox.bytes());
        assertFalse(smallSender.done().isDone(), "nothing goes beside a request larger than the bound");
        assertSame(huge, send(outbox, 1).get(0));
        assertNull(smallSender.done().get());
        assertSame(small, send(outbox, 1).get(0));
    }

    @Test
    void anInterruptedHeadPassesItsTurnOn() throws Exception {
        Outbox outbox = new Outbox(100, "test");
        outbox.submit(new byte[95], LONG);
        Sender head = submit(outbox, new byte[50], LONG);
        awaitWaiting(outbox, 1, head);
        Sender small = submit(outbox, new byte[5], LONG);
        awaitWaiting(outbox, 2, small);
        assertFalse(small.done().isDone(), "5 bytes fit, but a sender came first");
        head.thread().interrupt();
        assertInstanceOf(InterruptedIOException.class, head.done().get());
        assertNull(small.done().get(), "the head left: the small one is the head now, fits and goes");
        assertEquals(100, outbox.bytes());
        assertEquals(0, outbox.waitingSenders());
    }

    @Test
    void aSenderThatFindsNoRoomInTimeFailsAndLeavesTheQueue() throws Exception {
        Outbox outbox = new Outbox(10, "test");
        outbox.submit(new byte[10], LONG);
        IOException e = assertThrows(IOException.class,
                () -> outbox.submit(new byte[1], Duration.ofMillis(1)));
        assertEquals("nym-client at test took no more data for 1 ms (10 bytes waiting to be sent)", e.getMessage());
        assertEquals(0, outbox.waitingSenders());
        send(outbox, 1);
        outbox.submit(new byte[10], Duration.ofMillis(1));
        assertEquals(10, outbox.bytes());
    }

    @Test
    void anInterruptedSenderKeepsItsInterruptFlag() throws Exception {
        Outbox outbox = new Outbox(10, "test");
        outbox.submit(new byte[10], LONG);
        CompletableFuture<Boolean> flag = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                outbox.submit(new byte[1], LONG);
                flag.completeExceptionally(new AssertionError("admitted"));
            } catch (InterruptedIOException e) {
                flag.complete(Thread.currentThread().isInterrupted());
            } catch (IOException e) {
                flag.completeExceptionally(e);
            }
        });
        awaitWaiting(outbox, 1, new Sender(t, new CompletableFuture<>()));
        t.interrupt();
        assertTrue(flag.get());
    }

    @Test
    void failAndCloseWakeEveryWaiter() throws Exception {
        for (boolean fail : new boolean[] {true, false}) {
            Outbox outbox = new Outbox(10, "test");
            outbox.submit(new byte[10], LONG);
            List<Sender> senders = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Sender s = submit(outbox, new byte[5], LONG);
                senders.add(s);
                awaitWaiting(outbox, i + 1, s);
            }
            if (fail) {
                outbox.fail(new IOException("gone"));
            } else {
                outbox.close();
            }
            for (Sender s : senders) {
                Throwable t = s.done().get();
                assertInstanceOf(IOException.class, t);
                assertEquals(fail ? "nym-client connection lost: gone" : "nym-client transport closed",
                        t.getMessage());
            }
            assertEquals(0, outbox.waitingSenders());
            if (fail) {
                assertNull(outbox.awaitNext(), "a failed outbox drops what was queued");
                assertEquals(0, outbox.bytes());
            } else {
                assertEquals(10, send(outbox, 1).get(0).length, "a closed outbox still sends what was queued");
                assertNull(outbox.awaitNext());
            }
        }
    }

    @Test
    void aDisconnectDropsWhatWasQueuedFailsSendersAtOnceAndAReconnectTakesRequestsAgain() throws Exception {
        Outbox outbox = new Outbox(10, "ws://test");
        byte[] beingSent = new byte[6];
        outbox.submit(beingSent, LONG);
        outbox.submit(new byte[4], LONG);
        assertSame(beingSent, outbox.awaitNext(), "the writer sends the first");
        Sender waiting = submit(outbox, new byte[5], LONG);
        awaitWaiting(outbox, 1, waiting);

        assertEquals(2, outbox.disconnect(new IOException("nym-client at ws://test closed the connection")));
        Throwable woken = waiting.done().get();
        assertInstanceOf(IOException.class, woken);
        String expected = "not connected to nym-client: nym-client at ws://test closed the connection; reconnecting";
        assertEquals(expected, woken.getMessage());
        assertEquals(expected, assertThrows(IOException.class, () -> outbox.submit(new byte[1], LONG)).getMessage(),
                "a sender fails at once while the connection is away");
        assertEquals(0, outbox.bytes());
        outbox.sent(beingSent); // the writer's send on the lost connection ends: nothing to remove

        outbox.reconnected();
        byte[] next = new byte[3];
        outbox.submit(next, LONG);
        assertEquals(3, outbox.bytes());
        assertSame(next, send(outbox, 1).get(0), "only what was queued after the reconnect is sent");
        assertEquals(0, outbox.bytes());
    }
}
