package dev.mixnetstreams.bench;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.wire.FrameCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
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
 * Bytes per second from one client to another through {@link MixnetStream}s ({@link #streams})
 * against the same messages through the same transport with no stream layer
 * ({@link #rawTransport}), and both in turn in one JVM ({@link #streamsAgainstRaw}), which gives
 * the stream layer's cost as a ratio. One operation is one byte: scores are in bytes per second.
 * Run with {@link CpuTimeProfiler} for the CPU time per byte and the paired ratios.
 *
 * <p>This class runs with the JVM's default scheduler (as many carrier threads as cores);
 * {@link StreamThroughputOneCarrierBench} runs the same with one carrier thread.
 *
 * <p>One path's invocation moves {@value #BYTES_PER_INVOCATION} bytes: {@code BYTES_PER_INVOCATION
 * / writeSize} messages of {@code writeSize} bytes. Everything runs on threads started once per
 * trial: for each path one virtual writer thread ({@link WriterThread}) and its receiving virtual
 * threads. The JMH thread hands an invocation to the writer and waits until the receiving side has
 * read every byte; the writer keeps at most {@value #MAX_IN_FLIGHT} bytes written and not yet read.
 *
 * <ul>
 *   <li>{@code streams}: the writer writes {@code writeSize} bytes at a time round-robin to
 *       {@code streamCount} streams opened from one {@link MixnetClient} to another; each write is
 *       one Data frame ({@code 16 + writeSize} bytes, sent anonymously with 10 reply SURBs). On
 *       the accepting side one virtual thread per stream reads into a {@code writeSize} buffer.
 *   <li>{@code rawTransport}: the writer does what any user of the transport must do per message
 *       — allocates a message of the same {@code 16 + writeSize} bytes and copies the payload into
 *       it (the transport may keep the array) — and sends it with the same
 *       {@code sendAnonymous(…, 10)}; one virtual thread takes each message from the receiving
 *       endpoint's queue and copies its payload into a {@code writeSize} buffer. No router, no
 *       reorder buffer, no hand-off to a reader. The transport has one queue whatever the stream
 *       count, so both {@code streamCount} values run the same thing here.
 *   <li>{@code streamsAgainstRaw}: both paths set up in one JVM; an invocation is one invocation
 *       of each, in turn (the order alternates), and the JMH thread reads the carriers' CPU time
 *       ({@link CarrierCpuTime}) and the clock around each. Both paths thus run on the same
 *       machine at the same moments, and the ratio of their costs stays put while load from
 *       elsewhere moves both. The totals go to {@link CpuTimeProfiler} through
 *       {@link PairedCost}; the score itself (both paths' bytes over both paths' time) is of no
 *       interest.
 * </ul>
 *
 * <p>The heap is fixed and touched before the first iteration ({@code -Xms512m -Xmx512m
 * -XX:+AlwaysPreTouch}): a heap that grows while it is measured has the kernel map and zero the new
 * memory on first touch, and in a virtual machine whose memory the host hands out lazily that cost
 * seconds of system time, many times the cost of the bytes moved in that iteration.
 *
 * <p>The transport is {@link BenchNetwork}'s: a send enqueues at the receiver on the sender's
 * thread, so both paths pay the same transport cost per message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
public class StreamThroughputBench {

    /** Bytes one path moves per invocation (the operation count; one operation is one byte). */
    public static final int BYTES_PER_INVOCATION = 64 << 20;

    /**
     * Bytes written and not yet read, at most: half the default per-stream limit on unread bytes
     * ({@code MixnetClient.Builder.DEFAULT_MAX_UNREAD_BYTES}), so that even one stream stays below
     * it.
     */
    public static final int MAX_IN_FLIGHT = 4 << 20;

    /** Bytes per write (per message). */
    @Param({"1024", "16384"})
    public int writeSize;

    /** Streams written round-robin (the raw transport has no streams: the messages are the same). */
    @Param({"1", "16"})
    public int streamCount;

    private final TrialResources trial = new TrialResources();
    /** Confined to the JMH thread: the carriers' CPU clock of {@link #streamsAgainstRaw}. */
    private final CarrierCpuTime carrierCpu = new CarrierCpuTime();
    /** Confined to the JMH thread (set at set-up): the stream path's writer, null if unused. */
    private WriterThread streamsWriter;
    /** Confined to the JMH thread (set at set-up): the raw path's writer, null if unused. */
    private WriterThread rawWriter;
    /** Confined to the JMH thread: paired invocations so far (their order alternates). */
    private long pairs;

    /** Creates the benchmark state; JMH calls {@link #setUp} before measuring. */
    public StreamThroughputBench() {
    }

    /**
     * Builds the paths the measured method uses and starts their threads: for the stream path,
     * two clients with {@code streamCount} streams, one reader per stream and the writer; for the
     * raw path, two bare endpoints, the consumer and the writer.
     *
     * @param params which benchmark method the trial measures
     * @throws IOException if a stream cannot be opened or accepted
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        int messages = BYTES_PER_INVOCATION / writeSize;
        if (BYTES_PER_INVOCATION % writeSize != 0 || messages % streamCount != 0) {
            throw new IllegalArgumentException("writeSize * streamCount must divide " + BYTES_PER_INVOCATION);
        }
        byte[] payload = new byte[writeSize];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        BenchNetwork network = new BenchNetwork();
        // Only what the measured method uses: nothing else runs in the JVM while CPU time is read.
        if (!method.equals("rawTransport")) {
            streamsWriter = startStreamPath(network, messages, payload);
        }
        if (!method.equals("streams")) {
            rawWriter = startRawPath(network, messages, payload);
        }
    }

    private WriterThread startStreamPath(BenchNetwork network, int messages, byte[] payload) throws IOException {
        ReceivedBytes received = new ReceivedBytes();
        BenchNetwork.ClientPair clients = trial.add(network.newClientPair());
        OutputStream[] outputs = new OutputStream[streamCount];
        for (int i = 0; i < streamCount; i++) {
            BenchNetwork.StreamPair stream = clients.connect();
            outputs[i] = stream.opened().getOutputStream();
            InputStream in = stream.accepted().getInputStream();
            trial.startVirtual("bench-reader-" + i, () -> read(in, received));
        }
        return trial.add(new WriterThread("bench-streams-writer", true, messages, writeSize, MAX_IN_FLIGHT,
                received, (first, count) -> {
                    for (int i = first, end = first + count; i < end; i++) {
                        outputs[i % outputs.length].write(payload, 0, payload.length);
                    }
                }));
    }

    private WriterThread startRawPath(BenchNetwork network, int messages, byte[] payload) {
        ReceivedBytes received = new ReceivedBytes();
        MixnetTransport receiver = trial.add(network.newEndpoint());
        MixnetTransport sender = trial.add(network.newEndpoint());
        Recipient peer = receiver.address();
        trial.startVirtual("bench-raw-consumer", () -> consume(receiver.inbound(), received));
        return trial.add(new WriterThread("bench-raw-writer", true, messages, writeSize, MAX_IN_FLIGHT,
                received, (first, count) -> {
                    for (int i = 0; i < count; i++) {
                        byte[] message = new byte[FrameCodec.HEADER_LENGTH + payload.length];
                        System.arraycopy(payload, 0, message, FrameCodec.HEADER_LENGTH, payload.length);
                        sender.sendAnonymous(peer, message, MixnetClient.DEFAULT_REPLY_SURBS);
                    }
                }));
    }

    /** A stream's reader: reads into a {@code writeSize} buffer until the stream fails or ends. */
    private void read(InputStream in, ReceivedBytes received) {
        byte[] buffer = new byte[writeSize];
        try {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                received.arrived(n);
            }
        } catch (IOException e) {
            received.failed(e);         // a reset during the run; at tear-down, the client closing
        }
    }

    /** The raw consumer: takes each message and copies its payload out, as a reader would. */
    private void consume(BlockingQueue<InboundMessage> inbound, ReceivedBytes received) {
        byte[] buffer = new byte[writeSize];
        try {
            while (true) {
                byte[] message = inbound.take().data();
                int n = message.length - FrameCodec.HEADER_LENGTH;
                System.arraycopy(message, FrameCodec.HEADER_LENGTH, buffer, 0, n);
                received.arrived(n);
            }
        } catch (InterruptedException e) {
            // tear-down
        }
    }

    /** Finds the carrier threads again (the scheduler may have started or ended some). */
    @Setup(Level.Iteration)
    public void findCarriers() {
        carrierCpu.refresh();
    }

    /**
     * Stops the writers, closes the clients and the endpoints, and ends the receiving threads.
     *
     * @throws Exception if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        trial.close();
    }

    /**
     * {@value #BYTES_PER_INVOCATION} bytes through {@code streamCount} streams, written round-robin,
     * until the readers have read them all.
     *
     * @throws IOException if a write or a reader failed
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void streams() throws IOException {
        streamsWriter.writeAll();
    }

    /**
     * The same messages through the same transport without the stream layer, until the consumer
     * has copied them all out.
     *
     * @throws IOException if a send failed
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void rawTransport() throws IOException {
        rawWriter.writeAll();
    }

    /**
     * One invocation of each path, in turn, with the carriers' CPU time and the clock read around
     * each; the totals go to {@link PairedCost}.
     *
     * @throws IOException if a write, a send or a reader failed
     */
    @Benchmark
    @OperationsPerInvocation(2 * BYTES_PER_INVOCATION)
    public void streamsAgainstRaw() throws IOException {
        boolean streamsFirst = (pairs++ & 1) == 0;
        long cpu0 = carrierCpu.nanos();
        long wall0 = System.nanoTime();
        (streamsFirst ? streamsWriter : rawWriter).writeAll();
        long cpu1 = carrierCpu.nanos();
        long wall1 = System.nanoTime();
        (streamsFirst ? rawWriter : streamsWriter).writeAll();
        long cpu2 = carrierCpu.nanos();
        long wall2 = System.nanoTime();
        long firstCpu = cpu1 - cpu0;
        long secondCpu = cpu2 - cpu1;
        long firstWall = wall1 - wall0;
        long secondWall = wall2 - wall1;
        if (streamsFirst) {
            PairedCost.add(BYTES_PER_INVOCATION, firstCpu, secondCpu, firstWall, secondWall);
        } else {
            PairedCost.add(BYTES_PER_INVOCATION, secondCpu, firstCpu, secondWall, firstWall);
        }
    }
}
