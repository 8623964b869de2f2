package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TunnelCommandTest {

    @Test
    void badArgumentsPrintTheUsageAndExitTwo() {
        for (List<String> args : List.of(
                List.of("tunnel"),
                List.of("tunnel", "--listen", "127.0.0.1:0"),
                List.of("tunnel", "--listen", "127.0.0.1", "--upstream", "127.0.0.1:80"),
                List.of("tunnel", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:0"),
                List.of("tunnel", "--listen", "127.0.0.1:70000", "--upstream", "127.0.0.1:80"),
                List.of("tunnel", "--listen", "::1:0", "--upstream", "127.0.0.1:80"),
                List.of("tunnel", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:80", "--loss", "2"),
                List.of("tunnel", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:80", "--latency-ms", "9-1"),
                List.of("tunnel", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:80", "--bogus", "1"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
            String errors = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, args + ": " + errors);
            assertTrue(errors.startsWith("error: "), errors);
            assertTrue(errors.contains("tunnel --listen HOST:PORT --upstream HOST:PORT"), errors);
            assertFalse(errors.contains("\tat "), "no stack trace: " + errors);
        }
    }

    @Test
    void carriesAConnectionAndPrintsASummary() throws Exception {
        byte[] payload = new byte[200_000];
        new SplittableRandom(5).nextBytes(payload);
        try (ServerSocket echo = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            try (TunnelCommand.Running running = TunnelCommand.start(List.of("--listen", "127.0.0.1:0",
                    "--upstream", "127.0.0.1:" + echo.getLocalPort(), "--latency-ms", "0-20",
                    "--duplicate", "0.02", "--seed", "3"), print)) {
                assertTrue(out.toString(StandardCharsets.UTF_8).contains(
                        "listening on 127.0.0.1:" + running.localAddress().getPort() + " -> upstream 127.0.0.1:" + echo.getLocalPort()));
                try (Socket socket = new Socket(running.localAddress().getAddress(), running.localAddress().getPort())) {
                    socket.setSoTimeout(60_000);
                    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                        try {
                            socket.getOutputStream().write(payload);
                            socket.shutdownOutput();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }, r -> Thread.ofVirtual().start(r));
                    assertArrayEquals(payload, socket.getInputStream().readAllBytes());
                    writer.get(60, TimeUnit.SECONDS);
                }
                served.get(60, TimeUnit.SECONDS);
            }
            String printed = out.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("tunnel stopped"), printed);
            assertTrue(printed.contains("connections=1"), printed);
            assertTrue(printed.contains("tcp->mixnet=" + payload.length), printed);
        }
    }
}
