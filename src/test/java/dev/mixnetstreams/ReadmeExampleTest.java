package dev.mixnetstreams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.sim.SentMessage;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The examples in README.md, as written there, with their outcome checked. */
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

    @Test
    void readmeLoopbackExampleSeesTheOpen() throws Exception {
        Recipient peerAddress = Recipient.random(new SplittableRandom(3));
        List<SentMessage> seen;
        // --- from README.md ---
        try (LoopbackMixnet mixnet = LoopbackMixnet.builder().seed(1).build()) {
            LoopbackMixnet.Endpoint endpoint = mixnet.newEndpoint();
            List<SentMessage> sent = new CopyOnWriteArrayList<>();
            endpoint.onSend(sent::add);
            try (MixnetClient client = MixnetClient.builder(endpoint).build()) {
                client.openStream(peerAddress);          // sent.get(0): the Open, anonymous with 20 SURBs
            }
            // --- end ---
            seen = sent;
        }
        assertEquals(2, seen.size(), "the Open, and the end of stream closing the client sends");
        for (SentMessage message : seen) {
            assertEquals(SentMessage.Kind.SEND_ANONYMOUS, message.kind());
            assertEquals(peerAddress, message.recipient());
        }
        assertEquals(20, seen.get(0).replySurbs(), "the Open's");
        assertEquals(0, seen.get(1).replySurbs(), "the end of stream's");
        assertEquals(FrameType.OPEN.wireValue(), seen.get(0).data()[10]);
    }
}
