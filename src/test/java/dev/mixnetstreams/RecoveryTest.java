package dev.mixnetstreams;

import static dev.mixnetstreams.FlowControlTest.fillPattern;
import static dev.mixnetstreams.LifecycleTest.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.LifecycleTest.Started;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.StreamPair;
import java.io.OutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recovery of lost frames between two peers of this library, on the seeded simulated mixnet:
 * exact delivery despite loss, and a stream given up, typed and counted, when its peer is gone.
 */
@Timeout(180) // a hang guard only
class RecoveryTest {

    /** Bytes each way: 1 MiB. */
    private static final int SIZE = 1 << 20;

    private static byte[] pattern(int length, long from) {
        byte[] b = new byte[length];
        fillPattern(b, from);
        return b;
    }

    /** Writes {@code bytes} in chunks of 10 000 bytes (no divisor of a frame), then the end of stream. */
    private static Started<Integer> writeAll(String name, MixnetStream stream, byte[] bytes) {
        return start(name, () -> {
            OutputStream out = stream.getOutputStream();
            for (int off = 0; off < bytes.length; off += 10_000) {
                out.write(bytes, off, Math.min(10_000, bytes.length - off));
            }
            stream.shutdownOutput();
            return bytes.length;
        });
    }

    @Test
    void everyByteArrivesBothWaysDespiteFivePercentLoss() throws Exception {
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().latency(Duration.ZERO, Duration.ofMillis(5))
                .lossRate(0.05).seed(20_261_201).build();
             // Frames of 16 KiB: about 64 each way, so that loss hits Data, ends of stream, CREDITs.
             StreamPair pair = StreamPair.builder().network(mixnet::newEndpoint)
                     .server(b -> b.maxFramePayload(16 * 1024)).client(b -> b.maxFramePayload(16 * 1024)).open()) {
            byte[] up = pattern(SIZE, 0);
            byte[] down = pattern(SIZE, 1L << 40);
            Started<Integer> upWriter = writeAll("up", pair.opened(), up);
            Started<Integer> downWriter = writeAll("down", pair.accepted(), down);
            Started<byte[]> downReader = start("down-reader", () -> pair.opened().getInputStream().readAllBytes());
            byte[] upArrived = pair.accepted().getInputStream().readAllBytes();
            assertArrayEquals(up, upArrived, "client to server");
            assertArrayEquals(down, downReader.result().get(), "server to client");
            assertEquals(SIZE, upWriter.result().get());
            assertEquals(SIZE, downWriter.result().get());
            ClientStats client = pair.client().stats();
            ClientStats server = pair.server().stats();
            assertTrue(mixnet.stats().lost() > 0, "the mixnet lost messages");
            assertTrue(client.framesResent() + server.framesResent() > 0, "lost frames were sent again");
            for (ClientStats stats : new ClientStats[] {client, server}) {
                assertEquals(0, stats.dataLossEvents(), "no reader saw a gap");
                assertEquals(0, stats.resetsSent() + stats.resetsReceived() + stats.streamsReset()
                        + stats.streamsUndeliverable(), "no reset: " + stats);
            }
        }
    }

    @Test
    void aStreamWhosePeerIsGoneIsGivenUpAndItsBlockedThreadsWake() throws Exception {
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().seed(7).build();
             // Resends at most 50 ms apart: ten sends take a fraction of a second, not minutes.
             StreamPair pair = StreamPair.builder().network(mixnet::newEndpoint)
                     .client(b -> b.maxResendTimeout(Duration.ofMillis(50))).open()) {
            MixnetStream opened = pair.opened();
            // A first exchange: the server's CREDIT shows it speaks the extensions.
            opened.getOutputStream().write(1);
            assertEquals(1, pair.accepted().getInputStream().read());
            Await.until("the server's credit arrived", () -> pair.client().stats().creditsReceived() > 0);
            Started<Integer> reader = start("blocked-reader", () -> opened.getInputStream().read());
            Await.blocked(reader.thread());
            pair.serverTransport().close(); // the peer is gone: what is sent to it is dropped for good
            // More than the credit the server granted: the writer waits for credit that never comes.
            Started<Integer> writer = start("blocked-writer", () -> {
                opened.getOutputStream().write(new byte[2 << 20]);
                return 0;
            });
            StreamResetException written = assertInstanceOf(StreamResetException.class, writer.failure());
            assertEquals(ResetReason.UNDELIVERABLE, written.reason());
            assertFalse(written.byPeer());
            StreamResetException read = assertInstanceOf(StreamResetException.class, reader.failure());
            assertEquals(ResetReason.UNDELIVERABLE, read.reason());
            ClientStats stats = pair.client().stats();
            assertEquals(1, stats.streamsUndeliverable());
            assertTrue(stats.framesResent() >= SendWindow.MAX_SENDS - 1, "sent again before giving up: " + stats);
            assertTrue(mixnet.stats().undeliverable() > 0);
        }
    }
}
