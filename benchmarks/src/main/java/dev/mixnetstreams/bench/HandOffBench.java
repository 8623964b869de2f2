package dev.mixnetstreams.bench;

import dev.mixnetstreams.internal.ReorderBuffer;
import java.io.IOException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hand-off of one message to a blocked virtual-thread reader, as the router does it: with a
 * {@link ReorderBuffer} ({@code offer(seq, payload)} to a reader blocked in {@code take}), against
 * a {@link SynchronousQueue} ({@code put} to a reader blocked in {@code take}). Sample mode: JMH
 * reports p50 and p99.
 *
 * <p>Each invocation is one ping-pong: the benchmark thread hands a message to a virtual thread
 * blocked in the mechanism under test, which hands it back through a second instance of the same
 * mechanism to the benchmark thread, blocked there. So one invocation is two hand-offs, both ways
 * through the same mechanism; the forward leg is exactly "router → blocked virtual-thread reader".
 * (JMH's own thread is a platform thread, so the return leg wakes a platform thread; that is the
 * same for both methods.) The reorder buffers use the public API as it is: {@code new
 * ReorderBuffer()}, {@code offer(int, byte[])}, {@code take(0)}; sequence numbers count up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandOffBench {

    private final byte[] payload = new byte[64];

    private ReorderBuffer toReader;
    private ReorderBuffer back;
    private int sequence;
    private Thread bufferReader;

    private SynchronousQueue<byte[]> queueToReader;
    private SynchronousQueue<byte[]> queueBack;
    private Thread queueReader;

    /** Creates the benchmark state; JMH calls {@link #setUp()} before measuring. */
    public HandOffBench() {
    }

    /** Starts the two virtual-thread readers, each blocked in its mechanism's {@code take}. */
    @Setup(Level.Trial)
    public void setUp() {
        toReader = new ReorderBuffer();
        back = new ReorderBuffer();
        bufferReader = Thread.ofVirtual().name("bench-buffer-reader").start(() -> {
            try {
                for (int seq = 0; ; seq++) {
                    back.offer(seq, toReader.take(0));
                }
            } catch (IOException e) {
                // closed at tear-down
            }
        });
        queueToReader = new SynchronousQueue<>();
        queueBack = new SynchronousQueue<>();
        queueReader = Thread.ofVirtual().name("bench-queue-reader").start(() -> {
            try {
                while (true) {
                    queueBack.put(queueToReader.take());
                }
            } catch (InterruptedException e) {
                // tear-down
            }
        });
    }

    /** Stops the readers. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        toReader.close();
        back.close();
        queueReader.interrupt();
        bufferReader.join();
        queueReader.join();
    }

    /**
     * One message to the reader blocked in {@code ReorderBuffer.take} and back.
     *
     * @return the message
     * @throws IOException never, unless a buffer was closed
     */
    @Benchmark
    public byte[] reorderBuffer() throws IOException {
        toReader.offer(sequence, payload);
        byte[] returned = back.take(0);
        sequence++;
        return returned;
    }

    /**
     * One message to the reader blocked in {@code SynchronousQueue.take} and back.
     *
     * @return the message
     * @throws InterruptedException never, unless interrupted
     */
    @Benchmark
    public byte[] synchronousQueue() throws InterruptedException {
        queueToReader.put(payload);
        return queueBack.take();
    }
}
