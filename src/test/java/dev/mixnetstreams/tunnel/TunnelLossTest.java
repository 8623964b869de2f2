package dev.mixnetstreams.tunnel;

import static dev.mixnetstreams.tunnel.TunnelFixture.get;
import static dev.mixnetstreams.tunnel.TunnelFixture.randomBytes;
import static dev.mixnetstreams.tunnel.TunnelFixture.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.ClientStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The tunnel over a simulated mixnet that loses 5 % of every message (data, acknowledgements,
 * credit alike), with parallel downloads from an upstream that writes at a limited pace to local
 * readers slower than the mixnet: flow control holds the upstream back instead of resetting the
 * connections, lost frames are sent again, and every download arrives whole (SHA-256).
 *
 * <p>The paces are the workload, not synchronisation: nothing asserts how long anything takes,
 * and {@link TunnelFixture#HANG_GUARD} only guards against hangs.
 */
class TunnelLossTest {

    private static final int DOWNLOADS = 4;
    private static final int SIZE = 3 * 1024 * 1024 + 4321;
    /** The upstream's pace per connection, bytes per second. */
    private static final long UPSTREAM_PACE = 4L << 20;
    /** The local readers' pace, bytes per second: slower than the upstream and the mixnet. */
    private static final long READER_PACE = 3L << 19;

    /** Writes (or reads) {@code done} bytes no sooner than {@code pace} allows since {@code start}. */
    private static void keepPace(long start, long done, long pace) {
        long due = start + done * 1_000_000_000L / pace;
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    @Test
    void parallelRateLimitedDownloadsArriveWholeWithFivePercentLoss() throws Exception {
        try (TunnelFixture.Upstream upstream = new TunnelFixture.Upstream(socket -> {
                 int index = socket.getInputStream().read(); // which blob
                 byte[] blob = randomBytes(100 + index, SIZE);
                 OutputStream out = socket.getOutputStream();
                 long start = System.nanoTime();
                 for (int off = 0; off < blob.length; off += 16 * 1024) {
                     int n = Math.min(16 * 1024, blob.length - off);
                     out.write(blob, off, n);
                     out.flush();
                     keepPace(start, off + n, UPSTREAM_PACE);
                 }
                 socket.shutdownOutput();
                 socket.getInputStream().read(); // until the client is done
             });
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), 5, 0.05)) {
            List<CompletableFuture<byte[]>> downloads = new ArrayList<>();
            for (int i = 0; i < DOWNLOADS; i++) {
                int index = i;
                downloads.add(CompletableFuture.supplyAsync(() -> {
                    try (Socket socket = tunnel.connect()) {
                        socket.getOutputStream().write(index);
                        socket.getOutputStream().flush();
                        InputStream in = socket.getInputStream();
                        ByteArrayOutputStream got = new ByteArrayOutputStream();
                        byte[] buffer = new byte[8 * 1024];
                        long start = System.nanoTime();
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            got.write(buffer, 0, n);
                            keepPace(start, got.size(), READER_PACE);
                        }
                        socket.shutdownOutput();
                        return got.toByteArray();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            for (int i = 0; i < DOWNLOADS; i++) {
                byte[] got = get(downloads.get(i));
                assertEquals(SIZE, got.length, "download " + i);
                assertArrayEquals(sha256(randomBytes(100 + i, SIZE)), sha256(got), "download " + i);
            }
            tunnel.awaitDrained();
            assertEquals(0, tunnel.client.stats().failuresTotal(), tunnel.client.stats().summary());
            assertEquals(0, tunnel.server.stats().failuresTotal(), tunnel.server.stats().summary());
            ClientStats server = tunnel.serverClient.stats();
            ClientStats client = tunnel.clientClient.stats();
            assertTrue(tunnel.mixnet.stats().lost() > 0, "the mixnet lost messages: " + tunnel.mixnet.stats());
            assertTrue(server.framesResent() > 0, "lost frames were sent again: " + server);
            assertEquals(0, server.streamsReset() + client.streamsReset(), "no stream reset for its unread bytes");
            assertEquals(0, server.dataLossEvents() + client.dataLossEvents(), "no loss reported");
        }
    }
}
