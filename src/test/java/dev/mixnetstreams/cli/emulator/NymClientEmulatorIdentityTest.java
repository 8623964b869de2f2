package dev.mixnetstreams.cli.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.sim.NymCostModel;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stand-in started again with the same seed serves the same addresses, as a restarted
 * nym-client keeps its keys, whatever its other settings; and it says so clearly when its port is
 * taken.
 */
@Timeout(60)
class NymClientEmulatorIdentityTest {

    private static List<Recipient> addresses(NymClientEmulator.Builder builder) throws IOException {
        try (NymClientEmulator emulator = builder.start()) {
            List<Recipient> addresses = new ArrayList<>();
            for (int i = 0; i < emulator.size(); i++) {
                addresses.add(emulator.address(i));
            }
            return addresses;
        }
    }

    @Test
    void clientAddressesDependOnTheSeedAndTheClientsIndexAlone() throws Exception {
        List<Recipient> plain = addresses(NymClientEmulator.builder().seed(42).clients(3));
        assertEquals(3, plain.stream().distinct().count());
        assertEquals(plain, addresses(NymClientEmulator.builder().seed(42).clients(3)), "started again");
        assertEquals(plain, addresses(NymClientEmulator.builder().seed(42).clients(3)
                .costModel(NymCostModel.defaults()).latency(Duration.ofMillis(1), Duration.ofMillis(9))
                .loss(0.1).duplicate(0.1)), "with the cost model and faults");
        assertEquals(plain.subList(0, 2), addresses(NymClientEmulator.builder().seed(42).clients(2)),
                "fewer clients: the first ones keep their addresses");
        assertEquals(plain.get(2), addresses(NymClientEmulator.builder().seed(42).clients(4)
                .costModel(NymCostModel.defaults())).get(2), "client 2 of four, with the cost model");
        assertNotEquals(plain, addresses(NymClientEmulator.builder().seed(43).clients(3)), "another seed");
    }

    @Test
    void aStandInStartedAgainOnItsPortsServesTheSameAddressesThere() throws Exception {
        URI first;
        URI second;
        Recipient address;
        try (NymClientEmulator emulator = NymClientEmulator.builder().seed(5).clients(2).start()) {
            first = emulator.uri(0);
            second = emulator.uri(1);
            address = emulator.address(1);
        }
        try (NymClientEmulator again = NymClientEmulator.builder().seed(5).clients(2)
                .ports(first.getPort(), second.getPort()).start()) {
            assertEquals(first, again.uri(0));
            assertEquals(second, again.uri(1));
            assertEquals(address, again.address(1));
        }
    }

    @Test
    void aPortInUseIsOneClearMessage() throws Exception {
        try (NymClientEmulator running = NymClientEmulator.builder().start()) {
            int port = running.uri(0).getPort();
            IOException e = assertThrows(IOException.class, () -> NymClientEmulator.builder().port(port).start());
            assertEquals("port " + port + " on 127.0.0.1 is in use — is a nym-client or another stand-in running there?",
                    e.getMessage());
            assertInstanceOf(BindException.class, e.getCause());
        }
    }
}
