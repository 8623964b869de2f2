package dev.mixnetstreams;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.nymclient.NymClientTransport;
import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.sim.SentMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * README.md's snippets that are not whole examples (those are in src/examples/java), as written
 * there, with their outcome checked; ReadmeCodeTest checks that they are written there so.
 */
class ReadmeExampleTest {

    @Test
    void readmeNymClientExampleTalksToAPeer() throws Exception {
        try (NymClientEmulator nymClients = NymClientEmulator.builder().clients(2).start();
             MixnetClient peer = MixnetClient.builder(NymClientTransport.connect(nymClients.uri(1))).build()) {
            MixnetListener listener = peer.listener();
            Thread.startVirtualThread(() -> {
                try (MixnetStream s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            URI nymClientUrl = nymClients.uri(0);
            String peerAddress = peer.address().toString();
            byte[] request = "request".getBytes(UTF_8);
            // --- from README.md ---
            byte[] response;
            try (MixnetClient client = MixnetClient.builder(NymClientTransport.connect(nymClientUrl)).build();
                 MixnetStream stream = client.openStream(Recipient.parse(peerAddress))) {
                stream.getOutputStream().write(request);
                stream.shutdownOutput();                       // the request is complete
                stream.setReadTimeout(Duration.ofSeconds(60)); // the real mixnet takes seconds
                response = stream.getInputStream().readAllBytes();
            }
            // --- end ---
            assertEquals("request", new String(response, UTF_8), "echoed");
        }
    }

    @Test
    void readmeLoopbackExampleSeesTheOpen() throws Exception {
        Recipient peerAddress = Recipient.random(new SplittableRandom(3));
        // --- from README.md ---
        try (LoopbackMixnet mixnet = LoopbackMixnet.builder().seed(1).build()) {
            LoopbackMixnet.Endpoint endpoint = mixnet.newEndpoint();
            List<SentMessage> sent = new CopyOnWriteArrayList<>();
            endpoint.onSend(sent::add);
            try (MixnetClient client = MixnetClient.builder(endpoint).build()) {
                client.openStream(peerAddress);
            }
            SentMessage open = sent.get(0);                  // the Open: anonymous, with 20 reply SURBs
            assertEquals(SentMessage.Kind.SEND_ANONYMOUS, open.kind());
            assertEquals(20, open.replySurbs());
        }
        // --- end ---
    }
}
