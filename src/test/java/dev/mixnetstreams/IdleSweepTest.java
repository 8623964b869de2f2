package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.testing.StreamPair;
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
        try (StreamPair pair = StreamPair.builder().server(b -> b.streamIdleTimeout(Duration.ofMillis(50))).open()) {
            // Blocks until the sweep reaps the stream: an IOException, never -1.
            IOException e = assertThrows(IOException.class, () -> pair.accepted().getInputStream().read());
            assertTrue(e.getMessage().contains("idle timeout"), e.getMessage());
            assertEquals(1, pair.server().stats().streamsReaped());
            pair.opened().close();
        }
    }
}
