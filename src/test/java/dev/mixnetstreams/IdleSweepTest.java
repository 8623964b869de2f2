package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The router waits for messages without a timeout; the sweep ticker's marker is what wakes it to
 * reap idle streams. With no traffic at all, an idle stream must still be reaped.
 */
class IdleSweepTest {

    @Test
    void idleStreamIsReapedWithoutAnyTraffic() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint())
                     .streamIdleTimeout(Duration.ofMillis(50)).build();
             MixnetClient client = MixnetClient.builder(net.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            MixnetStream opened = client.openStream(server.address());
            MixnetStream accepted = listener.accept();
            // Blocks until the sweep reaps the stream: an IOException, never -1.
            IOException e = assertThrows(IOException.class, () -> accepted.getInputStream().read());
            assertTrue(e.getMessage().contains("idle timeout"), e.getMessage());
            assertEquals(1, server.stats().streamsReaped());
            opened.close();
        }
    }
}
