package dev.mixnetstreams;

import static dev.mixnetstreams.LifecycleTest.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.LifecycleTest.Started;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.ScriptedPeer.SentFrame;
import dev.mixnetstreams.testing.StreamPair;
import dev.mixnetstreams.wire.DecodeStatus;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.ExtensionFrames.Credit;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import dev.mixnetstreams.wire.FrameView;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control between two peers of this library: a reader slower than its writer makes the
 * writer wait for credit instead of being reset for its unread bytes, and every byte arrives; a
 * writer whose credit was lost probes for it; and a peer without the extensions (the seed Rust
 * protocol) is never sent an extension frame, while the local limits still protect against it.
 */
@Timeout(120) // a hang guard only
class FlowControlTest {

    /** Bytes of the transfer: 64 MiB. */
    private static final long TOTAL = 64L << 20;
    /** The receiver's limit on unread bytes: 1 MiB. */
    private static final long MAX_UNREAD = 1L << 20;
    /** The reader stops after each such stretch until the writer waits for credit. */
    private static final long PAUSE_EVERY = 4L << 20;

    /** The byte at {@code position} of the transfer: a pattern a lost, repeated or moved chunk breaks. */
    static byte patternAt(long position) {
        long x = position / 8 * 0x9E3779B97F4A7C15L;
        return (byte) ((x ^ (x >>> 29)) >>> (8 * (position % 8)));
    }

    static void fillPattern(byte[] b, long from) {
        for (int i = 0; i < b.length; i++) {
            b[i] = patternAt(from + i);
        }
    }

    @Test
    void aSlowReaderMakesTheWriterWaitForCreditAndEveryByteArrives() throws Exception {
        try (StreamPair pair = StreamPair.builder().server(b -> b.maxUnreadBytes(MAX_UNREAD)).open()) {
            MixnetStream opened = pair.opened();
            MixnetStream accepted = pair.accepted();
            Started<Long> writer = start("fast-writer", () -> {
                OutputStream out = opened.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                long written = 0;
                while (written < TOTAL) {
                    fillPattern(chunk, written);
                    out.write(chunk);
                    written += chunk.length;
                }
                opened.shutdownOutput();
                return written;
            });
            InputStream in = accepted.getInputStream();
            byte[] buffer = new byte[7_919]; // not a divisor of any frame: reads cross frame boundaries
            byte[] expected = new byte[buffer.length];
            long position = 0;
            long nextPause = PAUSE_EVERY;
            int pauses = 0;
            long mostUnread = 0;
            while (true) {
                if (position >= nextPause && position < TOTAL) {
                    // The reader stops: the writer runs out of credit and waits, the unread bytes
                    // held here staying within the limit meanwhile.
                    nextPause += PAUSE_EVERY;
                    Await.until(() -> "the writer waits for credit (unread " + accepted.inbound.unreadBytes() + ")",
                            () -> opened.writer().isWaitingForCredit());
                    mostUnread = Math.max(mostUnread, accepted.inbound.unreadBytes());
                    pauses++;
                }
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                fillPattern(expected, position);
                if (!Arrays.equals(buffer, 0, n, expected, 0, n)) {
                    assertArrayEquals(Arrays.copyOf(expected, n), Arrays.copyOf(buffer, n), "bytes at " + position);
                }
                position += n;
                mostUnread = Math.max(mostUnread, accepted.inbound.unreadBytes());
            }
            assertEquals(TOTAL, position, "every byte, and no more");
            assertEquals(TOTAL, writer.result().get());
            assertEquals(TOTAL / PAUSE_EVERY - 1, pauses);
            assertTrue(mostUnread <= MAX_UNREAD, "unread bytes held: " + mostUnread);
            ClientStats server = pair.server().stats();
            assertEquals(0, server.streamsReset(), "never reset for its unread bytes");
            assertEquals(0, server.dropped(DropReason.UNREAD_LIMIT));
            assertEquals(0, pair.client().stats().resetsReceived());
            assertTrue(server.creditsSent() > 0, "credit was granted as the reader went on");
            assertFalse(opened.writer().isWaitingForCredit());
        }
    }

