package dev.mixnetstreams.bench;

import dev.mixnetstreams.internal.OfferResult;
import dev.mixnetstreams.internal.ReorderBuffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost per message of putting a stream back in order: the project's {@code ReorderBuffer} against
 * a port of the reference's sorted-map algorithm ({@link ReferenceReorderBuffer}).
 *
 * <p>Each invocation creates a fresh buffer, offers a pre-generated batch of {@value #BATCH}
 * messages and, after every offer, drains with {@code poll} everything that has become deliverable,
 * as a reader keeping up would. Shuffling happens only inside consecutive windows of
 * {@value #WINDOW} sequence numbers, so at most 255 messages ever wait and neither buffer skips
 * ahead. Each invocation checks that all messages came out, in order.
 *
 * <p>Warm-up is 5 × 2 s, longer than the other benchmarks': an invocation is {@value #BATCH}
 * messages, so JMH's own loop around it is called rarely and reaches the optimising compiler only
 * after about 5 s; until then both methods run some 10 ns per message slower, and a shorter warm-up
 * measures a mix of the two states.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReorderBench {

    /** Messages offered per invocation. */
    public static final int BATCH = 4096;

    /** Shuffling stays inside consecutive windows of this many sequence numbers. */
    public static final int WINDOW = 256;

    /** Bytes per payload. */
    public static final int PAYLOAD_SIZE = 64;

    /** {@code inOrder}: sequence numbers 0, 1, 2…; {@code shuffled}: seeded shuffle per window. */
    @Param({"inOrder", "shuffled"})
    public String order;

    private int[] sequences;
    private byte[][] payloads;

    /** Creates the benchmark state; JMH calls {@link #setUp()} before measuring. */
    public ReorderBench() {
    }

    /** Generates the batch: the order of sequence numbers and one payload per message. */
    @Setup
    public void setUp() {
        List<Integer> seqs = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            seqs.add(i);
        }
        switch (order) {
            case "inOrder" -> { }
            case "shuffled" -> {
                Random random = new Random(20251125L);
                for (int start = 0; start < BATCH; start += WINDOW) {
                    Collections.shuffle(seqs.subList(start, Math.min(BATCH, start + WINDOW)), random);
                }
            }
            default -> throw new IllegalArgumentException("order: " + order);
        }
        sequences = seqs.stream().mapToInt(Integer::intValue).toArray();
        payloads = new byte[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            payloads[i] = new byte[PAYLOAD_SIZE];
            payloads[i][0] = (byte) sequences[i];
            payloads[i][1] = (byte) (sequences[i] >>> 8);
        }
    }

    /**
     * The project's reorder buffer.
     *
     * @param bh consumes the delivered payloads
     * @throws IOException never, unless the buffer reports data loss (a benchmark bug)
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void buffer(Blackhole bh) throws IOException {
        ReorderBuffer buffer = new ReorderBuffer();
        int delivered = 0;
        for (int i = 0; i < BATCH; i++) {
            OfferResult result = buffer.offer(sequences[i], payloads[i]);
            if (result != OfferResult.ACCEPTED) {
                throw new IllegalStateException("offer " + sequences[i] + ": " + result);
            }
            byte[] payload;
            while ((payload = buffer.poll()) != null) {
                delivered = check(payload, delivered);
                bh.consume(payload);
            }
        }
        finish(delivered);
    }

    /**
     * The reference's algorithm.
     *
     * @param bh consumes the delivered payloads
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void reference(Blackhole bh) {
        ReferenceReorderBuffer buffer = new ReferenceReorderBuffer();
        int delivered = 0;
        for (int i = 0; i < BATCH; i++) {
            buffer.insert(sequences[i], payloads[i]);
            byte[] payload;
            while ((payload = buffer.poll()) != null) {
                delivered = check(payload, delivered);
                bh.consume(payload);
            }
        }
        finish(delivered);
    }

    /** Checks that the payload is the next one in order (two bytes compared) and counts it. */
    private static int check(byte[] payload, int expected) {
        if (payload[0] != (byte) expected || payload[1] != (byte) (expected >>> 8)) {
            throw new IllegalStateException("out of order at " + expected);
        }
        return expected + 1;
    }

    private static void finish(int delivered) {
        if (delivered != BATCH) {
            throw new IllegalStateException("delivered " + delivered + " of " + BATCH);
        }
    }
}
