package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.sim.LoopbackMixnet;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Whatever the write sizes: the bytes arrive exact, one frame per non-empty write (split at maxFramePayload). */
class WriteBoundaryProperties {

    @Property(tries = 60, seed = "424242")
    void bytesArriveExactWhateverTheWriteSizes(@ForAll @Size(max = 40) List<@IntRange(min = 0, max = 700) Integer> sizes,
                                              @ForAll @IntRange(min = 1, max = 300) int maxFramePayload) throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        try (MixnetClient server = MixnetClient.builder(net.newEndpoint()).build();
             // Without the extensions: the frames counted are the writes' (no CREDIT to the acceptor).
             MixnetClient client = MixnetClient.builder(net.newEndpoint()).maxFramePayload(maxFramePayload)
                     .extensions(false).build()) {
            MixnetListener listener = server.listener();
            MixnetStream stream = client.openStream(server.address());
            SplittableRandom random = new SplittableRandom(sizes.hashCode());
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            long frames = 1; // the Open
            for (int size : sizes) {
                byte[] b = StreamTestSupport.bytes(random, size);
                stream.getOutputStream().write(b);
                written.writeBytes(b);
                frames += (size + maxFramePayload - 1) / maxFramePayload;
            }
            stream.shutdownOutput();
            frames++; // the end of stream
            MixnetStream accepted = listener.accept();
            assertArrayEquals(written.toByteArray(), accepted.getInputStream().readAllBytes());
            assertEquals(-1, accepted.getInputStream().read());
            assertEquals(frames, client.stats().framesOut());
            assertEquals(frames, server.stats().framesIn());
            assertEquals(written.size(), server.stats().bytesIn());
        }
    }
}
