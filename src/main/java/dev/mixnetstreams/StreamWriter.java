package dev.mixnetstreams;

import dev.mixnetstreams.internal.Failures;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one way a stream's frames leave: it owns the sequence numbers, gathers writes into frames,
 * chooses the reply SURBs each frame carries, waits while the stream's lane in the mixnet client is
 * long, and hands frames to the transport. Every Open, Data frame and end of stream of a stream is
 * cut here; the control sender sends the frames nobody should wait for through {@link #transmit}.
 *
 * <p>Two ways of writing:
 * <ul>
 *   <li><b>One message per write</b>, when the transport reports no {@link PacketGeometry} (an
 *       in-memory transport) or the linger is zero: each write of up to {@code maxFramePayload}
 *       bytes is one Data frame, sent before the write returns, and the Open leaves when the
 *       stream is opened.</li>
 *   <li><b>Coalescing</b> otherwise: writes gather in a buffer of one frame; a frame leaves when
 *       it fills its packets — 1, then 2, 4 and {@value #PACKETS_PER_FRAME} for the frames of a
 *       burst (or {@code maxFramePayload}) — on {@link
 *       #flush()}, {@link #shutdownOutput()} or {@link #close()}, or when the linger has passed
 *       since the buffer's first byte (the control sender's thread sends it: a writer never waits
 *       for the linger). The opener's Open waits with the first bytes, which ride in the padding
 *       of its last packet (an acceptor delivers an Open's payload before Data 0).</li>
 * </ul>
 *
 * <p>Reply SURBs (opener only): the Open carries the stream's {@code openSurbs}; a Data frame
 * carries only those that fit the padding of its last packet for free, or {@code openSurbs} each
 * under the reference policy ({@link MixnetClient.Builder#surbsOnEveryFrame}). The acceptor
 * replies, spending the SURBs its nym-client holds for the opener, which refills them itself.
 *
 * <p>Guards: {@link #writers} serialises writers (a write's bytes are never interleaved with
 * another's), held across the lane wait and the send as a socket's write lock is; only writers,
 * {@link #flush()} and {@link #shutdownOutput()} take it, never {@link #close()}, the router or
 * the control sender. {@link #state} guards the sending state below it and is never held across
 * a send or a wait. Lock order: {@link #writers}, then {@link #state} or the control sender's
 * (to schedule a linger flush); no lock is taken while {@link #state} is held.
 */
final class StreamWriter {

    /**
     * Packets a full frame's payload fills when writes are coalesced, besides those its SURBs take:
     * about 12.8 KB, 0.16 s of a default client's pace.
     */
    static final int PACKETS_PER_FRAME = 8;
    /**
     * Packets a lane may hold not yet sent before a writer of anonymous messages waits: as many
     * as Nym's SOCKS5 client allows, about 0.6 s of sending.
     */
    static final int ANONYMOUS_LANE_LIMIT = 30;
    /**
     * Packets a lane may hold before a replying writer waits. More than for anonymous messages: a
     * nym-client asks for reply SURBs in proportion to the replies waiting, so a lane of 30 would
     * keep fewer SURBs on their way than a round trip spends at full pace.
     */
    static final int REPLY_LANE_LIMIT = 100;

    /**
     * A frame cut and not yet sent.
     *
     * @param bytes the encoded frame
     * @param type Open or Data
     * @param payloadLength its payload's length
     * @param surbs the reply SURBs it carries (opener only)
     */
    record Frame(byte[] bytes, FrameType type, int payloadLength, int surbs) {
    }

    private final MixnetStream stream;
    private final MixnetClient client;
    private final MixnetTransport transport;
    /** Where the opener sends; {@code null} on the accepting side, which replies. */
    private final Recipient recipient;
    /** The opener's tag, which the acceptor replies to; {@code null} on the opening side. */
    private final SenderTag replyTag;
    private final long lane;
    private final int laneLimit;
    /** Whether every frame sent carries the extensions flag (the client speaks them). */
    private final boolean extensions;
    /** How the client cuts messages into packets; {@code null} if the transport does not say. */
    private final PacketGeometry geometry;
    /** Whether writes gather into packet-filling frames (a geometry and a linger); else one message per write. */
    private final boolean coalescing;
    private final long lingerNanos;
    private final int openSurbs;
    /** SURBs every Data frame carries besides free ones: 0, or {@link #openSurbs} under the reference policy. */
    private final int dataSurbs;
    /** Whether SURBs that fit a Data frame's padding ride along. */
    private final boolean freeSurbs;
    private final int maxFramePayload;
    /**
     * The payload of a full Data frame when coalescing, at each step of the ramp: frames of 1, 2, 4,
     * then {@value #PACKETS_PER_FRAME} packets (besides their SURBs).
     */
    private final int[] fullFramePayloads;
    /** The payload that rides in the Open's padding when coalescing. */
    private final int openCapacity;

    private final ReentrantLock writers = new ReentrantLock();
    private final ReentrantLock state = new ReentrantLock();
    /** Guarded by {@link #state}: the sequence number of the next Data frame. */
    private int nextSequence;
    /** Guarded by {@link #state}: the opener's Open has not been cut yet (it waits for the first bytes). */
    private boolean openPending;
    /** Guarded by {@link #state}: the frame being gathered, its payload from offset 16; null when empty. */
    private byte[] buffer;
    /** Guarded by {@link #state}: payload bytes in {@link #buffer}. */
    private int buffered;
    /**
     * Guarded by {@link #state}: the step of the ramp the next full frame is cut at. A burst of
     * writes starts with a one-packet frame, which leaves (and arrives) sooner than a frame of
     * eight; each full frame doubles the next, and a frame cut before it is full (a flush, the
     * linger) starts the ramp again.
     */
    private int rampStep;
    /** Guarded by {@link #state}: a linger flush is scheduled for what is buffered. */
    private boolean lingerScheduled;
    /** Guarded by {@link #state}: the end of stream has been cut (sent, or queued by close). */
    private boolean outputShutdown;
    /** Guarded by {@link #state}: why the output is broken (a send failed), or null. */
    private IOException failure;

    StreamWriter(MixnetStream stream, MixnetClient client, Recipient recipient, SenderTag replyTag, int openSurbs,
                 long lane) {
        this.stream = stream;
        this.client = client;
        this.transport = client.transport();
        this.recipient = recipient;
        this.replyTag = replyTag;
        this.lane = lane;
        this.laneLimit = recipient != null ? ANONYMOUS_LANE_LIMIT : REPLY_LANE_LIMIT;
        this.extensions = client.extensionsEnabled();
        this.openSurbs = openSurbs;
        this.maxFramePayload = client.maxFramePayload();
        PacketGeometry packets = transport.packetGeometry().orElse(null);
        this.geometry = packets;
        this.coalescing = packets != null && !client.writeLinger().isZero();
        this.lingerNanos = client.writeLinger().toNanos();
        boolean everyFrame = client.surbsOnEveryFrame();
        this.dataSurbs = everyFrame ? openSurbs : 0;
        this.freeSurbs = !everyFrame && packets != null;
        this.fullFramePayloads = new int[Integer.numberOfTrailingZeros(PACKETS_PER_FRAME) + 1];
        if (!coalescing) {
            Arrays.fill(fullFramePayloads, maxFramePayload);
            this.openCapacity = 0;
        } else if (recipient != null) {
            // The SURBs every frame carries take packets of their own: a full frame fills as many
            // more as its step of the ramp says.
            int surbPackets = packets.anonymousPackets(FrameCodec.HEADER_LENGTH, dataSurbs) - 1;
            for (int step = 0; step < fullFramePayloads.length; step++) {
                fullFramePayloads[step] = Math.min(maxFramePayload,
                        packets.anonymousPayloadFilling(surbPackets + (1 << step), dataSurbs));
            }
            int emptyOpen = packets.anonymousPackets(FrameCodec.HEADER_LENGTH, openSurbs);
            this.openCapacity = Math.min(maxFramePayload, packets.anonymousPayloadFilling(emptyOpen, openSurbs));
        } else {
            for (int step = 0; step < fullFramePayloads.length; step++) {
                fullFramePayloads[step] = Math.min(maxFramePayload, packets.replyPayloadFilling(1 << step));
            }
            this.openCapacity = 0;
        }
    }

    /**
     * The stream was just opened: sends its Open now, or, when coalescing, lets it wait for the
     * first bytes (the linger sends it if none come).
     */
    void open() throws IOException {
        if (!coalescing) {
            byte[] frame = FrameCodec.encode(stream.id().value(), FrameType.OPEN, 0, new byte[0]);
            int surbs = openSurbs + freeSurbs(frame.length, openSurbs);
            transmit(frame, surbs); // if this fails, opening fails: nothing to break
            client.frameSent(stream, 0);
            return;
        }
        state.lock();
        try {
            openPending = true;
            lingerScheduled = true;
        } finally {
            state.unlock();
        }
        client.controlSender().scheduleLinger(this, System.nanoTime() + lingerNanos);
    }

    /** Writes {@code b[off, off + len)}; the caller checked the range. */
    void write(byte[] b, int off, int len) throws IOException {
        lockWriters();
        try {
            if (len == 0) {
                checkWritable();
                return;
            }
            if (!coalescing) {
                while (len > 0) {
                    int n = Math.min(len, maxFramePayload);
                    sendWaitingForLane(cutWrite(b, off, n));
                    off += n;
                    len -= n;
                }
                return;
            }
            while (len > 0) {
                Frame full = null;
                boolean scheduleLinger = false;
                state.lock();
                try {
                    checkWritableLocked();
                    int capacity = capacityLocked();
                    int n = Math.min(len, capacity - buffered);
                    appendLocked(b, off, n, capacity);
                    off += n;
                    len -= n;
                    if (buffered == capacity) {
                        full = cutLocked(true);
                    } else if (!lingerScheduled) {
                        lingerScheduled = true;
                        scheduleLinger = true;
                    }
                } finally {
                    state.unlock();
                }
                if (scheduleLinger) {
                    client.controlSender().scheduleLinger(this, System.nanoTime() + lingerNanos);
                }
                if (full != null) {
                    sendWaitingForLane(full);
                }
            }
        } finally {
            writers.unlock();
        }
    }

    /**
     * Sends what is buffered (and a waiting Open) at once. With nothing to send it does nothing,
     * whatever the stream's state, as a socket's flush does.
     */
    void flush() throws IOException {
        if (!coalescing) {
            return; // nothing is ever buffered
        }
        lockWriters();
        try {
            Frame cut;
            state.lock();
            try {
                if (buffered == 0 && !openPending) {
                    return;
                }
                checkWritableLocked();
                cut = cutLocked(false);
            } finally {
                state.unlock();
            }
            sendWaitingForLane(cut);
        } finally {
            writers.unlock();
        }
    }

    /** Sends what is buffered and the end of stream; refuses writes from now on. Idempotent. */
    void shutdownOutput() throws IOException {
        lockWriters();
        try {
            List<Frame> last;
            state.lock();
            try {
                if (outputShutdown) {
                    return;
                }
                outputShutdown = true;
                IOException broken = failure != null ? failure : stream.terminationCause();
                if (broken != null) {
                    throw Failures.again(broken);
                }
                last = cutLastLocked();
            } finally {
                state.unlock();
            }
            for (Frame cut : last) {
                send(cut);
            }
        } finally {
            writers.unlock();
        }
    }

    /**
     * The stream is closing (by its application or its client): cuts what is buffered and the end
     * of stream, if still due and the output is healthy, and hands them to the control sender;
     * wakes a writer waiting for the lane. Never blocks.
     */
    void close() {
        List<Frame> last = null;
        state.lock();
        try {
            if (!outputShutdown && failure == null && !stream.isTerminated()) {
                outputShutdown = true;
                last = cutLastLocked();
            }
            buffer = null;
            buffered = 0;
        } finally {
            state.unlock();
        }
        transport.wakeLane(lane);
        if (last != null && !client.controlSender().queueLastFrames(stream, last)) {
            client.log().debug("{}: end of stream not sent: the client has closed", stream.id());
        }
    }

    /**
     * The stream ends without a clean end ({@link MixnetStream#abort()}, or closed with data
     * unread): what is buffered is dropped and no end of stream follows; a writer waiting for its
     * lane is woken. Never blocks.
     */
    void abort() {
        state.lock();
        try {
            outputShutdown = true;
            openPending = false;
            buffer = null;
            buffered = 0;
        } finally {
            state.unlock();
        }
        wake();
    }

    /**
     * The output fails from now on with {@code cause} (the peer takes no more); writers waiting
     * are woken and fail with it. The input is not touched.
     */
    void fail(IOException cause) {
        state.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            buffer = null;
            buffered = 0;
        } finally {
            state.unlock();
        }
        wake();
    }

    /** Wakes a writer waiting for its lane, to look at the stream's state again. */
    void wake() {
        transport.wakeLane(lane);
    }

    /** The control sender's thread: the linger has passed; sends what is buffered (and a waiting Open). */
    void lingerExpired() {
        Frame cut;
        state.lock();
        try {
            lingerScheduled = false;
            if (outputShutdown || failure != null || (buffered == 0 && !openPending)) {
                return;
            }
            cut = cutLocked(false);
        } finally {
            state.unlock();
        }
        try {
            send(cut);
        } catch (IOException e) {
            client.log().debug("{}: lingering frame not sent: {}", stream.id(), e.toString());
        }
    }

    /** Returns whether the end of stream has been cut. */
    boolean isOutputShutdown() {
        state.lock();
        try {
            return outputShutdown;
        } finally {
            state.unlock();
        }
    }

    /**
     * Sends one of the stream's frames to the peer the way this end must: anonymously with {@code
     * surbs} reply SURBs on the stream's lane if it is the opener, else as a reply on the lane.
     */
    void transmit(byte[] frame, int surbs) throws IOException {
        if (extensions) {
            FrameCodec.writeFlags(frame, FrameCodec.FLAG_EXTENSIONS);
        }
        if (recipient != null) {
            transport.sendAnonymous(recipient, frame, surbs, lane);
        } else {
            transport.reply(replyTag, frame, lane);
        }
        client.packetsSent(frame.length, surbs, recipient != null);
    }

    /** The stream's lane. */
    long lane() {
        return lane;
    }

    // ---- cutting, under the state lock ----

    private int capacityLocked() {
        return openPending ? openCapacity : fullFramePayloads[rampStep];
    }

    /** Cuts one frame of {@code n} bytes of a write, not coalescing. */
    private Frame cutWrite(byte[] b, int off, int n) throws IOException {
        state.lock();
        try {
            checkWritableLocked();
            int sequence = nextSequence++;
            byte[] frame = FrameCodec.encode(stream.id().value(), FrameType.DATA, sequence, b, off, n);
            return new Frame(frame, FrameType.DATA, n, dataSurbs + freeSurbs(frame.length, dataSurbs));
        } finally {
            state.unlock();
        }
    }

    private void appendLocked(byte[] b, int off, int n, int capacity) {
        assert state.isHeldByCurrentThread();
        int needed = FrameCodec.HEADER_LENGTH + buffered + n;
        if (buffer == null || buffer.length < needed) {
            // Grown as needed, up to one frame: a stream that writes a few bytes holds a few bytes.
            int size = Math.max(needed, Math.min(FrameCodec.HEADER_LENGTH + capacity,
                    buffer == null ? FrameCodec.HEADER_LENGTH + 512 : 2 * buffer.length));
            buffer = buffer == null ? new byte[size] : Arrays.copyOf(buffer, size);
        }
        System.arraycopy(b, off, buffer, FrameCodec.HEADER_LENGTH + buffered, n);
        buffered += n;
    }

    /**
     * Cuts what is buffered into one frame: the Open if it waits, else the next Data frame, which
     * moves the ramp on if {@code full}, or back to its start.
     */
    private Frame cutLocked(boolean full) {
        assert state.isHeldByCurrentThread();
        FrameType type = openPending ? FrameType.OPEN : FrameType.DATA;
        if (type == FrameType.DATA) {
            rampStep = full ? Math.min(rampStep + 1, fullFramePayloads.length - 1) : 0;
        }
        int sequence = openPending ? 0 : nextSequence++;
        openPending = false;
        int length = FrameCodec.HEADER_LENGTH + buffered;
        byte[] frame = buffer == null ? new byte[length]
                : buffer.length == length ? buffer : Arrays.copyOf(buffer, length);
        FrameCodec.writeHeader(stream.id().value(), type, sequence, frame, 0);
        int payload = buffered;
        buffer = null;
        buffered = 0;
        int surbs = type == FrameType.OPEN ? openSurbs : dataSurbs;
        return new Frame(frame, type, payload, surbs + freeSurbs(frame.length, surbs));
    }

    /** SURBs that ride free in the padding of an opener's frame, unless the reference policy is on. */
    private int freeSurbs(int frameLength, int surbs) {
        return freeSurbs && recipient != null ? geometry.freeSurbs(frameLength, surbs) : 0;
    }

    /** Cuts what is buffered (with a waiting Open) and the end of stream. */
    private List<Frame> cutLastLocked() {
        assert state.isHeldByCurrentThread();
        List<Frame> last = new ArrayList<>(3);
        if (buffered > 0 || openPending) {
            last.add(cutLocked(false));
        }
        last.add(cutLocked(false)); // nothing buffered now: an empty Data frame, the end of stream
        return last;
    }

    // ---- checks and sends, outside the state lock ----

    private void lockWriters() throws InterruptedIOException {
        if (writers.tryLock()) {
            return;
        }
        try {
            writers.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while another thread was writing");
        }
    }

    private void checkWritable() throws IOException {
        state.lock();
        try {
            checkWritableLocked();
        } finally {
            state.unlock();
        }
    }

    private void checkWritableLocked() throws IOException {
        assert state.isHeldByCurrentThread();
        if (stream.isClosed()) {
            throw stream.closedFailure();
        }
        if (outputShutdown) {
            throw new IOException("stream output shut down");
        }
        if (failure != null) {
            throw failure instanceof StreamResetException ? Failures.again(failure)
                    : new IOException(failure.getMessage(), failure);
        }
        IOException ended = stream.terminationCause();
        if (ended != null) {
            throw Failures.again(ended);
        }
    }

    /**
     * Waits while the stream's lane is long, then sends. A frame once cut is sent whatever
     * happens meanwhile (the stream closing, the thread interrupted): its sequence number is
     * spent, and the end of stream behind it would otherwise wait at a gap for good.
     */
    private void sendWaitingForLane(Frame cut) throws IOException {
        IOException interrupted = null;
        try {
            while (!transport.awaitLane(lane, laneLimit) && !stream.isClosed() && !stream.isTerminated()) {
                // woken for another reason than room: look again
            }
        } catch (InterruptedIOException e) {
            interrupted = e;
        } catch (IOException e) {
            // the transport failed: the send below fails too, and says so
        }
        send(cut);
        if (interrupted != null) {
            throw interrupted;
        }
    }

    /** The control sender's thread: sends one of a closing stream's last frames. */
    void sendLast(Frame frame) throws IOException {
        send(frame);
    }

    /**
     * Hands one frame to the transport; if it fails to take it, the output is broken from now on:
     * its sequence number is spent, so nothing after it could ever be delivered. A failed Open
     * fails the whole stream: the peer will never know it.
     */
    private void send(Frame cut) throws IOException {
        try {
            transmit(cut.bytes(), cut.surbs());
        } catch (IOException e) {
            IOException broken = new IOException("stream output broken: sending a frame failed: " + e.getMessage(), e);
            state.lock();
            try {
                if (failure == null) {
                    failure = broken;
                }
            } finally {
                state.unlock();
            }
            if (cut.type() == FrameType.OPEN) {
                stream.fail(new IOException("open failed: " + e.getMessage(), e));
            }
            throw e;
        }
        client.frameSent(stream, cut.payloadLength());
    }
}
