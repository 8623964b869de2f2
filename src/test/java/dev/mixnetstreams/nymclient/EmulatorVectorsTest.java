package dev.mixnetstreams.nymclient;

import static dev.mixnetstreams.nymclient.Hex.bytes;
import static dev.mixnetstreams.nymclient.Hex.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stand-in over a real WebSocket on loopback, spoken to with the reference's vector bytes. */
@Timeout(60)
class EmulatorVectorsTest {

    static final Recipient R = Recipient.parse(Hex.ADDRESS);

    @Test
    void vectorsOverTheWire() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(2).addresses(R).seed(7).start();
             RawClient b = new RawClient(emulator.uri(0));
             RawClient a = new RawClient(emulator.uri(1))) {
            // SelfAddress: 03 -> 02|R
            b.send(bytes("03"));
            assertEquals(hex(bytes(NymCodecTest.SELF_ADDRESS_RESPONSE)), hex(b.next()));

            // SendAnonymous{R, "foomp", 666 SURBs, conn 42}: a LaneQueueLength for conn 42 to the sender ...
            a.send(bytes(NymCodecTest.SEND_ANONYMOUS));
            assertEquals("03" + "000000000000002a" + "0000000000000000", hex(a.next()));
            // ... and Received{tag, "foomp"} at R, laid out as the vector (the tag is the stand-in's)
            byte[] received = b.next();
            byte[] tag = Arrays.copyOfRange(received, 2, 18);
            assertEquals(hex(bytes("01|01|" + hex(tag) + "|0000000000000005|666f6f6d70")), hex(received));

            // Reply{tag 08x16, "foomp", conn 42}: not a tag R was given -> Error 0xFF
            b.send(bytes(NymCodecTest.REPLY));
            NymResponse.Error error = (NymResponse.Error) NymCodec.decodeResponse(b.next()).value();
            assertEquals(0xFF, error.kind());

            // Reply with the real tag: LaneQueueLength to R, and the sender gets the untagged vector
            b.send(NymCodec.encode(new NymRequest.Reply(SenderTag.fromBytes(tag), 42, "foomp".getBytes())));
            assertEquals("03000000000000002a0000000000000000", hex(b.next()));
            assertEquals(hex(bytes(NymCodecTest.RECEIVED_UNTAGGED)), hex(a.next()));

            // the tag is fixed per (sender, recipient)
            a.send(bytes(NymCodecTest.SEND_ANONYMOUS.replace("000000000000002a", "0000000000000000")));
            assertEquals(hex(tag), hex(Arrays.copyOfRange(b.next(), 2, 18)));

            // GetLaneQueueLength and ClosedConnection
            b.send(bytes("04000000000000002a"));
            b.send(bytes("050000000000000007"));
            assertEquals("0300000000000000070000000000000000", hex(b.next()));
        }
    }

    @Test
    void malformedRequestsGetErrorKinds() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).addresses(R).start();
             RawClient c = new RawClient(emulator.uri(0))) {
            assertEquals(0x01, errorKind(c, new byte[0]));
            assertEquals(0x02, errorKind(c, bytes("00" + Hex.R)));
            assertEquals(0x03, errorKind(c, bytes("09")));
            assertEquals(0x04, errorKind(c, bytes(NymCodecTest.SEND_ANONYMOUS + "ff")));
            assertEquals(0x04, errorKind(c, bytes("0300")));
            c.sendText("{\"type\":\"selfAddress\"}");
            assertEquals(0xFF, ((NymResponse.Error) NymCodec.decodeResponse(c.next()).value()).kind());
        }
    }

    @Test
    void oneConnectionPerClient() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start();
             RawClient first = new RawClient(emulator.uri(0));
             RawClient second = new RawClient(emulator.uri(0))) {
            assertEquals(1008, second.closed.get(20, TimeUnit.SECONDS));
            first.send(bytes("03"));
            assertEquals(hex(NymCodec.encode(new NymResponse.SelfAddress(emulator.address(0)))), hex(first.next()));
            assertTrue(!first.closed.isDone());
        }
    }

    private static int errorKind(RawClient c, byte[] request) throws Exception {
        c.send(request);
        NymResponse response = NymCodec.decodeResponse(c.next()).value();
        return ((NymResponse.Error) response).kind();
    }

}
