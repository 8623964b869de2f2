package dev.mixnetstreams.internal;

import static dev.mixnetstreams.internal.OfferResult.ACCEPTED;
import static dev.mixnetstreams.internal.ReorderBufferTest.msg;
import static dev.mixnetstreams.internal.ReorderBufferTest.seqOf;
import static dev.mixnetstreams.internal.ReorderBufferTest.takeInOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ready queue inside {@link ReorderBuffer}: the array that grows when a burst outruns the
 * reader, shrinks back once the reader has caught up, and hands everything over in order across
 * every move, with the producer and the consumer on different threads.
 */
class ReorderBufferReadyQueueTest {

    @Test
    void aBurstGrowsTheQueueAndEverythingComesOutInOrder() throws IOException {
        ReorderBuffer buffer = new ReorderBuffer();
        assertEquals(ReadyQueue.INITIAL_SLOTS, buffer.readyQueueCapacity());
        int burst = 10_000;                                  // several doublings past the shrink limit
        for (int s = 0; s < burst; s++) {
            assertEquals(ACCEPTED, buffer.offer(s, msg(s)));
        }
        assertTrue(buffer.readyQueueCapacity() > ReadyQueue.SHRINK_ABOVE,
                "capacity " + buffer.readyQueueCapacity());
        for (int s = 0; s < burst; s++) {
            assertEquals(s, seqOf(buffer.poll()));
        }
        assertNull(buffer.poll());
    }

    @Test
    void aLargeQueueShrinksOnceTheReaderHasCaughtUp() throws IOException {
        ReorderBuffer buffer = new ReorderBuffer();
        int next = 0;
        for (; next < 5_000; next++) {
            buffer.offer(next, msg(next));
        }
        for (int s = 0; s < 4_000; s++) {
            assertEquals(s, seqOf(buffer.poll()));
        }
        buffer.offer(next, msg(next));                      // not empty: stays large
        next++;
        assertTrue(buffer.readyQueueCapacity() > ReadyQueue.SHRINK_ABOVE);
        for (int s = 4_000; s < next; s++) {
            assertEquals(s, seqOf(buffer.poll()));
        }
        assertNull(buffer.poll());
        buffer.offer(next, msg(next));                      // empty: back to the initial size
        assertEquals(ReadyQueue.INITIAL_SLOTS, buffer.readyQueueCapacity());
        assertEquals(next, seqOf(buffer.poll()));
        next++;
        for (int round = 0; round < 3; round++) {           // and it keeps working after the move
            for (int i = 0; i < 100; i++, next++) {
                buffer.offer(next, msg(next));
            }
            for (int s = next - 100; s < next; s++) {
                assertEquals(s, seqOf(buffer.poll()));
            }
        }
        assertNull(buffer.poll());
    }

    @Test
    void burstsOfRandomSizeReachABlockedReaderInOrder() throws Exception {
        long seed = 20_261_126L;
        Random random = new Random(seed);
        int count = 300_000;
        ReorderBuffer buffer = new ReorderBuffer();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> consumer = threads.submit(() -> takeInOrder(buffer, count));
            int sequence = 0;
            while (sequence < count) {
                // bursts from 1 to 4,000 messages, then a pause of random length for the reader to catch up
                int burst = Math.min(count - sequence, 1 + random.nextInt(random.nextBoolean() ? 16 : 4_000));
                for (int i = 0; i < burst; i++, sequence++) {
                    if (buffer.offer(sequence, msg(sequence)) != ACCEPTED) {
                        throw new AssertionError("offer " + sequence + " refused (seed " + seed + ")");
                    }
                }
                for (int spin = random.nextInt(2_000); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
            }
            assertEquals("ok", consumer.get(60, TimeUnit.SECONDS), "seed " + seed);
        }
    }
}
