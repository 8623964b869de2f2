package dev.mixnetstreams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    void badArgumentsExit2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(List.of("emulator"), System.out, e));
        assertEquals(2, Main.run(List.of("emulator", "--port", "1", "--loss", "2"), System.out, e));
        assertEquals(2, Main.run(List.of("address"), System.out, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing --port"));
    }
}
