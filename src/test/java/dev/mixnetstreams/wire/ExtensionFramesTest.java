package dev.mixnetstreams.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.ResetReason;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The extension frames' vectors of PROTOCOL.md, section 8.5, byte for byte from the real encoder,
 * and the fields decoding them gives back.
 */
class ExtensionFramesTest {

    private static final HexFormat HEX = HexFormat.of();

    /** CREDIT: next 5, limit 512 KiB, frames 6 and 8 arrived, not blocked. */
    static final String VECTOR_CREDIT = "0300|0011223344556677|e0|00000005|01|0000000000080000|00000005|00";
    /** CREDIT as a probe: next 0, the initial 64 KiB, nothing beyond, blocked. */
    static final String VECTOR_CREDIT_BLOCKED = "0300|0011223344556677|e0|00000000|01|0000000000010000|00000000|01";
    /** RESET: reason 1 (aborted), message "bye". */
    static final String VECTOR_RESET = "0300|0011223344556677|e1|00000001|01|627965";
    /** DATA_CREDIT: Data 42 "hello-ipr" carrying next 7, limit 576 KiB, nothing beyond, not blocked. */
    static final String VECTOR_DATA_CREDIT =
            "0300|0123456789abcdef|e2|0000002a|01|00000007|0000000000090000|00000000|00|68656c6c6f2d697072";
    /** F2 (Data 42 "hello-ipr") as a client with the extensions sends it: the flag in the reserved byte. */
    static final String VECTOR_DATA_FLAGGED = "0300|0123456789abcdef|01|0000002a|01|68656c6c6f2d697072";

    private static byte[] hex(String text) {
        return HEX.parseHex(text.replace("|", ""));
    }

    private static String plain(String text) {
        return text.replace("|", "");
    }

