package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.ScriptedPeer.SentFrame;
import dev.mixnetstreams.wire.FrameType;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the stream layer sends over a transport that cuts messages into packets (legacy SURBs, as a
 * default nym-client): writes gathered into frames that fill whole packets, the first bytes riding
 * in the Open, SURBs only where they ride free, a lane per stream; and when frames leave.
 */
@Timeout(60) // a hang guard only
class CoalescingTest {

    private static final PacketGeometry LEGACY = PacketGeometry.NYM_LEGACY_SURBS;
    /** Long enough that nothing in a test leaves because of it. */
    private static final Duration NEVER = MixnetClient.Builder.MAX_WRITE_LINGER;
    /** What rides in the padding of an Open with 20 legacy SURBs: 15 packets hold 24,060 bytes. */
    private static final int OPEN_CAPACITY = 15 * 1604 - 23 - 20 * 1164 - 16;
    /** Full Data frames from the opener along the ramp: 1, 2, 4 and 8 packets, no SURBs. */
    private static final int[] RAMP = {1 * 1604 - 39, 2 * 1604 - 39, 4 * 1604 - 39, 8 * 1604 - 39};
    /** A full Data frame from the opener at the top of the ramp. */
    private static final int FULL_FRAME = RAMP[3];
    /** Full reply frames along the ramp. */
    private static final int[] REPLY_RAMP = {1 * 1604 - 19, 2 * 1604 - 19, 4 * 1604 - 19, 8 * 1604 - 19};

    private static ScriptedPeer peer() {
        return ScriptedPeer.create(LoopbackMixnet.builder().packetGeometry(LEGACY));
    }

    /** A client for a scripted peer that says nothing back, as a first-version Rust acceptor. */
    private static MixnetClient client(ScriptedPeer peer, Duration linger) {
        // Without the extensions: this peer never acknowledges, and the cutting is under test, not resends.
        return MixnetClient.builder(peer.client()).writeLinger(linger).extensions(false).build();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void theCapacitiesFollowFromTheGeometry() {
        assertEquals(741, OPEN_CAPACITY);
        assertEquals(15, LEGACY.anonymousPackets(16 + OPEN_CAPACITY, 20));
        for (int step = 0; step < RAMP.length; step++) {
            assertEquals(1 << step, LEGACY.anonymousPackets(16 + RAMP[step], 0));
            assertEquals(1 << step, LEGACY.replyPackets(16 + REPLY_RAMP[step]));
            assertEquals((1 << step) + 1, LEGACY.anonymousPackets(16 + RAMP[step] + 1, 0), "full");
        }
    }

    @Test
    void theLingerIsCheckedWhereItIsSet() {
        try (ScriptedPeer peer = peer()) {
            MixnetClient.Builder builder = MixnetClient.builder(peer.client());
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> builder.writeLinger(Duration.ofMillis(-1)));
            assertEquals("writeLinger must not be negative, got PT-0.001S", negative.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> builder.writeLinger(Duration.ofSeconds(11)));
            assertEquals("writeLinger must be at most 10 s, got PT11S", tooLong.getMessage());
            assertThrows(NullPointerException.class, () -> builder.writeLinger(null));
        }
    }

