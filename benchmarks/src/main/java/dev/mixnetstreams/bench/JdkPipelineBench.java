package dev.mixnetstreams.bench;

import dev.mixnetstreams.sim.LoopbackMixnet;
import java.io.IOException;
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

/**
 * Not the library: the shape of {@link StreamThroughputBench} built from JDK queues only, to show
 * what any design with a router thread between the transport and the readers costs on the machine
 * at hand. Bytes per second (one operation = one byte), {@value #BYTES_PER_INVOCATION} bytes per
 * invocation as messages of {@code 16 + writeSize} bytes, allocated and filled per message.
 *
 * <ul>
 *   <li>{@code oneHop}: writer → {@link LinkedBlockingQueue} → a virtual-thread consumer that copies
 *       the payload out (the raw transport's shape).
 *   <li>{@code twoHops}: writer → queue → a virtual thread that moves each message to a second
 *       queue → a virtual-thread consumer (the stream layer's shape: router, then reader).
 * </ul>
 *
 * <p>{@code writer}: {@code virtual} (a virtual thread per invocation) or {@code platform} (the JMH
 * thread). On a 2-core machine a platform writer plus the two carrier threads the virtual threads
 * need for two busy hops are three runnable OS threads on two cores; {@code twoHops / oneHop} then
 * drops well below 1 with nothing but JDK code involved.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JdkPipelineBench {

    /** Bytes moved per invocation (the operation count). */
    public static final int BYTES_PER_INVOCATION = 1 << 20;
    private static final int HEADER = 16;

    /** Bytes per message after its 16-byte header. */
    @Param({"1024", "16384"})
    public int writeSize;

    /** {@code virtual} or {@code platform}: the thread that writes. */
    @Param({"virtual", "platform"})
    public String writer;

    private final BlockingQueue<byte[]> oneHopQueue = new LinkedBlockingQueue<>(LoopbackMixnet.Builder.DEFAULT_INBOUND_CAPACITY);
    private final BlockingQueue<byte[]> routerQueue = new LinkedBlockingQueue<>(LoopbackMixnet.Builder.DEFAULT_INBOUND_CAPACITY);
    private final BlockingQueue<byte[]> readerQueue = new LinkedBlockingQueue<>(LoopbackMixnet.Builder.DEFAULT_INBOUND_CAPACITY);
    private final ReceivedBytes received = new ReceivedBytes();
    private byte[] payload;
    private Thread[] threads;

    /** Creates the benchmark state. */
    public JdkPipelineBench() {
    }

    /** Starts the consumers and the middle hop. */
    @Setup(Level.Trial)
    public void setUp() {
        payload = new byte[writeSize];
        threads = new Thread[] {
            Thread.ofVirtual().name("pipeline-router").start(() -> {
                try {
                    while (true) {
                        readerQueue.put(routerQueue.take());
                    }
                } catch (InterruptedException e) {
                    // tear-down
                }
            }),
            Thread.ofVirtual().name("pipeline-reader").start(() -> consume(readerQueue)),
            Thread.ofVirtual().name("pipeline-consumer").start(() -> consume(oneHopQueue)),
        };
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

    /** Stops the threads. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void run(BlockingQueue<byte[]> queue) throws IOException {
        received.expect(BYTES_PER_INVOCATION);
        WriterThread.run(writer, () -> {
            for (int i = 0; i < BYTES_PER_INVOCATION / writeSize; i++) {
                byte[] message = new byte[HEADER + writeSize];
                System.arraycopy(payload, 0, message, HEADER, writeSize);
                queue.put(message);
            }
        });
        received.await();
    }

    /**
     * Writer, one queue, consumer.
     *
     * @throws IOException if interrupted while writing
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void oneHop() throws IOException {
        run(oneHopQueue);
    }

    /**
     * Writer, queue, router thread, queue, consumer.
     *
     * @throws IOException if interrupted while writing
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void twoHops() throws IOException {
        run(routerQueue);
    }
}
