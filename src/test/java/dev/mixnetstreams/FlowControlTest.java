package dev.mixnetstreams;

import static dev.mixnetstreams.LifecycleTest.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.LifecycleTest.Started;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.StreamPair;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control between two peers of this library: a reader slower than its writer makes the
 * writer wait for credit instead of being reset for its unread bytes, and every byte arrives.
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
}
