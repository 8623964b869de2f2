package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.nymclient.NymClientTransport;
import dev.mixnetstreams.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tunnel-server} and {@code tunnel-client} as services next to nym-clients that restart:
 * the stand-in killed and started again (same seed, same ports: the same addresses) under
 * traffic; a nym-client that stays away; a tunnel server nobody runs.
 */
@Timeout(120)
class NymTunnelServicesTest {

    /** A printed-to buffer for a service's lines. */
    private static final class Printed {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static NymClientEmulator standIn(long seed, int... ports) throws IOException {
        NymClientEmulator.Builder builder = NymClientEmulator.builder().clients(2).seed(seed)
                .latency(Duration.ZERO, Duration.ofMillis(5)).duplicate(0.02);
        return (ports.length == 0 ? builder : builder.ports(ports)).start();
    }

    /**
     * Connections of every length run through both services while their nym-client (one stand-in
     * for both) is killed and started again, twice. Each connection ends complete and intact or
     * fails with a reset — none ends cleanly short, none hangs — and once nym-client is back new
     * connections work again; the services stay up and say so in their health.
     */
    @Test
    void theServicesRideThroughNymClientRestartsUnderTraffic() throws Exception {
        long seed = 21;
        int restarts = 2;
        int successesPerPhase = 12;
        NymClientEmulator emulator = standIn(seed);
        int[] ports = {emulator.uri(0).getPort(), emulator.uri(1).getPort()};
        Printed printed = new Printed();
        CompletableFuture<Integer> stopped = new CompletableFuture<>();
        List<Thread> workers = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (SizedUpstream upstream = new SizedUpstream();
             NymTunnelCommands.Running server = NymTunnelCommands.startServer(List.of("--nym", emulator.uri(0).toString(),
                     "--upstream", "127.0.0.1:" + upstream.port(), "--summary-interval", "0"), printed.out,
                     stopped::complete);
             NymTunnelCommands.Running client = NymTunnelCommands.startClient(List.of("--nym", emulator.uri(1).toString(),
                     "--server", emulator.address(0).toString(), "--listen", "127.0.0.1:0", "--summary-interval", "0"),
                     printed.out, stopped::complete)) {
            assertNotNull(server);
            assertNotNull(client);
            SizedUpstream.Outcomes outcomes = new SizedUpstream.Outcomes();
            for (int w = 0; w < 6; w++) {
                long workerSeed = w;
                workers.add(Thread.ofVirtual().name("chaos-worker-" + w).start(() -> {
                    SplittableRandom random = new SplittableRandom(workerSeed);
                    while (!stop.get()) {
                        int length = random.nextInt(4) == 0 ? 64 * 1024 + random.nextInt(192 * 1024) : 1 + random.nextInt(4096);
                        outcomes.add(SizedUpstream.fetch(client.localAddress(), random.nextLong(), length));
                    }
                }));
            }
            outcomes.awaitOk(successesPerPhase);
            NymClientTransport serverNym = server.health().transport();
            NymClientTransport clientNym = client.health().transport();
            for (int r = 1; r <= restarts; r++) {
                int restart = r;
                emulator.close(); // killed under traffic
                Await.until("both services noticed loss " + restart, () -> serverNym.stats().connectionsLost() == restart
                        && clientNym.stats().connectionsLost() == restart);
                assertFalse(server.health().nymClientConnected());
                emulator = standIn(seed, ports); // back, with the same addresses
                Await.until(() -> "both services back after restart " + restart + ": " + server.health().summary() + " / "
                        + client.health().summary(), () -> server.health().nymClientConnected()
                        && client.health().nymClientConnected());
                long okBefore = outcomes.ok();
                outcomes.awaitOk(okBefore + successesPerPhase); // new connections work again
            }
            stop.set(true);
            for (Thread worker : workers) {
                assertTrue(worker.join(Await.GIVE_UP), "a worker hung: " + worker);
            }
            assertEquals(0, outcomes.truncated(), "connections that ended cleanly but short: " + outcomes);
            assertEquals(0, outcomes.corrupted(), "connections with wrong bytes: " + outcomes);
            assertEquals(0, outcomes.hung(), "connections that hung: " + outcomes);
            assertFalse(stopped.isDone(), "a service stopped itself");
            for (NymTunnelCommands.Running service : List.of(server, client)) {
                String health = service.health().summary();
                assertTrue(health.contains("; nym-client connected, " + restarts + " reconnections;"), health);
                assertTrue(health.contains("; last error ") && !health.contains("last error none"), health);
                assertTrue(health.contains("; open streams="), health);
            }
        } finally {
            stop.set(true);
            emulator.close();
        }
        String text = printed.text();
        assertTrue(text.contains("tunnel-server stopped: up "), text);
        assertTrue(text.contains("tunnel-client stopped: up "), text);
    }