    /** The CREDIT a frame the client sent holds, or {@code null} if it is no CREDIT. */
    private static Credit creditIn(SentFrame frame) {
        if (frame.type() != FrameType.CREDIT) {
            return null;
        }
        FrameView view = new FrameView();
        assertEquals(DecodeStatus.FRAME, view.wrap(frame.message().data()));
        Credit credit = ExtensionFrames.readCredit(view);
        assertNotNull(credit, frame::toString);
        return credit;
    }

    @Test
    void aWriterWhoseCreditWasLostProbesForItAndGoesOnWhenAnswered() throws Exception {
        long initial = SendWindow.INITIAL_CREDIT;
        try (ScriptedPeer peer = ScriptedPeer.create().speakingExtensions();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            // The peer shows it speaks the extensions, holding the stream; it grants no more than
            // the credit every sender assumes at first.
            peer.credit(id, new Credit(0, initial, 0, false), null);
            byte[] bytes = new byte[(int) initial + 8192];
            fillPattern(bytes, 0);
            Started<Integer> writer = start("writer", () -> {
                stream.getOutputStream().write(bytes);
                return bytes.length;
            });
            ByteArrayOutputStream arrived = new ByteArrayOutputStream();
            int nextSequence = 0;
            long spent = 0; // each frame costs its payload and CREDIT_PER_FRAME
            while (spent < initial) { // the initial credit's worth goes, with the client's own CREDIT
                SentFrame frame = peer.takeFrame();
                if (frame.type() == FrameType.DATA) {
                    frame.assertData(id, nextSequence++, Arrays.copyOfRange(bytes, arrived.size(),
                            arrived.size() + frame.payload().length));
                    arrived.write(frame.payload());
                    spent += frame.payload().length + ExtensionFrames.CREDIT_PER_FRAME;
                } else {
                    assertFalse(creditIn(frame).blocked(), () -> "not blocked yet: " + frame);
                }
            }
            assertEquals(initial, spent, "exactly the credit");
            Await.until("the writer waits for credit", () -> stream.writer().isWaitingForCredit());
            // Everything is acknowledged; the CREDIT that would grant more is lost: never delivered.
            peer.credit(id, new Credit(nextSequence, initial, 0, false), null);
            // The writer asks: a CREDIT with its blocked flag (nothing is resent meanwhile, nothing new sent).
            Credit probe;
            while (true) {
                SentFrame frame = peer.takeFrame();
                probe = creditIn(frame);
                assertNotNull(probe, () -> "only CREDITs while the writer waits: " + frame);
                assertEquals(id, frame.streamId());
                if (probe.blocked()) {
                    break;
                }
            }
            assertEquals(0, probe.nextSequence(), "the peer sent no data: nothing to acknowledge");
            assertEquals(0, client.stats().framesResent());
            // The peer answers the probe with its credit, and the rest goes.
            peer.credit(id, new Credit(nextSequence, 2 * initial, 0, false), null);
            while (arrived.size() < bytes.length) {
                SentFrame frame = peer.takeFrame();
                if (frame.type() == FrameType.DATA) {
                    frame.assertData(id, nextSequence++, Arrays.copyOfRange(bytes, arrived.size(),
                            Math.min(bytes.length, arrived.size() + frame.payload().length)));
                    arrived.write(frame.payload());
                }
            }
            assertArrayEquals(bytes, arrived.toByteArray());
            assertEquals(bytes.length, writer.result().get());
            assertFalse(stream.writer().isWaitingForCredit());
        }
    }

