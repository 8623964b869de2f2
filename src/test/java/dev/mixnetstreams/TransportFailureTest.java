package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.testing.StreamPair;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A transport that reports a failure ({@link MixnetTransport#onFailure}) fails every stream and wait. */
@Timeout(20)
class TransportFailureTest {

    @Test
    void failureFailsBlockedReadsAcceptsAndNewStreams() throws Exception {
        try (StreamPair pair = StreamPair.builder().firstBytes(new byte[] {1, 2, 3}).open()) {
            MixnetClient server = pair.server();
            MixnetClient client = pair.client();
            MixnetListener listener = pair.listener();
            LoopbackMixnet.Endpoint serverEnd = pair.serverEndpoint();
            MixnetStream accepted = pair.accepted();
            byte[] three = accepted.getInputStream().readNBytes(3);
            assertEquals(3, three.length);
            CountDownLatch reading = new CountDownLatch(1);
            CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
                reading.countDown();
                try {
                    accepted.getInputStream().read();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            reading.await();
            serverEnd.fail(new IOException("connection to nym-client lost"));
            Throwable failure = read.get();
            assertTrue(failure instanceof IOException, String.valueOf(failure));
            assertTrue(failure.getMessage().contains("connection to nym-client lost"), failure.getMessage());
            IOException acceptFailure = assertThrows(IOException.class, listener::accept);
            assertTrue(acceptFailure.getMessage().contains("lost"), acceptFailure.getMessage());
            assertThrows(IOException.class, () -> accepted.getOutputStream().write(1));
            IOException openFailure = assertThrows(IOException.class, () -> server.openStream(client.address()));
            assertTrue(openFailure.getMessage().contains("transport failed"), openFailure.getMessage());
        }
    }

    @Test
    void failureEndsMessageWaits() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint end = net.newEndpoint();
        try (MixnetClient client = MixnetClient.builder(end).build()) {
            CompletableFuture<Throwable> wait = CompletableFuture.supplyAsync(() -> {
                try {
                    client.waitForMessages();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            end.fail(new IOException("gone"));
            Throwable t = wait.get();
            assertTrue(t instanceof IOException && t.getMessage().contains("gone"), String.valueOf(t));
        }
    }
}
