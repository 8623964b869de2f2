package dev.mixnetstreams.nymclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.InboundMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The inbound queue is bounded in bytes as well as in messages. */
@Timeout(30) // a hang guard only
class InboundQueueTest {

    private static final int CHARGE_1000 = 1000 + InboundQueue.MESSAGE_OVERHEAD;

    private static InboundMessage message(int length) {
        return new InboundMessage(new byte[length], null);
    }

    @Test
    void offersBeyondTheByteBoundAreRefusedUntilTheConsumerTakes() {
        InboundQueue queue = new InboundQueue(100, 3L * CHARGE_1000);
        for (int i = 0; i < 3; i++) {
            assertTrue(queue.offer(message(1000)));
        }
        assertFalse(queue.offer(message(1000)), "three messages of 1000 fill 3,288 bytes");
        assertEquals(3L * CHARGE_1000, queue.bytes());
        assertTrue(queue.poll() != null);
        assertTrue(queue.offer(message(1000)));
        List<InboundMessage> batch = new ArrayList<>();
        assertEquals(3, queue.drainTo(batch, 64));
        assertEquals(0, queue.bytes());
    }

    @Test
    void aMessageLargerThanTheBoundGoesInAlone() throws Exception {
        InboundQueue queue = new InboundQueue(100, 500);
        assertTrue(queue.offer(message(10_000)));
        assertFalse(queue.offer(message(1)));
        queue.take();
        assertTrue(queue.offer(message(1)));
    }

    @Test
    void putWaitsForBytesAndTheConsumerReleasesIt() throws Exception {
        InboundQueue queue = new InboundQueue(100, 2L * CHARGE_1000);
        queue.put(message(1000));
        queue.put(message(1000));
        InboundMessage third = message(1000);
        CompletableFuture<Void> put = CompletableFuture.runAsync(() -> {
            try {
                queue.put(third);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, task -> Thread.ofVirtual().start(task));
        assertFalse(queue.offer(message(1000)));
        queue.take();
        put.get(20, TimeUnit.SECONDS);
        queue.take();
        assertSame(third, queue.take());
        assertEquals(0, queue.bytes());
    }

    @Test
    void theCountBoundStillHoldsAndTheIteratorIsReadOnly() {
        InboundQueue queue = new InboundQueue(2, Long.MAX_VALUE);
        assertTrue(queue.offer(message(1)));
        assertTrue(queue.offer(message(1)));
        assertFalse(queue.offer(message(1)));
        assertEquals(2L * (1 + InboundQueue.MESSAGE_OVERHEAD), queue.bytes(), "a refused offer reserves nothing");
        assertThrows(UnsupportedOperationException.class, () -> {
            var it = queue.iterator();
            it.next();
            it.remove();
        });
    }
}