    /** A nym-client away longer than --max-outage stops the service with status 1, saying so once. */
    @Test
    void aNymClientAwayLongerThanTheOutageLimitStopsTheServiceWithStatus1() throws Exception {
        Printed printed = new Printed();
        CompletableFuture<Integer> stopped = new CompletableFuture<>();
        NymClientEmulator emulator = standIn(22);
        PrintStream stderr = System.err;
        Printed logged = new Printed();
        try (NymTunnelCommands.Running server = NymTunnelCommands.startServer(List.of("--nym", emulator.uri(0).toString(),
                "--upstream", "127.0.0.1:9", "--max-outage", "1", "--summary-interval", "0"), printed.out,
                stopped::complete)) {
            assertNotNull(server);
            System.setErr(logged.out); // where slf4j-simple logs
            try {
                emulator.close();
                assertEquals(1, stopped.get(Await.GIVE_UP.toSeconds(), TimeUnit.SECONDS));
                Await.until(logged::text, () -> logged.text().contains("stopped accepting"));
            } finally {
                System.setErr(stderr);
            }
            stderr.print(logged.text());
            List<String> tunnelLines = logged.text().lines()
                    .filter(line -> line.contains(" dev.mixnetstreams.tunnel.TunnelServer - ")).toList();
            assertEquals(List.of("tunnel server: stopped accepting: its mixnet client's listener has ended"),
                    tunnelLines.stream().map(line -> line.substring(line.indexOf(" - ") + 3)).toList(),
                    "the tunnel server does not repeat the transport's failure");
            assertEquals(1, printed.text().lines().filter(line -> line.equals("tunnel-server FAILED: its nym-client did "
                    + "not come back as the same client within --max-outage 1 s; exiting with status 1")).count(),
                    printed.text());
            assertTrue(server.health().summary().contains("; nym-client gone, 0 reconnections;"), server.health().summary());
        } finally {
            emulator.close();
        }
    }

    /**
     * A tunnel client pointed at an address nobody serves resets each local connection after the
     * establish timeout, and counts it, instead of leaving the program waiting.
     */
    @Test
    void aTunnelClientToAnAddressNobodyServesResetsItsConnections() throws Exception {
        Printed printed = new Printed();
        try (NymClientEmulator emulator = standIn(23);
             NymTunnelCommands.Running client = NymTunnelCommands.startClient(List.of("--nym", emulator.uri(1).toString(),
                     "--server", emulator.address(0).toString(), "--listen", "127.0.0.1:0", "--establish-timeout", "1",
                     "--summary-interval", "0"), printed.out)) {
            assertNotNull(client);
            try (Socket socket = new Socket()) {
                socket.connect(client.localAddress());
                socket.setSoTimeout((int) Await.GIVE_UP.toMillis()); // a hang guard
                socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                IOException reset = assertThrows(IOException.class, () -> socket.getInputStream().read());
                assertFalse(reset instanceof SocketTimeoutException, "the connection hung");
            }
            Await.until(() -> client.health().summary(), () -> client.health().summary().contains("not_established=1"));
        }
    }
}
