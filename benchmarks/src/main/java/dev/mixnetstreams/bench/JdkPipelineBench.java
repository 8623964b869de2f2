package dev.mixnetstreams.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Not the library: the shape of {@link StreamThroughputBench} built from JDK queues only, to show
 * what any design with a router thread between the transport and the readers costs on the machine
 * at hand. Bytes per second (one operation = one byte), with the same invocation as
 * {@link StreamThroughputBench}: {@value StreamThroughputBench#BYTES_PER_INVOCATION} bytes as
 * messages of {@code 16 + writeSize} bytes, allocated and filled per message by a writer thread
 * started at set-up ({@link WriterThread}), at most
 * {@value StreamThroughputBench#MAX_IN_FLIGHT} bytes in flight.
 *
 * <ul>
 *   <li>{@code oneHop}: writer → {@link LinkedBlockingQueue} → a virtual-thread consumer that copies
 *       the payload out (the raw transport's shape).
 *   <li>{@code twoHops}: writer → queue → a virtual thread that moves each message to a second
 *       queue → a virtual-thread consumer (the stream layer's shape: router, then reader).
 * </ul>
 *
 * <p>{@code writer}: {@code virtual} or {@code platform}. On a 2-core machine a platform writer plus
 * the two carrier threads the virtual threads need for two busy hops are three runnable OS threads
 * on two cores; {@code twoHops / oneHop} then drops well below 1 with nothing but JDK code
 * involved.
 *
 * <p>The heap is fixed and touched at start, as in {@link StreamThroughputBench} and for the same
 * reason.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
public class JdkPipelineBench {

    /** Bytes moved per invocation (the operation count). */
    public static final int BYTES_PER_INVOCATION = StreamThroughputBench.BYTES_PER_INVOCATION;
    /** Each queue's capacity, as the in-memory transport's inbound queue. */
    public static final int QUEUE_CAPACITY = 16_384;
    private static final int HEADER = 16;

    /** Bytes per message after its 16-byte header. */
    @Param({"1024", "16384"})
    public int writeSize;

    /** {@code virtual} or {@code platform}: the thread that writes. */
    @Param({"virtual", "platform"})
    public String writer;

    private final TrialResources trial = new TrialResources();
    /** Bytes read by the consumer. */
    private final ReceivedBytes received = new ReceivedBytes();
    /** Confined to the JMH thread (set at set-up): the writer. */
    private WriterThread writerThread;

    /** Creates the benchmark state. */
    public JdkPipelineBench() {
    }

    /**
     * Builds the measured method's pipeline and starts its threads.
     *
     * @param params which benchmark method the trial measures
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        if (!writer.equals("virtual") && !writer.equals("platform")) {
            throw new IllegalArgumentException("writer must be virtual or platform, got " + writer);
        }
        BlockingQueue<byte[]> first = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
        BlockingQueue<byte[]> last = first;
        if (params.getBenchmark().endsWith(".twoHops")) {
            BlockingQueue<byte[]> second = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
            trial.startVirtual("pipeline-router", () -> {
                try {
                    while (true) {
                        second.put(first.take());
                    }
                } catch (InterruptedException e) {
                    // tear-down
                }
            });
            last = second;
        }
        BlockingQueue<byte[]> consumed = last;
        trial.startVirtual("pipeline-consumer", () -> consume(consumed));
        byte[] payload = new byte[writeSize];
        writerThread = trial.add(new WriterThread("pipeline-writer", writer.equals("virtual"),
                BYTES_PER_INVOCATION / writeSize, writeSize, StreamThroughputBench.MAX_IN_FLIGHT, received,
                (from, count) -> {
                    for (int i = 0; i < count; i++) {
                        byte[] message = new byte[HEADER + writeSize];
                        System.arraycopy(payload, 0, message, HEADER, writeSize);
                        try {
                            first.put(message);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while writing");
                        }
                    }
                }));
    }

    private void consume(BlockingQueue<byte[]> queue) {
        byte[] buffer = new byte[writeSize];
        try {
            while (true) {
                byte[] message = queue.take();
                System.arraycopy(message, HEADER, buffer, 0, message.length - HEADER);
                received.arrived(message.length - HEADER);
            }
        } catch (InterruptedException e) {
            // tear-down
        }
    }

    /**
     * Stops the writer and the pipeline's threads.
     *
     * @throws Exception if interrupted while waiting for them
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        trial.close();
    }

    /**
     * Writer, one queue, consumer.
     *
     * @throws IOException if interrupted while writing
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void oneHop() throws IOException {
        writerThread.writeAll();
    }

    /**
     * Writer, queue, router thread, queue, consumer.
     *
     * @throws IOException if interrupted while writing
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void twoHops() throws IOException {
        writerThread.writeAll();
    }
}
