package dev.mixnetstreams.bench;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.wire.FrameCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Bytes per second from one client to another, through {@link MixnetStream}s ({@link #streams})
 * against the same messages through the same transport with no stream layer
 * ({@link #rawTransport}). The score is in bytes per second (one operation = one byte), so
 * {@code streams / rawTransport} is the stream layer's efficiency; the target is at least 0.8.
 *
 * <p>Each invocation moves {@value #BYTES_PER_INVOCATION} bytes as {@code BYTES_PER_INVOCATION /
 * writeSize} messages of {@code writeSize} bytes, written round-robin over {@code streamCount}
 * destinations, and returns only when the receiving side has read every byte.
 *
 * <ul>
 *   <li>{@code streams}: the benchmark thread writes to {@code streamCount} streams opened from one
 *       {@link MixnetClient} to another; each write is one Data frame ({@code 16 + writeSize}
 *       bytes, sent anonymously with 10 reply SURBs). On the accepting side one virtual thread per
 *       stream reads into a {@code writeSize} buffer, as an application would.
 *   <li>{@code rawTransport}: the benchmark thread does what any user of the transport must do per
 *       message — allocates a message of the same {@code 16 + writeSize} bytes and copies the
 *       payload into it (the transport may keep the array) — and sends it with the same
 *       {@code sendAnonymous(…, 10)}; one virtual thread takes each message from the receiving
 *       endpoint's queue and copies its payload into a {@code writeSize} buffer. No router, no
 *       reorder buffer, no per-stream reader hand-off.
 * </ul>
 *
 * <p>{@code transport}: {@code memory} ({@link LoopbackMixnet}: the send enqueues at the receiver on
 * the sender's thread) or {@code sim} ({@link SimulatedMixnet} with zero latency, which adds a
 * staging queue and a delivery thread per endpoint). Both methods use the chosen one identically.
 *
 * <p>Two forks: on the 2-vCPU machine the figures are made on, one fork's result can differ from
 * the next by 20–40 % (where the threads happen to settle on the carriers), more than within a fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class StreamThroughputBench {

    /** Bytes moved per invocation (the operation count; one operation is one byte). */
    public static final int BYTES_PER_INVOCATION = 1 << 20;

    /** Bytes per write (per message). */
    @Param({"1024", "16384"})
    public int writeSize;

    /** Streams written round-robin (for {@code rawTransport}: nothing; the messages are the same). */
    @Param({"1", "16"})
    public int streamCount;

    /**
     * The thread that writes: {@code virtual} (a virtual thread started per invocation, as the
     * library's users write) or {@code platform} (the JMH thread itself). See the class comment.
     */
    @Param({"virtual", "platform"})
    public String writer;

    /** {@code memory} or {@code sim} (see the class comment). */
    @Param({"memory"})
    public String transport;

    private SimulatedMixnet sim;
    private LoopbackMixnet memory;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private byte[] payload;
    private int messagesPerInvocation;

    // streams
    private MixnetClient sender;
    private MixnetClient receiver;
    private OutputStream[] outputs;

    // raw
    private MixnetTransport rawSender;
    private MixnetTransport rawReceiver;
    private Recipient rawPeer;
    private MixnetTransport batchedSender;
    private MixnetTransport batchedReceiver;
    private Recipient batchedPeer;

    /** Bytes read so far on the receiving side, and the count the benchmark thread waits for. */
    private final ReceivedBytes received = new ReceivedBytes();

    /** Creates the benchmark state; JMH calls {@link #setUp()} before measuring. */
    public StreamThroughputBench() {
    }

    private MixnetTransport newTransport() {
        if (transport.equals("sim")) {
            if (sim == null) {
                sim = SimulatedMixnet.builder().seed(1).build();
            }
            return sim.newEndpoint();
        }
        if (!transport.equals("memory")) {
            throw new IllegalArgumentException("transport: " + transport);
        }
        if (memory == null) {
            memory = LoopbackMixnet.builder().seed(7).build();
        }
        return memory.newEndpoint();
    }

    /**
     * Connects both sides: two clients with {@code streamCount} streams and their reader threads,
     * and two bare transport endpoints with their consumer thread.
     *
     * @throws IOException if a stream cannot be opened or accepted
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (BYTES_PER_INVOCATION % (writeSize * streamCount) != 0) {
            throw new IllegalArgumentException("writeSize * streamCount must divide " + BYTES_PER_INVOCATION);
        }
        payload = new byte[writeSize];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        messagesPerInvocation = BYTES_PER_INVOCATION / writeSize;

        receiver = MixnetClient.builder(newTransport()).build();
        sender = MixnetClient.builder(newTransport()).build();
        closeables.add(sender);
        closeables.add(receiver);
        MixnetListener listener = receiver.listener();
        outputs = new OutputStream[streamCount];
        for (int i = 0; i < streamCount; i++) {
            MixnetStream out = sender.openStream(receiver.address());
            outputs[i] = out.getOutputStream();
            MixnetStream in = listener.accept();
            threads.add(Thread.ofVirtual().name("bench-reader-" + i).start(() -> drain(in.getInputStream())));
        }

        rawReceiver = newTransport();
        rawSender = newTransport();
        rawPeer = rawReceiver.address();
        closeables.add(rawSender);
        closeables.add(rawReceiver);
        threads.add(Thread.ofVirtual().name("bench-raw-consumer").start(() -> consume(rawReceiver.inbound())));

        batchedReceiver = newTransport();
        batchedSender = newTransport();
        batchedPeer = batchedReceiver.address();
        closeables.add(batchedSender);
        closeables.add(batchedReceiver);
        threads.add(Thread.ofVirtual().name("bench-batched-consumer").start(() -> consumeBatched(batchedReceiver.inbound())));
    }

    /** A stream's reader: reads into a {@code writeSize} buffer until the stream fails or ends. */
    private void drain(InputStream in) {
        byte[] buffer = new byte[writeSize];
        try {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                received.arrived(n);
            }
        } catch (IOException e) {
            // the client closed at tear-down
        }
    }

    /** The raw consumer: takes each message and copies its payload out, as a reader would. */
    private void consume(BlockingQueue<InboundMessage> inbound) {
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

    /**
     * The batched raw consumer: takes whatever is queued, up to 64 messages, under one acquisition
     * of the queue's lock (as the router does), waiting only when the queue is empty, and copies
     * each payload out.
     */
    private void consumeBatched(BlockingQueue<InboundMessage> inbound) {
        byte[] buffer = new byte[writeSize];
        List<InboundMessage> batch = new ArrayList<>(64);
        try {
            while (true) {
                if (inbound.drainTo(batch, 64) == 0) {
                    batch.add(inbound.take());
                }
                for (int i = 0, size = batch.size(); i < size; i++) {
                    byte[] message = batch.get(i).data();
                    int n = message.length - FrameCodec.HEADER_LENGTH;
                    System.arraycopy(message, FrameCodec.HEADER_LENGTH, buffer, 0, n);
                    received.arrived(n);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            // tear-down
        }
    }

    /** Closes the clients and the transports and stops the consumers. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (sim != null) {
            sim.close();
        }
    }

    /**
     * {@value #BYTES_PER_INVOCATION} bytes through {@code streamCount} streams, written round-robin,
     * until the readers have read them all.
     *
     * @throws IOException if a write fails
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void streams() throws IOException {
        received.expect(BYTES_PER_INVOCATION);
        WriterThread.run(writer, () -> {
            OutputStream[] outs = outputs;
            byte[] p = payload;
            for (int i = 0; i < messagesPerInvocation; i++) {
                outs[i % outs.length].write(p, 0, p.length);
            }
        });
        received.await();
    }

    /**
     * The same messages through the same transport without the stream layer.
     *
     * @throws IOException if a send fails
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void rawTransport() throws IOException {
        sendRaw(rawSender, rawPeer);
    }

    /**
     * The same messages through the same transport without the stream layer, taken by a consumer
     * that drains the queue in batches of up to 64 as the router does: the raw floor with the
     * router's batching and without its second hand-off. Reported, not a target.
     *
     * @throws IOException if a send fails
     */
    @Benchmark
    @OperationsPerInvocation(BYTES_PER_INVOCATION)
    public void rawTransportBatched() throws IOException {
        sendRaw(batchedSender, batchedPeer);
    }

    /** One invocation of the raw benchmarks: the messages straight to {@code peer}'s consumer. */
    private void sendRaw(MixnetTransport sender, Recipient peer) throws IOException {
        received.expect(BYTES_PER_INVOCATION);
        WriterThread.run(writer, () -> {
            byte[] p = payload;
            for (int i = 0; i < messagesPerInvocation; i++) {
                byte[] message = new byte[FrameCodec.HEADER_LENGTH + p.length];
                System.arraycopy(p, 0, message, FrameCodec.HEADER_LENGTH, p.length);
                sender.sendAnonymous(peer, message, MixnetClient.DEFAULT_REPLY_SURBS);
            }
        });
        received.await();
    }
}
