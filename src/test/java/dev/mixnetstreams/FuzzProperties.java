package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.wire.DecodeStatus;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import dev.mixnetstreams.wire.FrameView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Fuzzing: the frame decoder and the router fed random and mutated messages (bit flips,
 * truncations, message types 0-255, frame kinds, ids of live streams, random or missing sender
 * tags). Nothing escapes as an exception, the router keeps serving (two live streams, one
 * accepted and one opened, still deliver exact bytes afterwards) and the counters add up. A live
 * stream may end otherwise in one way only: the fuzzer sent a RESET for it, from its peer (a
 * mutated type byte makes one), and its reader then gets a {@link StreamResetException} with that
 * RESET's reason, never fewer or other bytes.
 * The campaigns tagged "long" run only with {@code -Plong}. Each try is one seed: jqwik prints it
 * on failure and the whole message sequence follows from it.
 */
class FuzzProperties {

    @Property(tries = 2000)
    void frameViewClassifiesAnyBytesWithoutThrowing(@ForAll("seeds") long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        FrameView view = new FrameView();
        for (int i = 0; i < 50; i++) {
            byte[] message = mutant(random, random.nextLong(), random.nextBoolean() ? FrameType.OPEN : FrameType.DATA);
            int offset = random.nextInt(4) == 0 ? random.nextInt(-2, message.length + 2) : 0;
            int length = random.nextInt(4) == 0 ? random.nextInt(-2, message.length + 2) : message.length - offset;
            DecodeStatus status = view.wrap(message, offset, length);
            assertEquals(model(message, offset, length), status);
            if (status == DecodeStatus.FRAME) {
                assertEquals(length - FrameCodec.HEADER_LENGTH, view.payloadLength());
                assertArrayEquals(Arrays.copyOfRange(message, offset + FrameCodec.HEADER_LENGTH, offset + length),
                        view.copyPayload());
                assertEquals(FrameType.ofWireValue(message[offset + 10] & 0xff), view.type());
            }
        }
    }

    @Property(tries = 150)
    void routerSurvivesMutatedMessagesAndKeepsServing(@ForAll("seeds") long seed) throws Exception {
        fuzzRouter(seed, 400);
    }