    @Test
    void aPeerWithoutTheExtensionsIsNeverSentOneAndTheLocalLimitsStillHold() throws Exception {
        long limit = 64 * 1024;
        try (ScriptedPeer peer = ScriptedPeer.create(); // its frames carry flag 0, as the seed Rust peer's
             MixnetClient client = MixnetClient.builder(peer.client()).maxUnreadBytes(limit).build()) {
            MixnetListener listener = client.listener();
            // Opened here: writes beyond the initial credit never wait for credit from it.
            MixnetStream flooded = client.openStream(peer.address());
            long floodedId = peer.takeFrame().assertOpen();
            peer.reply(floodedId, 0, "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals('h', flooded.getInputStream().read()); // read slowly: one byte
            byte[] big = new byte[4 * (int) SendWindow.INITIAL_CREDIT];
            fillPattern(big, 0);
            flooded.getOutputStream().write(big);
            // It floods beyond the limit on unread bytes: the stream is reset here, counted, and
            // what it held is released; more of its flood is dropped, not kept.
            for (int sequence = 1; sequence <= 16; sequence++) {
                peer.reply(floodedId, sequence, new byte[16 * 1024]);
            }
            Await.until("the flood was routed", () -> client.stats().framesIn() >= 17);
            StreamResetException reset = assertThrows(StreamResetException.class,
                    () -> flooded.getInputStream().read());
            assertEquals(ResetReason.UNREAD_LIMIT, reset.reason());
            assertFalse(reset.byPeer());
            assertEquals(1, client.stats().streamsReset());
            assertTrue(client.stats().dropped(DropReason.UNREAD_LIMIT) >= 1);
            assertEquals(0, flooded.inbound.unreadBytes(), "nothing held after the reset");
            // Accepted from it: read slowly, then closed with data unread.
            long acceptedId = 0x5eed;
            peer.open(acceptedId);
            MixnetStream accepted = listener.accept();
            peer.data(acceptedId, 0, "unread data".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals('u', accepted.getInputStream().read());
            accepted.close();
            // Opened and aborted after it showed itself.
            MixnetStream aborted = client.openStream(peer.address());
            peer.reply(aborted.id().value(), 0, new byte[] {1});
            Await.until("its data arrived", () -> aborted.inbound.readyBytes() > 0);
            aborted.abort();
            client.close();
            List<String> problems = new ArrayList<>();
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            List<String> others = new ArrayList<>();
            for (SentFrame frame : peer.takeAll()) {
                assertEquals(DecodeStatus.FRAME, frame.status(), frame::toString);
                if (frame.type().isExtension()) {
                    problems.add("extension frame: " + frame);
                }
                int flags = frame.message().data()[FrameCodec.HEADER_LENGTH - 1] & 0xff;
                if (flags != FrameCodec.FLAG_EXTENSIONS) { // every frame of ours says we speak them, no more
                    problems.add("flags " + flags + ": " + frame);
                }
                if (frame.streamId() == floodedId && frame.type() == FrameType.DATA) {
                    written.write(frame.payload()); // no end of stream: it was reset
                } else {
                    others.add(frame.type() + (frame.streamId() == acceptedId ? " accepted" : "")
                            + (frame.streamId() == aborted.id().value() ? " aborted" : "") + " " + frame.payload().length);
                }
            }
            assertTrue(problems.isEmpty(), problems::toString);
            assertArrayEquals(big, written.toByteArray(), "written without waiting for credit");
            // The accepted stream ends cleanly, as the seed peer expects; the aborted one sends nothing after its Open.
            // (The end of stream leaves from the client's sender thread: in any order with the Open.)
            others.sort(null);
            assertEquals(List.of("DATA accepted 0", "OPEN aborted 0", "OPEN_ACK accepted 0"), others);
            ClientStats stats = client.stats();
            assertEquals(0, stats.creditsSent() + stats.resetsSent(), stats::toString);
        }
    }

    @Test
    void aWriteTimeoutSaysHowManyBytesWillStillGo() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.create().speakingExtensions();
             MixnetClient client = MixnetClient.builder(peer.client()).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            peer.credit(id, new Credit(0, SendWindow.INITIAL_CREDIT, 0, false), null);
            stream.setWriteTimeout(Duration.ofMillis(100));
            byte[] bytes = new byte[4 * (int) SendWindow.INITIAL_CREDIT];
            fillPattern(bytes, 0);
            SocketTimeoutException timeout = assertThrows(SocketTimeoutException.class,
                    () -> stream.getOutputStream().write(bytes));
            int handedOver = timeout.bytesTransferred;
            assertTrue(handedOver > 0 && handedOver < bytes.length, "bytesTransferred " + handedOver);
            // With credit, exactly those bytes arrive: no more (the write gave up the rest), no fewer.
            peer.credit(id, new Credit(0, 16 * SendWindow.INITIAL_CREDIT, 0, false), null);
            stream.shutdownOutput();
            ByteArrayOutputStream arrived = new ByteArrayOutputStream();
            SentFrame frame;
            while ((frame = peer.takeFrame()).type() != FrameType.DATA || frame.payload().length > 0) {
                if (frame.type() == FrameType.DATA) {
                    arrived.write(frame.payload());
                }
            }
            assertArrayEquals(Arrays.copyOf(bytes, handedOver), arrived.toByteArray());
        }
    }
}
