package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.fail;

import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.SplittableRandom;

/** Helpers shared by the stream integration tests (waiting is {@link dev.mixnetstreams.testing.Await}'s). */
final class StreamTestSupport {

    private StreamTestSupport() {
    }

    /** A seeded simulated mixnet with 0-20 ms jitter and the given duplicate rate. */
    static SimulatedMixnet jitteryMixnet(long seed, double duplicateRate) {
        return SimulatedMixnet.builder()
                .latency(Duration.ZERO, Duration.ofMillis(20))
                .duplicateRate(duplicateRate)
                .seed(seed)
                .build();
    }

    static byte[] open(long id) {
        return FrameCodec.encode(id, FrameType.OPEN, 0, new byte[0]);
    }

    static byte[] data(long id, int seq, byte[] payload) {
        return FrameCodec.encode(id, FrameType.DATA, seq, payload);
    }

    static SenderTag tag(int seed) {
        byte[] b = new byte[SenderTag.LENGTH];
        new SplittableRandom(seed).nextBytes(b);
        return SenderTag.fromBytes(b);
    }

    /** A message type this version does not know: 5 to 255, but for this library's extensions. */
    static int unknownType(SplittableRandom random) {
        int type;
        do {
            type = 5 + random.nextInt(251);
        } while (dev.mixnetstreams.wire.FrameType.ofWireValue(type) != null);
        return type;
    }

    static byte[] bytes(SplittableRandom random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** Reads exactly {@code n} bytes or fails. */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            fail("end of stream after " + b.length + " of " + n + " bytes");
        }
        return b;
    }
}
