package dev.mixnetstreams.tunnel;

import static dev.mixnetstreams.tunnel.TunnelFixture.get;
import static dev.mixnetstreams.tunnel.TunnelFixture.randomBytes;
import static dev.mixnetstreams.tunnel.TunnelFixture.readExactly;
import static dev.mixnetstreams.tunnel.TunnelFixture.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The tunnel carrying real protocols over a jittery simulated mixnet; every byte is checked. */
class TunnelTest {

    @Test
    void httpDownloadOfSeveralMebibytesKeepsItsHash() throws Exception {
        byte[] blob = randomBytes(7, 6 * 1024 * 1024 + 12345);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/blob", exchange -> {
            exchange.sendResponseHeaders(200, blob.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(blob);
            }
        });
        http.start();
        try (TunnelFixture tunnel = new TunnelFixture(http.getAddress(), 1);
             HttpClient httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .connectTimeout(TunnelFixture.HANG_GUARD).build()) {
            URI uri = URI.create("http://127.0.0.1:" + tunnel.client.localAddress().getPort() + "/blob");
            for (int i = 0; i < 2; i++) { // the second request may reuse the connection (keep-alive)
                HttpResponse<byte[]> response = httpClient.send(
                        HttpRequest.newBuilder(uri).timeout(TunnelFixture.HANG_GUARD).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, response.statusCode());
                assertEquals(blob.length, response.body().length);
                assertArrayEquals(sha256(blob), sha256(response.body()));
            }
            TunnelStats stats = tunnel.client.stats();
            assertTrue(stats.mixnetToTcpBytes() >= 2L * blob.length, stats.summary());
            assertEquals(0, stats.failuresTotal(), stats.summary());
            assertEquals(0, tunnel.server.stats().failuresTotal(), tunnel.server.stats().summary());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void fiftyConcurrentConnectionsEachEchoTheirOwnBytes() throws Exception {
        try (TunnelFixture.Upstream echo = new TunnelFixture.Upstream(socket -> {
                 socket.getInputStream().transferTo(socket.getOutputStream());
                 socket.shutdownOutput();
             });
             TunnelFixture tunnel = new TunnelFixture(echo.address(), 2)) {
            int connections = 50;
            List<CompletableFuture<Void>> results = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                byte[] payload = randomBytes(1000 + i, 20_000 + 3_001 * i);
                results.add(CompletableFuture.runAsync(() -> {
                    try (Socket socket = tunnel.connect()) {
                        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                            try {
                                OutputStream out = socket.getOutputStream();
                                for (int off = 0; off < payload.length; off += 7_777) {
                                    out.write(payload, off, Math.min(7_777, payload.length - off));
                                }
                                socket.shutdownOutput();
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        }, r -> Thread.ofVirtual().start(r));
                        byte[] echoed = socket.getInputStream().readAllBytes();
                        get(writer);
                        assertArrayEquals(payload, echoed);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            for (CompletableFuture<Void> result : results) {
                get(result);
            }
            tunnel.awaitDrained();
            TunnelStats client = tunnel.client.stats();
            assertEquals(connections, client.totalConnections());
            assertEquals(0, client.failuresTotal(), client.summary());
            assertEquals(client.tcpToMixnetBytes(), client.mixnetToTcpBytes());
            assertEquals(connections, tunnel.server.stats().totalConnections());
            assertEquals(0, tunnel.server.stats().failuresTotal(), tunnel.server.stats().summary());
        }
    }

    @Test
    void clientHalfClosesThenReadsTheWholeResponse() throws Exception {
        try (TunnelFixture.Upstream upstream = new TunnelFixture.Upstream(socket -> {
                 byte[] request = socket.getInputStream().readAllBytes(); // until the client's half-close
                 OutputStream out = socket.getOutputStream();
                 out.write(sha256(request));
                 for (int i = request.length - 1; i >= 0; i--) {
                     request[i] ^= (byte) 0x5a;
                 }
                 out.write(request);
             });
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), 3);
             Socket socket = tunnel.connect()) {
            byte[] request = randomBytes(33, 300_000);
            socket.getOutputStream().write(request);
            socket.shutdownOutput();
            byte[] response = socket.getInputStream().readAllBytes();
            byte[] expected = new byte[32 + request.length];
            System.arraycopy(sha256(request), 0, expected, 0, 32);
            for (int i = 0; i < request.length; i++) {
                expected[32 + i] = (byte) (request[i] ^ 0x5a);
            }
            assertArrayEquals(expected, response);
            socket.close();
            tunnel.awaitDrained();
            assertEquals(0, tunnel.client.stats().failuresTotal(), tunnel.client.stats().summary());
            assertEquals(0, tunnel.server.stats().failuresTotal(), tunnel.server.stats().summary());
        }
    }

    @Test
    void upstreamClosesFirstWhileTheClientStillSends() throws Exception {
        byte[] greeting = randomBytes(44, 100_000);
        byte[] upload = randomBytes(45, 400_000);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (TunnelFixture.Upstream upstream = new TunnelFixture.Upstream(socket -> {
                 socket.getOutputStream().write(greeting);
                 socket.shutdownOutput(); // the upstream is done talking, but keeps listening
                 received.complete(socket.getInputStream().readAllBytes());
             });
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), TunnelFixture.serverSpeaksFirst(),
                     TunnelFixture.serverSpeaksFirst(), 4);
             Socket socket = tunnel.connect()) {
            InputStream in = socket.getInputStream();
            assertArrayEquals(greeting, in.readAllBytes());
            assertEquals(-1, in.read());
            OutputStream out = socket.getOutputStream();
            for (int off = 0; off < upload.length; off += 10_000) {
                out.write(upload, off, 10_000);
            }
            socket.shutdownOutput();
            assertArrayEquals(upload, get(received));
            tunnel.awaitDrained(); // both directions ended: both tunnel ends closed the connection
            assertEquals(0, tunnel.client.stats().failuresTotal(), tunnel.client.stats().summary());
            assertEquals(0, tunnel.server.stats().failuresTotal(), tunnel.server.stats().summary());
            assertEquals(upload.length, tunnel.client.stats().tcpToMixnetBytes());
            assertEquals(greeting.length, tunnel.client.stats().mixnetToTcpBytes());
        }
    }

    /**
     * A tunnel client whose tunnel server never answers (nobody serves the address) resets the
     * local connection after the establish timeout, counts it and says why in one line, instead
     * of leaving the local program waiting.
     */
    @Test
    void aStreamTheTunnelServerNeverAnswersIsResetAfterTheEstablishTimeout() throws Exception {
        CapturingLogger log = new CapturingLogger("tunnel-client");
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().seed(17).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build();
             ServerSocket bound = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Recipient nobody = mixnet.newEndpoint().address(); // an address no tunnel server listens on
            TunnelConfig config = TunnelConfig.builder().establishTimeout(Duration.ofMillis(200)).build();
            try (TunnelClient tunnel = TunnelClient.start(client, nobody, bound, config, TunnelEnvironment.real(log));
                 Socket socket = new Socket()) {
                socket.connect(tunnel.localAddress());
                socket.setSoTimeout((int) TunnelFixture.HANG_GUARD.toMillis());
                socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                IOException reset = assertThrows(IOException.class, () -> socket.getInputStream().read());
                assertTrue(reset.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset"), reset.getMessage());
                assertTrue(tunnel.awaitActiveConnections(0, TunnelFixture.HANG_GUARD));
                assertEquals(1, tunnel.stats().failures(TunnelFailure.NOT_ESTABLISHED), tunnel.stats().summary());
            }
            List<String> warnings = log.at(org.slf4j.event.Level.WARN);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("conn#1 ") && warnings.get(0).contains(
                    ": the tunnel server did not answer within the establish timeout: java.net.SocketTimeoutException: "
                            + "no sign of the peer within 200 ms"), warnings.get(0));
        }
    }

    @Test
    void upstreamRefusingResetsTheLocalConnectionAndIsCounted() throws Exception {
        InetSocketAddress refusing;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = (InetSocketAddress) probe.getLocalSocketAddress();
        } // closed: nothing listens there now
        try (TunnelFixture tunnel = new TunnelFixture(refusing, 5)) {
            try (Socket socket = tunnel.connect()) {
                socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                // The tunnel server aborts its stream; the tunnel client, told, resets the connection.
                assertThrows(java.net.SocketException.class, () -> socket.getInputStream().read());
            }
            tunnel.awaitDrained();
            assertEquals(1, tunnel.server.stats().failures(TunnelFailure.UPSTREAM_REFUSED),
                    tunnel.server.stats().summary());
            assertEquals(1, tunnel.server.stats().totalConnections());
        }
    }

    @Test
    void localClientVanishingMidTransferEndsTheUpstreamConnection() throws Exception {
        byte[] download = randomBytes(66, 2 * 1024 * 1024);
        CompletableFuture<Integer> upstreamSawEnd = new CompletableFuture<>();
        try (TunnelFixture.Upstream upstream = new TunnelFixture.Upstream(socket -> {
                 Thread writer = Thread.startVirtualThread(() -> {
                     try {
                         socket.getOutputStream().write(download);
                     } catch (IOException e) {
                         // the connection went away: expected
                     }
                 });
                 try {
                     upstreamSawEnd.complete(socket.getInputStream().read()); // -1: end of stream
                 } catch (IOException e) {
                     upstreamSawEnd.completeExceptionally(e);
                 }
                 socket.close();
                 writer.join();
             });
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), TunnelFixture.serverSpeaksFirst(),
                     TunnelFixture.serverSpeaksFirst(), 6)) {
            Socket socket = tunnel.connect();
            assertArrayEquals(java.util.Arrays.copyOf(download, 65_536), readExactly(socket.getInputStream(), 65_536));
            socket.setSoLinger(true, 0);
            socket.close(); // a reset, mid-transfer
            // The tunnel client's stream is reset (closed with the download unread), the tunnel
            // server is told and resets the upstream connection in turn: a cut, never a clean end.
            assertThrows(java.net.SocketException.class, () -> get(upstreamSawEnd));
            tunnel.awaitDrained();
            TunnelStats client = tunnel.client.stats();
            assertEquals(1, client.failures(TunnelFailure.TCP_FAILED), client.summary());
            assertEquals(0, client.activeConnections());
            assertEquals(0, tunnel.server.stats().activeConnections());
        }
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnceAndCounted() throws Exception {
        try (TunnelFixture.Upstream echo = new TunnelFixture.Upstream(socket -> {
                 socket.getInputStream().transferTo(socket.getOutputStream());
                 socket.shutdownOutput();
             });
             TunnelFixture tunnel = new TunnelFixture(echo.address(),
                     TunnelConfig.builder().maxConnections(1).build(), TunnelConfig.defaults(), 7);
             Socket first = tunnel.connect()) {
            first.getOutputStream().write(42);
            assertEquals(42, first.getInputStream().read()); // the first is served
            int result;
            try (Socket second = tunnel.connect()) {
                result = second.getInputStream().read();
            } catch (IOException e) {
                result = -2; // reset (even while connecting): closed at once
            }
            assertTrue(result < 0, "the second connection must be closed, read " + result);
            assertEquals(1, tunnel.client.stats().failures(TunnelFailure.OVER_LIMIT));
            first.getOutputStream().write(43);
            assertEquals(43, first.getInputStream().read()); // the first is unaffected
            assertEquals(1, tunnel.client.stats().totalConnections());
        }
    }

    @Test
    void closeEndsEveryConnectionAndIsIdempotent() throws Exception {
        CompletableFuture<Integer> upstreamSawEnd = new CompletableFuture<>();
        try (TunnelFixture.Upstream upstream = new TunnelFixture.Upstream(socket -> {
                 socket.getOutputStream().write(1);
                 try {
                     upstreamSawEnd.complete(socket.getInputStream().read());
                 } catch (IOException e) {
                     upstreamSawEnd.complete(-2);
                 }
             });
             TunnelFixture tunnel = new TunnelFixture(upstream.address(), TunnelFixture.serverSpeaksFirst(),
                     TunnelFixture.serverSpeaksFirst(), 8);
             Socket socket = tunnel.connect()) {
            assertEquals(1, socket.getInputStream().read()); // the connection is up end to end
            tunnel.client.close();
            tunnel.client.close();
            assertTrue(tunnel.client.isClosed());
            assertEquals(0, tunnel.client.stats().activeConnections());
            assertThrows(IOException.class, () -> {
                if (socket.getInputStream().read() < 0) {
                    throw new IOException("end of stream");
                }
            });
            assertTrue(get(upstreamSawEnd) < 0);
            assertThrows(IOException.class, tunnel::connect); // no longer listening
            tunnel.server.close();
            tunnel.server.close();
            assertEquals(0, tunnel.server.stats().activeConnections());
        }
    }

    @Test
    void idleConnectionsAreClosedAndCounted() throws Exception {
        try (TunnelFixture.Upstream silent = new TunnelFixture.Upstream(
                     socket -> socket.getInputStream().transferTo(OutputStream.nullOutputStream()));
             TunnelFixture tunnel = new TunnelFixture(silent.address(),
                     TunnelConfig.builder().idleTimeout(java.time.Duration.ofMillis(200)).build(), TunnelConfig.defaults(), 9);
             Socket socket = tunnel.connect()) {
            socket.getOutputStream().write(1); // goes through, then nothing moves either way
            assertThrows(IOException.class, () -> {
                if (socket.getInputStream().read() < 0) {
                    throw new IOException("end of stream");
                }
            });
            assertTrue(tunnel.client.awaitActiveConnections(0, TunnelFixture.HANG_GUARD));
            assertEquals(1, tunnel.client.stats().failures(TunnelFailure.IDLE_TIMEOUT), tunnel.client.stats().summary());
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
