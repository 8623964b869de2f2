package dev.mixnetstreams.bench;

import dev.mixnetstreams.wire.DecodeStatus;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import dev.mixnetstreams.wire.FrameView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The frame codec's cost per frame: decoding with {@link FrameView}, encoding with
 * {@link FrameCodec#encodeInto}, and, as the floor a decoder can reach, reading the same header
 * fields from the same bytes with a plain {@link ByteBuffer}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBench {

    /** Payload bytes after the 16-byte header. */
    @Param({"16", "1024"})
    public int payloadSize;

    private long streamId;
    private int sequence;
    private byte[] payload;
    private byte[] frame;
    private byte[] destination;
    private FrameView view;
    private ByteBuffer littleEndian;
    private ByteBuffer bigEndian;

    /** Creates the benchmark state; JMH calls {@link #setUp()} before measuring. */
    public FrameCodecBench() {
    }

    /** Builds one Data frame with a random id, sequence number and payload, and the buffers. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        streamId = random.nextLong();
        sequence = random.nextInt();
        payload = new byte[payloadSize];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) random.nextInt(256);
        }
        frame = FrameCodec.encode(streamId, FrameType.DATA, sequence, payload);
        destination = new byte[frame.length];
        view = new FrameView();
        littleEndian = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        bigEndian = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * Classifies the frame and reads its fields through a reused {@link FrameView}.
     *
     * @param bh consumes the fields
     */
    @Benchmark
    public void decode(Blackhole bh) {
        DecodeStatus status = view.wrap(frame, 0, frame.length);
        bh.consume(status);
        bh.consume(view.streamId());
        bh.consume(view.type());
        bh.consume(view.sequence());
        bh.consume(view.payloadOffset());
        bh.consume(view.payloadLength());
    }

    /**
     * Reads the same fields with absolute {@link ByteBuffer} gets, with the same length, kind and
     * message-type checks as the decoder but no view object: the floor.
     *
     * @param bh consumes the fields
     */
    @Benchmark
    public void baselineRawRead(Blackhole bh) {
        ByteBuffer le = littleEndian;
        ByteBuffer be = bigEndian;
        int length = be.limit();
        if (length < FrameCodec.HEADER_LENGTH || le.getShort(0) != FrameCodec.KIND_SPHINX_STREAM) {
            bh.consume(-1);
            return;
        }
        byte type = be.get(10);
        if (type != 0 && type != 1) {
            bh.consume(-2);
            return;
        }
        bh.consume(be.getLong(2));
        bh.consume(type);
        bh.consume(be.getInt(11));
        bh.consume(FrameCodec.HEADER_LENGTH);
        bh.consume(length - FrameCodec.HEADER_LENGTH);
    }

    /**
     * Encodes the frame into a preallocated buffer.
     *
     * @return the number of bytes written
     */
    @Benchmark
    public int encode() {
        return FrameCodec.encodeInto(streamId, FrameType.DATA, sequence, payload, 0, payload.length,
                destination, 0);
    }
}
