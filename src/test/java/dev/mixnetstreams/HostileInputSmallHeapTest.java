package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.Figures;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile peers against a client with default settings in a small heap.
 *
 * <p>Runs only in its own forked JVM with {@code -Xmx256m -XX:+ExitOnOutOfMemoryError} (the
 * surefire execution {@code smallheap} in pom.xml selects the JUnit tag "smallheap"; the default
 * execution excludes it), so an {@link OutOfMemoryError} anywhere, the router included, kills the
 * fork and fails the build. The test plays every peer ({@link ScriptedPeer}) by putting raw
 * messages into the victim's bounded inbound queue, which paces it to the victim's router; what
 * the victim sends is counted, not kept. Meanwhile a well-behaved "good" stream keeps flowing and
 * must deliver every byte; heap used after GC is sampled and printed.
 */
@Tag("smallheap")
@Timeout(value = 10, unit = TimeUnit.MINUTES) // a hang guard only
class HostileInputSmallHeapTest {

    /** Figures of the run: target/test-figures/HostileInputSmallHeapTest.txt. */
    private static final PrintStream FIGURES = Figures.of(HostileInputSmallHeapTest.class);

    private static final long MIB = 1 << 20;
    /** Generous: the budgets are 64 MiB (unread) + 16 MiB (early data) in a 256 MiB heap. */
    private static final long HEAP_CEILING = 192 * MIB;

