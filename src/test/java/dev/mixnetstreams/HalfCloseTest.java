package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.testing.StreamPair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** shutdownOutput in each direction, sticky end of stream, and what reads and writes do after. */
class HalfCloseTest {

    @Test
    void openerShutsDownOutputThenStillReadsTheReply() throws Exception {
        try (SimulatedMixnet mixnet = StreamTestSupport.jitteryMixnet(7, 0.2);
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint()).build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).build()) {
            MixnetListener listener = server.listener();
            byte[] request = StreamTestSupport.bytes(new SplittableRandom(1), 5000);
            CompletableFuture<byte[]> served = CompletableFuture.supplyAsync(() -> {
                try (MixnetStream s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] got = in.readAllBytes(); // returns at the opener's end of stream
                    assertEquals(-1, in.read());
                    assertEquals(-1, in.read(new byte[8], 0, 8));
                    s.getOutputStream().write(("reply to " + got.length).getBytes(StandardCharsets.UTF_8));
                    s.shutdownOutput();
                    return got;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            MixnetStream stream = client.openStream(server.address());
            for (int off = 0; off < request.length; off += 700) {
                stream.getOutputStream().write(request, off, Math.min(700, request.length - off));
            }
            stream.shutdownOutput();
            stream.shutdownOutput(); // idempotent
            assertTrue(stream.isOutputShutdown());
            IOException afterShutdown = assertThrows(IOException.class, () -> stream.getOutputStream().write(1));
            assertTrue(afterShutdown.getMessage().contains("shut down"), afterShutdown.getMessage());
            assertThrows(IOException.class, () -> stream.getOutputStream().write(new byte[3]));

            InputStream in = stream.getInputStream();
            assertArrayEquals("reply to 5000".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(new byte[4]));
            assertEquals(-1, in.read(), "end of stream is sticky");
            assertArrayEquals(request, served.get(30, TimeUnit.SECONDS));

            stream.close();
            stream.close(); // idempotent
            assertThrows(IOException.class, in::read, "reads after local close throw");
            assertThrows(IOException.class, () -> in.read(new byte[4]));
            assertThrows(IOException.class, () -> stream.getOutputStream().write(1));
        }
    }

    @Test
    void acceptorShutsDownOutputFirstWhileTheOpenerKeepsWriting() throws Exception {
        try (SimulatedMixnet mixnet = StreamTestSupport.jitteryMixnet(8, 0.2);
             StreamPair pair = StreamPair.builder().network(mixnet::newEndpoint)
                     .firstBytes("first".getBytes(StandardCharsets.UTF_8)).open()) {
            MixnetStream opened = pair.opened();
            MixnetStream accepted = pair.accepted();
            assertEquals(opened.id(), accepted.id());
            accepted.getOutputStream().write("bye".getBytes(StandardCharsets.UTF_8));
            accepted.shutdownOutput();
            assertThrows(IOException.class, () -> accepted.getOutputStream().write(1),
                    "writes after shutdownOutput throw");

            // The opener sees the acceptor's bytes, then -1, and -1 stays.
            InputStream openerIn = opened.getInputStream();
            assertArrayEquals("bye".getBytes(StandardCharsets.UTF_8), openerIn.readAllBytes());
            assertEquals(-1, openerIn.read());
            assertEquals(-1, openerIn.read());

            // ... and can still write, all of which the acceptor reads.
            SplittableRandom random = new SplittableRandom(3);
            byte[] more = StreamTestSupport.bytes(random, 20_000);
            CompletableFuture<byte[]> acceptorRead = CompletableFuture.supplyAsync(() -> {
                try {
                    return accepted.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            int off = 0;
            while (off < more.length) {
                int n = Math.min(more.length - off, 1 + random.nextInt(2000));
                opened.getOutputStream().write(more, off, n);
                off += n;
            }
            opened.shutdownOutput();
            byte[] got = acceptorRead.get(30, TimeUnit.SECONDS);
            byte[] expected = new byte[5 + more.length];
            System.arraycopy("first".getBytes(StandardCharsets.UTF_8), 0, expected, 0, 5);
            System.arraycopy(more, 0, expected, 5, more.length);
            assertArrayEquals(expected, got);
            assertEquals(-1, accepted.getInputStream().read());
            accepted.close();
            assertThrows(IOException.class, () -> accepted.getInputStream().read());
            opened.close();
        }
    }
}
