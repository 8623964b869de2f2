package dev.mixnetstreams.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Examples: the reference's test vectors, byte for byte, and the edges around them. */
class FrameCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Parses hex with the reference's {@code |} field separators. */
    private static byte[] hex(String text) {
        return HEX.parseHex(text.replace("|", ""));
    }

    private static final String VECTOR_OPEN_AA = "0300|0011223344556677|00|00000001|00|aa";
    private static final String VECTOR_DATA_HELLO = "0300|0123456789abcdef|01|0000002a|00|68656c6c6f2d697072";
    private static final String VECTOR_OPEN_EMPTY = "0300|0011223344556677|00|00000000|00";

    // ---- the three frames, encode side ----

    @Test
    void encodesOpenWithOneBytePayload() {
        byte[] frame = FrameCodec.encode(0x0011223344556677L, FrameType.OPEN, 1, new byte[] {(byte) 0xaa});
        assertEquals(VECTOR_OPEN_AA.replace("|", ""), HEX.formatHex(frame));
    }

    @Test
    void encodesDataHelloIpr() {
        byte[] frame = FrameCodec.encode(0x0123456789abcdefL, FrameType.DATA, 42,
                "hello-ipr".getBytes(StandardCharsets.US_ASCII));
        assertEquals(VECTOR_DATA_HELLO.replace("|", ""), HEX.formatHex(frame));
    }

    @Test
    void encodesOpenWithEmptyPayload() {
        byte[] frame = FrameCodec.encode(0x0011223344556677L, FrameType.OPEN, 0, new byte[0]);
        assertEquals(VECTOR_OPEN_EMPTY.replace("|", ""), HEX.formatHex(frame));
        assertEquals(FrameCodec.HEADER_LENGTH, frame.length);
    }

    @Test
    void encodeIntoAtAnOffsetWritesTheVectorAndNothingElse() {
        byte[] payload = hex("ffff68656c6c6f2d697072ff");              // "hello-ipr" at offset 2, length 9
        byte[] destination = new byte[40];
        Arrays.fill(destination, (byte) 0x5a);
        int written = FrameCodec.encodeInto(0x0123456789abcdefL, FrameType.DATA, 42, payload, 2, 9, destination, 7);
        assertEquals(25, written);
        byte[] expected = new byte[40];
        Arrays.fill(expected, (byte) 0x5a);
        System.arraycopy(hex(VECTOR_DATA_HELLO), 0, expected, 7, 25);
        assertArrayEquals(expected, destination);
    }

    @Test
    void writeHeaderWritesReservedZeroOverGarbage() {
        byte[] destination = new byte[16];
        Arrays.fill(destination, (byte) 0x7f);
        FrameCodec.writeHeader(0x0011223344556677L, FrameType.OPEN, 0, destination, 0);
        assertEquals(VECTOR_OPEN_EMPTY.replace("|", ""), HEX.formatHex(destination));
    }

    // ---- the three frames, decode side ----

    @Test
    void decodesOpenWithOneBytePayload() {
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(hex(VECTOR_OPEN_AA)));
        assertTrue(view.isFrame());
        assertEquals(DecodeStatus.FRAME, view.status());
        assertEquals(0x0011223344556677L, view.streamId());
        assertEquals(FrameType.OPEN, view.type());
        assertEquals(1, view.sequence());
        assertEquals(0, view.reserved());
        assertEquals(16, view.payloadOffset());
        assertEquals(1, view.payloadLength());
        assertArrayEquals(new byte[] {(byte) 0xaa}, view.copyPayload());
        assertEquals("id=0x0011223344556677 type=open seq=1 reserved=0 payloadLength=1", view.toString());
    }

    @Test
    void decodesDataHelloIpr() {
        FrameView view = new FrameView();
        byte[] message = hex(VECTOR_DATA_HELLO);
        assertEquals(DecodeStatus.FRAME, view.wrap(message));
        assertEquals(0x0123456789abcdefL, view.streamId());
        assertEquals(FrameType.DATA, view.type());
        assertEquals(42, view.sequence());
        assertEquals(9, view.payloadLength());
        assertTrue(view.buffer() == message, "the view must not copy");
        assertEquals("hello-ipr", new String(view.buffer(), view.payloadOffset(), view.payloadLength(),
                StandardCharsets.US_ASCII));
    }

    @Test
    void decodesOpenWithEmptyPayload() {
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(hex(VECTOR_OPEN_EMPTY)));
        assertEquals(0x0011223344556677L, view.streamId());
        assertEquals(FrameType.OPEN, view.type());
        assertEquals(0, view.sequence());
        assertEquals(0, view.payloadLength());
        assertArrayEquals(new byte[0], view.copyPayload());
    }

    @Test
    void decodesAVectorInsideALargerArray() {
        byte[] vector = hex(VECTOR_DATA_HELLO);
        byte[] message = new byte[vector.length + 10];
        Arrays.fill(message, (byte) 0x03);                           // junk that looks like a kind byte
        System.arraycopy(vector, 0, message, 4, vector.length);
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(message, 4, vector.length));
        assertEquals(0x0123456789abcdefL, view.streamId());
        assertEquals(42, view.sequence());
        assertEquals(20, view.payloadOffset());
        assertEquals(9, view.payloadLength());
        assertArrayEquals("hello-ipr".getBytes(StandardCharsets.US_ASCII), view.copyPayload());
    }

    // ---- the three non-frames ----

    @Test
    void fiveZeroBytesAreTooShort() {
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(new byte[5]));
        assertFalse(view.isFrame());
        assertNull(view.type());
        assertEquals(0, view.payloadLength());
        assertEquals("not a stream frame: TOO_SHORT", view.toString());
    }

    @Test
    void kindZeroIsNotAStreamFrame() {
        byte[] message = new byte[17];
        message[16] = (byte) 0xaa;
        assertEquals(DecodeStatus.NOT_STREAM_KIND, new FrameView().wrap(message));
    }

    @Test
    void messageTypeFfIsUnknown() {
        byte[] message = hex(VECTOR_DATA_HELLO);
        message[10] = (byte) 0xff;
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.UNKNOWN_MESSAGE_TYPE, view.wrap(message));
        assertNull(view.type());
        assertEquals(0L, view.streamId());
        assertEquals(0, view.payloadLength());
        assertArrayEquals(new byte[0], view.copyPayload());
    }

    @ParameterizedTest(name = "msg type {0} is unknown and dropped")
    @ValueSource(ints = {5, 6, 127, 128, 255})
    void typesFromFiveOnAreUnknown(int type) {
        byte[] message = hex(VECTOR_OPEN_AA);
        message[10] = (byte) type;
        assertEquals(DecodeStatus.UNKNOWN_MESSAGE_TYPE, new FrameView().wrap(message));
    }

    @Test
    void openAckPingAndPongVectorsOfNewerPeers() {
        String openAck = "0300" + "0011223344556677" + "02" + "00000000" + "00";
        String ping = "0300" + "0011223344556677" + "03" + "cafebabe" + "00";
        String pong = "0300" + "0011223344556677" + "04" + "cafebabe" + "00";
        assertEquals(openAck, HEX.formatHex(FrameCodec.encode(0x0011223344556677L, FrameType.OPEN_ACK, 0, new byte[0])));
        assertEquals(ping, HEX.formatHex(FrameCodec.encode(0x0011223344556677L, FrameType.PING, 0xcafebabe, new byte[0])));
        assertEquals(pong, HEX.formatHex(FrameCodec.encode(0x0011223344556677L, FrameType.PONG, 0xcafebabe, new byte[0])));
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(hex(ping)));
        assertEquals(FrameType.PING, view.type());
        assertEquals(0xcafebabe, view.sequence());
        assertEquals(0, view.payloadLength());
        assertEquals(DecodeStatus.FRAME, view.wrap(hex(openAck)));
        assertEquals(FrameType.OPEN_ACK, view.type());
        assertEquals(DecodeStatus.FRAME, view.wrap(hex(pong)));
        assertEquals(FrameType.PONG, view.type());
        assertEquals("id=0x0011223344556677 type=pong seq=3405691582 reserved=0 payloadLength=0", view.toString());
    }

    @Test
    void kindIsLittleEndian() {
        byte[] bigEndianKind = hex(VECTOR_OPEN_AA);
        bigEndianKind[0] = 0;
        bigEndianKind[1] = 3;                                        // 0x0300 little-endian = 768
        assertEquals(DecodeStatus.NOT_STREAM_KIND, new FrameView().wrap(bigEndianKind));

        byte[] highByteSet = hex(VECTOR_OPEN_AA);
        highByteSet[1] = 1;                                          // 0x0103
        assertEquals(DecodeStatus.NOT_STREAM_KIND, new FrameView().wrap(highByteSet));

        for (int kind : new int[] {0, 1, 2, 4, 255}) {
            byte[] message = hex(VECTOR_OPEN_AA);
            message[0] = (byte) kind;
            assertEquals(DecodeStatus.NOT_STREAM_KIND, new FrameView().wrap(message), "kind " + kind);
        }
    }

    @Test
    void fifteenBytesAreTooShortEvenIfTheHeaderLooksRight() {
        byte[] message = Arrays.copyOf(hex(VECTOR_OPEN_EMPTY), 15);
        assertEquals(DecodeStatus.TOO_SHORT, new FrameView().wrap(message));
        assertEquals(DecodeStatus.TOO_SHORT, new FrameView().wrap(hex(VECTOR_OPEN_EMPTY), 1, 15));
    }

    @Test
    void nullAndEmptyAreTooShort() {
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.TOO_SHORT, view.status(), "a fresh view");
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(null));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(null, 0, 16));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(new byte[0]));
    }

    @Test
    void badRangesAreTooShort() {
        byte[] message = hex(VECTOR_DATA_HELLO);                     // 25 bytes, a valid frame
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, -1, 16));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, 0, 26));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, 10, 16));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, 26, 0));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, 0, -1));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, 1, Integer.MAX_VALUE));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, Integer.MAX_VALUE, 16));
        assertEquals(DecodeStatus.TOO_SHORT, view.wrap(message, Integer.MIN_VALUE, Integer.MIN_VALUE));
        assertEquals(DecodeStatus.FRAME, view.wrap(message, 0, 25));
        assertEquals(DecodeStatus.FRAME, view.wrap(message, 0, 16), "a prefix of a frame is a frame");
        assertEquals(0, view.payloadLength());
    }

    // ---- reserved byte ----

    @Test
    void reservedByteIsNotCheckedOnRead() {
        byte[] message = hex(VECTOR_DATA_HELLO);
        message[15] = 0x7f;
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(message));
        assertEquals(0x7f, view.reserved());
        assertEquals(0x0123456789abcdefL, view.streamId());
        assertEquals(42, view.sequence());
        assertEquals(9, view.payloadLength());

        message[15] = (byte) 0xff;
        assertEquals(DecodeStatus.FRAME, view.wrap(message));
        assertEquals(0xff, view.reserved(), "read unsigned");
    }

    // ---- unsigned extremes ----

    @Test
    void allOnesIdAndSequenceRoundTrip() {
        byte[] frame = FrameCodec.encode(-1L, FrameType.DATA, -1, new byte[] {1, 2});
        assertEquals("0300ffffffffffffffff01ffffffff000102", HEX.formatHex(frame));
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(frame));
        assertEquals(-1L, view.streamId());
        assertEquals(-1, view.sequence());
        assertEquals("id=0xffffffffffffffff type=data seq=4294967295 reserved=0 payloadLength=2", view.toString());
    }

    // ---- view reuse ----

    @Test
    void wrappingANonFrameClearsTheFields() {
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(hex(VECTOR_DATA_HELLO)));
        assertEquals(DecodeStatus.NOT_STREAM_KIND, view.wrap(new byte[20]));
        assertFalse(view.isFrame());
        assertNull(view.type());
        assertEquals(0L, view.streamId());
        assertEquals(0, view.sequence());
        assertEquals(0, view.reserved());
        assertEquals(0, view.payloadLength());
    }

    // ---- encodeInto bounds ----

    @Test
    void encodeIntoATooSmallDestinationThrowsAndWritesNothing() {
        byte[] payload = "hello-ipr".getBytes(StandardCharsets.US_ASCII);
        byte[] destination = new byte[24];                           // one byte short
        Arrays.fill(destination, (byte) 0x5a);
        byte[] before = destination.clone();
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encodeInto(
                0x0123456789abcdefL, FrameType.DATA, 42, payload, 0, payload.length, destination, 0));
        assertArrayEquals(before, destination);

        byte[] big = new byte[40];
        byte[] bigBefore = big.clone();
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encodeInto(
                1L, FrameType.DATA, 0, payload, 0, payload.length, big, 16));   // 25 bytes at 16 > 40
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encodeInto(
                1L, FrameType.DATA, 0, payload, 0, payload.length, big, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encodeInto(
                1L, FrameType.DATA, 0, payload, 1, payload.length, big, 0));   // payload range too long
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encodeInto(
                1L, FrameType.DATA, 0, payload, 0, -1, big, 0));
        assertArrayEquals(bigBefore, big);
    }

    @Test
    void headerOnlyDestinationsTooSmallThrow() {
        assertThrows(IndexOutOfBoundsException.class,
                () -> FrameCodec.writeHeader(1L, FrameType.OPEN, 0, new byte[15], 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> FrameCodec.encode(1L, FrameType.OPEN, 0, new byte[4], 2, 3));
    }

    @Test
    void nullTypeIsRejectedBeforeAnythingIsWritten() {
        byte[] destination = new byte[32];
        assertThrows(NullPointerException.class, () -> FrameCodec.encodeInto(
                1L, null, 0, new byte[0], 0, 0, destination, 0));
        assertArrayEquals(new byte[32], destination);
    }
}
