package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tunnel's two halves as separate commands, each on its own nym-client stand-in, over real WebSockets. */
class NymTunnelCommandsTest {

    @Test
    void httpDownloadThroughTunnelServerAndTunnelClientOnTwoNymClients() throws Exception {
        byte[] body = new byte[3 << 20];
        new SplittableRandom(5).nextBytes(body);
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/file", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (NymClientEmulator emulator = NymClientEmulator.builder().host("127.0.0.1").port(0).clients(2)
                .latency(Duration.ZERO, Duration.ofMillis(10)).duplicate(0.02).seed(9).start()) {
            String upstreamAddress = "127.0.0.1:" + upstream.getAddress().getPort();
            try (NymTunnelCommands.Running server = NymTunnelCommands.startServer(
                         List.of("--nym", emulator.uri(0).toString(), "--upstream", upstreamAddress), out);
                 NymTunnelCommands.Running client = NymTunnelCommands.startClient(
                         List.of("--nym", emulator.uri(1).toString(), "--server", emulator.address(0).toString(),
                                 "--listen", "127.0.0.1:0"), out)) {
                assertNotNull(server);
                assertNotNull(client);
                assertTrue(log.toString(StandardCharsets.UTF_8).contains("tunnel-server: address " + emulator.address(0)));
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + client.localAddress().getPort() + "/file"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, response.statusCode());
                assertArrayEquals(body, response.body());
            }
            String printed = log.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("tunnel-client stopped: "), printed);
            assertTrue(printed.contains("tunnel-server stopped: "), printed);
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    void unreachableNymClientFailsWithAMessage() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertNull(NymTunnelCommands.startServer(
                List.of("--nym", "ws://127.0.0.1:" + closedPort, "--upstream", "127.0.0.1:80"), out));
        assertEquals("tunnel-server FAILED: connection refused — is nym-client running at ws://127.0.0.1:" + closedPort
                + "?", log.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThrows(UsageException.class, () -> NymTunnelCommands.startClient(
                List.of("--nym", "ws://127.0.0.1:1977", "--server", "not-an-address", "--listen", "127.0.0.1:0"), out));
        assertThrows(UsageException.class, () -> NymTunnelCommands.startClient(
                List.of("--nym", "http://127.0.0.1:1977", "--server", "x", "--listen", "127.0.0.1:0"), out));
        assertThrows(UsageException.class, () -> NymTunnelCommands.startServer(List.of("--nym", "ws://127.0.0.1:1977"), out));
        assertThrows(UsageException.class, () -> NymTunnelCommands.startServer(List.of("--nym", "ws://127.0.0.1:1977",
                "--upstream", "127.0.0.1:80", "--max-outage", "0"), out));
        assertThrows(UsageException.class, () -> NymTunnelCommands.startClient(List.of("--nym", "ws://127.0.0.1:1977",
                "--server", "x", "--listen", "127.0.0.1:0", "--establish-timeout", "-1"), out));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Main.run(List.of("tunnel-client", "--listen", "nowhere"), out,
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage:"));
    }
}
