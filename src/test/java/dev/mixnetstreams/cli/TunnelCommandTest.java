package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class TunnelCommandTest {

    /** Guards against hangs only; nothing here relies on how long anything takes. */
    private static final long HANG_GUARD_SECONDS = 60;

    @Test
    void badArgumentsPrintTheUsageAndExitTwo() {
        for (List<String> args : List.of(
                List.of("tunnel"),
                List.of("tunnel", "--listen", "127.0.0.1:0"),
                List.of("tunnel", "--listen", "127.0.0.1", "--upstream", "127.0.0.1:80"),
                List.of("tunnel", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:0"),
                List.of("tunnel", "--listen", "127.0.0.1:70000", "--upstream", "127.0.0.1:80"),
                List.of("tunnel", "--listen", "::1:0", "--upstream", "127.0.0.1:80"),
                List.of("tunnel", "--listen", "0:0:0:0:0:0:0:1:0", "--upstream", "127.0.0.1:80"),
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

    /** What an upstream does with one connection. */
    private interface Connection {
        void serve(Socket socket) throws IOException;
    }

    /** Serves one connection to {@code server} on a virtual thread, closing it after. */
    private static CompletableFuture<Void> serveOne(ServerSocket server, Connection connection) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                connection.serve(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    @Test
    void carriesAConnectionAndPrintsASummary() throws Exception {
        byte[] payload = new byte[200_000];
        new SplittableRandom(5).nextBytes(payload);
        try (ServerSocket echo = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = serveOne(echo, s -> {
                s.getInputStream().transferTo(s.getOutputStream());
                s.shutdownOutput();
            });
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

    @Test
    void underTheNymCostModelTheSummarySaysWhatTheConnectionCostInPackets() throws Exception {
        byte[] payload = new byte[50_000];
        new SplittableRandom(6).nextBytes(payload);
        try (ServerSocket upstream = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = serveOne(upstream, s -> {
                s.getInputStream().readNBytes(3);
                s.getOutputStream().write(payload); // a download: a small request, a large answer
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            try (TunnelCommand.Running running = TunnelCommand.start(List.of("--listen", "127.0.0.1:0",
                    "--upstream", "127.0.0.1:" + upstream.getLocalPort(), "--latency-ms", "0-5", "--seed", "4",
                    "--nym-costs", "--packets-per-second", "5000"), print)) {
                try (Socket socket = new Socket(running.localAddress().getAddress(), running.localAddress().getPort())) {
                    socket.setSoTimeout(60_000);
                    socket.getOutputStream().write(new byte[] {'G', 'E', 'T'});
                    assertArrayEquals(payload, socket.getInputStream().readAllBytes());
                }
                served.get(60, TimeUnit.SECONDS);
            }
            String printed = out.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("nym-costs=5000 packets/s)"), printed);
            assertTrue(printed.lines().anyMatch(l -> l.matches("  nym costs: \\d+ packets, [0-9.]+ payload bytes per packet .*")),
                    printed);
        }
    }

    @Test
    void anIpv6ListenAddressIsPrintedInBracketsAsTheOptionTakesIt() throws Exception {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("::1", 0));
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback here: " + e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TunnelCommand.Running running = TunnelCommand.start(List.of("--listen", "[::1]:0",
                "--upstream", "[::1]:80", "--seed", "1"), new PrintStream(out, true, StandardCharsets.UTF_8))) {
            String printed = out.toString(StandardCharsets.UTF_8);
            String listening = "[::1]:" + running.localAddress().getPort();
            assertTrue(printed.contains("listening on " + listening + " -> upstream [::1]:80 "), printed);
            assertEquals(running.localAddress(), HostPort.parse("--listen", listening, true));
        }
    }

    /**
     * SIGTERM to a running {@code tunnel}: the summary is printed, the exit status is 0, and the
     * JVM's other shutdown hooks run, so a JFR recording started on the command line is written.
     */
    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "Process.destroy() is not SIGTERM there")
    void sigtermPrintsTheSummaryExitsZeroAndLetsAJfrRecordingBeWritten(@TempDir Path dir) throws Exception {
        Path recording = dir.resolve("tunnel.jfr");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "-XX:StartFlightRecording:filename=" + recording + ",dumponexit=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "tunnel", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--latency-ms", "0", "--seed", "1")
                .redirectErrorStream(true).start();
        try {
            List<String> lines = new CopyOnWriteArrayList<>();
            CountDownLatch running = new CountDownLatch(1);
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader in = process.inputReader(StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                        if (line.startsWith("Ctrl-C stops it")) {
                            running.countDown();
                        }
                    }
                } catch (IOException e) {
                    lines.add("reading the output failed: " + e);
                }
            });
            assertTrue(running.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "the tunnel did not start: " + lines);
            process.toHandle().destroy(); // SIGTERM (Process.destroy() would also close our end of its output)
            assertTrue(process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS), "no exit after SIGTERM: " + lines);
            reader.join();
            String printed = String.join("\n", lines);
            assertEquals(0, process.exitValue(), printed);
            assertTrue(printed.contains("tunnel stopped"), printed);
            assertTrue(printed.contains("  local side:    connections=0"), printed);
            assertTrue(printed.contains("  upstream side: connections=0"), printed);
            assertTrue(Files.size(recording) > 0, "the JFR recording is empty: its shutdown hook did not run");
            assertFalse(RecordingFile.readAllEvents(recording).isEmpty());
        } finally {
            process.destroyForcibly();
        }
    }
}
