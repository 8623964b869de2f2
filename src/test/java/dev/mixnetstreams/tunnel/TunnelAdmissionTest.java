package dev.mixnetstreams.tunnel;

import static dev.mixnetstreams.tunnel.TunnelFixture.HANG_GUARD;
import static dev.mixnetstreams.tunnel.TunnelFixture.readExactly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.ResetReason;
import dev.mixnetstreams.StreamResetException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who gets a tunnel server's slots: streams that never send a byte cost the upstream nothing and
 * are closed after the first-byte timeout, and at the limit a newcomer evicts the longest-idle
 * connection instead of being refused. The attacker is a mixnet client of its own on the same
 * simulated mixnet, opening streams to the tunnel server and never writing.
 */
class TunnelAdmissionTest {

    /** Longer than any test runs: only eviction, never the first-byte timeout, can free these slots. */
    private static final Duration NEVER = HANG_GUARD.multipliedBy(10);

    private static TunnelFixture.Upstream echo() throws IOException {
        return new TunnelFixture.Upstream(socket -> {
            socket.getInputStream().transferTo(socket.getOutputStream());
            socket.shutdownOutput();
        });
    }

    /** Writes {@code message} through a new local connection and reads its echo. */
    private static void echoThrough(TunnelFixture tunnel, Socket socket, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        assertArrayEquals(bytes, readExactly(socket.getInputStream(), bytes.length), tunnel.server.stats().summary());
    }

