package dev.mixnetstreams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A stream's buffer ({@link ReorderBuffer#forFrames}): every frame charged its payload plus the
 * overhead, and an empty payload ends the stream — nothing after it is taken.
 */
class ReorderBufferFramesTest {

    private static final int HEADER = 16;
    private static final int OVERHEAD = 48;

    private static byte[] frame(int payloadLength) {
        return new byte[HEADER + payloadLength];
    }

    private static ReorderBuffer buffer(long maxUnread, ByteBudget shared) {
        return ReorderBuffer.forFrames(256, maxUnread, shared, HEADER, OVERHEAD);
    }

    @Test
    void everyFrameIsChargedItsPayloadPlusTheOverheadEmptyOrNot() throws IOException {
        ByteBudget shared = new ByteBudget(1 << 20);
        ReorderBuffer buffer = buffer(1 << 20, shared);
        assertEquals(OfferResult.ACCEPTED, buffer.offer(0, frame(1)));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(2, frame(0)));  // the end, held out of order
        assertEquals(OfferResult.ACCEPTED, buffer.offer(1, frame(10)));
        assertEquals((1 + OVERHEAD) + (10 + OVERHEAD) + OVERHEAD, buffer.unreadBytes());
        assertEquals(buffer.unreadBytes(), shared.used());
        assertEquals(11, buffer.readyBytes(), "readyBytes counts payload only");
        buffer.poll();
        assertEquals((10 + OVERHEAD) + OVERHEAD, buffer.unreadBytes());
        buffer.poll();
        buffer.poll();
        assertEquals(0, buffer.unreadBytes());
        assertEquals(0, shared.used());
    }

    @Test
    void aFloodOfOneByteFramesReachesTheLimitAtItsRealCost() {
        int perFrame = 1 + OVERHEAD;
        ReorderBuffer buffer = buffer(100L * perFrame, null);
        for (int seq = 0; seq < 100; seq++) {
            assertEquals(OfferResult.ACCEPTED, buffer.offer(seq, frame(1)));
        }
        assertEquals(OfferResult.OVER_BUDGET, buffer.offer(100, frame(1)), "100 one-byte frames cost 4,900 bytes");
        assertEquals(OfferResult.OVER_BUDGET, buffer.offer(105, frame(1)), "out of order too");
    }

    @Test
    void dataAfterTheEndIsRefusedInOrderOrNot() throws IOException {
        ReorderBuffer buffer = buffer(1 << 20, null);
        assertEquals(OfferResult.ACCEPTED, buffer.offer(0, frame(5)));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(1, frame(0)));
        assertEquals(OfferResult.AFTER_END, buffer.offer(2, frame(0)), "a second end");
        assertEquals(OfferResult.AFTER_END, buffer.offer(2, frame(3)));
        assertEquals(OfferResult.AFTER_END, buffer.offer(900, frame(3)));
        assertEquals(OfferResult.AFTER_END, buffer.offer(5000, frame(3)), "far ahead");
        assertEquals(OfferResult.LATE, buffer.offer(1, frame(0)), "the end again: a duplicate");
        assertEquals(5 + OVERHEAD + OVERHEAD, buffer.unreadBytes(), "nothing after the end is held");
        buffer.poll();
        byte[] end = buffer.poll();
        assertEquals(HEADER, end.length);
        assertNull(buffer.poll(), "nothing is ever published after the end");
    }

    @Test
    void anEndHeldOutOfOrderDiscardsWhatIsHeldAfterItAndRefusesMore() throws IOException {
        ByteBudget shared = new ByteBudget(1 << 20);
        ReorderBuffer buffer = buffer(1 << 20, shared);
        assertEquals(OfferResult.ACCEPTED, buffer.offer(5, frame(7)));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(4000, frame(7)));  // far ahead
        assertEquals(OfferResult.ACCEPTED, buffer.offer(3, frame(0)));     // the end, before both
        assertEquals(2, buffer.takeDroppedAfterEnd(), "5 and 4000 came after the end");
        assertEquals(0, buffer.takeDroppedAfterEnd(), "reported once");
        assertEquals(OfferResult.AFTER_END, buffer.offer(4, frame(1)));
        assertEquals(OVERHEAD, buffer.unreadBytes(), "only the end is held");
        assertEquals(OVERHEAD, shared.used(), "the discarded frames gave their charge back");
        for (int seq = 0; seq < 3; seq++) {
            assertEquals(OfferResult.ACCEPTED, buffer.offer(seq, frame(2)));
        }
        for (int seq = 0; seq < 3; seq++) {
            assertEquals(HEADER + 2, buffer.poll().length);
        }
        assertEquals(HEADER, buffer.poll().length, "then the end");
        assertNull(buffer.poll());
        assertEquals(0, shared.used());
    }

    @Test
    void anEarlierEndMovesTheEndBack() {
        ReorderBuffer buffer = buffer(1 << 20, null);
        assertEquals(OfferResult.ACCEPTED, buffer.offer(8, frame(0)));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(6, frame(4)));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(5, frame(0)));
        assertEquals(2, buffer.takeDroppedAfterEnd(), "6 and the first end, 8, were after the new end");
        assertEquals(OfferResult.AFTER_END, buffer.offer(6, frame(4)));
    }

    @Test
    void anEndInOrderDiscardsEverythingHeld() {
        ReorderBuffer buffer = buffer(1 << 20, null);
        assertEquals(OfferResult.ACCEPTED, buffer.offer(2, frame(3)));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(3, frame(3)));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(0, frame(0)));
        assertEquals(2, buffer.takeDroppedAfterEnd());
        assertEquals(OVERHEAD, buffer.unreadBytes());
        assertEquals(0, buffer.bufferedMessages());
    }

    @Test
    void anOpensPayloadComesFirstAndTakesNoSequenceNumber() throws IOException {
        ByteBudget shared = new ByteBudget(1 << 20);
        ReorderBuffer buffer = buffer(1 << 20, shared);
        byte[] open = frame(5);
        assertEquals(OfferResult.ACCEPTED, buffer.offerInitial(open));
        assertEquals(5 + OVERHEAD, shared.used(), "charged like data");
        assertEquals(OfferResult.ACCEPTED, buffer.offer(0, frame(3)));
        assertSame(open, buffer.poll());
        assertEquals(HEADER + 3, buffer.poll().length);
        assertEquals(OfferResult.ACCEPTED, buffer(1 << 20, null).offerInitial(frame(0)), "an empty one is nothing");
        assertEquals(OfferResult.OVER_BUDGET, buffer(10, null).offerInitial(frame(5)));
    }

    @Test
    void aFailedBufferCanStillBeResetAndReleasesItsCharge() throws IOException {
        ByteBudget shared = new ByteBudget(1 << 20);
        ReorderBuffer buffer = buffer(1 << 20, shared);
        buffer.offer(0, frame(100));
        buffer.fail(new IOException("idle"));
        assertEquals(100 + OVERHEAD, shared.used(), "a failed buffer keeps what its reader may still take");
        buffer.reset(new IOException("evicted"));
        assertEquals(0, shared.used());
        assertEquals(0, buffer.unreadBytes());
        IOException e = assertThrows(IOException.class, buffer::poll);
        assertEquals("evicted", e.getMessage());
    }

    @Test
    void checkNotDiscardedThrowsOnlyOnceResetOrClosed() throws IOException {
        ReorderBuffer buffer = buffer(1 << 20, null);
        buffer.checkNotDiscarded();
        buffer.fail(new IOException("failed"));
        buffer.checkNotDiscarded(); // a failed buffer still hands out what it holds
        buffer.reset(new IOException("reset"));
        IOException e = assertThrows(IOException.class, buffer::checkNotDiscarded);
        assertTrue(e.getMessage().contains("reset"));
        assertSame(IOException.class, e.getClass());
    }
}
