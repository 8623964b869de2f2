package examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.testing.Figures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs each example of src/examples/java as its {@code main} and checks what it printed; the
 * output also goes to target/test-figures/ExamplesTest.txt.
 */
@Timeout(120)
class ExamplesTest {

    /** What the examples printed. */
    private static final PrintStream FIGURES = Figures.of(ExamplesTest.class);

    /** An example's main method. */
    @FunctionalInterface
    interface Main {
        /** Runs the example. */
        void run() throws Exception;
    }

    /** Runs an example with System.out captured; returns the lines it printed. */
    private static List<String> run(String name, Main main) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        FIGURES.println("== " + name);
        FIGURES.print(output);
        return output.lines().toList();
    }

    @Test
    void echoOnTheSimulatedMixnet() throws Exception {
        assertEquals(List.of("hello mixnet"), run("EchoOnSimulatedMixnet",
                () -> EchoOnSimulatedMixnet.main(new String[0])));
    }

    @Test
    void echoOverTwoNymClients() throws Exception {
        try (NymClientEmulator nymClients = NymClientEmulator.builder().clients(2)
                .latency(Duration.ofMillis(1), Duration.ofMillis(20)).start()) {
            List<String> lines = run("EchoOverNymClients", () -> EchoOverNymClients.main(
                    new String[] {nymClients.uri(0).toString(), nymClients.uri(1).toString()}));
            assertEquals(List.of("echo server at " + nymClients.address(0), "hello over nym-client"), lines);
        }
    }

    @Test
    void tunnelInCode() throws Exception {
        List<String> lines = run("TunnelInCode", () -> TunnelInCode.main(new String[0]));
        assertEquals("HELLO THROUGH THE TUNNEL", lines.get(0));
        assertTrue(lines.get(1).startsWith("tunnel client: connections=1 active=0 tcp->mixnet=25 mixnet->tcp=25 failures=0"),
                lines.get(1));
    }

    @Test
    void messageMode() throws Exception {
        assertEquals(List.of("bob got: ping", "alice got: pong"), run("MessageMode", () -> MessageMode.main(new String[0])));
    }

    @Test
    void bulkTransfer() throws Exception {
        List<String> lines = run("BulkTransfer", () -> BulkTransfer.main(new String[] {"16"}));
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("sent 16 MiB; the receiver confirmed length and SHA-256 "), lines.get(0));
    }
}