    @Test
    void bareOpensFillingEverySlotDoNotLockOutAnHonestRequest() throws Exception {
        int slots = TunnelConfig.DEFAULT_MAX_CONNECTIONS;
        try (TunnelFixture.Upstream upstream = echo();
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), TunnelConfig.defaults(),
                     TunnelConfig.builder().firstByteTimeout(NEVER).build(), 21);
             MixnetClient attacker = MixnetClient.builder(tunnel.mixnet.newEndpoint()).build()) {
            List<MixnetStream> bare = new ArrayList<>();
            for (int i = 0; i < slots; i++) {
                bare.add(attacker.openStream(tunnel.serverClient.address())); // an Open, never a byte
            }
            assertTrue(tunnel.server.awaitActiveConnectionsAtLeast(slots, HANG_GUARD), tunnel.server.stats().summary());
            assertEquals(0, upstream.accepted.get(), "a stream without a byte must not connect upstream");

            try (Socket honest = tunnel.connect()) {
                echoThrough(tunnel, honest, "GET / HTTP/1.0\r\n\r\n");
            }
            TunnelStats server = tunnel.server.stats();
            assertEquals(1, upstream.accepted.get(), server.summary());
            assertEquals(1, server.failures(TunnelFailure.EVICTED_IDLE), server.summary());
            assertEquals(0, server.failures(TunnelFailure.OVER_LIMIT), server.summary());
            assertEquals(slots + 1, server.totalConnections(), server.summary());
            bare.forEach(MixnetStream::close);
        }
    }

    @Test
    void atTheLimitTheLongestIdleConnectionIsEvicted() throws Exception {
        try (TunnelFixture.Upstream upstream = echo();
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), TunnelConfig.defaults(),
                     TunnelConfig.builder().maxConnections(2).firstByteTimeout(NEVER).build(), 22);
             MixnetClient attacker = MixnetClient.builder(tunnel.mixnet.newEndpoint()).build()) {
            MixnetStream bare = attacker.openStream(tunnel.serverClient.address());
            bare.setReadTimeout(HANG_GUARD);
            assertTrue(tunnel.server.awaitActiveConnectionsAtLeast(1, HANG_GUARD));
            try (Socket first = tunnel.connect(); Socket second = tunnel.connect()) {
                echoThrough(tunnel, first, "first");    // the second slot; bytes moved after the bare Open
                echoThrough(tunnel, second, "second");  // a third connection: the bare Open is the longest idle
                // The bare stream is the one evicted, and told: a reset, never a clean end.
                assertEquals(ResetReason.ABORTED,
                        assertThrows(StreamResetException.class, () -> bare.getInputStream().read()).reason());
                echoThrough(tunnel, first, "first again"); // the honest connections are untouched
                echoThrough(tunnel, second, "second again");
            }
            TunnelStats server = tunnel.server.stats();
            assertEquals(1, server.failures(TunnelFailure.EVICTED_IDLE), server.summary());
            assertEquals(2, upstream.accepted.get(), server.summary());
        }
    }

    @Test
    void aStreamThatNeverSendsIsClosedAfterTheFirstByteTimeoutWithoutReachingTheUpstream() throws Exception {
        try (TunnelFixture.Upstream upstream = echo();
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), TunnelConfig.defaults(),
                     TunnelConfig.builder().firstByteTimeout(Duration.ofMillis(100)).build(), 23);
             MixnetClient attacker = MixnetClient.builder(tunnel.mixnet.newEndpoint()).build();
             MixnetStream silent = attacker.openStream(tunnel.serverClient.address())) {
            silent.setReadTimeout(HANG_GUARD);
            // The tunnel server ends the silent stream, and tells it: a reset, never a clean end.
            assertEquals(ResetReason.ABORTED,
                    assertThrows(StreamResetException.class, () -> silent.getInputStream().read()).reason());
            assertTrue(tunnel.server.awaitActiveConnections(0, HANG_GUARD));
            TunnelStats server = tunnel.server.stats();
            assertEquals(1, server.totalConnections(), server.summary());
            assertEquals(1, server.failures(TunnelFailure.FIRST_BYTE_TIMEOUT), server.summary());
            assertEquals(1, server.failuresTotal(), server.summary());
            assertEquals(0, upstream.accepted.get());
        }
    }

    @Test
    void aLocalConnectionThatNeverSendsIsClosedWithoutOpeningAStream() throws Exception {
        try (TunnelFixture.Upstream upstream = echo();
             TunnelFixture tunnel = new TunnelFixture(upstream.address(),
                     TunnelConfig.builder().firstByteTimeout(Duration.ofMillis(100)).build(), TunnelConfig.defaults(), 24);
             Socket silent = tunnel.connect()) {
            int read;
            try {
                read = silent.getInputStream().read();
            } catch (IOException e) {
                read = -2; // reset: the tunnel client closed it with a failure
            }
            assertTrue(read < 0, "the silent connection must be closed, read " + read);
            assertTrue(tunnel.client.awaitActiveConnections(0, HANG_GUARD));
            assertEquals(1, tunnel.client.stats().failures(TunnelFailure.FIRST_BYTE_TIMEOUT), tunnel.client.stats().summary());
            assertEquals(0, tunnel.clientClient.stats().streamsOpened());
            assertEquals(0, tunnel.server.stats().totalConnections());
        }
    }

    @Test
    void theFirstBytesGoOnwardFirstAndConnectingOnAcceptServesServerSpeaksFirst() throws Exception {
        byte[] banner = "220 smtp.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII);
        try (TunnelFixture.Upstream smtp = new TunnelFixture.Upstream(socket -> {
                 OutputStream out = socket.getOutputStream();
                 out.write(banner);
                 InputStream in = socket.getInputStream();
                 out.write(in.readNBytes(6)); // echoes "HELO x"
                 socket.shutdownOutput();
             });
             TunnelFixture tunnel = new TunnelFixture(smtp.address(), TunnelFixture.serverSpeaksFirst(),
                     TunnelFixture.serverSpeaksFirst(), 25);
             Socket socket = tunnel.connect()) {
            assertArrayEquals(banner, readExactly(socket.getInputStream(), banner.length));
            socket.getOutputStream().write("HELO x".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("HELO x".getBytes(StandardCharsets.US_ASCII), readExactly(socket.getInputStream(), 6));
            assertEquals(1, smtp.accepted.get());
        }
    }
}
