package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Text forms of {@link Recipient} and {@link SenderTag}. */
class AddressTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The reference vector of the protocol notes, §3. */
    static final String ADDRESS =
            "CytBseW6yFXUMzz4SGAKdNLGR7q3sJLLYxyBGvutNEQV.4QXYyEVc5fUDjmmi8PrHN9tdUFV4PCvSJE1278cHyvoe"
                    + "@4sBbL1ngf1vtNqykydQKTFh26sQCw888GpUqvPvyNB4f";
    static final byte[] ADDRESS_BYTES = HEX.parseHex(
            "b202f5983ab6ad7e78b5237d005ff4887689be9a2341179b05d382cf80f1dade"
                    + "3299f6b78e8a0bce4daa9fcca3f93204da56a5d5132ee4d484cec3c9927cb965"
                    + "396e13d61e2bc32b6353a31da0c34dcc1545f93bab112ce63d9a2c1d0327a724");

    private static final String IDENTITY = "CytBseW6yFXUMzz4SGAKdNLGR7q3sJLLYxyBGvutNEQV";
    private static final String ENCRYPTION = "4QXYyEVc5fUDjmmi8PrHN9tdUFV4PCvSJE1278cHyvoe";
    private static final String GATEWAY = "4sBbL1ngf1vtNqykydQKTFh26sQCw888GpUqvPvyNB4f";

    @Test
    void referenceAddressParsesToItsBytes() {
        Recipient r = Recipient.parse(ADDRESS);
        assertArrayEquals(ADDRESS_BYTES, r.toBytes());
        assertArrayEquals(HEX.parseHex("b202f5983ab6ad7e78b5237d005ff4887689be9a2341179b05d382cf80f1dade"),
                r.identityKey());
        assertArrayEquals(HEX.parseHex("3299f6b78e8a0bce4daa9fcca3f93204da56a5d5132ee4d484cec3c9927cb965"),
                r.encryptionKey());
        assertArrayEquals(HEX.parseHex("396e13d61e2bc32b6353a31da0c34dcc1545f93bab112ce63d9a2c1d0327a724"),
                r.gatewayIdentityKey());
    }

    @Test
    void referenceBytesPrintAsTheAddress() {
        Recipient r = Recipient.fromBytes(ADDRESS_BYTES);
        assertEquals(ADDRESS, r.toString());
        assertEquals(r, Recipient.parse(ADDRESS));
        assertEquals(r.hashCode(), Recipient.parse(ADDRESS).hashCode());
    }

    @Test
    void accessorsReturnCopies() {
        Recipient r = Recipient.parse(ADDRESS);
        r.identityKey()[0] ^= 1;
        r.encryptionKey()[0] ^= 1;
        r.gatewayIdentityKey()[0] ^= 1;
        r.toBytes()[0] ^= 1;
        assertArrayEquals(ADDRESS_BYTES, r.toBytes());
        assertEquals(ADDRESS, r.toString());
    }

    @Test
    void referenceSenderTag() {
        byte[] eights = new byte[16];
        java.util.Arrays.fill(eights, (byte) 8);
        assertEquals("zXExeyvPEHUk9rjXTu78T", SenderTag.fromBytes(eights).toString());
        assertArrayEquals(eights, SenderTag.parse("zXExeyvPEHUk9rjXTu78T").toBytes());
    }

    @Property
    void recipientRoundTrips(@ForAll @Size(value = 96) byte[] bytes, @ForAll @IntRange(max = 32) int zeros,
            @ForAll @IntRange(max = 2) int whichKey) {
        // Force leading zeros into one of the three keys (and all of them when zeros == 32).
        java.util.Arrays.fill(bytes, whichKey * 32, whichKey * 32 + zeros, (byte) 0);
        Recipient r = Recipient.fromBytes(bytes);
        String text = r.toString();
        Recipient back = Recipient.parse(text);
        assertEquals(r, back);
        assertArrayEquals(bytes, back.toBytes());
        assertEquals(text, back.toString());
    }

    @Property
    void senderTagRoundTrips(@ForAll @Size(value = 16) byte[] bytes, @ForAll @IntRange(max = 16) int zeros) {
        java.util.Arrays.fill(bytes, 0, zeros, (byte) 0);
        SenderTag t = SenderTag.fromBytes(bytes);
        SenderTag back = SenderTag.parse(t.toString());
        assertEquals(t, back);
        assertArrayEquals(bytes, back.toBytes());
    }

    @Test
    void extremeKeys() {
        Recipient zeros = Recipient.fromBytes(new byte[96]);
        assertEquals("1".repeat(32) + "." + "1".repeat(32) + "@" + "1".repeat(32), zeros.toString());
        assertEquals(zeros, Recipient.parse(zeros.toString()));
        byte[] ff = new byte[96];
        java.util.Arrays.fill(ff, (byte) 0xff);
        Recipient ones = Recipient.fromBytes(ff);
        assertEquals(ones, Recipient.parse(ones.toString()));
    }

    @Test
    void randomIsValidAndSeeded() {
        Recipient a = Recipient.random(new SplittableRandom(7));
        assertEquals(a, Recipient.random(new SplittableRandom(7)));
        assertNotEquals(a, Recipient.random(new SplittableRandom(8)));
        assertEquals(a, Recipient.parse(a.toString()));
        SenderTag t = SenderTag.random(new SplittableRandom(7));
        assertEquals(t, SenderTag.random(new SplittableRandom(7)));
        assertEquals(t, SenderTag.parse(t.toString()));
    }

    @Test
    void badAddressTextSaysWhatIsWrong() {
        assertMessage(null, "null");
        assertMessage("", "missing '@'");
        assertMessage(IDENTITY + "." + ENCRYPTION + GATEWAY, "missing '@'");
        assertMessage(IDENTITY + ENCRYPTION + "@" + GATEWAY, "missing '.'");
        assertMessage(IDENTITY + "@" + ENCRYPTION + "." + GATEWAY, "missing '.'");
        assertMessage(IDENTITY + "." + ENCRYPTION + "@" + GATEWAY + "@" + GATEWAY, "more than one '@'");
        assertMessage(IDENTITY + "." + ENCRYPTION + "." + ENCRYPTION + "@" + GATEWAY, "more than one '.'");
        // Bad characters, named with their position inside the part.
        String badIdentity = "0" + IDENTITY.substring(1);
        String m = assertMessage(badIdentity + "." + ENCRYPTION + "@" + GATEWAY, "identity key");
        assertTrue(m.contains("'0'") && m.contains("index 0"), m);
        String badEncryption = ENCRYPTION.substring(0, 5) + "l" + ENCRYPTION.substring(6);
        m = assertMessage(IDENTITY + "." + badEncryption + "@" + GATEWAY, "encryption key");
        assertTrue(m.contains("'l'") && m.contains("index 5"), m);
        m = assertMessage(IDENTITY + "." + ENCRYPTION + "@" + GATEWAY + " ", "gateway identity key");
        assertTrue(m.contains("U+0020") && m.contains("index 44"), m);
        m = assertMessage(" " + ADDRESS, "identity key");
        assertTrue(m.contains("U+0020"), m);
        // Parts of the wrong length.
        assertMessage("." + ENCRYPTION + "@" + GATEWAY, "identity key: empty");
        assertMessage(IDENTITY + ".@" + GATEWAY, "encryption key: empty");
        assertMessage(IDENTITY + "." + ENCRYPTION + "@", "gateway identity key: empty");
        assertMessage(IDENTITY.substring(0, 40) + "." + ENCRYPTION + "@" + GATEWAY, "identity key: expected 32 bytes");
        assertMessage(IDENTITY + "." + ENCRYPTION + "1@" + GATEWAY, "encryption key: expected 32 bytes");
        assertMessage(IDENTITY + "." + ENCRYPTION + "@" + GATEWAY + "zz", "gateway identity key: expected");
    }

    @Test
    void badSenderTagTextSaysWhatIsWrong() {
        assertTagMessage(null, "null");
        assertTagMessage("", "empty");
        assertTagMessage("zXExeyvPEHUk9rjXTu78", "expected 16 bytes");
        assertTagMessage("zXExeyvPEHUk9rjXTu78Tz", "expected 16 bytes");
        assertTagMessage("1zXExeyvPEHUk9rjXTu78T", "expected 16 bytes");
        String m = assertTagMessage("zXExeyvPEHUk9rjXTu780", "'0'");
        assertTrue(m.contains("index 20"), m);
        assertTagMessage("zXExeyvPEHUk9rjXTu78T".repeat(100), "too long");
    }

    private static String assertMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recipient.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' lacks '" + expected + "'");
        assertTrue(e.getMessage().startsWith("Nym address: "), e.getMessage());
        return e.getMessage();
    }

    private static String assertTagMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SenderTag.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' lacks '" + expected + "'");
        assertTrue(e.getMessage().startsWith("sender tag"), e.getMessage());
        return e.getMessage();
    }
}