    @Test
    void smallWritesReturnAtOnceAndLeaveTogetherInTheOpenAfterTheLinger() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, MixnetClient.Builder.DEFAULT_WRITE_LINGER)) {
            MixnetStream stream = client.openStream(peer.address());
            OutputStream out = stream.getOutputStream();
            out.write(utf8("a"));
            out.write(utf8("b"));
            out.write(utf8("c"));
            SentFrame open = peer.takeFrame().assertAnonymous(peer.address(), MixnetClient.DEFAULT_OPEN_SURBS);
            assertEquals(stream.id().value(), open.assertOpen(utf8("abc")));
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void aWriterNeverWaitsForTheLingerAndFlushSendsAtOnce() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, NEVER)) {
            MixnetStream stream = client.openStream(peer.address());
            OutputStream out = stream.getOutputStream();
            out.write(utf8("x"));
            assertEquals(0, peer.sentCount(), "the Open waits for more bytes, and the write did not");
            out.flush();
            long id = peer.takeFrame().assertAnonymous(peer.address(), 20).assertOpen(utf8("x"));
            out.write(utf8("y"));
            out.flush();
            // 23 + 17 bytes leave 1,564 of the packet's 1,604 empty: one legacy SURB rides free.
            peer.takeFrame().assertAnonymous(peer.address(), 1).assertData(id, 0, utf8("y"));
            out.flush(); // nothing buffered: nothing sent
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void framesAreCutToFillWholePacketsRampingUpToEightAndStartingAgainAfterAFlush() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, NEVER)) {
            MixnetStream stream = client.openStream(peer.address());
            int[] frames = {RAMP[0], RAMP[1], RAMP[2], RAMP[3], RAMP[3]};
            byte[] bytes = random(OPEN_CAPACITY + Arrays.stream(frames).sum() + 100, 1);
            for (int off = 0; off < bytes.length; off += 1024) {
                stream.getOutputStream().write(bytes, off, Math.min(1024, bytes.length - off));
            }
            SentFrame open = peer.takeFrame().assertAnonymous(peer.address(), 20);
            long id = open.assertOpen(Arrays.copyOfRange(bytes, 0, OPEN_CAPACITY));
            int at = OPEN_CAPACITY;
            for (int sequence = 0; sequence < frames.length; at += frames[sequence], sequence++) {
                SentFrame full = peer.takeFrame().assertAnonymous(peer.address(), 0);
                full.assertData(id, sequence, Arrays.copyOfRange(bytes, at, at + frames[sequence]));
                assertEquals(1 << Math.min(sequence, 3), LEGACY.anonymousPackets(full.message().data().length, 0),
                        "whole packets");
            }
            peer.assertNothingMoreSent(); // 100 bytes wait for more
            stream.getOutputStream().flush();
            peer.takeFrame().assertData(id, frames.length, Arrays.copyOfRange(bytes, at, bytes.length));
            stream.getOutputStream().write(new byte[RAMP[0] + 10]); // after a flush, a burst starts small
            peer.takeFrame().assertData(id, frames.length + 1, new byte[RAMP[0]]);
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void anOpenWithNothingWrittenLeavesWhenTheLingerHasPassed() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, Duration.ofMillis(5))) {
            MixnetStream stream = client.openStream(peer.address());
            assertEquals(stream.id().value(), peer.takeFrame().assertAnonymous(peer.address(), 20).assertOpen());
        }
    }

    @Test
    void shutdownOutputSendsWhatIsBufferedThenTheEnd() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, NEVER)) {
            MixnetStream stream = client.openStream(peer.address());
            stream.getOutputStream().write(utf8("abc"));
            stream.shutdownOutput();
            long id = peer.takeFrame().assertOpen(utf8("abc"));
            peer.takeFrame().assertAnonymous(peer.address(), 1).assertEndOfStream(id, 0);
            assertThrows(java.io.IOException.class, () -> stream.getOutputStream().write(1));
            stream.getOutputStream().flush(); // nothing to send: no error, as with a socket
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void closeSendsWhatIsBufferedThenTheEndFromTheSenderThread() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, NEVER)) {
            MixnetStream first = client.openStream(peer.address());
            first.getOutputStream().write(utf8("abc"));
            first.close();
            long id = peer.takeFrame().assertOpen(utf8("abc"));
            peer.takeFrame().assertEndOfStream(id, 0);
            MixnetStream second = client.openStream(peer.address()); // nothing written
            second.close();
            long secondId = peer.takeFrame().assertOpen();
            peer.takeFrame().assertEndOfStream(secondId, 0);
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void closingTheClientSendsWhatEveryStreamBuffered() throws Exception {
        try (ScriptedPeer peer = peer()) {
            MixnetClient client = client(peer, NEVER);
            MixnetStream stream = client.openStream(peer.address());
            stream.getOutputStream().write(utf8("last words"));
            client.close();
            long id = peer.takeFrame().assertOpen(utf8("last words"));
            peer.takeFrame().assertEndOfStream(id, 0);
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void aZeroLingerSendsTheOpenAtOnceAndOneMessagePerWrite() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, Duration.ZERO)) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertAnonymous(peer.address(), 20).assertOpen();
            stream.getOutputStream().write(utf8("a"));
            peer.takeFrame().assertAnonymous(peer.address(), 1).assertData(id, 0, utf8("a"));
            stream.getOutputStream().write(utf8("b"));
            peer.takeFrame().assertData(id, 1, utf8("b"));
            peer.assertNothingMoreSent();
        }
    }

    @Test
    void theReferencePolicyAttachesTheOpensSurbsToEveryFrameAndNoMore() throws Exception {
        try (ScriptedPeer peer = peer();
             MixnetClient client = MixnetClient.builder(peer.client()).writeLinger(Duration.ZERO)
                     .surbsOnEveryFrame(true).build()) {
            MixnetStream stream = client.openStream(peer.address(), 10);
            long id = peer.takeFrame().assertAnonymous(peer.address(), 10).assertOpen();
            stream.getOutputStream().write(new byte[1024]);
            SentFrame data = peer.takeFrame().assertAnonymous(peer.address(), 10);
            data.assertData(id, 0, new byte[1024]);
            assertEquals(8, LEGACY.anonymousPackets(data.message().data().length, 10), "the reference's cost");
        }
    }

    @Test
    void withSurbsOnEveryFrameFullFramesFillPacketsBesidesTheirSurbs() throws Exception {
        try (ScriptedPeer peer = peer();
             MixnetClient client = MixnetClient.builder(peer.client()).writeLinger(NEVER).surbsOnEveryFrame(true)
                     .build()) {
            MixnetStream stream = client.openStream(peer.address());
            stream.getOutputStream().write(new byte[OPEN_CAPACITY + 20_000]);
            long id = peer.takeFrame().assertAnonymous(peer.address(), 20).assertOpen(new byte[OPEN_CAPACITY]);
            // The SURBs take 14 packets and part of a 15th: the ramp's frames fill 1, 2, 4 packets more.
            int sequence = 0;
            for (int packets : new int[] {15, 16, 18}) {
                SentFrame full = peer.takeFrame().assertAnonymous(peer.address(), 20);
                full.assertData(id, sequence++, new byte[packets * 1604 - 23 - 20 * 1164 - 16]);
                assertEquals(packets, LEGACY.anonymousPackets(full.message().data().length, 20));
            }
        }
    }

    @Test
    void theAcceptorCutsRepliesToFillWholePackets() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, NEVER)) {
            MixnetListener listener = client.listener();
            peer.open(42);
            MixnetStream accepted = listener.accept();
            peer.takeFrame().assertReplyTo(peer.tag()).assertControl(FrameType.OPEN_ACK, 42, 0);
            byte[] bytes = random(Arrays.stream(REPLY_RAMP).sum() + 5, 2);
            accepted.getOutputStream().write(bytes);
            int at = 0;
            for (int step = 0; step < REPLY_RAMP.length; at += REPLY_RAMP[step], step++) {
                SentFrame full = peer.takeFrame().assertReplyTo(peer.tag());
                full.assertData(42, step, Arrays.copyOfRange(bytes, at, at + REPLY_RAMP[step]));
                assertEquals(1 << step, LEGACY.replyPackets(full.message().data().length));
            }
            accepted.getOutputStream().flush();
            peer.takeFrame().assertReplyTo(peer.tag()).assertData(42, REPLY_RAMP.length,
                    Arrays.copyOfRange(bytes, at, bytes.length));
        }
    }

    @Test
    void eachStreamHasALaneOfItsOwnThatItsControlFramesShare() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, Duration.ZERO)) {
            client.openStream(peer.address());
            client.openStream(peer.address());
            long first = peer.takeFrame().message().lane();
            long second = peer.takeFrame().message().lane();
            assertTrue(first > 0 && second > 0, "lanes are 1 or more");
            assertNotEquals(first, second);
            MixnetListener listener = client.listener();
            peer.open(7);
            MixnetStream accepted = listener.accept();
            long ackLane = peer.takeFrame().assertControl(FrameType.OPEN_ACK, 7, 0).message().lane();
            accepted.getOutputStream().write(1);
            assertEquals(ackLane, peer.takeFrame().assertData(7, 0, new byte[] {1}).message().lane());
        }
    }

    @Test
    void concurrentWritesAreNeverInterleaved() throws Exception {
        try (ScriptedPeer peer = peer(); MixnetClient client = client(peer, NEVER)) {
            MixnetStream stream = client.openStream(peer.address());
            byte[] a = new byte[3 * FULL_FRAME];
            byte[] b = new byte[3 * FULL_FRAME];
            Arrays.fill(a, (byte) 'a');
            Arrays.fill(b, (byte) 'b');
            CompletableFuture<Void> writerA = CompletableFuture.runAsync(() -> write(stream, a));
            CompletableFuture<Void> writerB = CompletableFuture.runAsync(() -> write(stream, b));
            writerA.get(30, TimeUnit.SECONDS);
            writerB.get(30, TimeUnit.SECONDS);
            stream.shutdownOutput();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            SentFrame frame;
            while ((frame = peer.takeFrame()).type() != FrameType.DATA || frame.payload().length > 0) {
                received.write(frame.payload()); // sent in sequence order: one writer here
            }
            byte[] all = received.toByteArray();
            assertEquals(a.length + b.length, all.length);
            byte firstByte = all[0];
            for (int i = 0; i < all.length; i++) {
                assertEquals(i < a.length ? firstByte : (byte) ('a' + 'b' - firstByte), all[i], "byte " + i);
            }
        }
    }

    private static void write(MixnetStream stream, byte[] bytes) {
        try {
            stream.getOutputStream().write(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void readersSeeTheBytesInOrderWhateverTheCutting() throws Exception {
        try (LoopbackMixnet mixnet = LoopbackMixnet.builder().packetGeometry(LEGACY).seed(3).build();
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            MixnetStream stream = client.openStream(server.address());
            byte[] bytes = random(100_000, 4);
            SplittableRandom sizes = new SplittableRandom(5);
            for (int off = 0; off < bytes.length; ) {
                int n = Math.min(bytes.length - off, 1 + sizes.nextInt(5000));
                stream.getOutputStream().write(bytes, off, n);
                off += n;
            }
            stream.shutdownOutput();
            MixnetStream accepted = listener.accept();
            assertArrayEquals(bytes, accepted.getInputStream().readAllBytes());
            accepted.getOutputStream().write(bytes);
            accepted.close();
            assertArrayEquals(bytes, stream.getInputStream().readAllBytes());
        }
    }
}