    private ScriptedPeer peer;
    private MixnetClient client;
    private MixnetListener listener;
    private GoodStream good;
    private final List<Long> heapSamples = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        peer = ScriptedPeer.create(256);
        peer.stopRecording();
        client = MixnetClient.builder(peer.client()).build(); // default settings
        listener = client.listener();
        good = new GoodStream(0x600D600D600DL, tag(new SplittableRandom(99)));
        peer.open(good.id, good.tag);
        good.startReading(listener.accept());
        sampleHeap("start");
    }

    @AfterEach
    void stop() {
        client.close();
        peer.close();
        assertEquals(0, client.unreadBytes(), "every buffer released after close");
        assertEquals(0, client.counters().routerFailures.sum(), "nothing escaped in the router");
        FIGURES.printf("%s heap used after GC (MiB): %s%n", getClass().getSimpleName(),
                heapSamples.stream().map(b -> b / MIB).toList());
    }

    @Test
    void aFloodOfOpensNobodyAcceptsWithDataInEveryStream() throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        int opens = 20_000;
        long[] ids = new long[opens];
        SenderTag[] tags = new SenderTag[opens];
        for (int i = 0; i < opens; i++) {
            ids[i] = random.nextLong();
            tags[i] = tag(random);
            peer.open(ids[i], tags[i]);
            if (i % 100 == 0) {
                good.send(peer);
            }
        }
        // The 1024 registered streams (the backlog) get 3 x 32 KiB each: 96 MiB, more than the
        // client-wide 64 MiB, though each stream stays far below its own 8 MiB.
        int backlog = MixnetClient.Builder.DEFAULT_ACCEPT_BACKLOG;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < backlog; i++) {
                peer.data(ids[i], round, new byte[32 << 10], tags[i]);
                if (i % 16 == 0) {
                    good.send(peer);
                }
            }
            sampleHeap("opens flood, round " + round);
        }
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("opens flood: " + stats);
        assertEquals(opens - backlog, stats.dropped(DropReason.ACCEPT_BACKLOG_FULL));
        assertEquals(backlog, listener.backlogSize());
        assertTrue(stats.streamsReset() > 0, "hoarders were reset");
        assertTrue(client.unreadBytes() <= MixnetClient.Builder.DEFAULT_MAX_TOTAL_UNREAD_BYTES);
        assertHeapBounded();
    }

    @Test
    void aSequenceGapThatNeverFillsWhileThePeerKeepsSending() throws Exception {
        SplittableRandom random = new SplittableRandom(2);
        long id = random.nextLong();
        SenderTag tag = tag(random);
        peer.open(id, tag);
        MixnetStream hostile = listener.accept();
        CompletableFuture<long[]> reader = CompletableFuture.supplyAsync(() -> readCountingLosses(hostile),
                task -> Thread.ofVirtual().start(task));
        int frames = 10_000;
        for (int i = 0; i < frames; i++) {
            // Never 0; every other number missing; one in five far ahead somewhere.
            int sequence = i % 5 == 4 ? 1 + random.nextInt(Integer.MAX_VALUE - 1) : 1 + 2 * i;
            peer.data(id, sequence, new byte[16 << 10], tag);
            if (i % 50 == 0) {
                good.send(peer);
            }
            if (i % 16 == 0) {
                // Pace the peer to the reader, so that what piles up is the never-filling gap (the
                // reorder window's 256 frames, 4 MiB) and not data a busy machine has not read yet:
                // unread data beyond 8 MiB would rightly reset the stream instead.
                Await.until("the reader keeps up",
                        () -> peer.client().inbound().isEmpty() && client.unreadBytes() < (6 << 20));
            }
            if (i == frames / 2) {
                sampleHeap("gap, half way");
            }
        }
        good.finish(peer);
        sampleHeap("gap, end");
        hostile.close(); // ends its reader
        long[] seen = reader.get();
        ClientStats stats = client.stats();
        FIGURES.printf("gap: losses reported=%d bytes read=%d %s%n", seen[0], seen[1], stats);
        assertTrue(seen[0] > 0, "the loss is reported");
        assertTrue(stats.dataLossEvents() > 0);
        assertEquals(0, stats.streamsReset(), "within the window: skipped and reported, not reset");
        assertHeapBounded();
    }

    @Test
    void anApplicationThatNeverReadsWhileItsPeerWritesAGibibyte() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        long id = random.nextLong();
        SenderTag tag = tag(random);
        peer.open(id, tag);
        MixnetStream neverRead = listener.accept();
        int frameBytes = 64 << 10;
        int frames = (int) ((1L << 30) / frameBytes); // 1 GiB in 16,384 frames, one allocated at a time
        for (int i = 0; i < frames; i++) {
            peer.data(id, i, new byte[frameBytes], tag);
            if (i % 64 == 0) {
                good.send(peer);
            }
            if (i == frames / 2) {
                sampleHeap("GiB, half way");
            }
        }
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("GiB: " + stats);
        int fit = (int) (MixnetClient.Builder.DEFAULT_MAX_UNREAD_BYTES
                / (frameBytes + MixnetClient.RECEIVED_FRAME_OVERHEAD));
        assertEquals(1, stats.dropped(DropReason.UNREAD_LIMIT));
        assertEquals(1, stats.streamsReset());
        assertEquals(frames - fit - 1, stats.dropped(DropReason.CLOSED_STREAM));
        IOException failure = assertThrows(IOException.class, () -> neverRead.getInputStream().read());
        assertTrue(failure.getMessage().contains("maxUnreadBytes"), failure.getMessage());
        assertHeapBounded();
    }

    /** Before each frame was charged its real cost, 7 million of these filled a 256 MiB heap. */
    @Test
    void millionsOfEmptyFramesAfterTheEndOfStream() throws Exception {
        SplittableRandom random = new SplittableRandom(6);
        long id = random.nextLong();
        SenderTag tag = tag(random);
        peer.open(id, tag);
        MixnetStream stream = listener.accept(); // never read: its request and end stay queued
        peer.data(id, 0, "a request".getBytes(java.nio.charset.StandardCharsets.UTF_8), tag);
        peer.data(id, 1, new byte[0], tag);
        int frames = Integer.getInteger("mixnet.afterEnd", 4_000_000);
        for (int i = 0; i < frames; i++) {
            peer.data(id, 2 + (i & 0xFFFFF), new byte[0], tag);
            if (i % 10_000 == 0) {
                good.send(peer);
            }
            if (i == frames / 2) {
                sampleHeap("empty frames after the end, half way");
            }
        }
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("after end: " + stats);
        assertEquals(frames, stats.dropped(DropReason.DATA_AFTER_END));
        assertEquals("a request", new String(stream.getInputStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertHeapBounded();
    }

    /** Before, these ran a 256 MiB heap out at 5 MB "unread", under the 8 MiB limit. */
    @Test
    void millionsOfOneByteFramesToAStreamNobodyReads() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        long id = random.nextLong();
        SenderTag tag = tag(random);
        peer.open(id, tag);
        MixnetStream neverRead = listener.accept();
        int frames = Integer.getInteger("mixnet.oneByte", 3_000_000);
        for (int i = 0; i < frames; i++) {
            peer.data(id, i, new byte[1], tag);
            if (i % 10_000 == 0) {
                good.send(peer);
            }
            if (i == frames / 2) {
                sampleHeap("one-byte frames, half way");
            }
        }
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("one-byte frames: " + stats);
        long fit = MixnetClient.Builder.DEFAULT_MAX_UNREAD_BYTES / (1 + MixnetClient.RECEIVED_FRAME_OVERHEAD);
        assertEquals(1, stats.dropped(DropReason.UNREAD_LIMIT));
        assertEquals(frames - fit - 1, stats.dropped(DropReason.CLOSED_STREAM));
        IOException failure = assertThrows(IOException.class, () -> neverRead.getInputStream().read());
        assertTrue(failure.getMessage().contains("maxUnreadBytes"), failure.getMessage());
        assertHeapBounded();
    }

    /** One-byte frames spread over every stream of the accept backlog: the client-wide limit holds. */
    @Test
    void oneByteFramesSpreadOverTheWholeBacklog() throws Exception {
        SplittableRandom random = new SplittableRandom(8);
        int streams = MixnetClient.Builder.DEFAULT_ACCEPT_BACKLOG - 1; // the good stream was accepted
        long[] ids = new long[streams];
        SenderTag[] tags = new SenderTag[streams];
        for (int i = 0; i < streams; i++) {
            ids[i] = random.nextLong();
            tags[i] = tag(random);
            peer.open(ids[i], tags[i]);
        }
        int rounds = Integer.getInteger("mixnet.spreadRounds", 2_000); // 2 million frames, 98 MB charged
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < streams; i++) {
                peer.data(ids[i], round, new byte[1], tags[i]);
            }
            good.send(peer);
            if (round == rounds / 2) {
                sampleHeap("spread one-byte frames, half way");
            }
        }
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("spread one-byte frames: " + stats);
        assertTrue(stats.streamsReset() > 0, "hoarders were reset");
        assertTrue(client.unreadBytes() <= MixnetClient.Builder.DEFAULT_MAX_TOTAL_UNREAD_BYTES);
        assertHeapBounded();
    }

    /** Empty and one-byte Data for streams that never open, from many senders and one busy one. */
    @Test
    void millionsOfTinyEarlyFrames() throws Exception {
        SplittableRandom random = new SplittableRandom(9);
        SenderTag busy = tag(random);
        int frames = Integer.getInteger("mixnet.tinyEarly", 2_000_000);
        for (int i = 0; i < frames; i++) {
            SenderTag tag = i % 2 == 0 ? busy : tag(random);
            peer.data(random.nextLong(), random.nextInt(), new byte[i % 3 == 0 ? 0 : 1], tag);
            if (i % 10_000 == 0) {
                good.send(peer);
            }
            if (i == frames / 2) {
                sampleHeap("tiny early frames, half way");
            }
        }
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("tiny early frames: " + stats);
        assertEquals(frames, stats.earlyFramesHeld() + stats.dropped(DropReason.EARLY_DATA_LIMIT));
        assertTrue(stats.earlyFramesHeld() - stats.dropped(DropReason.EARLY_DATA_EVICTED)
                <= MixnetClient.Builder.DEFAULT_MAX_EARLY_FRAMES, "the store never holds more than its limit");
        assertHeapBounded();
    }

    /** Before closed streams lingered as compact ids, 600,000 of these ran a 256 MiB heap out. */
    @Test
    void hundredsOfThousandsOfStreamsAcceptedAndClosed() throws Exception {
        SplittableRandom random = new SplittableRandom(10);
        int cycles = Integer.getInteger("mixnet.churn", 600_000);
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> acceptor = CompletableFuture.runAsync(() -> {
            try {
                for (int n = 0; n < cycles; n++) {
                    listener.accept().close();
                    accepted.incrementAndGet();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, task -> Thread.ofVirtual().start(task));
        for (int i = 0; i < cycles; i++) {
            // From the peer itself: each close's end of stream is then a reply the network takes,
            // as a nym-client takes any. (Replies to tags the network never issued fail, and
            // 600,000 failing sends made the end-of-stream queue fall behind the closes.)
            peer.open(random.nextLong());
            if (i - accepted.get() > 512) { // stay within the accept backlog
                int sent = i;
                Await.until("the acceptor keeps up", () -> sent - accepted.get() <= 256);
            }
            if (i % 1000 == 0) {
                good.send(peer);
            }
            if (i == cycles / 2) {
                sampleHeap("accept-and-close churn, half way");
            }
        }
        acceptor.get();
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("accept-and-close churn: " + stats);
        assertEquals(cycles + 1, stats.streamsAccepted());
        assertEquals(0, stats.dropped(DropReason.ACCEPT_BACKLOG_FULL));
        assertTrue(client.streams.size() <= 1024, "closed streams leave the table: " + client.streams.size());
        assertHeapBounded();
    }

    @Test
    void malformedMessages() throws Exception {
        floodMalformed(Integer.getInteger("mixnet.malformed", 200_000));
    }

    @Test
    @Tag("long")
    void millionsOfMalformedMessages() throws Exception {
        floodMalformed(Integer.getInteger("mixnet.malformed.long", 3_000_000));
    }

    /** Data that overtakes its Open, churned, while one early frame never gets its Open. */
    @Test
    void earlyDataChurnBehindAnOldHeldFrame() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        peer.data(random.nextLong(), 0, new byte[16], tag(random)); // held until it expires (2 min)
        int streams = 6_000; // 6,000 x 64 KiB = 375 MiB through the early-data store
        CompletableFuture<Integer> acceptor = CompletableFuture.supplyAsync(() -> {
            int n = 0;
            try {
                for (; n < streams; n++) {
                    listener.accept().close();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return n;
        }, task -> Thread.ofVirtual().start(task));
        for (int i = 0; i < streams; i++) {
            long id = random.nextLong();
            SenderTag tag = tag(random);
            peer.data(id, 0, new byte[64 << 10], tag);
            peer.open(id, tag);
            if (i % 64 == 0) {
                good.send(peer);
            }
            if (i == streams / 2) {
                sampleHeap("early churn, half way");
            }
        }
        good.finish(peer);
        assertEquals(streams, acceptor.get());
        ClientStats stats = client.stats();
        FIGURES.println("early churn: " + stats);
        assertEquals(streams + 1, stats.earlyFramesHeld());
        assertEquals(streams, stats.earlyFramesDelivered());
        // Held frames go into a stream before accept() hands it out, so closing it at once loses none.
        assertEquals(0, stats.dropped(DropReason.CLOSED_STREAM));
        assertHeapBounded();
    }

    private void floodMalformed(int messages) throws Exception {
        SplittableRandom random = new SplittableRandom(4);
        long[] expected = new long[DropReason.values().length];
        for (int i = 0; i < messages; i++) {
            byte[] message;
            SenderTag tag = random.nextBoolean() ? tag(random) : null;
            switch (random.nextInt(7)) {
                case 0 -> { // too short
                    message = new byte[random.nextInt(FrameCodec.HEADER_LENGTH)];
                    random.nextBytes(message);
                    expected[DropReason.TOO_SHORT.ordinal()]++;
                }
                case 1 -> { // not the stream kind
                    message = FrameCodec.encode(good.id, FrameType.DATA, 0, new byte[random.nextInt(64)]);
                    int kind;
                    do {
                        kind = random.nextInt(1 << 16);
                    } while (kind == FrameCodec.KIND_SPHINX_STREAM);
                    message[0] = (byte) kind;
                    message[1] = (byte) (kind >>> 8);
                    expected[DropReason.NOT_STREAM_KIND.ordinal()]++;
                }
                case 2 -> { // unknown message type (5..255)
                    message = FrameCodec.encode(good.id, FrameType.DATA, i, new byte[random.nextInt(64)]);
                    message[10] = (byte) StreamTestSupport.unknownType(random);
                    expected[DropReason.UNKNOWN_MESSAGE_TYPE.ordinal()]++;
                }
                case 3 -> { // someone guessed the live stream's id: data from the wrong peer
                    if (tag != null && tag.equals(good.tag)) {
                        tag = null;
                    }
                    message = FrameCodec.encode(good.id, FrameType.DATA, random.nextInt(), new byte[random.nextInt(64)]);
                    expected[DropReason.WRONG_PEER.ordinal()]++;
                }
                case 4 -> { // an Open without a sender tag
                    message = FrameCodec.encode(random.nextLong(), FrameType.OPEN, 0, new byte[0]);
                    tag = null;
                    expected[DropReason.OPEN_WITHOUT_SENDER_TAG.ordinal()]++;
                }
                case 5 -> { // a second Open for the live stream, even with its peer's tag
                    message = FrameCodec.encode(good.id, FrameType.OPEN, 0, new byte[0]);
                    tag = random.nextBoolean() ? good.tag : tag(random);
                    expected[DropReason.DUPLICATE_OPEN.ordinal()]++;
                }
                default -> { // random bytes of random length
                    message = new byte[random.nextInt(200)];
                    random.nextBytes(message);
                    if (message.length < FrameCodec.HEADER_LENGTH) {
                        expected[DropReason.TOO_SHORT.ordinal()]++;
                    } else if (((message[0] & 0xff) | (message[1] & 0xff) << 8) != FrameCodec.KIND_SPHINX_STREAM) {
                        expected[DropReason.NOT_STREAM_KIND.ordinal()]++;
                    } else {
                        message[10] = (byte) 7;
                        expected[DropReason.UNKNOWN_MESSAGE_TYPE.ordinal()]++;
                    }
                }
            }
            peer.send(message, tag);
            if (i % 1000 == 0) {
                good.send(peer);
            }
            if (i == messages / 2) {
                sampleHeap("malformed, half way");
            }
        }
        good.finish(peer);
        ClientStats stats = client.stats();
        FIGURES.println("malformed x" + messages + ": " + stats);
        for (DropReason reason : DropReason.values()) {
            assertEquals(expected[reason.ordinal()], stats.dropped(reason), reason.name());
        }
        assertEquals(messages + 1L + good.frames, stats.messagesIn(), "every message was taken");
        long nonFrames = stats.dropped(DropReason.TOO_SHORT) + stats.dropped(DropReason.NOT_STREAM_KIND)
                + stats.dropped(DropReason.UNKNOWN_MESSAGE_TYPE);
        assertEquals(stats.messagesIn(), stats.framesIn() + nonFrames, "messages = frames + non-frames");
        assertHeapBounded();
    }

    private static long[] readCountingLosses(MixnetStream stream) {
        long losses = 0;
        long bytes = 0;
        byte[] buffer = new byte[64 << 10];
        InputStream in = stream.getInputStream();
        while (true) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                bytes += n;
            } catch (StreamDataLossException loss) {
                if (loss.streamOffset() != bytes) {
                    throw new AssertionError("loss reported at " + loss.streamOffset() + " after " + bytes + " bytes");
                }
                losses++;
            } catch (IOException closed) {
                break;
            }
        }
        return new long[] {losses, bytes};
    }

    private void sampleHeap(String when) {
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        heapSamples.add(used);
        FIGURES.printf("heap after GC, %s: %d MiB (max %d MiB)%n", when, used / MIB,
                Runtime.getRuntime().maxMemory() / MIB);
    }

    private void assertHeapBounded() {
        sampleHeap("end");
        for (long sample : heapSamples) {
            assertTrue(sample < HEAP_CEILING, "heap after GC " + sample / MIB + " MiB");
        }
    }

    static SenderTag tag(SplittableRandom random) {
        byte[] bytes = new byte[SenderTag.LENGTH];
        random.nextBytes(bytes);
        return SenderTag.fromBytes(bytes);
    }

    /** A well-behaved peer's stream that must keep flowing, byte-exact, through every attack. */
    static final class GoodStream {
        static final int FRAME = 1000;
        final long id;
        final SenderTag tag;
        int frames;
        private CompletableFuture<Long> reader;

        GoodStream(long id, SenderTag tag) {
            this.id = id;
            this.tag = tag;
        }

        void startReading(MixnetStream stream) {
            reader = CompletableFuture.supplyAsync(() -> {
                try (stream) {
                    long offset = 0;
                    byte[] buffer = new byte[4096];
                    int n;
                    while ((n = stream.getInputStream().read(buffer)) >= 0) {
                        for (int i = 0; i < n; i++, offset++) {
                            if (buffer[i] != patternAt(offset)) {
                                throw new AssertionError("good stream corrupted at byte " + offset);
                            }
                        }
                    }
                    return offset;
                } catch (IOException e) {
                    throw new IllegalStateException("good stream failed", e);
                }
            }, task -> Thread.ofVirtual().start(task));
        }

        void send(ScriptedPeer peer) throws IOException {
            byte[] payload = new byte[FRAME];
            long base = (long) frames * FRAME;
            for (int i = 0; i < FRAME; i++) {
                payload[i] = patternAt(base + i);
            }
            peer.data(id, frames++, payload, tag);
        }

        /** Sends the end of stream and waits for the reader: every message injected before it was routed. */
        void finish(ScriptedPeer peer) throws Exception {
            peer.data(id, frames, new byte[0], tag);
            long read = reader.get();
            frames++;
            assertEquals((long) (frames - 1) * FRAME, read, "the good stream delivered every byte");
        }

        static byte patternAt(long offset) {
            return (byte) (offset * 31 + (offset >>> 8) + 7);
        }
    }
}
