package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.sim.LoopbackMixnet;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StreamSmokeTest {

    @Test
    void echoOverLoopback() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(net.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (MixnetStream s = listener.accept()) {
                    byte[] all = s.getInputStream().readAllBytes();
                    s.getOutputStream().write(all);
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (MixnetStream stream = client.openStream(server.address())) {
                stream.getOutputStream().write("hello ".getBytes(StandardCharsets.UTF_8));
                stream.getOutputStream().write("world".getBytes(StandardCharsets.UTF_8));
                stream.shutdownOutput();
                assertArrayEquals("hello world".getBytes(StandardCharsets.UTF_8), stream.getInputStream().readAllBytes());
                assertEquals(-1, stream.getInputStream().read());
            }
            served.get();
        }
    }
}
