package examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.nymclient.NymClientTransport;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The echo of {@link EchoOnSimulatedMixnet} over two nym-clients: the echo server on the first,
 * the client on the second. Arguments: their WebSocket URLs, by default those of
 * {@code ./mixnet-streams emulator --port 1977 --clients 2} (two local stand-ins for nym-client).
 */
public class EchoOverNymClients {

    public static void main(String[] args) throws IOException {
        URI serverNym = URI.create(args.length > 0 ? args[0] : "ws://127.0.0.1:1977");
        URI clientNym = URI.create(args.length > 1 ? args[1] : "ws://127.0.0.1:1978");

        try (MixnetClient server = MixnetClient.builder(NymClientTransport.connect(serverNym)).build();
             MixnetClient client = MixnetClient.builder(NymClientTransport.connect(clientNym)).build()) {
            System.out.println("echo server at " + server.address());

            MixnetListener listener = server.listener();
            Thread.startVirtualThread(() -> {
                try (MixnetStream s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (IOException e) {
                    System.err.println("echo failed: " + e);
                }
            });

            try (MixnetStream stream = client.openStream(server.address())) {
                stream.getOutputStream().write("hello over nym-client".getBytes(UTF_8));
                stream.shutdownOutput();
                stream.setReadTimeout(Duration.ofSeconds(60));   // the real mixnet takes seconds
                System.out.println(new String(stream.getInputStream().readAllBytes(), UTF_8));
            }
        }
    }
}
