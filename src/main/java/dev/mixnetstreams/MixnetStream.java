package dev.mixnetstreams;

import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.internal.Failures;
import dev.mixnetstreams.internal.ReorderBuffer;
import dev.mixnetstreams.internal.Waits;
import dev.mixnetstreams.internal.jfr.StreamEvents;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One ordered, reliable-unless-told-otherwise byte stream to one peer, multiplexed with others over
 * a {@link MixnetClient}; used like a {@link java.net.Socket}.
 *
 * <p>Reading: {@link #getInputStream()} blocks until data arrives, returns -1 after the peer's
 * end of stream (sticky), throws {@link SocketTimeoutException} after {@link #setReadTimeout},
 * {@link InterruptedIOException} when interrupted (the flag is set again) and, once, a
 * {@link StreamDataLossException} where messages were lost. Bytes already received are handed out
 * before an error of the stream.
 *
 * <p>Writing: over a transport that cuts messages into packets (a nym-client, the simulated
 * mixnet with a cost model), writes gather into frames that fill whole packets: a frame leaves
 * when it is full, on {@code flush()} of the output stream, on {@link #shutdownOutput()} or
 * {@link #close()}, or when {@link MixnetClient.Builder#writeLinger(Duration)} has passed since its
 * first byte (a writer never waits for the linger). The opener's first bytes ride in its Open. A
 * writer waits while the stream's queue in the nym-client is long, so a fast writer cannot pile up
 * data there. Over an in-memory transport, or with a zero linger, each write of up to {@link
 * MixnetClient.Builder#maxFramePayload(int)} bytes is one Data frame, sent before the write
 * returns. An empty write sends nothing. Concurrent writes are never interleaved: one writes at a
 * time, as on a socket.
 *
 * <p>A write whose frame the transport fails to send breaks the stream's output, as a failed write
 * breaks a socket: that write or a later one, and {@link #shutdownOutput()}, throw, and no end
 * of stream is sent (the peer would wait at the missing sequence number for good).
 *
 * <p>Ending: {@link #shutdownOutput()} sends what is buffered and the end of stream (an empty
 * Data frame at the next sequence number) and keeps reading; {@link #close()} wakes every blocked
 * reader and writer, releases the stream and returns at once, what is buffered and its end of
 * stream (if not sent yet) following from the client's sender thread. Closing either the input or the output stream closes the stream, as with a
 * socket. A stream idle for longer than the client's idle timeout is closed by the client and
 * its reader gets an {@link IOException} saying so, not an end of stream, so a truncated stream is
 * never mistaken for a complete one.
 *
 * <p>Guards: the output side's state and locks are its {@link StreamWriter}'s; the input side's
 * {@code readLock} serialises readers and guards their position in the current payload; the rest
 * is final, volatile or atomic. Lock order: {@code readLock}, then the buffer's own lock (a reader
 * parks in {@link ReorderBuffer#take} holding its {@code readLock}); the writer's locks are never
 * held together with the input side's.
 */
public final class MixnetStream implements Closeable {

    private final StreamId id;
    private final MixnetClient client;
    private final Recipient remoteAddress;
    private final SenderTag remoteSenderTag;
    final ReorderBuffer inbound;
    /** The one way this stream's frames leave. */
    private final StreamWriter writer;
    /** Why the client ended the stream (reaped, reset, transport failed, client closed); null while healthy. */
    private volatile IOException terminated;
    /** When the client ended the stream ({@link System#nanoTime()}); written before {@link #terminated}. */
    private volatile long endedAtNanos;
    /** {@link #peerExtensions}: not known yet (an opener before its peer's first frame). */
    static final int PEER_UNKNOWN = 0;
    /** {@link #peerExtensions}: the peer's frames carry the extensions flag. */
    static final int PEER_SPEAKS_EXTENSIONS = 1;
    /** {@link #peerExtensions}: the peer's frames do not (a Rust peer), or extensions are off here. */
    static final int PEER_WITHOUT_EXTENSIONS = 2;
    /**
     * Whether the peer speaks this library's extensions (PROTOCOL.md, section 9): one of the
     * three constants above. Set once, from {@link #PEER_UNKNOWN}, by compare-and-set: by the router
     * (at creation for an accepted stream, from its Open; at the peer's first frame for an opened
     * one), or by the writer when the peer gave no sign in time; read by anyone.
     */
    private volatile int peerExtensions;
    private static final java.lang.invoke.VarHandle PEER_EXTENSIONS;

    static {
        try {
            PEER_EXTENSIONS = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(MixnetStream.class, "peerExtensions", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The most a receiver waits before it acknowledges what arrived from a peer of this library,
     * unless {@link #ACK_FRAMES} frames came first or data going the other way carries it: 1 s, a
     * round trip's order on the Nym network, so that a bulk transfer costs about one CREDIT a
     * second.
     */
    static final long ACK_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Frames that arrive before an acknowledgement goes at once: half the frames its selective
     * bits cover, so that small frames are not acknowledged a few kilobytes at a time.
     */
    static final int ACK_FRAMES = 16;
    /** The credit this end grants its peer beyond what its reader took (bytes). */
    private final long receiveWindow;
    /**
     * What has arrived, for acknowledgements: {@link ReorderBuffer#arrivalState()}, written by the
     * router after each Data frame from a peer of this library, read by whoever sends a CREDIT.
     */
    private volatile long arrivalState;
    /** Data frames arrived since the last acknowledgement went out; the router adds, senders clear. */
    private final java.util.concurrent.atomic.AtomicInteger unacknowledged = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether an acknowledgement timer is scheduled. */
    private final AtomicBoolean ackTimerArmed = new AtomicBoolean();
    /**
     * The credit limit last sent to the peer (cumulative bytes); only grows. Written by whoever
     * sends a CREDIT (the control sender, a writer whose Data carries one), under no lock: a lost
     * race sends an older limit, which cumulative credit makes harmless.
     */
    private volatile long grantedLimit = SendWindow.INITIAL_CREDIT;
    /** Set by the router when the peer's end of stream arrived: it sends no more. */
    private volatile boolean peerEnded;
    /** Whether a stop-sending RESET was sent for this stream (by its close, or the router after it). */
    private final AtomicBoolean stopSendingSent = new AtomicBoolean();
    /**
     * Why this end reset the stream (any reason but stop-sending), or null: set once, by whoever
     * resets it, even before the peer's kind is known, so that the router can tell the peer again
     * when its frames show it did not hear (the RESET was lost, or overtook the Open).
     */
    private final AtomicReference<ResetReason> resetHere = new AtomicReference<>();
    /** Says why, with {@link #resetHere}; written before it. */
    private volatile String resetHereMessage = "";
    /** How long a write waits for the peer's credit, in nanoseconds, 0 for ever; any thread sets it. */
    private volatile long writeTimeoutNanos;
    /** Whether the peer is known to hold the stream; set by the router, never cleared. */
    private volatile boolean established;
    /** Counted down once established, closed or ended: wakes {@link #awaitEstablished} waiters. */
    private final CountDownLatch establishment;
    /** The keepalive of an opened stream (router-confined, see {@link Keepalive}); null when accepted. */
    private final Keepalive keepalive;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The read timeout in nanoseconds, 0 for none; any thread sets it, readers read it. */
    private volatile long readTimeoutNanos;
    /** When traffic was last seen: set at creation and by the router's sweep (see {@link #markTraffic()}). */
    volatile long lastActivityNanos;
    /**
     * Whether a frame was sent or accepted since the last sweep. Hot paths set this instead of
     * reading the clock (a clock read costs about as much as the rest of routing a message); the
     * sweep clears it and credits the traffic with a clock read made after clearing it, which is
     * late by at most one sweep interval and never early, so a stream is never closed early.
     */
    private volatile boolean trafficSinceSweep;

    private final StreamInputStream input = new StreamInputStream();
    private final StreamOutputStream output = new StreamOutputStream();

    MixnetStream(StreamId id, MixnetClient client, Recipient remoteAddress, SenderTag remoteSenderTag,
                 int openSurbs, ReorderBuffer inbound) {
        this.id = id;
        this.client = client;
        this.receiveWindow = client.receiveWindow();
        this.remoteAddress = remoteAddress;
        this.remoteSenderTag = remoteSenderTag;
        this.inbound = inbound;
        this.writer = new StreamWriter(this, client, remoteAddress, remoteSenderTag, openSurbs, client.nextLane());
        this.peerExtensions = client.extensionsEnabled() ? PEER_UNKNOWN : PEER_WITHOUT_EXTENSIONS;
        this.lastActivityNanos = System.nanoTime();
        // An accepted stream is established at once: its peer opened it.
        this.keepalive = remoteAddress != null ? new Keepalive(lastActivityNanos) : null;
        this.established = remoteAddress == null;
        this.establishment = new CountDownLatch(established ? 0 : 1);
    }

    /**
     * Returns whether the peer is known to hold the stream: it sent an OpenAck, any Data, a Ping,
     * or a Pong answering one of ours. An accepted stream is established from the start; an opened
     * one once such a frame arrives (a peer of the first protocol version sends none of these until
     * it writes).
     *
     * @return {@code true} once established
     */
    public boolean isEstablished() {
        return established;
    }

    /**
     * Waits until the peer is known to hold the stream (see {@link #isEstablished()}). Opening never
     * waits for this; call it when the answer matters, for example before reporting a connection
     * as made. The stream stays usable after a timeout.
     *
     * @param timeout how long to wait at most; positive
     * @throws SocketTimeoutException if the peer gave no sign in time (its state is unknown: it may
     *     be gone, slow, or of the first protocol version and silent until it writes)
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the stream was closed or ended meanwhile
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public void awaitEstablished(Duration timeout) throws IOException {
        long nanos = Waits.saturatedNanos(ArgumentChecks.positive(timeout, "timeout"));
        try {
            if (!establishment.await(nanos, TimeUnit.NANOSECONDS)) {
                throw new SocketTimeoutException("no sign of the peer within " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the stream to be established");
        }
        if (!established) { // woken by close or an end
            IOException failure = terminated;
            throw failure != null ? Failures.again(failure) : new IOException("stream closed");
        }
    }

    /** Router: the peer showed it holds the stream; wakes {@link #awaitEstablished} waiters. */
    void markEstablished() {
        if (!established) {
            established = true;
            establishment.countDown();
            StreamEvents.established(id.value());
        }
    }

    /** The keepalive of an opened stream; {@code null} for an accepted one. */
    Keepalive keepalive() {
        return keepalive;
    }

    /**
     * Returns the stream's id, shared by both ends.
     *
     * @return the id
     */
    public StreamId id() {
        return id;
    }

    /**
     * Returns whether this end opened the stream ({@link MixnetClient#openStream}) rather than
     * accepted it.
     *
     * @return {@code true} for the opener
     */
    public boolean isOpener() {
        return remoteAddress != null;
    }

    /**
     * Returns the peer's address, known only to the opener.
     *
     * @return the address this stream was opened to, or empty on the accepting side
     */
    public Optional<Recipient> remoteAddress() {
        return Optional.ofNullable(remoteAddress);
    }

    /**
     * Returns the opener's sender tag, known only to the accepting side, which replies through it
     * without learning the opener's address.
     *
     * @return the tag, or empty on the opening side
     */
    public Optional<SenderTag> remoteSenderTag() {
        return Optional.ofNullable(remoteSenderTag);
    }

    /**
     * Returns the stream's input: the peer's bytes, in order.
     *
     * @return the same input stream on every call
     */
    public InputStream getInputStream() {
        return input;
    }

    /**
     * Returns the stream's output: bytes to the peer.
     *
     * @return the same output stream on every call
     */
    public OutputStream getOutputStream() {
        return output;
    }

    /**
     * Sets how long a read waits for data before it throws {@link SocketTimeoutException}; the
     * stream stays usable after a timeout.
     *
     * @param timeout the limit; {@link Duration#ZERO} waits without limit (the default)
     * @throws IllegalArgumentException if the timeout is negative
     */
    public void setReadTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("read timeout must not be negative: " + timeout);
        }
        readTimeoutNanos = Waits.saturatedNanos(timeout);
    }

    /**
     * Returns the read timeout.
     *
     * @return the limit, {@link Duration#ZERO} for none
     */
    public Duration getReadTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    /**
     * Sends what is buffered and the end of stream, and refuses further writes; reading goes on.
     * Idempotent.
     *
     * @throws IOException if the end of stream could not be sent
     */
    public void shutdownOutput() throws IOException {
        writer.shutdownOutput();
    }

    /**
     * Returns whether {@link #shutdownOutput()} or {@link #close()} was called.
     *
     * @return {@code true} once the output is shut down
     */
    public boolean isOutputShutdown() {
        return writer.isOutputShutdown();
    }

    /**
     * Closes the stream: wakes every blocked reader and writer with an {@link IOException},
     * releases what the stream holds and returns without waiting for the transport; what is
     * buffered and the end of stream, if not sent yet and the output is healthy, follow best
     * effort from the client's sender thread. Reads and writes throw afterwards. Idempotent.
     */
    @Override
    public void close() {
        boolean extensions = peerExtensions == PEER_SPEAKS_EXTENSIONS;
        if (extensions && hasUnreadData()) {
            // Closing with data unread is a reset, as with TCP: the peer of this library is told.
            end(ResetReason.CLOSED_UNREAD, "closed with data unread");
            return;
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (terminated == null) {   // an end by the client was recorded as such
            StreamEvents.closed(id.value(), "closed");
        }
        inbound.close();
        establishment.countDown();
        client.streamClosed(this);
        writer.close();
        if (extensions && !peerEnded && terminated == null && markStopSendingSent()) {
            // The peer still sends to a stream nobody reads: it is told to stop (its reads go on).
            tellPeer(ResetReason.STOP_SENDING, "the stream was closed before the peer's end of stream");
        }
    }

    /**
     * Ends the stream at once without a clean end: wakes every blocked reader and writer, drops
     * what is buffered and releases what the stream holds, as {@link #close()} does, but sends no
     * end of stream. A peer of this library is told (its reads and writes then throw a {@link
     * StreamResetException}, reason {@link ResetReason#ABORTED}); a peer that does not speak this
     * library's extensions is sent nothing, so it never takes the stream for complete. Reads and
     * writes here throw afterwards. Idempotent; does nothing after {@link #close()}.
     */
    public void abort() {
        end(ResetReason.ABORTED, "aborted by its application");
    }

    /** Closes the stream without a clean end, telling a peer of this library why. */
    private void end(ResetReason reason, String why) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        noteResetHere(reason, why); // before the router can see the stream closed and forget it
        if (terminated == null) {
            StreamEvents.closed(id.value(), reason.name().toLowerCase(Locale.ROOT));
        }
        inbound.close();
        establishment.countDown();
        client.streamClosed(this);
        writer.abort();
        // The reset says more than a stop-sending one: data the peer sends meanwhile must not
        // have the router tell it only to stop sending (its reads would wait for good).
        stopSendingSent.set(true);
        tellPeer(reason, why);
    }

    /**
     * Sends the peer a RESET if it speaks this library's extensions; otherwise nothing. A reset
     * that ends the stream (any reason but stop-sending) is remembered even while the peer's kind
     * is unknown, and told again by {@link #tellResetAgain()} whenever the peer's frames show it
     * did not hear.
     */
    void tellPeer(ResetReason reason, String why) {
        noteResetHere(reason, why);
        if (peerExtensions == PEER_SPEAKS_EXTENSIONS) {
            client.controlSender().queueReset(this, reason, why);
        }
    }

    /** Remembers the first reset this end made (any reason but stop-sending), to tell the peer again. */
    private void noteResetHere(ResetReason reason, String why) {
        if (reason != ResetReason.STOP_SENDING && resetHere.get() == null) {
            resetHereMessage = why;
            resetHere.compareAndSet(null, reason);
        }
    }

    /** Whether this end reset the stream (any reason but stop-sending), told the peer or not. */
    boolean wasResetHere() {
        return resetHere.get() != null;
    }

    /**
     * Router: a frame from the peer of this library arrived for the stream this end reset: the
     * peer did not hear the RESET (lost, or overtook the Open), so it is sent again.
     */
    void tellResetAgain() {
        ResetReason reason = resetHere.get();
        if (reason != null && peerExtensions == PEER_SPEAKS_EXTENSIONS) {
            client.controlSender().queueReset(this, reason, resetHereMessage);
        }
    }

    /** Whether the peer is known not to speak the extensions (a Rust peer, or extensions off here). */
    boolean peerWithoutExtensions() {
        return peerExtensions == PEER_WITHOUT_EXTENSIONS;
    }

    /** Whether received data waits unread: in the buffer, or in the payload a reader holds. */
    private boolean hasUnreadData() {
        return inbound.unreadBytes() > 0 || input.holdsUnread();
    }

    /**
     * Router: the peer reset the stream. A stop-sending reset fails only the writes (reads deliver
     * what the peer sent before its end); any other fails reads and writes at once.
     */
    void resetByPeer(ResetReason reason, String message) {
        String text = "stream reset by its peer (" + reason.name().toLowerCase(Locale.ROOT) + ")"
                + (message.isEmpty() ? "" : ": " + message);
        StreamResetException cause = new StreamResetException(reason, true, text);
        if (reason != ResetReason.STOP_SENDING) {
            reset(cause);
        }
        writer.fail(cause); // the peer takes nothing more: nothing is sent, nor sent again
    }

    /**
     * Router: the stream is reset here for a limit: reads and writes fail with {@code cause},
     * nothing more is sent, and a peer of this library is told.
     */
    void resetForLimit(StreamResetException cause, String toPeer) {
        reset(cause);
        writer.fail(cause);
        tellPeer(cause.reason(), toPeer);
    }

    /**
     * Router: the peer's flags show whether it speaks this library's extensions; noted once. A
     * peer that does: gaps are waited for (it sends lost frames again), and it is granted credit.
     * One that does not: nothing waits for its credit or acknowledgements.
     */
    void notePeerFlags(int flags) {
        if (peerExtensions != PEER_UNKNOWN) {
            return;
        }
        boolean speaks = client.extensionsEnabled() && (flags & FrameCodec.FLAG_EXTENSIONS) != 0;
        if (!PEER_EXTENSIONS.compareAndSet(this, PEER_UNKNOWN, speaks ? PEER_SPEAKS_EXTENSIONS : PEER_WITHOUT_EXTENSIONS)) {
            return; // the writer gave up waiting for a sign meanwhile
        }
        if (speaks) {
            inbound.neverSkipAhead();
            writer.peerSpeaksExtensions();
            client.controlSender().queueCredit(this, false); // its first credit, and a sign that this end speaks them
        } else {
            writer.peerWithoutExtensions();
        }
    }

    /**
     * Writer: the peer gave no sign in time; it is taken for one without the extensions.
     *
     * @return whether it was; {@code false} if the router noted what the peer speaks meanwhile
     */
    boolean assumePeerWithoutExtensions() {
        return PEER_EXTENSIONS.compareAndSet(this, PEER_UNKNOWN, PEER_WITHOUT_EXTENSIONS);
    }

    /** Whether the peer has shown that it speaks this library's extensions. */
    boolean peerSpeaksExtensions() {
        return peerExtensions == PEER_SPEAKS_EXTENSIONS;
    }

    /** Router: the peer's end of stream arrived. */
    void notePeerEnded() {
        peerEnded = true;
    }

    /** Router: whether Data with this sequence number arrived before (it is behind what arrived in order). */
    boolean arrivedBefore(int sequence) {
        return sequence - (int) (arrivalState >>> 32) < 0;
    }

    /** Whether a stop-sending RESET is still to be sent for this closed stream; notes it as sent. */
    boolean markStopSendingSent() {
        return stopSendingSent.compareAndSet(false, true);
    }

    /** Whether the peer has not shown yet whether it speaks them (an opener before its first frame). */
    boolean peerKindUnknown() {
        return peerExtensions == PEER_UNKNOWN;
    }

    /**
     * Router: a Data frame from a peer of this library arrived (new, or again); {@code state} is
     * the buffer's arrival state after it. The acknowledgement goes at once after {@link
     * #ACK_FRAMES} frames, else within {@link #ACK_DELAY_NANOS}, unless data going the other way
     * carries it first.
     */
    void dataArrived(long state) {
        arrivalState = state;
        if (unacknowledged.incrementAndGet() >= ACK_FRAMES) {
            client.controlSender().queueCredit(this, false);
        } else if (ackTimerArmed.compareAndSet(false, true)) {
            client.controlSender().schedule(this::acknowledgeIfDue, System.nanoTime() + ACK_DELAY_NANOS);
        }
    }

    /** The acknowledgement timer: sends one if frames arrived since the last. */
    private void acknowledgeIfDue() {
        ackTimerArmed.set(false);
        if (unacknowledged.get() > 0) {
            client.controlSender().queueCredit(this, false);
        }
    }

    /** The credit the reader has used up: what it took, counted as the peer counts what it sends. */
    private long takenCredit() {
        return inbound.takenBytes() + inbound.takenMessages() * ExtensionFrames.CREDIT_PER_FRAME;
    }

    /** Whether the reader has taken half a window since the last credit sent: time to grant more. */
    private boolean grantDue() {
        return takenCredit() + receiveWindow - grantedLimit >= receiveWindow / 2;
    }

    /**
     * Builds the CREDIT to send now, noting it as sent: what has arrived, and credit for a window
     * beyond what the reader took.
     */
    ExtensionFrames.Credit creditToSend(boolean blocked) {
        unacknowledged.set(0); // first: a frame counted from now on is in this CREDIT or counted for the next
        long state = arrivalState;
        long limit = Math.max(grantedLimit, takenCredit() + receiveWindow);
        grantedLimit = limit;
        return new ExtensionFrames.Credit((int) (state >>> 32), limit, (int) state, blocked);
    }

    /** The CREDIT a Data frame going to the peer may carry: one if an acknowledgement or a grant is due, else {@code null}. */
    ExtensionFrames.Credit creditToPiggyback() {
        return unacknowledged.get() > 0 || grantDue() ? creditToSend(false) : null;
    }

    /** Reader: after taking data, grants the peer more credit if half a window was read. */
    private void maybeGrant() {
        if (peerExtensions == PEER_SPEAKS_EXTENSIONS && grantDue()) {
            client.controlSender().queueCredit(this, false);
        }
    }

    /**
     * Writer: frames were sent again and again and never acknowledged: the stream is reset, and
     * the peer, if it is still there, told.
     */
    void giveUp() {
        client.counters().streamsUndeliverable.increment();
        client.log().debug("{}: frames never acknowledged; giving the stream up", id);
        reset(new StreamResetException(ResetReason.UNDELIVERABLE, false,
                "stream reset: frames were sent " + SendWindow.MAX_SENDS + " times and never acknowledged"));
        writer.abort();
        tellPeer(ResetReason.UNDELIVERABLE, "frames never acknowledged");
    }

    /**
     * Sets how long a write, a flush or {@link #shutdownOutput()} waits for the peer's credit
     * (flow control with a peer of this library) before it throws {@link SocketTimeoutException};
     * the stream stays usable, and what the write handed over (the exception's {@code
     * bytesTransferred}) is sent when credit comes.
     *
     * @param timeout the limit; {@link Duration#ZERO} waits without limit (the default)
     * @throws IllegalArgumentException if the timeout is negative
     */
    public void setWriteTimeout(Duration timeout) {
        writeTimeoutNanos = Waits.saturatedNanos(ArgumentChecks.zeroOrPositive(timeout, "writeTimeout"));
    }

    /**
     * Returns the write timeout.
     *
     * @return the limit, {@link Duration#ZERO} for none
     */
    public Duration getWriteTimeout() {
        return Duration.ofNanos(writeTimeoutNanos);
    }

    /** The write timeout in nanoseconds, 0 for none. */
    long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    /**
     * Returns whether {@link #close()} was called here.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Ends the stream from the client's side, keeping what was received (idle timeout, transport
     * failed): writes fail with {@code cause}; reads get what is ready, then {@code cause}.
     */
    void fail(IOException cause) {
        markEnded(cause);
        inbound.fail(cause);
        writer.dropUnsent(); // nothing more is sent, nor sent again; writes fail with the cause
    }

    /**
     * Ends the stream from the client's side at once (a limit was exceeded): writes fail with
     * {@code cause}, reads fail with it at once, and everything held is released.
     */
    void reset(IOException cause) {
        markEnded(cause);
        inbound.reset(cause);
        writer.wake();
    }

    private void markEnded(IOException cause) {
        if (terminated == null && !closed.get()) {
            StreamEvents.closed(id.value(), cause.getMessage());
        }
        if (terminated == null) {
            endedAtNanos = System.nanoTime();
        }
        terminated = cause;
        establishment.countDown();
    }

    /** The linger after the client ended the stream is over: its unread bytes are released, reads fail at once. */
    void discardUnread() {
        inbound.reset(terminated);
    }

    /** When the client ended the stream ({@link System#nanoTime()}); valid once {@link #isTerminated()}. */
    long endedAtNanos() {
        return endedAtNanos;
    }

    /**
     * The client is closing: reads and writes fail with {@code cause} at once, the end of stream
     * (if due) is queued for the client's sender. Nothing here waits for the transport.
     */
    void closeByClient(IOException cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writer.close(); // before the reset below, which would make the end of stream not due
        if (terminated == null) {
            StreamEvents.closed(id.value(), cause.getMessage());
        }
        reset(cause);
    }

    /** The accepting side's peer tag, {@code null} on the opening side (the router's peer check). */
    SenderTag peerSenderTag() {
        return remoteSenderTag;
    }

    boolean isTerminated() {
        return terminated != null;
    }

    /**
     * What a read or write of the closed stream throws: why the client ended it (its close, a
     * failed transport), or "stream closed" if its application closed it.
     */
    IOException closedFailure() {
        IOException cause = terminated;
        return cause != null ? Failures.again(cause) : new IOException("stream closed");
    }

    /** Why the client ended the stream, or {@code null} while it has not. */
    IOException terminationCause() {
        return terminated;
    }

    /** The stream's writer: its frames' one way out. */
    StreamWriter writer() {
        return writer;
    }

    /** Notes traffic for the idle timeout; a plain read first, so a busy stream writes the flag once per sweep. */
    void markTraffic() {
        if (!trafficSinceSweep) {
            trafficSinceSweep = true;
        }
    }

    /** For the router's sweep: whether there was traffic since the last call, clearing the mark. */
    boolean takeTrafficMark() {
        if (trafficSinceSweep) {
            trafficSinceSweep = false;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "MixnetStream[" + id + (isOpener() ? ", opened" : ", accepted") + (closed.get() ? ", closed" : "") + "]";
    }

    /** The input side; one reader at a time, others wait their turn. */
    private final class StreamInputStream extends InputStream {

        /** Whether the reader holds a payload not read to its end; false if a reader is busy (not waited for). */
        boolean holdsUnread() {
            if (!readLock.tryLock()) {
                return false;
            }
            try {
                return chunk != null && position < chunk.length;
            } finally {
                readLock.unlock();
            }
        }


        private final ReentrantLock readLock = new ReentrantLock();
        /** Guarded by {@link #readLock}: the payload being read, or null. */
        private byte[] chunk;
        /** Guarded by {@link #readLock}: where in {@link #chunk} the next byte is. */
        private int position;
        /** Guarded by {@link #readLock}: the end of stream was read (sticky). */
        private boolean endOfStream;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            long timeout = readTimeoutNanos;
            long deadline = timeout == 0 ? 0 : System.nanoTime() + timeout;   // no clock read without a timeout
            acquire(timeout);
            try {
                if (closed.get()) {
                    throw closedFailure();
                }
                if (len == 0) {
                    return 0;
                }
                if (endOfStream) {
                    return -1;
                }
                if (chunk != null && position < chunk.length) {
                    inbound.checkNotDiscarded(); // a reset fails reads at once, even mid-payload
                }
                while (chunk == null || position == chunk.length) {
                    byte[] next;
                    if (timeout == 0) {
                        next = inbound.take(0);
                    } else {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0) {
                            throw new SocketTimeoutException("read timed out");
                        }
                        next = inbound.take(remaining);
                    }
                    maybeGrant();
                    int payloadOffset = inbound.payloadOffset(); // whole frames: the payload follows the header
                    if (next.length == payloadOffset) {
                        endOfStream = true;
                        chunk = null;
                        return -1;
                    }
                    chunk = next;
                    position = payloadOffset;
                }
                int n = Math.min(len, chunk.length - position);
                System.arraycopy(chunk, position, b, off, n);
                position += n;
                return n;
            } catch (StreamDataLossException e) {
                client.counters().dataLossEvents.increment();
                StreamEvents.dataLost(id.value(), e.firstLostSequence(), e.lostMessages(), e.streamOffset());
                throw e;
            } finally {
                readLock.unlock();
            }
        }

        private void acquire(long timeoutNanos) throws IOException {
            if (readLock.tryLock()) {
                return;     // the usual case, one reader: no interrupt check, no queueing
            }
            try {
                if (timeoutNanos == 0) {
                    readLock.lockInterruptibly();
                } else if (!readLock.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
                    throw new SocketTimeoutException("read timed out waiting for another reader");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to read");
            }
        }

        @Override
        public int available() throws IOException {
            if (closed.get()) {
                throw closedFailure();
            }
            long ready = inbound.readyBytes();
            // Never wait for a reader that holds the lock (it may be blocked until data comes):
            // then the bytes left in its current chunk are not counted.
            if (readLock.tryLock()) {
                try {
                    ready += chunk == null ? 0 : chunk.length - position;
                } finally {
                    readLock.unlock();
                }
            }
            return (int) Math.min(Integer.MAX_VALUE, ready);
        }

        @Override
        public void close() {
            MixnetStream.this.close();
        }
    }

    /** The output side. */
    private final class StreamOutputStream extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            writer.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            writer.write(b, off, len);
        }

        /** Sends what is buffered at once, without waiting for the linger. */
        @Override
        public void flush() throws IOException {
            writer.flush();
        }

        @Override
        public void close() {
            MixnetStream.this.close();
        }
    }
}
