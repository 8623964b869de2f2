package dev.mixnetstreams.internal;

import static dev.mixnetstreams.internal.OfferResult.ACCEPTED;
import static dev.mixnetstreams.internal.OfferResult.CLOSED;
import static dev.mixnetstreams.internal.OfferResult.DUPLICATE;
import static dev.mixnetstreams.internal.OfferResult.LATE;
import static dev.mixnetstreams.internal.OfferResult.OVER_BUDGET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mixnetstreams.StreamDataLossException;
import dev.mixnetstreams.testing.Await;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReorderBufferTest {

    /** Only a guard against a hung test, never a timing assertion. */
    private static final long HANG_GUARD_SECONDS = 30;

    /** A payload holding its sequence number (4 bytes) followed by {@code extra} filler bytes. */
    private static byte[] msg(int sequence, int extra) {
        return ByteBuffer.allocate(4 + extra).putInt(sequence).array();
    }

    static byte[] msg(int sequence) {
        return msg(sequence, 0);
    }

    static int seqOf(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt();
    }

    /**
     * Takes {@code count} payloads made by {@link #msg} with {@code take(0)} and checks they carry
     * 0, 1, 2… and that nothing follows.
     *
     * @return "ok", or what was wrong
     */
    static String takeInOrder(ReorderBuffer buffer, int count) throws IOException {
        for (int expected = 0; expected < count; expected++) {
            int got = seqOf(buffer.take(0));
            if (got != expected) {
                return "expected " + expected + " got " + got;
            }
        }
        return buffer.poll() == null ? "ok" : "more than was sent";
    }

    private static long next(ReorderBuffer buffer) {
        return Integer.toUnsignedLong(buffer.nextSequence());
    }

    private static void assertPolls(ReorderBuffer buffer, int... sequences) throws IOException {
        for (int s : sequences) {
            byte[] payload = buffer.poll();
            if (payload == null) {
                fail("expected sequence " + Integer.toUnsignedString(s) + ", nothing ready");
            }
            assertEquals(Integer.toUnsignedString(s), Integer.toUnsignedString(seqOf(payload)));
        }
    }

    private static void assertLoss(ReorderBuffer buffer, long first, long lost, long offset) {
        StreamDataLossException e = assertThrows(StreamDataLossException.class, buffer::poll);
        assertEquals(first, e.firstLostSequence(), "firstLostSequence");
        assertEquals(lost, e.lostMessages(), "lostMessages");
        assertEquals(offset, e.streamOffset(), "streamOffset");
    }

    @Nested
    class Ordering {

        @Test
        void inOrderMessagesAreReadyAtOnce() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            assertNull(buffer.poll());
            for (int s = 0; s < 5; s++) {
                assertEquals(ACCEPTED, buffer.offer(s, msg(s)));
            }
            assertEquals(5, next(buffer));
            assertEquals(0, buffer.bufferedMessages());
            assertEquals(20, buffer.readyBytes());
            assertPolls(buffer, 0, 1, 2, 3, 4);
            assertNull(buffer.poll());
        }

        @Test
        void outOfOrderWaitsForTheMissingOneThenAllComeInOrder() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            assertEquals(ACCEPTED, buffer.offer(2, msg(2)));
            assertEquals(ACCEPTED, buffer.offer(1, msg(1)));
            assertEquals(ACCEPTED, buffer.offer(4, msg(4)));
            assertNull(buffer.poll());
            assertEquals(3, buffer.bufferedMessages());
            assertEquals(0, next(buffer));
            assertEquals(ACCEPTED, buffer.offer(0, msg(0)));
            assertEquals(3, next(buffer));
            assertEquals(1, buffer.bufferedMessages());
            assertPolls(buffer, 0, 1, 2);
            assertNull(buffer.poll());
            assertEquals(ACCEPTED, buffer.offer(3, msg(3)));
            assertPolls(buffer, 3, 4);
        }

        @Test
        void aDuplicateOfABufferedMessageKeepsTheFirstCopy() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            byte[] nearFirst = msg(3, 1);
            byte[] farFirst = msg(5000, 1);
            assertEquals(ACCEPTED, buffer.offer(3, nearFirst));
            assertEquals(DUPLICATE, buffer.offer(3, msg(3, 2)));
            assertEquals(ACCEPTED, buffer.offer(5000, farFirst)); // beyond the ring: the sorted map
            assertEquals(DUPLICATE, buffer.offer(5000, msg(5000, 2)));
            assertEquals(2, buffer.bufferedMessages());
            assertEquals(10, buffer.unreadBytes(), "the second copies are not counted");
            for (int s = 0; s < 3; s++) {
                buffer.offer(s, msg(s));
            }
            assertPolls(buffer, 0, 1, 2);
            assertSame(nearFirst, buffer.poll());
        }

        @Test
        void anythingBeforeTheNextExpectedIsLate() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(0, msg(0));
            buffer.offer(1, msg(1));
            assertEquals(LATE, buffer.offer(0, msg(0)), "already delivered, not yet read");
            assertPolls(buffer, 0, 1);
            assertEquals(LATE, buffer.offer(1, msg(1)), "already read");
            assertEquals(LATE, buffer.offer(-1, msg(-1)), "0xFFFFFFFF is just behind 2");
            assertEquals(LATE, buffer.offer(2 + Integer.MIN_VALUE, msg(0)), "exactly 2^31 ahead counts as behind");
            assertEquals(ACCEPTED, buffer.offer(2 + Integer.MAX_VALUE, msg(0)), "2^31 - 1 ahead is ahead");
            assertEquals(1, buffer.bufferedMessages());
            assertEquals(2, next(buffer));
        }

        @Test
        void emptyPayloadsAreMessagesToo() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            byte[] empty = new byte[0];
            assertEquals(ACCEPTED, buffer.offer(1, msg(1)));
            assertEquals(ACCEPTED, buffer.offer(0, empty));
            assertSame(empty, buffer.poll());
            assertPolls(buffer, 1);
        }

        @Test
        void limitsBelowOneAreRejected() {
            assertThrows(IllegalArgumentException.class, () -> new ReorderBuffer(0, 10));
            assertThrows(IllegalArgumentException.class, () -> new ReorderBuffer(1, 0));
        }
    }

    @Nested
    class SkipAhead {

        @Test
        void twoHundredFiftySixBufferedDoNotSkipTheNextOneDoes() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            for (int s = 1; s <= 256; s++) {
                assertEquals(ACCEPTED, buffer.offer(s, msg(s)));
            }
            assertEquals(256, buffer.bufferedMessages());
            assertEquals(0, next(buffer));
            assertNull(buffer.poll());

            assertEquals(ACCEPTED, buffer.offer(257, msg(257)));
            assertEquals(0, buffer.bufferedMessages());
            assertEquals(258, next(buffer));
            assertLoss(buffer, 0, 1, 0);
            for (int s = 1; s <= 257; s++) {
                assertPolls(buffer, s);
            }
            assertNull(buffer.poll(), "the loss is reported once");
            assertEquals(LATE, buffer.offer(0, msg(0)), "the lost message, arriving at last, is late");
        }

        @Test
        void theGapIsReportedAtItsPlaceWithTheBytesBeforeIt() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            for (int s = 0; s < 10; s++) {
                buffer.offer(s, msg(s, s)); // 4 + s bytes: 85 in all
            }
            // 10, 11 and 12 never come; 13 .. 269 (257 messages) do.
            for (int s = 269; s >= 13; s--) {
                buffer.offer(s, msg(s));
            }
            assertEquals(270, next(buffer));
            assertPolls(buffer, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            assertLoss(buffer, 10, 3, 85);
            assertPolls(buffer, 13, 14);
        }

        @Test
        void farAheadMessagesCountAndSkipLikeNearOnes() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            for (int s = 5000; s < 5256; s++) { // all more than 1024 ahead
                assertEquals(ACCEPTED, buffer.offer(s, msg(s)));
            }
            assertEquals(256, buffer.bufferedMessages());
            assertEquals(0, next(buffer));
            assertEquals(ACCEPTED, buffer.offer(5256, msg(5256)));
            assertEquals(5257, next(buffer));
            assertEquals(0, buffer.bufferedMessages());
            assertLoss(buffer, 0, 5000, 0);
            for (int s = 5000; s <= 5256; s++) {
                assertPolls(buffer, s);
            }
        }

        @Test
        void nearAndFarTogether() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            for (int s = 3000; s <= 3128; s++) { // 129 far ahead
                buffer.offer(s, msg(s));
            }
            for (int s = 100; s < 228; s++) { // 128 near: the 257th skips to 100
                buffer.offer(s, msg(s));
            }
            assertEquals(228, next(buffer));
            assertEquals(129, buffer.bufferedMessages());
            assertLoss(buffer, 0, 100, 0);
            for (int s = 100; s < 228; s++) {
                assertPolls(buffer, s);
            }
            for (int s = 228; s < 3000; s++) { // the gap filled in order: the far ones follow
                assertEquals(ACCEPTED, buffer.offer(s, msg(s)));
            }
            assertEquals(3129, next(buffer));
            assertEquals(0, buffer.bufferedMessages());
            for (int s = 228; s <= 3128; s++) {
                assertPolls(buffer, s);
            }
            assertNull(buffer.poll());
        }

        @Test
        void aDuplicateDoesNotCountTowardsTheLimit() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer(2, Long.MAX_VALUE);
            buffer.offer(2, msg(2));
            buffer.offer(3, msg(3));
            assertEquals(DUPLICATE, buffer.offer(3, msg(3)));
            assertEquals(0, next(buffer));
            assertEquals(ACCEPTED, buffer.offer(5, msg(5)));
            assertEquals(4, next(buffer));
            assertLoss(buffer, 0, 2, 0);
            assertPolls(buffer, 2, 3);
            assertNull(buffer.poll());
        }
    }

    @Nested
    class WrapAround {

        /** With a limit of 1, offering target+1 then target skips next to target+2. */
        private void hop(ReorderBuffer buffer, int target) {
            assertEquals(ACCEPTED, buffer.offer(target + 1, msg(target + 1)));
            assertEquals(ACCEPTED, buffer.offer(target, msg(target)));
            assertEquals(Integer.toUnsignedLong(target + 2), next(buffer));
        }

        @Test
        void orderSurvivesTheWrapAt2To32() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer(1, Long.MAX_VALUE);
            // next can only move less than 2^31 at a time: three skip-ahead hops.
            hop(buffer, 0x60000000);
            hop(buffer, 0xC0000000);
            hop(buffer, 0xFFFFFFF0);
            assertLoss(buffer, 0, 0x60000000L, 0);
            assertPolls(buffer, 0x60000000, 0x60000001);
            assertLoss(buffer, 0x60000002L, 0xC0000000L - 0x60000002L, 8);
            assertPolls(buffer, 0xC0000000, 0xC0000001);
            assertLoss(buffer, 0xC0000002L, 0xFFFFFFF0L - 0xC0000002L, 16);
            assertPolls(buffer, 0xFFFFFFF0, 0xFFFFFFF1);
            assertEquals(0xFFFFFFF2L, next(buffer));

            // Across the wrap in swapped pairs: 0xFFFFFFF3, 0xFFFFFFF2, ..., 0xFFFFFFFF, 0xFFFFFFFE, 1, 0, ...
            List<Integer> expected = new ArrayList<>();
            for (int s = 0xFFFFFFF2; s != 20; s += 2) {
                assertEquals(ACCEPTED, buffer.offer(s + 1, msg(s + 1)));
                assertEquals(ACCEPTED, buffer.offer(s, msg(s)));
                expected.add(s);
                expected.add(s + 1);
            }
            assertEquals(20, next(buffer));
            for (int s : expected) {
                assertPolls(buffer, s);
            }
            assertNull(buffer.poll());

            assertEquals(LATE, buffer.offer(0xFFFFFFFF, msg(0xFFFFFFFF)), "just behind, across the wrap");
            assertEquals(LATE, buffer.offer(0xFFFFFFF3, msg(0xFFFFFFF3)));
            assertEquals(LATE, buffer.offer(19, msg(19)));
            assertEquals(LATE, buffer.offer(20 + Integer.MIN_VALUE, msg(0)));
            assertEquals(ACCEPTED, buffer.offer(22, msg(22)));
            assertEquals(ACCEPTED, buffer.offer(20, msg(20)));
            assertPolls(buffer, 20);
            assertEquals(21, next(buffer));
        }

        @Test
        void aSkipAcrossTheWrapReportsTheUnsignedFirstLostSequence() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer(1, Long.MAX_VALUE);
            hop(buffer, 0x70000000);
            hop(buffer, 0xD0000000);
            hop(buffer, 0xFFFFFFFA); // next = 0xFFFFFFFC
            assertLoss(buffer, 0, 0x70000000L, 0);
            assertPolls(buffer, 0x70000000, 0x70000001);
            assertLoss(buffer, 0x70000002L, 0xD0000000L - 0x70000002L, 8);
            assertPolls(buffer, 0xD0000000, 0xD0000001);
            assertLoss(buffer, 0xD0000002L, 0xFFFFFFFAL - 0xD0000002L, 16);
            assertPolls(buffer, 0xFFFFFFFA, 0xFFFFFFFB);
            // 0xFFFFFFFC .. 2 lost; 3 and 4 arrive: 4 is the second buffered, so skip to 3.
            assertEquals(ACCEPTED, buffer.offer(4, msg(4)));
            assertEquals(ACCEPTED, buffer.offer(3, msg(3)));
            assertEquals(5, next(buffer));
            assertLoss(buffer, 0xFFFFFFFCL, 7, 24);
            assertPolls(buffer, 3, 4);
        }
    }

    @Nested
    class ByteBudget {

        @Test
        void refusesWhatWouldExceedTheBudgetAndPollFreesIt() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer(256, 20);
            assertEquals(ACCEPTED, buffer.offer(0, msg(0, 2))); // 6 in order
            assertEquals(ACCEPTED, buffer.offer(2, msg(2, 6))); // 10 out of order
            assertEquals(16, buffer.unreadBytes(), "in order and out of order both count");
            assertEquals(6, buffer.readyBytes());
            assertEquals(OVER_BUDGET, buffer.offer(3, msg(3, 1)));
            assertEquals(OVER_BUDGET, buffer.offer(1, msg(1, 1)), "in order too");
            assertEquals(1, next(buffer), "a refused message does not move next");
            assertEquals(1, buffer.bufferedMessages());
            assertEquals(ACCEPTED, buffer.offer(1, msg(1)), "exactly at the limit fits");
            assertEquals(20, buffer.unreadBytes());
            assertEquals(20, buffer.readyBytes());
            assertEquals(OVER_BUDGET, buffer.offer(3, new byte[1]));
            assertEquals(ACCEPTED, buffer.offer(3, new byte[0]), "an empty message always fits");

            assertPolls(buffer, 0);
            assertEquals(14, buffer.unreadBytes());
            assertEquals(ACCEPTED, buffer.offer(5, msg(5, 2)));
            assertEquals(20, buffer.unreadBytes());
            assertEquals(14, buffer.readyBytes());
            assertPolls(buffer, 1, 2);
            assertEquals(0, buffer.poll().length);
            assertEquals(6, buffer.unreadBytes());
            assertEquals(0, buffer.readyBytes());
        }

        @Test
        void aDuplicateOrLateMessageIsReportedAsSuchEvenWhenFull() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer(256, 8);
            buffer.offer(0, msg(0));
            buffer.offer(2, msg(2));
            assertEquals(LATE, buffer.offer(0, msg(0)));
            assertEquals(DUPLICATE, buffer.offer(2, msg(2)));
            assertEquals(OVER_BUDGET, buffer.offer(1, msg(1)));
        }
    }

    @Nested
    class EndStates {

        @Test
        void failDeliversWhatIsReadyThenTheCause() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(0, msg(0));
            buffer.offer(1, msg(1));
            buffer.offer(3, msg(3));
            IOException cause = new IOException("peer went away");
            buffer.fail(cause);
            assertEquals(0, buffer.bufferedMessages(), "out-of-order messages are discarded");
            assertEquals(8, buffer.unreadBytes());
            assertEquals(CLOSED, buffer.offer(2, msg(2)));
            assertPolls(buffer, 0, 1);
            IOException e = assertThrows(IOException.class, buffer::poll);
            assertSame(cause, e.getCause());
            assertEquals("peer went away", e.getMessage());
            assertThrows(IOException.class, buffer::poll, "and again");
            assertEquals(0, buffer.unreadBytes());
        }

        @Test
        void resetThrowsAtOnce() {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(0, msg(0));
            buffer.offer(2, msg(2));
            IOException cause = new IOException("reset by peer");
            buffer.reset(cause);
            assertSame(cause, assertThrows(IOException.class, buffer::poll).getCause());
            assertEquals(0, buffer.unreadBytes());
            assertEquals(0, buffer.readyBytes());
            assertEquals(CLOSED, buffer.offer(1, msg(1)));
        }

        @Test
        void closeDiscardsEverythingAndRefusesOffers() {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(0, msg(0));
            buffer.offer(2, msg(2));
            buffer.close();
            buffer.close();
            assertEquals("stream closed", assertThrows(IOException.class, buffer::poll).getMessage());
            assertEquals(CLOSED, buffer.offer(1, msg(1)));
            assertEquals(0, buffer.unreadBytes());
            assertEquals(0, buffer.bufferedMessages());
            buffer.fail(new IOException("ignored"));
            assertEquals("stream closed", assertThrows(IOException.class, buffer::poll).getMessage());
        }

        @Test
        void closeAfterFailWins() {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(0, msg(0));
            buffer.fail(new IOException("failed"));
            buffer.close();
            assertEquals("stream closed", assertThrows(IOException.class, buffer::poll).getMessage());
        }
    }

    @Nested
    class Concurrency {

        /** A virtual thread doing one take(0); its outcome lands in the future. */
        private static Thread blockedTake(ReorderBuffer buffer, CompletableFuture<byte[]> outcome) {
            Thread consumer = Thread.ofVirtual().start(() -> {
                try {
                    outcome.complete(buffer.take(0));
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                }
            });
            Await.blocked(consumer);
            return consumer;
        }

        private static Throwable failureOf(CompletableFuture<?> outcome) throws Exception {
            try {
                Object value = outcome.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
                return fail("expected an exception, got " + value);
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }

        @Test
        void aProducerAndABlockedConsumerPassEverythingInOrder() throws Exception {
            int count = 100_000;
            List<Integer> order = new ArrayList<>(count);
            for (int s = 0; s < count; s++) {
                order.add(s);
            }
            Random random = new Random(20_241_125L);
            for (int from = 0; from < count; ) {
                int to = Math.min(count, from + 1 + random.nextInt(200)); // fewer than 256 out of order
                Collections.shuffle(order.subList(from, to), random);
                from = to;
            }
            ReorderBuffer buffer = new ReorderBuffer();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<String> consumer = threads.submit(() -> takeInOrder(buffer, count));
                Future<Integer> producer = threads.submit(() -> {
                    int refused = 0;
                    for (int s : order) {
                        if (buffer.offer(s, msg(s)) != ACCEPTED) {
                            refused++;
                        }
                    }
                    return refused;
                });
                assertEquals(0, producer.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
                assertEquals("ok", consumer.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
            }
            assertEquals(count, next(buffer));
            assertEquals(0, buffer.unreadBytes());
        }

        @Test
        void quietOffersReachAParkedReaderWithTheSignalAfterThem() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            blockedTake(buffer, outcome);
            assertFalse(buffer.hasPendingSignal());
            assertEquals(ACCEPTED, buffer.offerQuietly(1, msg(1)));     // out of order: nothing published
            assertFalse(buffer.hasPendingSignal());
            assertEquals(ACCEPTED, buffer.offerQuietly(0, msg(0)));     // publishes 0 and 1
            assertTrue(buffer.hasPendingSignal());
            buffer.signalIfWaiting();
            assertFalse(buffer.hasPendingSignal());
            assertEquals(0, seqOf(outcome.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS)));
            assertPolls(buffer, 1);
            buffer.signalIfWaiting();   // nothing pending: a no-op
        }

        /** A skip past a gap publishes the loss and what follows in one quiet offer; one signal wakes the reader for all. */
        @Test
        void aQuietSkipPastAGapReachesAParkedReaderWithOneSignal() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer(2, Long.MAX_VALUE);
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            blockedTake(buffer, outcome);
            assertEquals(ACCEPTED, buffer.offerQuietly(1, msg(1)));
            assertEquals(ACCEPTED, buffer.offerQuietly(2, msg(2)));
            assertFalse(buffer.hasPendingSignal(), "held out of order: nothing published yet");
            assertEquals(ACCEPTED, buffer.offerQuietly(3, msg(3)));   // a third held: skips past 0
            assertTrue(buffer.hasPendingSignal());
            buffer.signalIfWaiting();
            ExecutionException thrown = assertThrows(ExecutionException.class,
                    () -> outcome.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
            StreamDataLossException loss = assertInstanceOf(StreamDataLossException.class, thrown.getCause());
            assertEquals(0, loss.firstLostSequence());
            assertEquals(1, loss.lostMessages());
            assertPolls(buffer, 1, 2, 3);
            assertNull(buffer.poll());
        }

        /**
         * Quiet offers that grow the ready queue past its shrink threshold while the reader is
         * parked, then (after the reader drained it and parked again) move to a fresh small one:
         * each batch reaches the reader with its one signal, across the links between arrays.
         */
        @Test
        void quietOffersAcrossReadyQueueGrowthAndShrinkReachAParkedReader() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            int burst = 5_000;                  // grows 8 -> 8192 slots, past ReadyQueue.SHRINK_ABOVE
            int sequence = 0;
            for (int round = 0; round < 3; round++) {
                CompletableFuture<byte[]> outcome = new CompletableFuture<>();
                blockedTake(buffer, outcome);
                int first = sequence;
                for (int i = 0; i < burst; i++, sequence++) {
                    assertEquals(ACCEPTED, buffer.offerQuietly(sequence, msg(sequence)));
                }
                buffer.signalIfWaiting();
                assertEquals(first, seqOf(outcome.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS)), "round " + round);
                for (int s = first + 1; s < sequence; s++) {
                    assertPolls(buffer, s);
                }
                assertNull(buffer.poll());
                assertTrue(buffer.readyQueueCapacity() > ReadyQueue.SHRINK_ABOVE,
                        "round " + round + ": the burst grew the ready queue");
            }
            // The next offer finds the large queue empty and moves to a small one.
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            blockedTake(buffer, outcome);
            assertEquals(ACCEPTED, buffer.offerQuietly(sequence, msg(sequence)));
            buffer.signalIfWaiting();
            assertEquals(sequence, seqOf(outcome.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS)));
            assertEquals(ReadyQueue.INITIAL_SLOTS, buffer.readyQueueCapacity());
            assertEquals(0, buffer.unreadBytes());
        }

        /**
         * The router's pattern: batches of quiet offers, each followed by one signal, against a
         * reader that alternately spins and parks. A wake-up lost between the two would hang it.
         */
        @Test
        void batchesOfQuietOffersWithOneSignalEachLoseNoWakeUp() throws Exception {
            int count = 200_000;
            long seed = 20_261_126L;
            Random random = new Random(seed);
            ReorderBuffer buffer = new ReorderBuffer();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<String> consumer = threads.submit(() -> takeInOrder(buffer, count));
                Future<Integer> producer = threads.submit(() -> {
                    int refused = 0;
                    for (int s = 0; s < count; ) {
                        int end = Math.min(count, s + 1 + random.nextInt(64));
                        for (; s < end; s++) {
                            if (buffer.offerQuietly(s, msg(s)) != ACCEPTED) {
                                refused++;
                            }
                        }
                        buffer.signalIfWaiting();
                        if (random.nextInt(8) == 0) {
                            Thread.yield();     // let the reader run dry and park now and then
                        }
                    }
                    return refused;
                });
                assertEquals(0, producer.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "seed " + seed);
                assertEquals("ok", consumer.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "seed " + seed);
            }
            assertEquals(0, buffer.unreadBytes());
        }

        @Test
        void aBlockedTakeGetsWhatArrives() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            blockedTake(buffer, outcome);
            buffer.offer(1, msg(1));
            assertEquals(ACCEPTED, buffer.offer(0, msg(0)));
            assertEquals(0, seqOf(outcome.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS)));
            assertPolls(buffer, 1);
        }

        @Test
        void aBlockedTakeGetsTheLossReport() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer(1, Long.MAX_VALUE);
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            blockedTake(buffer, outcome);
            buffer.offer(3, msg(3));
            buffer.offer(2, msg(2));
            StreamDataLossException e = assertInstanceOf(StreamDataLossException.class, failureOf(outcome));
            assertEquals(0, e.firstLostSequence());
            assertEquals(2, e.lostMessages());
            assertEquals(0, e.streamOffset());
            assertPolls(buffer, 2, 3);
        }

        @Test
        void closeWakesABlockedTake() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            blockedTake(buffer, outcome);
            buffer.close();
            Throwable t = failureOf(outcome);
            assertEquals(IOException.class, t.getClass());
            assertEquals("stream closed", t.getMessage());
            assertEquals(CLOSED, buffer.offer(0, msg(0)));
        }

        @Test
        void failWakesABlockedTakeAfterWhatWasReadyIsTaken() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(0, msg(0));
            buffer.offer(1, msg(1));
            CompletableFuture<List<Integer>> taken = new CompletableFuture<>();
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            Thread consumer = Thread.ofVirtual().start(() -> {
                List<Integer> got = new ArrayList<>();
                try {
                    got.add(seqOf(buffer.take(0)));
                    got.add(seqOf(buffer.take(0)));
                    taken.complete(got);
                    outcome.complete(buffer.take(0));
                } catch (Throwable t) {
                    taken.complete(got);
                    outcome.completeExceptionally(t);
                }
            });
            assertEquals(List.of(0, 1), taken.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
            Await.blocked(consumer);
            IOException cause = new IOException("transport down");
            buffer.fail(cause);
            Throwable t = failureOf(outcome);
            assertInstanceOf(IOException.class, t);
            assertSame(cause, t.getCause());
        }

        @Test
        void resetWakesABlockedTake() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(5, msg(5));
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            blockedTake(buffer, outcome);
            IOException cause = new IOException("reset");
            buffer.reset(cause);
            assertSame(cause, failureOf(outcome).getCause());
        }

        @Test
        void takeTimesOutWhenNothingArrives() throws IOException {
            ReorderBuffer buffer = new ReorderBuffer();
            buffer.offer(1, msg(1));
            assertThrows(SocketTimeoutException.class, () -> buffer.take(1));
            assertThrows(SocketTimeoutException.class, () -> buffer.take(TimeUnit.MICROSECONDS.toNanos(50)));
            buffer.offer(0, msg(0));
            assertEquals(0, seqOf(buffer.take(1)), "ready data is taken whatever the timeout");
            assertEquals(1, seqOf(buffer.take(0)));
        }

        @Test
        void interruptingABlockedTakeThrowsAndKeepsTheFlag() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
            CompletableFuture<byte[]> outcome = new CompletableFuture<>();
            Thread consumer = Thread.ofVirtual().start(() -> {
                try {
                    outcome.complete(buffer.take(0));
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                } finally {
                    flagAfter.complete(Thread.currentThread().isInterrupted());
                }
            });
            Await.blocked(consumer);
            consumer.interrupt();
            assertInstanceOf(InterruptedIOException.class, failureOf(outcome));
            assertTrue(flagAfter.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "interrupt flag set again");
            // The buffer still works.
            buffer.offer(0, msg(0));
            assertArrayEquals(msg(0), buffer.take(0));
        }

        @Test
        void manyBlockedReadersAreAllWokenByClose() throws Exception {
            ReorderBuffer buffer = new ReorderBuffer();
            List<CompletableFuture<byte[]>> outcomes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CompletableFuture<byte[]> outcome = new CompletableFuture<>();
                blockedTake(buffer, outcome);
                outcomes.add(outcome);
            }
            buffer.close();
            for (CompletableFuture<byte[]> outcome : outcomes) {
                assertEquals("stream closed", failureOf(outcome).getMessage());
            }
        }
    }
}
