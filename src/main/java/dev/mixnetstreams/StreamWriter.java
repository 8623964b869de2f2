package dev.mixnetstreams;

import dev.mixnetstreams.internal.Failures;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
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
 * <p>Towards a peer of this library (PROTOCOL.md, section 9) every frame cut goes through the
 * {@link SendWindow}: it is sent when the peer's credit allows (an application's writer waits for
 * credit, honouring close, interrupt and the write timeout; frames cut by {@link #close()} wait in
 * the window and the control sender sends them), kept until acknowledged, and sent again when
 * lost. A Data frame whose last packet has room carries the stream's pending acknowledgement and
 * credit for the peer's data (a DATA_CREDIT), so that they ride free on data going the other way.
 * The control sender's thread runs {@link #onTimer(long)}: lingering bytes, resends, probes for credit.
 *
 * <p>Guards: {@link #writers} serialises writers (a write's bytes are never interleaved with
 * another's), held across the waits and the send as a socket's write lock is; only writers,
 * {@link #flush()} and {@link #shutdownOutput()} take it, never {@link #close()}, the router or
 * the control sender. {@link #state} guards the sending state below it (the {@link SendWindow}
 * included) and is never held across a send or a wait for the lane; {@link #sendable} is its
 * condition. Lock order: {@link #writers}, then {@link #state}, then the control sender's (to
 * schedule a timer or queue a probe).
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
     * How long after opening an opener with frames unacknowledged or waiting for credit waits for a
     * sign of whether its peer speaks the extensions, before it takes the peer for one that does
     * not: a peer of this library answers an Open (or Data that came without it) with a CREDIT at
     * once, and a newer Rust peer with an OpenAck, so a silent one is a Rust peer of the first
     * version (or gone).
     */
    static final long PEER_SIGN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The smallest frame a write is cut into for want of the peer's credit, when not coalescing. */
    static final int MIN_CREDIT_FRAME = 4096;

    /**
     * A frame cut and not yet sent.
     *
     * @param bytes the encoded frame
     * @param type Open or Data (a Data frame may carry a CREDIT: its bytes are then a DATA_CREDIT)
     * @param sequence its sequence number (0 for the Open)
     * @param payloadLength its payload's length (the Data's, a riding CREDIT aside)
     * @param surbs the reply SURBs it carries (opener only)
     */
    record Frame(byte[] bytes, FrameType type, int sequence, int payloadLength, int surbs) {
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
    /** Signalled when the window may let more go (credit, the peer's kind known) and when the output ends. */
    private final Condition sendable = state.newCondition();
    /** Guarded by {@link #state}: what is cut and not sent, sent and not acknowledged, the peer's credit. */
    private final SendWindow window;
    /** When the stream was made ({@link System#nanoTime()}), for {@link #PEER_SIGN_GRACE_NANOS}. */
    private final long createdNanos = System.nanoTime();
    /** Guarded by {@link #state}: when lingering bytes (or a waiting Open) are to be cut, or 0. */
    private long lingerDueNanos;
    /** Guarded by {@link #state}: when the soonest timer scheduled with the control sender runs, or 0. */
    private long timerDueNanos;
    /**
     * Guarded by {@link #state}: numbers the timer scheduled last; a timer whose number is older
     * was replaced by a sooner one and does nothing when it runs, so timers never pile up.
     */
    private long timerGeneration;
    /**
     * Guarded by {@link #writers}: how many bytes of the write under way are not yet handed to the
     * window or the buffer (for {@link java.io.InterruptedIOException#bytesTransferred}).
     */
    private int unhandedBytes;
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
        this.window = new SendWindow(client.maxResendTimeoutNanos());
        if (!extensions) {
            window.peerWithoutExtensions(); // no credit, no acknowledgements: the Rust SDK's protocol
        }
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
            Frame open = new Frame(frame, FrameType.OPEN, 0, 0, openSurbs + freeSurbs(frame.length, openSurbs));
            state.lock();
            try {
                window.add(open);
                window.next(System.nanoTime()); // the Open never waits for credit
                scheduleTimerLocked(System.nanoTime());
            } finally {
                state.unlock();
            }
            transmit(open.bytes(), open.surbs()); // if this fails, opening fails: nothing to break
            client.frameSent(stream, 0);
            return;
        }
        state.lock();
        try {
            openPending = true;
            lingerLocked(System.nanoTime());
        } finally {
            state.unlock();
        }
    }

    /** Writes {@code b[off, off + len)}; the caller checked the range. */
    void write(byte[] b, int off, int len) throws IOException {
        lockWriters();
        try {
            if (len == 0) {
                checkWritable();
                return;
            }
            long deadline = writeDeadline();
            int total = len;
            try {
                handOver(b, off, len, deadline);
            } catch (SocketTimeoutException e) {
                // What was handed over is sent when credit comes, as a socket's bytesTransferred says.
                e.bytesTransferred = total - unhandedBytes;
                throw e;
            }
        } finally {
            writers.unlock();
        }
    }

    /** Hands {@code b[off, off + len)} over to frames, sending what the credit allows; see {@link #write}. */
    private void handOver(byte[] b, int off, int len, long deadline) throws IOException {
        unhandedBytes = len;
        if (!coalescing) {
            while (len > 0) {
                int n = Math.min(len, maxFramePayload);
                state.lock();
                try {
                    checkWritableLocked();
                    // A frame fits the credit left when it can; none is cut smaller than
                    // MIN_CREDIT_FRAME for want of credit (it waits for more instead).
                    n = (int) Math.min(n, Math.max(MIN_CREDIT_FRAME,
                            window.creditLeft() - ExtensionFrames.CREDIT_PER_FRAME));
                    window.add(cutWriteLocked(b, off, n));
                } finally {
                    state.unlock();
                }
                off += n;
                len -= n;
                unhandedBytes = len;
                pump(deadline);
            }
            return;
        }
        while (len > 0) {
            boolean full;
            state.lock();
            try {
                checkWritableLocked();
                int capacity = capacityLocked();
                int n = Math.min(len, capacity - buffered);
                appendLocked(b, off, n, capacity);
                off += n;
                len -= n;
                unhandedBytes = len;
                full = buffered == capacity;
                if (full) {
                    window.add(cutLocked(true));
                } else if (lingerDueNanos == 0) {
                    lingerLocked(System.nanoTime());
                }
            } finally {
                state.unlock();
            }
            if (full) {
                pump(deadline);
            }
        }
    }

    /**
     * Sends what is buffered (and a waiting Open) at once, waiting for the peer's credit if it must.
     * With nothing to send it does nothing, whatever the stream's state, as a socket's flush does.
     */
    void flush() throws IOException {
        if (!coalescing) {
            return; // nothing is ever buffered
        }
        lockWriters();
        try {
            state.lock();
            try {
                if (buffered == 0 && !openPending) {
                    return;
                }
                checkWritableLocked();
                window.add(cutLocked(false));
            } finally {
                state.unlock();
            }
            pump(writeDeadline());
        } finally {
            writers.unlock();
        }
    }

    /** Sends what is buffered and the end of stream; refuses writes from now on. Idempotent. */
    void shutdownOutput() throws IOException {
        lockWriters();
        try {
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
                cutLastLocked();
            } finally {
                state.unlock();
            }
            pump(writeDeadline());
        } finally {
            writers.unlock();
        }
    }

    /**
     * The stream is closing (by its application or its client): cuts what is buffered and the end
     * of stream, if still due and the output is healthy; the control sender sends them (as the
     * peer's credit allows). Wakes a writer waiting for its lane or for credit. Never blocks.
     */
    void close() {
        state.lock();
        try {
            if (!outputShutdown && failure == null && !stream.isTerminated()) {
                outputShutdown = true;
                cutLastLocked();
                scheduleTimerLocked(System.nanoTime()); // now: the control sender sends them
            }
            buffer = null;
            buffered = 0;
            sendable.signalAll();
        } finally {
            state.unlock();
        }
        transport.wakeLane(lane);
    }

    /**
     * The stream ends without a clean end ({@link MixnetStream#abort()}, closed with data unread,
     * reset, given up): what is buffered, waiting or unacknowledged is dropped and no end of
     * stream follows; waiting writers are woken. Never blocks.
     */
    void abort() {
        state.lock();
        try {
            outputShutdown = true;
            openPending = false;
            dropUnsentLocked();
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
            dropUnsentLocked();
        } finally {
            state.unlock();
        }
        wake();
    }

    /** The stream ended (its client failed it): what waits to be sent or acknowledged is dropped; writers woken. */
    void dropUnsent() {
        state.lock();
        try {
            dropUnsentLocked();
        } finally {
            state.unlock();
        }
        wake();
    }

    /** Drops what is buffered, waiting for credit or unacknowledged: none of it will be sent. */
    private void dropUnsentLocked() {
        assert state.isHeldByCurrentThread();
        buffer = null;
        buffered = 0;
        window.clear();
    }

    /** Wakes writers waiting for their lane or for credit, to look at the stream's state again. */
    void wake() {
        state.lock();
        try {
            sendable.signalAll();
        } finally {
            state.unlock();
        }
        transport.wakeLane(lane);
    }

    /**
     * Router: the peer's CREDIT (alone, or riding on its Data) arrived: more may be sent, and what
     * it acknowledges need not be sent again. Never blocks: sending is left to a waiting writer or
     * to the control sender.
     */
    void onCredit(ExtensionFrames.Credit credit) {
        state.lock();
        try {
            long now = System.nanoTime();
            if (window.onCredit(credit, now)) {
                sendable.signalAll();
                scheduleTimerLocked(now);
            } else {
                scheduleNextLocked(now);
            }
        } finally {
            state.unlock();
        }
    }

    /** The peer has shown that it speaks the extensions: an Open it did not get may be sent again. */
    void peerSpeaksExtensions() {
        state.lock();
        try {
            window.peerSpeaksExtensions();
            scheduleNextLocked(System.nanoTime());
        } finally {
            state.unlock();
        }
    }

    /** The peer does not speak the extensions: frames go without waiting for credit or acknowledgements. */
    void peerWithoutExtensions() {
        state.lock();
        try {
            window.peerWithoutExtensions();
            sendable.signalAll();
            if (window.hasUnsent()) {
                scheduleTimerLocked(System.nanoTime());
            }
        } finally {
            state.unlock();
        }
    }

    /** Whether everything cut was sent and acknowledged: nothing is left for the peer. */
    boolean isDrained() {
        state.lock();
        try {
            return window.isDrained() && buffered == 0 && !openPending;
        } finally {
            state.unlock();
        }
    }

    /**
     * The control sender's thread, when a timer of this writer runs: lingering bytes are cut,
     * lost frames sent again, the peer probed for credit, and what the credit allows sent; then
     * the next timer is scheduled. A stream whose frames are never acknowledged is given up.
     *
     * @param generation the number the timer was scheduled with; an older one does nothing
     */
    void onTimer(long generation) {
        SendWindow.Lost lost;
        boolean probe;
        state.lock();
        try {
            if (generation != timerGeneration) {
                return; // replaced by a sooner timer, which runs (or ran) in its place
            }
            long now = System.nanoTime();
            timerDueNanos = 0;
            if (lingerDueNanos != 0 && now - lingerDueNanos >= 0) {
                lingerDueNanos = 0;
                if (!outputShutdown && failure == null && (buffered > 0 || openPending)) {
                    window.add(cutLocked(false));
                }
            }
            graceLocked(now);
            lost = window.takeLost(now);
            probe = window.probeDue(now);
        } finally {
            state.unlock();
        }
        if (lost.giveUp()) {
            stream.giveUp();
            return;
        }
        for (Frame frame : lost.frames()) {
            try {
                transmit(frame.bytes(), frame.surbs());
                client.counters().framesResent.increment();
            } catch (IOException e) {
                client.log().debug("{}: frame not sent again: {}", stream.id(), e.toString());
            }
        }
        if (lost.askForOpen() && extensions) {
            client.controlSender().queueOpenProbe(stream);
        }
        if (probe) {
            client.controlSender().queueCredit(stream, true);
        }
        try {
            pump(0);
        } catch (IOException e) {
            client.log().debug("{}: frame not sent: {}", stream.id(), e.toString());
        }
    }

    /** Whether frames wait for the peer's credit now (for tests and diagnostics). */
    boolean isWaitingForCredit() {
        state.lock();
        try {
            return window.isBlocked();
        } finally {
            state.unlock();
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

    // ---- sending what the window lets go ----

    /**
     * Sends the frames the window lets go. On an application's thread ({@code deadline} not 0, or
     * {@link Long#MAX_VALUE} for none) it waits for credit while frames wait, and for room in the
     * lane before each frame with data; on the control sender's ({@code deadline} 0) it sends what
     * it can and leaves the rest for the next credit.
     */
    private void pump(long deadline) throws IOException {
        boolean application = deadline != 0;
        while (true) {
            Frame next;
            boolean probe = false;
            state.lock();
            try {
                long now = System.nanoTime();
                graceLocked(now); // before next(): a peer taken for a Rust one needs no credit
                next = window.next(now);
                if (next == null) {
                    if (!application || !window.hasUnsent()) {
                        scheduleNextLocked(now);
                        return;
                    }
                    checkSendingLocked(); // shutdownOutput() waits here for its last frames' credit
                    probe = window.probeDue(now);
                    if (!probe) {
                        awaitSendableLocked(now, deadline);
                    }
                } else {
                    scheduleNextLocked(now);
                }
            } finally {
                state.unlock();
            }
            if (probe) {
                client.controlSender().queueCredit(stream, true);
                continue;
            }
            if (next != null) {
                if (application && next.payloadLength() > 0) {
                    awaitLaneThenSend(next);
                } else {
                    send(next);
                }
            }
        }
    }

    /** Waits for the window to let more go, until the next probe, the peer's grace or the deadline. */
    private void awaitSendableLocked(long now, long deadline) throws IOException {
        assert state.isHeldByCurrentThread();
        long until = Math.min(window.nextDueNanos(now), graceDueLocked());
        if (deadline != Long.MAX_VALUE) {
            if (now - deadline >= 0) {
                throw new SocketTimeoutException("write timed out waiting for the peer's credit");
            }
            until = Math.min(until, deadline);
        }
        try {
            if (until == Long.MAX_VALUE) {
                sendable.await();
            } else {
                sendable.awaitNanos(Math.max(1, until - now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the peer's credit");
        }
    }

    /**
     * When an opener with frames outstanding or waiting stops waiting for its peer's first sign,
     * or {@code Long.MAX_VALUE}.
     */
    private long graceDueLocked() {
        return recipient != null && stream.peerKindUnknown() && !window.isDrained()
                ? createdNanos + PEER_SIGN_GRACE_NANOS : Long.MAX_VALUE;
    }

    /**
     * An opener whose peer gave no sign within the grace takes it for a Rust peer: it stops
     * waiting for credit and sending frames again.
     */
    private void graceLocked(long now) {
        if (now - graceDueLocked() >= 0 && stream.assumePeerWithoutExtensions()) {
            window.peerWithoutExtensions();
        }
    }

    /** Schedules the next timer the window, the linger or the grace needs. */
    private void scheduleNextLocked(long now) {
        long due = Math.min(Math.min(window.nextDueNanos(now), graceDueLocked()),
                lingerDueNanos == 0 ? Long.MAX_VALUE : lingerDueNanos);
        if (due != Long.MAX_VALUE) {
            scheduleTimerLocked(due);
        }
    }

    /** Has the control sender run {@link #onTimer(long)} at {@code due}, unless a timer runs before it. */
    private void scheduleTimerLocked(long due) {
        assert state.isHeldByCurrentThread();
        if (timerDueNanos == 0 || due - timerDueNanos < 0) {
            timerDueNanos = due;
            long generation = ++timerGeneration;
            client.controlSender().schedule(() -> onTimer(generation), due);
        }
    }

    /** Lingering bytes (or a waiting Open) are cut when the linger has passed. */
    private void lingerLocked(long now) {
        lingerDueNanos = now + lingerNanos;
        scheduleTimerLocked(lingerDueNanos);
    }

    // ---- cutting, under the state lock ----

    private int capacityLocked() {
        return openPending ? openCapacity : fullFramePayloads[rampStep];
    }

    /** Cuts one frame of {@code n} bytes of a write, not coalescing. */
    private Frame cutWriteLocked(byte[] b, int off, int n) {
        assert state.isHeldByCurrentThread();
        int sequence = nextSequence++;
        return dataFrame(FrameCodec.encode(stream.id().value(), FrameType.DATA, sequence, b, off, n), sequence, n);
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
        boolean open = openPending;
        openPending = false;
        int length = FrameCodec.HEADER_LENGTH + buffered;
        byte[] bytes = buffer == null ? new byte[length]
                : buffer.length == length ? buffer : Arrays.copyOf(buffer, length);
        int payload = buffered;
        buffer = null;
        buffered = 0;
        if (open) {
            FrameCodec.writeHeader(stream.id().value(), FrameType.OPEN, 0, bytes, 0);
            return new Frame(bytes, FrameType.OPEN, 0, payload, openSurbs + freeSurbs(bytes.length, openSurbs));
        }
        rampStep = full ? Math.min(rampStep + 1, fullFramePayloads.length - 1) : 0;
        int sequence = nextSequence++;
        FrameCodec.writeHeader(stream.id().value(), FrameType.DATA, sequence, bytes, 0);
        return dataFrame(bytes, sequence, payload);
    }

    /**
     * A Data frame: with the stream's pending acknowledgement and credit riding on it if the peer
     * speaks the extensions and its last packet has room for them, and with the SURBs that fit.
     */
    private Frame dataFrame(byte[] bytes, int sequence, int payload) {
        if (stream.peerSpeaksExtensions() && fitsFree(bytes.length, ExtensionFrames.DATA_CREDIT_PREFIX_LENGTH)) {
            ExtensionFrames.Credit credit = stream.creditToPiggyback();
            if (credit != null) {
                bytes = ExtensionFrames.dataWithCredit(bytes, credit);
            }
        }
        return new Frame(bytes, FrameType.DATA, sequence, payload, dataSurbs + freeSurbs(bytes.length, dataSurbs));
    }

    /** Whether {@code extra} more bytes fit a frame's last packet without another one. */
    private boolean fitsFree(int frameLength, int extra) {
        if (geometry == null) {
            return true;
        }
        return recipient != null
                ? geometry.anonymousPackets(frameLength + extra, dataSurbs) == geometry.anonymousPackets(frameLength, dataSurbs)
                : geometry.replyPackets(frameLength + extra) == geometry.replyPackets(frameLength);
    }

    /** SURBs that ride free in the padding of an opener's frame, unless the reference policy is on. */
    private int freeSurbs(int frameLength, int surbs) {
        return freeSurbs && recipient != null ? geometry.freeSurbs(frameLength, surbs) : 0;
    }

    /** Cuts what is buffered (with a waiting Open) and the end of stream into the window. */
    private void cutLastLocked() {
        assert state.isHeldByCurrentThread();
        if (buffered > 0 || openPending) {
            window.add(cutLocked(false));
        }
        window.add(cutLocked(false)); // nothing buffered now: an empty Data frame, the end of stream
        lingerDueNanos = 0;
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

    /** When a write that starts now gives up waiting for credit: {@link Long#MAX_VALUE} for never. */
    private long writeDeadline() {
        long timeout = stream.writeTimeoutNanos();
        return timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + timeout;
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
        checkSendingLocked();
        if (outputShutdown) {
            throw new IOException("stream output shut down");
        }
    }

    /** Throws if frames cut can no longer go: the stream closed, failed or ended (a shut-down output still sends its last frames). */
    private void checkSendingLocked() throws IOException {
        assert state.isHeldByCurrentThread();
        if (stream.isClosed()) {
            throw stream.closedFailure();
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
     * Waits while the stream's lane is long, then sends. A frame once let go by the window is sent
     * whatever happens meanwhile (the stream closing, the thread interrupted): its sequence number
     * is spent, and the end of stream behind it would otherwise wait at a gap for good.
     */
    private void awaitLaneThenSend(Frame frame) throws IOException {
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
        send(frame);
        if (interrupted != null) {
            throw interrupted;
        }
    }

    /**
     * Hands one frame to the transport; if it fails to take it, the output is broken from now on:
     * its sequence number is spent, so nothing after it could ever be delivered. A failed Open
     * fails the whole stream: the peer will never know it.
     */
    private void send(Frame frame) throws IOException {
        try {
            transmit(frame.bytes(), frame.surbs());
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
            if (frame.type() == FrameType.OPEN) {
                stream.fail(new IOException("open failed: " + e.getMessage(), e));
            }
            throw e;
        }
        client.frameSent(stream, frame.payloadLength());
    }
}
