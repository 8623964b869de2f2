package dev.mixnetstreams.bench;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * Round-trip latency of one small message ({@value #MESSAGE_SIZE} bytes) and its echo over the
 * zero-latency in-memory network ({@link BenchNetwork}), in sample mode (JMH reports p50, p90,
 * p99, … per method).
 *
 * <ul>
 *   <li>{@code streamEcho}: the benchmark thread writes the message to a {@link MixnetStream} and
 *       reads the echo; on the other client a virtual thread reads it and writes it back on the
 *       same stream. Path each way: writer → transport → router (virtual thread) → reorder buffer
 *       → reader (virtual thread).
 *   <li>{@code rawEcho}: the same bytes sent with {@code sendAnonymous(…, 10)} through the same
 *       transport; a virtual thread takes it from the queue and {@code reply}s with it; the
 *       benchmark thread takes the reply from its own queue. No router, no reorder buffer.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoundTripLatencyBench {

    /** Bytes in the message and its echo (the payload; a frame adds 16). */
    public static final int MESSAGE_SIZE = 64;

    private final TrialResources trial = new TrialResources();
    private final byte[] message = new byte[MESSAGE_SIZE];
    private final byte[] echo = new byte[MESSAGE_SIZE];

    /** Confined to the JMH thread (set at set-up, like the three below): the stream's output. */
    private OutputStream streamOut;
    /** The stream's input. */
    private InputStream streamIn;
    /** The endpoint that sends to the raw echo and takes its replies. */
    private MixnetTransport rawClient;
    /** The raw echo's address. */
    private Recipient rawServer;

    /** Creates the benchmark state; JMH calls {@link #setUp()} before measuring. */
    public RoundTripLatencyBench() {
    }

    /**
     * Connects a stream with its echo thread, and two bare endpoints with theirs.
     *
     * @throws IOException if the stream cannot be opened
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        BenchNetwork network = new BenchNetwork();
        BenchNetwork.StreamPair stream = trial.add(network.newClientPair()).connect();
        streamOut = stream.opened().getOutputStream();
        streamIn = stream.opened().getInputStream();
        MixnetStream accepted = stream.accepted();
        trial.startVirtual("bench-stream-echo", () -> {
            byte[] buffer = new byte[MESSAGE_SIZE];
            try {
                InputStream in = accepted.getInputStream();
                OutputStream out = accepted.getOutputStream();
                while (in.readNBytes(buffer, 0, MESSAGE_SIZE) == MESSAGE_SIZE) {
                    out.write(buffer, 0, MESSAGE_SIZE);
                }
            } catch (IOException e) {
                // tear-down
            }
        });

        MixnetTransport rawServerEndpoint = trial.add(network.newEndpoint());
        rawClient = trial.add(network.newEndpoint());
        rawServer = rawServerEndpoint.address();
        trial.startVirtual("bench-raw-echo", () -> {
            try {
                while (true) {
                    InboundMessage m = rawServerEndpoint.inbound().take();
                    rawServerEndpoint.reply(m.senderTag(), m.data());
                }
            } catch (InterruptedException | IOException e) {
                // tear-down
            }
        });
    }

    /**
     * Closes everything and stops the echo threads.
     *
     * @throws Exception if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        trial.close();
    }

    /**
     * One message through a stream and back.
     *
     * @return the echo (consumed by JMH)
     * @throws IOException if the stream fails
     */
    @Benchmark
    public byte[] streamEcho() throws IOException {
        streamOut.write(message, 0, MESSAGE_SIZE);
        if (streamIn.readNBytes(echo, 0, MESSAGE_SIZE) != MESSAGE_SIZE) {
            throw new IOException("echo ended early");
        }
        return echo;
    }

    /**
     * The same bytes through the bare transport and back.
     *
     * @return the echo (consumed by JMH)
     * @throws Exception if the transport fails or the thread is interrupted
     */
    @Benchmark
    public byte[] rawEcho() throws Exception {
        byte[] m = new byte[16 + MESSAGE_SIZE];     // same size as a frame; the transport keeps it
        System.arraycopy(message, 0, m, 16, MESSAGE_SIZE);
        rawClient.sendAnonymous(rawServer, m, MixnetClient.DEFAULT_REPLY_SURBS);
        byte[] reply = rawClient.inbound().take().data();
        System.arraycopy(reply, 16, echo, 0, MESSAGE_SIZE);
        return echo;
    }
}
