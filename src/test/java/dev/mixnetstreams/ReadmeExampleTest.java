package dev.mixnetstreams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The example in README.md, as written there, with its output checked. */
class ReadmeExampleTest {

    @Test
    void readmeExampleEchoes() throws Exception {
        String echoed;
        // --- from README.md ---
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(Duration.ofMillis(5), Duration.ofMillis(50)).seed(42).build();
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {

            MixnetListener listener = server.listener();
            Thread.startVirtualThread(() -> {                    // an echo server
                try (MixnetStream s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();                          // the peer reads -1 after the echo
                } catch (IOException e) { /* log */ }
            });

            try (MixnetStream stream = client.openStream(server.address())) {
                stream.getOutputStream().write("hello mixnet".getBytes(UTF_8));
                stream.shutdownOutput();                         // half-close: we can still read
                stream.setReadTimeout(Duration.ofSeconds(30));   // SocketTimeoutException instead of a hang
                echoed = new String(stream.getInputStream().readAllBytes(), UTF_8);
            }
        }
        // --- end ---
        assertEquals("hello mixnet", echoed);
    }
}
