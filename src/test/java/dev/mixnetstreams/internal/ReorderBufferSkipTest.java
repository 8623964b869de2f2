package dev.mixnetstreams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mixnetstreams.StreamDataLossException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A buffer over whole frames: lengths, budgets and loss offsets count payload bytes only. */
class ReorderBufferSkipTest {

    private static byte[] frame(int payloadLength) {
        return new byte[16 + payloadLength];
    }

    @Test
    void countsPayloadBytesOnlyAndHandsOutTheArraysAsOffered() throws IOException {
        ByteBudget shared = new ByteBudget(1000);
        ReorderBuffer buffer = new ReorderBuffer(4, 100, shared, 16);
        assertEquals(16, buffer.payloadOffset());
        byte[] zero = frame(10);
        byte[] two = frame(30);
        assertEquals(OfferResult.ACCEPTED, buffer.offer(0, zero));
        assertEquals(OfferResult.ACCEPTED, buffer.offer(2, two));
        assertEquals(40, buffer.unreadBytes());
        assertEquals(10, buffer.readyBytes());
        assertEquals(40, shared.used());
        assertEquals(OfferResult.OVER_BUDGET, buffer.offer(1, frame(61)), "40 + 61 > 100");
        assertEquals(OfferResult.ACCEPTED, buffer.offer(1, frame(60)));
        assertSame(zero, buffer.poll());
        buffer.poll();
        assertSame(two, buffer.poll());
        assertEquals(0, buffer.unreadBytes());
        assertEquals(0, shared.used());
        byte[] end = frame(0);
        buffer.offer(3, end);
        assertSame(end, buffer.poll(), "a bare header is an empty payload");
    }

    @Test
    void lossOffsetsCountPayloadBytes() throws IOException {
        ReorderBuffer buffer = new ReorderBuffer(1, 1000, null, 16);
        buffer.offer(0, frame(7));
        buffer.offer(2, frame(5));
        buffer.offer(3, frame(5)); // two buffered out of order: skip past 1
        buffer.poll();
        StreamDataLossException loss = assertThrows(StreamDataLossException.class, buffer::poll);
        assertEquals(1, loss.firstLostSequence());
        assertEquals(1, loss.lostMessages());
        assertEquals(7, loss.streamOffset());
    }

    @Test
    void negativeSkipIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReorderBuffer(1, 1, null, -1));
    }
}