    @Property(tries = 2000)
    @Tag("long")
    void routerCampaign(@ForAll("seeds") long seed) throws Exception {
        fuzzRouter(seed, 5000);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /** The decoder's specification, written independently. */
    static DecodeStatus model(byte[] m, int offset, int length) {
        if (offset < 0 || length < 16 || (long) offset + length > m.length) {
            return DecodeStatus.TOO_SHORT;
        }
        if (((m[offset] & 0xff) | (m[offset + 1] & 0xff) << 8) != 3) {
            return DecodeStatus.NOT_STREAM_KIND;
        }
        int type = m[offset + 10] & 0xff;
        return type <= 4 || type == 0xe0 || type == 0xe1 || type == 0xe2 ? DecodeStatus.FRAME
                : DecodeStatus.UNKNOWN_MESSAGE_TYPE;
    }

    /** A valid frame, then zero or more mutations. */
    static byte[] mutant(SplittableRandom random, long id, FrameType type) {
        byte[] payload = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(1, 300)];
        random.nextBytes(payload);
        byte[] m = FrameCodec.encode(id, type, random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(4), payload);
        int mutations = random.nextInt(4);
        for (int i = 0; i < mutations && m.length > 0; i++) {
            switch (random.nextInt(6)) {
                case 0 -> m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8)); // bit flip
                case 1 -> m = Arrays.copyOf(m, random.nextInt(m.length + 1));            // truncation
                case 2 -> { if (m.length > 10) { m[10] = (byte) random.nextInt(256); } }  // any type byte
                case 3 -> { if (m.length > 1) { int k = random.nextInt(8) == 0 ? random.nextInt(1 << 16) : random.nextInt(5);
                        m[0] = (byte) k; m[1] = (byte) (k >>> 8); } }                     // kinds
                case 4 -> { m = new byte[random.nextInt(40)]; random.nextBytes(m); }        // garbage
                default -> { if (m.length > 15) { m[15] = (byte) random.nextInt(256); } }  // reserved byte
            }
        }
        return m;
    }

    static void fuzzRouter(long seed, int messages) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        try (ScriptedPeer peer = ScriptedPeer.create(messages + 64);
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetListener listener = client.listener();
            SenderTag peerTag = HostileInputSmallHeapTest.tag(random);
            long acceptedId = random.nextLong();
            peer.open(acceptedId, peerTag);
            MixnetStream accepted = listener.accept();
            MixnetStream opened = client.openStream(Recipient.random(random));
            long openedId = opened.id().value();
            long[] ids = {acceptedId, openedId, random.nextLong(), random.nextLong()};
            FrameView view = new FrameView();
            long[] nonFrames = new long[3];
            // The reasons of the RESETs the fuzzer sent each live stream from its peer.
            java.util.Set<ResetReason> resetsToAccepted = java.util.EnumSet.noneOf(ResetReason.class);
            java.util.Set<ResetReason> resetsToOpened = java.util.EnumSet.noneOf(ResetReason.class);
            for (int i = 0; i < messages; i++) {
                long id = ids[random.nextInt(ids.length)];
                byte[] m = mutant(random, id, random.nextInt(3) == 0 ? FrameType.OPEN : FrameType.DATA);
                SenderTag tag = switch (random.nextInt(3)) {
                    case 0 -> null;
                    case 1 -> peerTag;
                    default -> HostileInputSmallHeapTest.tag(random);
                };
                DecodeStatus status = view.wrap(m);
                if (status == DecodeStatus.FRAME
                        && (view.type() == FrameType.DATA || view.type() == FrameType.DATA_CREDIT)) {
                    // Only the streams' real peers may write into them: keep fuzz data out (a
                    // DATA_CREDIT carries Data too).
                    if (view.streamId() == acceptedId && peerTag.equals(tag)) {
                        tag = HostileInputSmallHeapTest.tag(random);
                    } else if (view.streamId() == openedId && tag == null) {
                        tag = peerTag;
                    }
                }
                if (status == DecodeStatus.FRAME && view.type() == FrameType.RESET) {
                    if (view.streamId() == acceptedId && peerTag.equals(tag)) {
                        resetsToAccepted.add(ResetReason.ofCode(view.sequence()));
                    } else if (view.streamId() == openedId && tag == null) {
                        resetsToOpened.add(ResetReason.ofCode(view.sequence()));
                    }
                }
                switch (status) {
                    case TOO_SHORT -> nonFrames[0]++;
                    case NOT_STREAM_KIND -> nonFrames[1]++;
                    case UNKNOWN_MESSAGE_TYPE -> nonFrames[2]++;
                    case FRAME -> { }
                }
                peer.send(m, tag);
            }
            // The router keeps serving: both live streams deliver exact bytes afterwards.
            byte[] toAccepted = new byte[1 + random.nextInt(5000)];
            byte[] toOpened = new byte[1 + random.nextInt(5000)];
            random.nextBytes(toAccepted);
            random.nextBytes(toOpened);
            peer.data(acceptedId, 0, toAccepted, peerTag);
            peer.data(acceptedId, 1, new byte[0], peerTag);
            peer.reply(openedId, 0, toOpened); // a reply: no tag
            peer.replyEndOfStream(openedId, 1);
            assertExactOrReset(toAccepted, accepted, resetsToAccepted, "accepted, seed " + seed);
            assertExactOrReset(toOpened, opened, resetsToOpened, "opened, seed " + seed);
            ClientStats stats = client.stats();
            assertEquals(messages + 5L, stats.messagesIn(), "seed " + seed);
            assertEquals(nonFrames[0], stats.dropped(DropReason.TOO_SHORT), "seed " + seed);
            assertEquals(nonFrames[1], stats.dropped(DropReason.NOT_STREAM_KIND), "seed " + seed);
            assertEquals(nonFrames[2], stats.dropped(DropReason.UNKNOWN_MESSAGE_TYPE), "seed " + seed);
            assertEquals(stats.messagesIn(), stats.framesIn() + nonFrames[0] + nonFrames[1] + nonFrames[2],
                    "messagesIn = frames + non-frames, seed " + seed);
            assertEquals(0, client.counters().routerFailures.sum(), "nothing escaped in the router, seed " + seed);
        }
    }

    /**
     * Reads the stream to its end: exactly {@code expected}, or, only if the fuzzer sent it a RESET
     * from its peer, a {@link StreamResetException} with one of those RESETs' reasons.
     */
    private static void assertExactOrReset(byte[] expected, MixnetStream stream, java.util.Set<ResetReason> resets,
                                           String what) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IOException failure = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = stream.getInputStream()) {
                in.transferTo(out);
                return (IOException) null;
            } catch (IOException e) {
                return e;
            }
        }, task -> Thread.ofVirtual().start(task)).get(60, TimeUnit.SECONDS); // a hang guard only
        if (failure == null) {
            assertArrayEquals(expected, out.toByteArray(), what);
            return;
        }
        if (!(failure instanceof StreamResetException reset) || !reset.byPeer() || !resets.contains(reset.reason())) {
            throw new AssertionError(what + ": the read failed, and the fuzzer sent no RESET that explains it "
                    + "(RESETs sent: " + resets + ")", failure);
        }
        assertEquals(0, out.size(), what + ": a reset fails the read at once: no bytes of the fuzzer's");
    }
}
