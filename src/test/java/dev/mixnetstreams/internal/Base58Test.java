package dev.mixnetstreams.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class Base58Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void knownVectors() {
        assertEquals("", Base58.encode(new byte[0]));
        assertArrayEquals(new byte[0], Base58.decode(""));
        assertEquals("1", Base58.encode(new byte[1]));
        assertEquals("111", Base58.encode(new byte[3]));
        assertArrayEquals(new byte[3], Base58.decode("111"));
        assertEquals("2NEpo7TZRRrLZSi2U", Base58.encode("Hello World!".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("11233QC4", Base58.encode(HEX.parseHex("0000287fb4cd")));
        assertArrayEquals(HEX.parseHex("0000287fb4cd"), Base58.decode("11233QC4"));
        assertEquals("JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG", Base58.encode(HEX.parseHex("ff".repeat(32))));
        assertEquals("1".repeat(32), Base58.encode(new byte[32]));
    }

    @Property
    void roundTripsWithLeadingZeros(
            @ForAll @IntRange(max = 8) int zeros, @ForAll @Size(max = 100) byte[] rest) {
        byte[] bytes = new byte[zeros + rest.length];
        System.arraycopy(rest, 0, bytes, zeros, rest.length);
        String text = Base58.encode(bytes);
        assertArrayEquals(bytes, Base58.decode(text));
        int ones = 0;
        while (ones < text.length() && text.charAt(ones) == '1') {
            ones++;
        }
        int leadingZeroBytes = 0;
        while (leadingZeroBytes < bytes.length && bytes[leadingZeroBytes] == 0) {
            leadingZeroBytes++;
        }
        assertEquals(leadingZeroBytes, ones);
        assertEquals(text, Base58.encode(Base58.decode(text)));
    }

    @Test
    void rejectsCharactersOutsideTheAlphabet() {
        for (String bad : new String[] {"0", "O", "I", "l", "+", "/", "=", " ", "é", "\u0000"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Base58.decode("abc" + bad + "d"));
            assertTrue(e.getMessage().contains("at index 3"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Base58.decode("1O"));
        assertTrue(e.getMessage().contains("'O'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Base58.decode(null));
    }

    @Test
    void fixedLengthDecodingNamesWhatIsWrong() {
        assertEquals(32, Base58.decode("1".repeat(32), 32, "key").length);
        assertTrue(msg(() -> Base58.decode(null, 32, "key")).contains("null"));
        assertTrue(msg(() -> Base58.decode("", 32, "key")).contains("empty"));
        assertTrue(msg(() -> Base58.decode("1".repeat(31), 32, "key")).contains("decodes to 31"));
        assertTrue(msg(() -> Base58.decode("1".repeat(33), 32, "key")).contains("decodes to 33"));
        assertTrue(msg(() -> Base58.decode("z".repeat(1000), 32, "key")).contains("too long"));
        assertTrue(msg(() -> Base58.decode("ab0", 32, "key")).startsWith("key: "));
    }

    private static String msg(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
