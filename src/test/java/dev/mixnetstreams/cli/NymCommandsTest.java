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
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing --port"));
    }
}