    private static FrameView decode(String vector) {
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(hex(vector)));
        return view;
    }

    @Test
    void encodesCredit() {
        byte[] frame = ExtensionFrames.credit(0x0011223344556677L,
                new ExtensionFrames.Credit(5, 512 * 1024, 0b101, false));
        assertEquals(plain(VECTOR_CREDIT), HEX.formatHex(frame));
    }

    @Test
    void decodesCredit() {
        FrameView view = decode(VECTOR_CREDIT);
        assertEquals(FrameType.CREDIT, view.type());
        assertEquals(FrameCodec.FLAG_EXTENSIONS, view.reserved());
        assertEquals(ExtensionFrames.CREDIT_PAYLOAD_LENGTH, view.payloadLength());
        assertEquals(new ExtensionFrames.Credit(5, 524_288, 0b101, false), ExtensionFrames.readCredit(view));
        assertEquals("id=0x0011223344556677 type=credit seq=5 reserved=1 payloadLength=13", view.toString());
    }

    @Test
    void encodesAndDecodesABlockedCredit() {
        byte[] frame = ExtensionFrames.credit(0x0011223344556677L,
                new ExtensionFrames.Credit(0, 64 * 1024, 0, true));
        assertEquals(plain(VECTOR_CREDIT_BLOCKED), HEX.formatHex(frame));
        assertEquals(new ExtensionFrames.Credit(0, 65_536, 0, true),
                ExtensionFrames.readCredit(decode(VECTOR_CREDIT_BLOCKED)));
    }

    @Test
    void creditFieldsAreUnsignedAndBigEndian() {
        ExtensionFrames.Credit all = new ExtensionFrames.Credit(-1, -1L, -1, true);
        byte[] frame = ExtensionFrames.credit(-1L, all);
        assertEquals("0300ffffffffffffffffe0ffffffff01ffffffffffffffffffffffff01", HEX.formatHex(frame));
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(frame));
        assertEquals(all, ExtensionFrames.readCredit(view));
    }

    @Test
    void aCreditShorterThanThirteenBytesIsNotUsable() {
        byte[] cut = hex(VECTOR_CREDIT.substring(0, VECTOR_CREDIT.lastIndexOf('|')));   // without the flags byte
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(cut));
        assertEquals(12, view.payloadLength());
        assertNull(ExtensionFrames.readCredit(view));
    }

    @Test
    void bytesAfterACreditsFieldsAndOtherFlagBitsAreIgnored() {
        FrameView view = decode(VECTOR_CREDIT.substring(0, VECTOR_CREDIT.length() - 2) + "fe|0102");
        assertEquals(new ExtensionFrames.Credit(5, 524_288, 0b101, false), ExtensionFrames.readCredit(view));
    }

    @Test
    void encodesReset() {
        byte[] frame = ExtensionFrames.reset(0x0011223344556677L, ResetReason.ABORTED.code(), "bye");
        assertEquals(plain(VECTOR_RESET), HEX.formatHex(frame));
    }

    @Test
    void decodesReset() {
        FrameView view = decode(VECTOR_RESET);
        assertEquals(FrameType.RESET, view.type());
        assertEquals(FrameCodec.FLAG_EXTENSIONS, view.reserved());
        assertEquals(ResetReason.ABORTED, ResetReason.ofCode(view.sequence()));
        assertEquals("bye", ExtensionFrames.readResetMessage(view));
    }

    @Test
    void aResetWithoutAMessageIsTheHeaderAlone() {
        byte[] frame = ExtensionFrames.reset(0x0011223344556677L, ResetReason.STOP_SENDING.code(), "");
        assertEquals("03000011223344556677e10000000401", HEX.formatHex(frame));
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(frame));
        assertEquals("", ExtensionFrames.readResetMessage(view));
    }

    @Test
    void resetMessagesAreCutToTwoHundredBytesEitherWay() {
        String longMessage = "x".repeat(ExtensionFrames.MAX_RESET_MESSAGE + 50);
        byte[] frame = ExtensionFrames.reset(1L, ResetReason.UNDELIVERABLE.code(), longMessage);
        assertEquals(FrameCodec.HEADER_LENGTH + 200, frame.length);
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(frame));
        assertEquals("x".repeat(200), ExtensionFrames.readResetMessage(view));

        byte[] received = new byte[FrameCodec.HEADER_LENGTH + 300];
        System.arraycopy(frame, 0, received, 0, FrameCodec.HEADER_LENGTH);
        java.util.Arrays.fill(received, FrameCodec.HEADER_LENGTH, received.length, (byte) 'y');
        assertEquals(DecodeStatus.FRAME, view.wrap(received));
        assertEquals("y".repeat(200), ExtensionFrames.readResetMessage(view));
    }

    @Test
    void malformedUtf8InAResetIsReplacedNotRefused() {
        FrameView view = decode("0300|0011223344556677|e1|00000002|01|ff62");
        assertEquals(ResetReason.UNREAD_LIMIT, ResetReason.ofCode(view.sequence()));
        assertEquals("\ufffdb", ExtensionFrames.readResetMessage(view));
    }

    @Test
    void resetReasonCodes() {
        assertEquals(0, ResetReason.UNKNOWN.code());
        assertEquals(1, ResetReason.ABORTED.code());
        assertEquals(2, ResetReason.UNREAD_LIMIT.code());
        assertEquals(3, ResetReason.CLOSED_UNREAD.code());
        assertEquals(4, ResetReason.STOP_SENDING.code());
        assertEquals(5, ResetReason.UNDELIVERABLE.code());
        assertEquals(6, ResetReason.FLOW_CONTROL.code());
        assertEquals(ResetReason.UNKNOWN, ResetReason.ofCode(0));
        assertEquals(ResetReason.UNKNOWN, ResetReason.ofCode(7));
        assertEquals(ResetReason.UNKNOWN, ResetReason.ofCode(-1));
    }

    @Test
    void encodesDataCredit() {
        byte[] data = FrameCodec.encode(0x0123456789abcdefL, FrameType.DATA, 42,
                "hello-ipr".getBytes(StandardCharsets.US_ASCII));
        byte[] frame = ExtensionFrames.dataWithCredit(data, new ExtensionFrames.Credit(7, 576 * 1024, 0, false));
        assertEquals(plain(VECTOR_DATA_CREDIT), HEX.formatHex(frame));
    }

    @Test
    void decodesDataCreditIntoItsCreditAndItsDataFrame() {
        FrameView view = decode(VECTOR_DATA_CREDIT);
        assertEquals(FrameType.DATA_CREDIT, view.type());
        assertEquals(42, view.sequence());
        ExtensionFrames.DataWithCredit parts = ExtensionFrames.readDataWithCredit(view);
        assertNotNull(parts);
        assertEquals(new ExtensionFrames.Credit(7, 589_824, 0, false), parts.credit());
        assertEquals(plain(VECTOR_DATA_FLAGGED), HEX.formatHex(parts.dataFrame()));
    }

    @Test
    void aDataCreditWithNoDataIsAnEndOfStream() {
        byte[] end = FrameCodec.encode(0x0123456789abcdefL, FrameType.DATA, 43, new byte[0]);
        byte[] frame = ExtensionFrames.dataWithCredit(end, new ExtensionFrames.Credit(7, 576 * 1024, 0, false));
        assertEquals("0300|0123456789abcdef|e2|0000002b|01|00000007|0000000000090000|00000000|00".replace("|", ""),
                HEX.formatHex(frame));
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(frame));
        ExtensionFrames.DataWithCredit parts = ExtensionFrames.readDataWithCredit(view);
        assertNotNull(parts);
        assertEquals(FrameCodec.HEADER_LENGTH, parts.dataFrame().length);
        assertEquals("03000123456789abcdef010000002b01", HEX.formatHex(parts.dataFrame()));
    }

    @Test
    void aDataCreditShorterThanItsPrefixIsNotUsable() {
        String cut = "0300|0123456789abcdef|e2|0000002a|01|00000007|0000000000090000|00000000";   // 16 of 17
        assertNull(ExtensionFrames.readDataWithCredit(decode(cut)));
    }

    @Test
    void encodesADataFrameWithTheExtensionsFlag() {
        byte[] frame = FrameCodec.encode(0x0123456789abcdefL, FrameType.DATA, 42,
                "hello-ipr".getBytes(StandardCharsets.US_ASCII));
        FrameCodec.writeFlags(frame, FrameCodec.FLAG_EXTENSIONS);
        assertEquals(plain(VECTOR_DATA_FLAGGED), HEX.formatHex(frame));
        FrameView view = decode(VECTOR_DATA_FLAGGED);
        assertEquals(FrameType.DATA, view.type());
        assertEquals(42, view.sequence());
        assertEquals(1, view.reserved());
        assertArrayEquals("hello-ipr".getBytes(StandardCharsets.US_ASCII), view.copyPayload());
        assertEquals("id=0x0123456789abcdef type=data seq=42 reserved=1 payloadLength=9", view.toString());
    }

    @Test
    void extensionTypesAreKnownAndMarkedAsExtensions() {
        assertEquals(FrameType.CREDIT, FrameType.ofWireValue(0xe0));
        assertEquals(FrameType.RESET, FrameType.ofWireValue(0xe1));
        assertEquals(FrameType.DATA_CREDIT, FrameType.ofWireValue(0xe2));
        assertNull(FrameType.ofWireValue(0xe3));
        assertTrue(FrameType.CREDIT.isExtension());
        assertTrue(FrameType.RESET.isExtension());
        assertTrue(FrameType.DATA_CREDIT.isExtension());
        assertFalse(FrameType.PONG.isExtension());
        assertEquals(DecodeStatus.UNKNOWN_MESSAGE_TYPE,
                new FrameView().wrap(hex("0300|0011223344556677|e3|00000000|01")));
    }
}
