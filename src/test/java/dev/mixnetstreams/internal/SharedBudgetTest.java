package dev.mixnetstreams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The client-wide budget shared by several reorder buffers: reserved on offer, released on take/close/reset/fail. */
class SharedBudgetTest {

    @Test
    void reservesOnOfferAndReleasesOnTakeCloseResetAndFail() throws IOException {
        ByteBudget budget = new ByteBudget(100);
        ReorderBuffer a = new ReorderBuffer(256, 1000, budget);
        ReorderBuffer b = new ReorderBuffer(256, 1000, budget);
        assertEquals(OfferResult.ACCEPTED, a.offer(0, new byte[30]));
        assertEquals(OfferResult.ACCEPTED, a.offer(5, new byte[20]));   // out of order (ring)
        assertEquals(OfferResult.ACCEPTED, a.offer(5000, new byte[10])); // far ahead (map)
        assertEquals(OfferResult.ACCEPTED, b.offer(0, new byte[40]));
        assertEquals(100, budget.used());
        assertEquals(OfferResult.OVER_SHARED_BUDGET, b.offer(1, new byte[1]), "in order");
        assertEquals(OfferResult.OVER_SHARED_BUDGET, b.offer(3, new byte[1]), "out of order");
        assertEquals(OfferResult.ACCEPTED, b.offer(1, new byte[0]), "an empty payload always fits");
        assertEquals(30, a.take(0).length);
        assertEquals(70, budget.used());
        a.fail(new IOException("x"));                 // discards the out-of-order 30 bytes
        assertEquals(40, budget.used());
        b.reset(new IOException("y"));
        assertEquals(0, budget.used());
        ReorderBuffer c = new ReorderBuffer(256, 1000, budget);
        c.offer(0, new byte[60]);
        c.offer(2, new byte[40]);
        assertEquals(100, budget.used());
        c.close();
        c.close();
        assertEquals(0, budget.used());
        assertThrows(IllegalArgumentException.class, () -> new ByteBudget(0));
    }

    @Test
    void skipAheadKeepsTheAccountExact() throws IOException {
        ByteBudget budget = new ByteBudget(1 << 20);
        ReorderBuffer buffer = new ReorderBuffer(2, 1 << 20, budget);
        buffer.offer(2, new byte[7]);
        buffer.offer(3, new byte[7]);
        buffer.offer(4, new byte[7]); // third out of order: skips 0..1
        assertEquals(21, budget.used());
        assertThrows(dev.mixnetstreams.StreamDataLossException.class, () -> buffer.take(0));
        for (int i = 0; i < 3; i++) {
            buffer.take(0);
        }
        assertEquals(0, budget.used());
    }
}
