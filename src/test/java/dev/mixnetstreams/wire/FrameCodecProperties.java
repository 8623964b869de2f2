package dev.mixnetstreams.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the frame codec: round trips, total classification, and bounds. */
@StatisticsReport(onFailureOnly = true) // the build stays quiet; a failure shows them
class FrameCodecProperties {

    // ---- a straightforward model of the header, written independently of the codec ----

    /** What the model expects {@code wrap(bytes, offset, length)} to report. */
    static DecodeStatus modelStatus(byte[] bytes, int offset, int length) {
        if (bytes == null || offset < 0 || length < 16 || (long) offset + length > bytes.length) {
            return DecodeStatus.TOO_SHORT;
        }
        int kind = Byte.toUnsignedInt(bytes[offset]) + 256 * Byte.toUnsignedInt(bytes[offset + 1]);
        if (kind != 3) {
            return DecodeStatus.NOT_STREAM_KIND;
        }
        int type = Byte.toUnsignedInt(bytes[offset + 10]);
        // 0 Open, 1 Data, 2 OpenAck, 3 Ping, 4 Pong; e0 Credit, e1 Reset, e2 DataCredit (this library's extensions)
        if (type > 4 && type != 0xe0 && type != 0xe1 && type != 0xe2) {
            return DecodeStatus.UNKNOWN_MESSAGE_TYPE;
        }
        return DecodeStatus.FRAME;
    }

    /** Big-endian unsigned read of {@code n} bytes by repeated multiplication. */
    static long modelBigEndian(byte[] bytes, int offset, int n) {
        long value = 0;
        for (int i = 0; i < n; i++) {
            value = value * 256 + Byte.toUnsignedInt(bytes[offset + i]);
        }
        return value;
    }

    /** The model's encoding of a header, built from the field table in the reference. */
    static byte[] modelHeader(long id, FrameType type, int sequence) {
        byte[] header = new byte[16];
        header[0] = 3;
        header[1] = 0;
        long rest = id;
        for (int i = 9; i >= 2; i--) {
            header[i] = (byte) (rest & 0xff);
            rest >>>= 8;
        }
        int index = List.of(FrameType.OPEN, FrameType.DATA, FrameType.OPEN_ACK, FrameType.PING,
                FrameType.PONG, FrameType.CREDIT, FrameType.RESET, FrameType.DATA_CREDIT).indexOf(type);
        header[10] = (byte) (index <= 4 ? index : 0xe0 + index - 5); // the extensions from e0
        long seq = Integer.toUnsignedLong(sequence);
        for (int i = 14; i >= 11; i--) {
            header[i] = (byte) (seq & 0xff);
            seq >>>= 8;
        }
        header[15] = 0;
        return header;
    }

    // ---- round trips ----

