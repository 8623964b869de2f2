package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.StreamPair;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Read and accept timeouts, and interrupting blocked readers and accepts. */
class TimeoutTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readTimeoutLeavesTheStreamUsable() throws Exception {
        try (var mixnet = StreamTestSupport.jitteryMixnet(9, 0.1);
             StreamPair pair = StreamPair.builder().network(mixnet::newEndpoint).firstBytes(utf8("a")).open()) {
            MixnetStream opened = pair.opened();
            MixnetStream accepted = pair.accepted();
            InputStream in = accepted.getInputStream();
            assertEquals('a', in.read());
            accepted.setReadTimeout(Duration.ofMillis(30));
            assertEquals(Duration.ofMillis(30), accepted.getReadTimeout());
            assertThrows(SocketTimeoutException.class, in::read);
            assertThrows(SocketTimeoutException.class, () -> in.read(new byte[10]));
            opened.getOutputStream().write(utf8("later"));
            opened.shutdownOutput();
            accepted.setReadTimeout(Duration.ofSeconds(30));
            assertArrayEquals(utf8("later"), in.readAllBytes());
            assertThrows(IllegalArgumentException.class, () -> accepted.setReadTimeout(Duration.ofMillis(-1)));
        }
    }

    @Test
    void acceptTimeoutThenAcceptStillWorks() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(net.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            assertThrows(SocketTimeoutException.class, () -> listener.accept(Duration.ofMillis(20)));
            assertThrows(IllegalArgumentException.class, () -> listener.accept(Duration.ZERO));
            MixnetStream opened = client.openStream(server.address());
            assertEquals(opened.id(), listener.accept(Duration.ofSeconds(30)).id());
        }
    }

    @Test
    void availableNeverWaitsForABlockedReader() throws Exception {
        try (StreamPair pair = StreamPair.open()) {
            MixnetStream opened = pair.opened();
            MixnetStream accepted = pair.accepted();
            LifecycleTest.Started<Integer> reader = LifecycleTest.start("reader",
                    () -> accepted.getInputStream().read());
            Await.blocked(reader.thread());
            // The blocked reader holds the read lock; available() answers anyway.
            assertEquals(0, accepted.getInputStream().available());
            opened.getOutputStream().write(utf8("ab"));
            assertEquals('a', reader.result().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void interruptingABlockedReaderThrowsInterruptedIOExceptionAndKeepsTheFlag() throws Exception {
        try (StreamPair pair = StreamPair.open()) {
            MixnetStream opened = pair.opened();
            MixnetStream accepted = pair.accepted();
            CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
            LifecycleTest.Started<Integer> reader = LifecycleTest.start("reader", () -> {
                try {
                    return accepted.getInputStream().read();
                } finally {
                    flagAfter.complete(Thread.currentThread().isInterrupted());
                }
            });
            Await.blocked(reader.thread());
            reader.thread().interrupt();
            assertInstanceOf(InterruptedIOException.class, reader.failure());
            assertTrue(flagAfter.get(30, TimeUnit.SECONDS), "interrupt flag set again");

            // The stream is still usable by another reader.
            opened.getOutputStream().write(utf8("still here"));
            opened.shutdownOutput();
            assertArrayEquals(utf8("still here"), accepted.getInputStream().readAllBytes());
        }
    }

    @Test
    void interruptingABlockedAcceptThrowsInterruptedIOExceptionAndKeepsTheFlag() throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
            LifecycleTest.Started<MixnetStream> acceptor = LifecycleTest.start("acceptor", () -> {
                try {
                    return listener.accept();
                } finally {
                    flagAfter.complete(Thread.currentThread().isInterrupted());
                }
            });
            Await.blocked(acceptor.thread());
            acceptor.thread().interrupt();
            assertInstanceOf(InterruptedIOException.class, acceptor.failure());
            assertTrue(flagAfter.get(30, TimeUnit.SECONDS));
        }
    }
}
