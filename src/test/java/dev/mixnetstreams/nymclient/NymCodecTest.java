package dev.mixnetstreams.nymclient;

import static dev.mixnetstreams.nymclient.Hex.bytes;
import static dev.mixnetstreams.nymclient.Hex.hex;
import static dev.mixnetstreams.nymclient.Hex.times;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every nym-client API vector of PROTOCOL.md (section 8.4), byte for byte, both ways; and the malformed classes. */
class NymCodecTest {

    static final Recipient R = Recipient.parse(Hex.ADDRESS);
    static final byte[] FOOMP = "foomp".getBytes(StandardCharsets.US_ASCII);
    static final SenderTag TAG_08 = SenderTag.fromBytes(filled(0x08));
    static final SenderTag TAG_2A = SenderTag.fromBytes(filled(0x2a));

    static final String SEND_ANONYMOUS = "01|0000029a|R|000000000000002a|0000000000000005|666f6f6d70";
    static final String REPLY = "02|" + times("08", 16) + "|000000000000002a|0000000000000005|666f6f6d70";
    static final String RECEIVED_TAGGED = "01|01|" + times("2a", 16) + "|0000000000000005|666f6f6d70";
    static final String RECEIVED_UNTAGGED = "01|00|0000000000000005|666f6f6d70";
    static final String SELF_ADDRESS_RESPONSE = "02|R";

    static byte[] filled(int b) {
        byte[] a = new byte[16];
        Arrays.fill(a, (byte) b);
        return a;
    }

    @Test
    void addressVector() {
        assertEquals(Hex.R, hex(R.toBytes()));
        assertEquals("zXExeyvPEHUk9rjXTu78T", TAG_08.toString());
    }

    @Test
    void sendAnonymousVector() {
        byte[] encoded = NymCodec.encode(new NymRequest.SendAnonymous(R, 666, 42, FOOMP));
        assertEquals(hex(bytes(SEND_ANONYMOUS)), hex(encoded));
        NymRequest.SendAnonymous d = assertInstanceOf(NymRequest.SendAnonymous.class,
                NymCodec.decodeRequest(bytes(SEND_ANONYMOUS)).value());
        assertEquals(R, d.recipient());
        assertEquals(666, d.replySurbs());
        assertEquals(42, d.connectionId());
        assertArrayEquals(FOOMP, d.data());
    }

    @Test
    void replyVector() {
        assertEquals(hex(bytes(REPLY)), hex(NymCodec.encode(new NymRequest.Reply(TAG_08, 42, FOOMP))));
        NymRequest.Reply d = assertInstanceOf(NymRequest.Reply.class, NymCodec.decodeRequest(bytes(REPLY)).value());
        assertEquals(TAG_08, d.senderTag());
        assertEquals(42, d.connectionId());
        assertArrayEquals(FOOMP, d.data());
    }

    @Test
    void receivedVectors() {
        assertEquals(hex(bytes(RECEIVED_TAGGED)), hex(NymCodec.encode(new NymResponse.Received(TAG_2A, FOOMP))));
        assertEquals(hex(bytes(RECEIVED_UNTAGGED)), hex(NymCodec.encode(new NymResponse.Received(null, FOOMP))));
        NymResponse.Received tagged = assertInstanceOf(NymResponse.Received.class,
                NymCodec.decodeResponse(bytes(RECEIVED_TAGGED)).value());
        assertEquals(TAG_2A, tagged.senderTag());
        assertArrayEquals(FOOMP, tagged.data());
        NymResponse.Received untagged = assertInstanceOf(NymResponse.Received.class,
                NymCodec.decodeResponse(bytes(RECEIVED_UNTAGGED)).value());
        assertNull(untagged.senderTag());
        assertArrayEquals(FOOMP, untagged.data());
    }

    @Test
    void selfAddressVectors() {
        assertEquals("03", hex(NymCodec.encode(new NymRequest.SelfAddress())));
        assertInstanceOf(NymRequest.SelfAddress.class, NymCodec.decodeRequest(bytes("03")).value());
        assertEquals(hex(bytes(SELF_ADDRESS_RESPONSE)), hex(NymCodec.encode(new NymResponse.SelfAddress(R))));
        assertEquals(R, assertInstanceOf(NymResponse.SelfAddress.class,
                NymCodec.decodeResponse(bytes(SELF_ADDRESS_RESPONSE)).value()).address());
    }

