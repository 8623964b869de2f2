package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class StreamIdTest {

    @Test
    void printsLikeTheReference() {
        assertEquals("StreamId(0x0011223344556677)", new StreamId(0x0011223344556677L).toString());
        assertEquals("StreamId(0xffffffffffffffff)", new StreamId(-1L).toString());
    }

    @Test
    void parsesUnsigned() {
        assertEquals(new StreamId(-1L), StreamId.parse("ffffffffffffffff"));
        assertEquals(new StreamId(0x0123456789abcdefL), StreamId.parse("0x0123456789ABCDEF"));
        assertEquals(new StreamId(1L), StreamId.parse("StreamId(0x0000000000000001)"));
    }

    @Test
    void rejectsBadText() {
        assertThrows(IllegalArgumentException.class, () -> StreamId.parse(""));
        assertThrows(IllegalArgumentException.class, () -> StreamId.parse("0x"));
        assertThrows(IllegalArgumentException.class, () -> StreamId.parse("12345678901234567"));
        assertThrows(IllegalArgumentException.class, () -> StreamId.parse("xyz"));
        assertThrows(IllegalArgumentException.class, () -> StreamId.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> StreamId.parse(null));
    }

    @Property
    void toStringParsesBack(@ForAll long value) {
        StreamId id = new StreamId(value);
        assertEquals(id, StreamId.parse(id.toString()));
    }
}
