package examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.time.Duration;

/** Two clients on the simulated mixnet: one echoes, the other sends "hello mixnet" and prints the echo. */
public class EchoOnSimulatedMixnet {

    public static void main(String[] args) throws IOException {
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(Duration.ofMillis(5), Duration.ofMillis(50)).seed(42).build();
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {

            MixnetListener listener = server.listener();
            Thread.startVirtualThread(() -> {                    // an echo server
                try (MixnetStream s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();                          // the peer reads -1 after the echo
                } catch (IOException e) {
                    System.err.println("echo failed: " + e);
                }
            });

            try (MixnetStream stream = client.openStream(server.address())) {
                stream.getOutputStream().write("hello mixnet".getBytes(UTF_8));
                stream.shutdownOutput();                         // half-close: we can still read
                stream.setReadTimeout(Duration.ofSeconds(30));   // SocketTimeoutException instead of a hang
                System.out.println(new String(stream.getInputStream().readAllBytes(), UTF_8));
            }
        }
    }
}