    @Property
    void encodeThenDecodeRoundTrips(@ForAll long id, @ForAll FrameType type, @ForAll int sequence,
                                    @ForAll @Size(max = 300) byte[] payload) {
        byte[] frame = FrameCodec.encode(id, type, sequence, payload);

        assertEquals(16 + payload.length, frame.length);
        assertArrayEquals(modelHeader(id, type, sequence), Arrays.copyOf(frame, 16));
        assertArrayEquals(payload, Arrays.copyOfRange(frame, 16, frame.length));

        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(frame));
        assertEquals(id, view.streamId());
        assertEquals(type, view.type());
        assertEquals(sequence, view.sequence());
        assertEquals(0, view.reserved());
        assertEquals(16, view.payloadOffset());
        assertEquals(payload.length, view.payloadLength());
        assertArrayEquals(payload, view.copyPayload());
    }

    @Property
    void encodeIntoAndWrapRoundTripAtOffsets(@ForAll long id, @ForAll FrameType type, @ForAll int sequence,
                                             @ForAll @Size(max = 200) byte[] payload,
                                             @ForAll @IntRange(max = 40) int payloadPrefix,
                                             @ForAll @IntRange(max = 40) int payloadSuffix,
                                             @ForAll @IntRange(max = 40) int destinationPrefix,
                                             @ForAll @IntRange(max = 40) int destinationSuffix,
                                             @ForAll byte filler) {
        // The payload sits at a non-zero offset inside a larger array surrounded by filler.
        byte[] source = new byte[payloadPrefix + payload.length + payloadSuffix];
        Arrays.fill(source, filler);
        System.arraycopy(payload, 0, source, payloadPrefix, payload.length);
        byte[] sourceBefore = source.clone();

        int frameLength = 16 + payload.length;
        byte[] destination = new byte[destinationPrefix + frameLength + destinationSuffix];
        Arrays.fill(destination, filler);

        int written = FrameCodec.encodeInto(id, type, sequence, source, payloadPrefix, payload.length,
                destination, destinationPrefix);

        assertEquals(frameLength, written);
        assertArrayEquals(sourceBefore, source, "the payload's array is only read");
        for (int i = 0; i < destinationPrefix; i++) {
            assertEquals(filler, destination[i], "byte before the frame at " + i);
        }
        for (int i = destinationPrefix + frameLength; i < destination.length; i++) {
            assertEquals(filler, destination[i], "byte after the frame at " + i);
        }
        assertArrayEquals(modelHeader(id, type, sequence),
                Arrays.copyOfRange(destination, destinationPrefix, destinationPrefix + 16));
        assertArrayEquals(FrameCodec.encode(id, type, sequence, source, payloadPrefix, payload.length),
                Arrays.copyOfRange(destination, destinationPrefix, destinationPrefix + frameLength),
                "encode and encodeInto agree");

        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(destination, destinationPrefix, frameLength));
        assertEquals(id, view.streamId());
        assertEquals(type, view.type());
        assertEquals(sequence, view.sequence());
        assertEquals(0, view.reserved());
        assertEquals(destinationPrefix + 16, view.payloadOffset());
        assertEquals(payload.length, view.payloadLength());
        assertArrayEquals(payload, view.copyPayload());
        assertArrayEquals(payload, Arrays.copyOfRange(view.buffer(), view.payloadOffset(),
                view.payloadOffset() + view.payloadLength()));
    }

    // ---- total classification ----

    @Property(tries = 3000)
    void wrapClassifiesAnyRangeLikeTheModel(@ForAll("ranges") Range range) {
        byte[] bytes = range.bytes();
        int offset = range.offset();
        int length = range.length();
        byte[] before = bytes == null ? null : bytes.clone();
        FrameView view = new FrameView();

        DecodeStatus status = view.wrap(bytes, offset, length);      // must not throw

        DecodeStatus expected = modelStatus(bytes, offset, length);
        Statistics.label("status").collect(expected);
        Statistics.label("status").coverage(coverage -> {
            // The generators must reach every branch of the model, not only TOO_SHORT.
            for (DecodeStatus each : DecodeStatus.values()) {
                coverage.check(each).percentage(p -> p >= 1.0);
            }
        });
        assertEquals(expected, status);
        assertEquals(expected, view.status());
        assertArrayEquals(before, bytes, "decoding does not modify the message");
        if (expected == DecodeStatus.FRAME) {
            assertEquals(modelBigEndian(bytes, offset + 2, 8), view.streamId());
            assertEquals(FrameType.ofWireValue(Byte.toUnsignedInt(bytes[offset + 10])), view.type());
            assertEquals(modelBigEndian(bytes, offset + 11, 4), Integer.toUnsignedLong(view.sequence()));
            assertEquals(Byte.toUnsignedInt(bytes[offset + 15]), view.reserved());
            assertEquals(offset + 16, view.payloadOffset());
            assertEquals(length - 16, view.payloadLength());
            assertArrayEquals(Arrays.copyOfRange(bytes, offset + 16, offset + length), view.copyPayload());
        } else {
            assertNull(view.type());
            assertEquals(0L, view.streamId());
            assertEquals(0, view.sequence());
            assertEquals(0, view.reserved());
            assertEquals(0, view.payloadLength());
            assertArrayEquals(new byte[0], view.copyPayload());
        }
        view.toString();                                             // must not throw either
    }

    @Property
    void wrapOfAWholeArrayMatchesTheModel(@ForAll("messages") Sample sample) {
        byte[] bytes = sample.bytes();
        int length = bytes == null ? 0 : bytes.length;
        assertEquals(modelStatus(bytes, 0, length), new FrameView().wrap(bytes));
    }

    /**
     * A generated message and where a header was planted in it (0 when none was).
     *
     * @param bytes the message, possibly {@code null}
     * @param headerAt the offset of the planted header
     */
    record Sample(byte[] bytes, int headerAt) {
        @Override
        public String toString() {
            return (bytes == null ? "null" : HexFormat.of().formatHex(bytes)) + " header at " + headerAt;
        }
    }

    /**
     * Messages: junk biased towards header bytes (kind 3, msg types 0–4), and encoded frames planted
     * at an offset in junk with at most one header byte changed.
     */
    @Provide
    Arbitrary<Sample> messages() {
        Arbitrary<Byte> interesting = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of((byte) 0, (byte) 1, (byte) 3)),
                Tuple.of(1, Arbitraries.of((byte) 2, (byte) 4, (byte) 0xff)),
                Tuple.of(2, Arbitraries.bytes()));
        Arbitrary<Sample> random = interesting.array(byte[].class).ofMaxSize(64).map(b -> new Sample(b, 0));
        Arbitrary<Sample> framed = Combinators.combine(
                        Arbitraries.longs(), Arbitraries.of(FrameType.class), Arbitraries.integers(),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(20),
                        Arbitraries.integers().between(0, 8),
                        Arbitraries.frequencyOf(                      // which header byte to change, if any
                                Tuple.of(3, Arbitraries.just(-1)),
                                Tuple.of(2, Arbitraries.just(10)),
                                Tuple.of(2, Arbitraries.of(0, 1)),
                                Tuple.of(2, Arbitraries.integers().between(0, 15))),
                        Arbitraries.bytes())
                .as((id, type, seq, payload, prefix, mutateAt, mutation) -> {
                    byte[] frame = FrameCodec.encode(id, type, seq, payload);
                    byte[] out = new byte[prefix + frame.length + 3];
                    Arrays.fill(out, (byte) 3);
                    System.arraycopy(frame, 0, out, prefix, frame.length);
                    if (mutateAt >= 0) {
                        out[prefix + mutateAt] = mutation;
                    }
                    return new Sample(out, prefix);
                });
        return Arbitraries.frequencyOf(
                Tuple.of(2, random),
                Tuple.of(3, framed),
                Tuple.of(1, Arbitraries.just(new Sample(null, 0))));
    }

    /** A message and a range to wrap, which may or may not lie inside it. */
    record Range(byte[] bytes, int offset, int length) {
        @Override
        public String toString() {
            return (bytes == null ? "null" : HexFormat.of().formatHex(bytes))
                    + " [" + offset + ", +" + length + ")";
        }
    }

    /**
     * Ranges: anything at all, anything inside the array, and ranges starting at the planted header
     * that run to the end of the array or nearly.
     */
    @Provide
    Arbitrary<Range> ranges() {
        return messages().flatMap(sample -> {
            byte[] bytes = sample.bytes();
            Arbitrary<Range> anything = Combinators.combine(offsets(), lengths())
                    .as((offset, length) -> new Range(bytes, offset, length));
            if (bytes == null) {
                return anything;
            }
            Arbitrary<Range> inside = Arbitraries.integers().between(0, bytes.length).flatMap(offset ->
                    Arbitraries.integers().between(0, bytes.length - offset)
                            .map(length -> new Range(bytes, offset, length)));
            int at = sample.headerAt();
            Arbitrary<Range> atHeader = Arbitraries.integers().between(0, 4)
                    .map(cut -> new Range(bytes, at, Math.max(0, bytes.length - at - cut)));
            return Arbitraries.frequencyOf(Tuple.of(1, anything), Tuple.of(1, inside), Tuple.of(3, atHeader));
        });
    }

    /** Offsets: mostly small and valid, sometimes negative or huge. */
    @Provide
    Arbitrary<Integer> offsets() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(-3, 70),
                Arbitraries.integers(),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, -1, Integer.MAX_VALUE - 15));
    }

    /** Lengths: around 16 and the sizes of the generated arrays, sometimes negative or huge. */
    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(14, 40),
                Arbitraries.integers().between(-3, 80),
                Arbitraries.integers(),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 16, Integer.MAX_VALUE - 15));
    }

    // ---- bounds ----

    @Property
    void encodeIntoTooSmallADestinationThrowsAndWritesNothing(
            @ForAll long id, @ForAll FrameType type, @ForAll int sequence,
            @ForAll @Size(max = 100) byte[] payload,
            @ForAll @IntRange(min = -5, max = 60) int destinationOffset,
            @ForAll @IntRange(min = 1, max = 120) int shortBy,
            @ForAll byte filler) {
        int frameLength = 16 + payload.length;
        // A destination that cannot hold the frame at destinationOffset (or a negative offset).
        int destinationLength = Math.max(0, Math.max(0, destinationOffset) + frameLength - shortBy);
        byte[] destination = new byte[destinationLength];
        Arrays.fill(destination, filler);
        byte[] before = destination.clone();

        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encodeInto(
                id, type, sequence, payload, 0, payload.length, destination, destinationOffset));
        assertArrayEquals(before, destination, "nothing written");
    }

    @Property
    void encodeIntoABadPayloadRangeThrowsAndWritesNothing(
            @ForAll @Size(max = 50) byte[] payload,
            @ForAll @IntRange(min = -3, max = 60) int offset,
            @ForAll @IntRange(min = -3, max = 60) int length) {
        Assume.that(offset < 0 || length < 0 || offset + length > payload.length);
        byte[] destination = new byte[200];
        assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encodeInto(
                7L, FrameType.DATA, 1, payload, offset, length, destination, 0));
        assertArrayEquals(new byte[200], destination, "nothing written");
    }
}
