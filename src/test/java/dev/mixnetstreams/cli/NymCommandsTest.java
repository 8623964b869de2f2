package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NymCommandsTest {

    @Test
    void addressPrintsTheNymClientsAddress() throws Exception {
        try (NymClientEmulator emulator = NymClientEmulator.builder().clients(1).start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(List.of("address", "--nym", emulator.uri(0).toString()),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
            assertEquals(emulator.address(0).toString(), out.toString(StandardCharsets.UTF_8).strip());
        }
    }

    @Test
    void theStandInTakesTheNymCostModel() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return NymCommands.emulator(List.of("--port", "0", "--clients", "2", "--nym-costs",
                        "--packets-per-second", "200"), new PrintStream(out, true, StandardCharsets.UTF_8), stop);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("the stand-in printed its clients",
                () -> out.toString(StandardCharsets.UTF_8).lines().count() >= 3);
        String first = out.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertTrue(first.contains("nym-costs=200 packets/s"), first);
        stop.countDown();
        assertEquals(0, status.get(20, TimeUnit.SECONDS));
    }

    @Test
    void emulatorRunsUntilAskedToStopThenExits0() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream printer = new PrintStream(out, true, StandardCharsets.UTF_8);
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return NymCommands.emulator(List.of("--port", "0", "--clients", "2"), printer, stop);
            } catch (UsageException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("both stand-ins listed", () -> out.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("ws://127.0.0.1:")).count() == 2);
        assertTrue(!status.isDone(), "runs until asked to stop");
        stop.countDown();
        assertEquals(0, status.get());
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("emulator stopped", lines.get(lines.size() - 1));
    }

    @Test
    void badArgumentsExit2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(List.of("emulator"), System.out, e));
        assertEquals(2, Main.run(List.of("emulator", "--port", "1", "--loss", "2"), System.out, e));
        assertEquals(2, Main.run(List.of("address"), System.out, e));
        assertEquals(2, Main.run(List.of("emulator", "--port", "0", "--packets-per-second", "9"), System.out, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing --port"));
    }

    /** Runs the CLI and returns its status, standard output and standard error. */
    private record Run(int status, String out, String err) {
        static Run of(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void addressWithNothingListeningSaysSoInOneLine() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run run = Run.of("address", "--nym", "ws://127.0.0.1:" + closedPort);
        assertEquals(1, run.status());
        assertEquals("address FAILED: connection refused — is nym-client running at ws://127.0.0.1:" + closedPort + "?",
                run.err().strip());
        assertEquals("", run.out());
    }

    @Test
    void aNymUrlThatIsNotWsHostPortIsAUsageError() {
        for (String url : List.of("http://127.0.0.1:1977", "127.0.0.1:1977", "ws://127.0.0.1", "ws://:1977")) {
            Run run = Run.of("address", "--nym", url);
            assertEquals(2, run.status(), url);
            assertTrue(run.err().startsWith("error: --nym: "), run.err());
            assertTrue(run.err().contains("ws://HOST:PORT"), run.err());
            assertTrue(run.err().contains("usage:"), run.err());
        }
    }

    /** The stand-in on a port in use: one line, status 1, no stack trace (the WebSocket library logs one if it binds). */
    @Test
    void theStandInOnAPortInUseSaysSoInOneLine() throws Exception {
        try (NymClientEmulator running = NymClientEmulator.builder().clients(1).start()) {
            int port = running.uri(0).getPort();
            java.io.PrintStream original = System.err;
            ByteArrayOutputStream logged = new ByteArrayOutputStream();
            System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8)); // where slf4j-simple writes
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status;
            try {
                status = NymCommands.emulator(List.of("--port", String.valueOf(port)),
                        new PrintStream(out, true, StandardCharsets.UTF_8), new CountDownLatch(0));
            } finally {
                System.setErr(original);
            }
            assertEquals(1, status);
            assertEquals("emulator FAILED: port " + port + " on 127.0.0.1 is in use — is a nym-client or another stand-in"
                    + " running there?", out.toString(StandardCharsets.UTF_8).strip());
            assertEquals("", logged.toString(StandardCharsets.UTF_8));
        }
    }
}