    @Test
    void otherLayouts() {
        assertEquals("00" + Hex.R + "000000000000002a" + "0000000000000005" + "666f6f6d70",
                hex(NymCodec.encode(new NymRequest.Send(R, 42, FOOMP))));
        assertEquals("04000000000000002a", hex(NymCodec.encode(new NymRequest.ClosedConnection(42))));
        assertEquals("05000000000000002a", hex(NymCodec.encode(new NymRequest.GetLaneQueueLength(42))));
        assertEquals("00" + "04" + "0000000000000003" + "626164",
                hex(NymCodec.encode(new NymResponse.Error(4, "bad"))));
        assertEquals("03" + "000000000000002a" + "0000000000000007",
                hex(NymCodec.encode(new NymResponse.LaneQueueLength(42, 7))));
        assertEquals(new NymResponse.Error(4, "bad"), NymCodec.decodeResponse(bytes("00040000000000000003626164")).value());
        assertEquals(new NymResponse.LaneQueueLength(42, 7),
                NymCodec.decodeResponse(bytes("03000000000000002a0000000000000007")).value());
        assertEquals(new NymRequest.ClosedConnection(42), NymCodec.decodeRequest(bytes("04000000000000002a")).value());
        assertEquals(new NymRequest.GetLaneQueueLength(-1), NymCodec.decodeRequest(bytes("05ffffffffffffffff")).value());
    }

    @Test
    void malformedResponsesAreClassified() {
        assertEquals(Malformed.EMPTY, NymCodec.decodeResponse(new byte[0]).malformed());
        assertEquals(Malformed.EMPTY, NymCodec.decodeResponse(null).malformed());
        assertEquals(Malformed.UNKNOWN_TAG, NymCodec.decodeResponse(bytes("04")).malformed());
        assertEquals(Malformed.TOO_SHORT, NymCodec.decodeResponse(bytes("01")).malformed());
        assertEquals(Malformed.TOO_SHORT, NymCodec.decodeResponse(bytes("0101" + times("2a", 16) + "00")).malformed());
        assertEquals(Malformed.BAD_FLAG, NymCodec.decodeResponse(bytes("0102" + "0000000000000000")).malformed());
        // one byte more and one byte less than the prefix says
        assertEquals(Malformed.LENGTH_MISMATCH, NymCodec.decodeResponse(bytes(RECEIVED_UNTAGGED + "00")).malformed());
        assertEquals(Malformed.LENGTH_MISMATCH, NymCodec.decodeResponse(bytes("01|00|0000000000000005|666f6f6d")).malformed());
        assertEquals(Malformed.LENGTH_MISMATCH,
                NymCodec.decodeResponse(bytes("01|00|8000000000000000|666f6f6d70")).malformed());
        assertEquals(Malformed.TOO_SHORT, NymCodec.decodeResponse(bytes("02" + Hex.R.substring(2))).malformed());
        assertEquals(Malformed.TRAILING_BYTES, NymCodec.decodeResponse(bytes(SELF_ADDRESS_RESPONSE + "00")).malformed());
        assertEquals(Malformed.TRAILING_BYTES,
                NymCodec.decodeResponse(bytes("03000000000000002a000000000000000700")).malformed());
    }

    @Test
    void malformedRequestsMapToErrorKinds() {
        assertEquals(0x01, NymCodec.decodeRequest(new byte[0]).malformed().requestErrorKind());
        assertEquals(0x02, NymCodec.decodeRequest(bytes("00" + Hex.R)).malformed().requestErrorKind());
        assertEquals(0x03, NymCodec.decodeRequest(bytes("06")).malformed().requestErrorKind());
        assertEquals(0x04, NymCodec.decodeRequest(bytes(SEND_ANONYMOUS + "ff")).malformed().requestErrorKind());
        assertEquals(0x04, NymCodec.decodeRequest(bytes("0300")).malformed().requestErrorKind());
    }
}
