package dev.mixnetstreams.nymclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Round trips of every request and response; decoding classifies any bytes without throwing. */
class NymCodecProperties {

    @Property
    void requestsRoundTrip(@ForAll("requests") NymRequest request) {
        byte[] encoded = NymCodec.encode(request);
        Decoded<NymRequest> decoded = NymCodec.decodeRequest(encoded);
        assertTrue(decoded.isOk(), decoded.detail());
        assertEquals(request.getClass(), decoded.value().getClass());
        assertArrayEquals(encoded, NymCodec.encode(decoded.value()));
    }

    @Property
    void responsesRoundTrip(@ForAll("responses") NymResponse response) {
        byte[] encoded = NymCodec.encode(response);
        Decoded<NymResponse> decoded = NymCodec.decodeResponse(encoded);
        assertTrue(decoded.isOk(), decoded.detail());
        assertEquals(response.getClass(), decoded.value().getClass());
        assertArrayEquals(encoded, NymCodec.encode(decoded.value()));
    }

    @Property
    void truncatedOrExtendedMessagesAreMalformed(@ForAll("responses") NymResponse response,
                                                 @ForAll("cuts") int cut) {
        byte[] encoded = NymCodec.encode(response);
        int length = Math.max(0, encoded.length + cut);
        if (length == encoded.length) {
            return;
        }
        byte[] changed = Arrays.copyOf(encoded, length);
        Decoded<NymResponse> decoded = NymCodec.decodeResponse(changed);
        assertTrue(!decoded.isOk(), "accepted a message of the wrong length: " + decoded);
    }

    @Property(tries = 2000)
    void decodingNeverThrows(@ForAll @Size(max = 200) byte[] bytes) {
        Decoded<NymResponse> response = NymCodec.decodeResponse(bytes);
        Decoded<NymRequest> request = NymCodec.decodeRequest(bytes);
        if (response.isOk()) {
            assertArrayEquals(bytes, NymCodec.encode(response.value()));
        }
        if (request.isOk()) {
            assertArrayEquals(bytes, NymCodec.encode(request.value()));
        }
    }

    @Property(tries = 2000)
    void decodingNeverThrowsOnPlausibleMessages(@ForAll("plausible") byte[] bytes) {
        decodingNeverThrows(bytes);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(-40, 3);
    }

    /** A known tag followed by random bytes, so the length checks are exercised. */
    @Provide
    Arbitrary<byte[]> plausible() {
        return Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.bytes().array(byte[].class).ofMaxSize(150))
                .as((tag, rest) -> {
                    byte[] b = new byte[rest.length + 1];
                    b[0] = (byte) (int) tag;
                    System.arraycopy(rest, 0, b, 1, rest.length);
                    return b;
                });
    }

    Arbitrary<byte[]> data() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    Arbitrary<Recipient> recipients() {
        return Arbitraries.bytes().array(byte[].class).ofSize(Recipient.LENGTH).map(Recipient::fromBytes);
    }

    Arbitrary<SenderTag> tags() {
        return Arbitraries.bytes().array(byte[].class).ofSize(SenderTag.LENGTH).map(SenderTag::fromBytes);
    }

    @Provide
    Arbitrary<NymRequest> requests() {
        Arbitrary<Long> ids = Arbitraries.longs();
        return Arbitraries.oneOf(
                Combinators.combine(recipients(), ids, data()).as(NymRequest.Send::new),
                Combinators.combine(recipients(), Arbitraries.integers(), ids, data()).as(NymRequest.SendAnonymous::new),
                Combinators.combine(tags(), ids, data()).as(NymRequest.Reply::new),
                Arbitraries.just(new NymRequest.SelfAddress()),
                ids.map(NymRequest.ClosedConnection::new),
                ids.map(NymRequest.GetLaneQueueLength::new));
    }

    @Provide
    Arbitrary<NymResponse> responses() {
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, 255),
                                Arbitraries.strings().alpha().numeric().withChars(" äé€ß\n").ofMaxLength(40))
                        .as(NymResponse.Error::new),
                Combinators.combine(tags().injectNull(0.5), data()).as(NymResponse.Received::new),
                recipients().map(NymResponse.SelfAddress::new),
                Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(NymResponse.LaneQueueLength::new));
    }
}
