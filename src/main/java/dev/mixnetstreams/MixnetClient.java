package dev.mixnetstreams;

import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.internal.ByteBudget;
import dev.mixnetstreams.internal.ReorderBuffer;
import dev.mixnetstreams.internal.RttEstimator;
import dev.mixnetstreams.internal.Waits;
import dev.mixnetstreams.internal.jfr.StreamEvents;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameCodec;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many concurrent, ordered, blocking byte streams to different peers over one mixnet client.
 *
 * <pre>{@code
 * try (MixnetClient client = MixnetClient.builder(transport).build()) {
 *     MixnetStream stream = client.openStream(peer);
 *     stream.getOutputStream().write("hello".getBytes());
 *     stream.shutdownOutput();
 *     byte[] reply = stream.getInputStream().readAllBytes();
 * }
 * }</pre>
 *
 * <p>A client starts in message mode ({@link #sendPlainMessage}, {@link #sendReply},
 * {@link #waitForMessages()}). The first {@link #openStream} or {@link #listener()} switches it to
 * stream mode for good; message-mode calls then throw {@link StreamModeActiveException}. Messages
 * received before the switch and not taken are routed as stream frames, so an Open that arrives
 * just before {@link #listener()} is not lost.
 *
 * <p>One router, on a virtual thread, takes every inbound message from the transport's queue,
 * decodes it and hands it to its stream without ever blocking on a stream or running application
 * code. Every limit is in {@link Builder}; {@link #stats()} counts what came, went and was dropped.
 *
 * <p>Guards: the client takes no lock of its own; every mutable field is atomic or a concurrent
 * collection, and the router thread confines its own state ({@code Router}). Locks live in the
 * parts: each stream's write and read locks, its buffer's lock, the listener's and the message
 * queue's; none is held while another part's is taken, except a stream's read lock around its
 * buffer's.
 */
public final class MixnetClient implements Closeable {

    /**
     * Reply SURBs sent with a message-mode message ({@link #sendPlainMessage}), as the reference
     * sends with every message.
     */
    public static final int DEFAULT_REPLY_SURBS = 10;
    /**
     * Reply SURBs the Open of a stream carries by default: a nym-client keeps 10 in reserve, so 20
     * let the acceptor send its OpenAck and about 14 KB of answer at once; the acceptor's
     * nym-client asks for more as it needs them.
     */
    public static final int DEFAULT_OPEN_SURBS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(MixnetClient.class);
    private static final AtomicInteger CLIENT_NUMBERS = new AtomicInteger();

    /**
     * Bytes every received frame is charged on top of its payload against the limits on unread
     * bytes: its 16-byte header and the memory that holds it (the array's own header and padding,
     * its slot in the stream's queue): 48, what a peer of this library counts against its credit
     * for each frame, so that the data a peer may send within its credit is charged no more.
     */
    static final int RECEIVED_FRAME_OVERHEAD = ExtensionFrames.CREDIT_PER_FRAME;
    /**
     * How long {@link #close()} lets the ends of stream it queued go out before it stops sending
     * and closes the transport.
     */
    static final Duration CLOSE_SEND_DEADLINE = Duration.ofSeconds(2);

    /** The configuration, copied from the builder when the client was built. */
    record Settings(Duration streamIdleTimeout, long maxUnreadBytes, int acceptBacklog, int maxEarlyFrames,
                    long maxEarlyBytes, Duration earlyFrameTimeout, int maxFramePayload, int reorderWindow,
                    int messageQueueCapacity, long maxMessageQueueBytes, long maxTotalUnreadBytes,
                    Duration keepaliveInterval, Duration writeLinger, boolean surbsOnEveryFrame,
                    boolean extensions, long receiveWindow, Duration maxResendTimeout) {
    }

    private final MixnetTransport transport;
    private final Settings config;
    private final Counters counters = new Counters();
    /**
     * The stream table: live streams, streams ended by the client (reaped, reset, failed) until
     * their linger ends, and streams their application closed until the router moves them out.
     * Written by the router and by {@link #openStream}; read by anyone.
     */
    final ConcurrentHashMap<Long, MixnetStream> streams = new ConcurrentHashMap<>();
    /** Streams closed by their application, for the router to move out of {@link #streams}. */
    final ConcurrentLinkedQueue<MixnetStream> closedStreams = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean streamMode = new AtomicBoolean();
    private final AtomicReference<MixnetListener> listener = new AtomicReference<>();
    final MessageQueue messages;
    /** The client-wide limit on unread bytes, shared by every stream's buffer. */
    private final ByteBudget unreadBudget;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Router router;
    private final Thread routerThread;
    /** Set once when the transport reports a failure ({@link MixnetTransport#onFailure}). */
    private final AtomicReference<IOException> transportFailure = new AtomicReference<>();
    private final Thread sweepTicker;
    private final ControlSender controlSender;
    /** The transport's packet geometry, or {@code null}: what frames cost in packets, for {@link ClientStats}. */
    private final PacketGeometry geometry;
    /** The last lane handed to a stream; each stream has its own. */
    private final AtomicLong lanes = new AtomicLong();
    /** The streams to fail after each loss of the transport's connection; see {@link Interruptions}. */
    private final Interruptions interruptions = new Interruptions();

    private MixnetClient(MixnetTransport transport, Settings config) {
        this.transport = transport;
        this.config = config;
        this.messages = new MessageQueue(config.messageQueueCapacity(), config.maxMessageQueueBytes());
        this.unreadBudget = new ByteBudget(config.maxTotalUnreadBytes());
        StreamEvents.init();    // a recording started from now on sees this client's events
        this.router = new Router(this, transport.inbound(), config);
        int number = CLIENT_NUMBERS.incrementAndGet();
        this.routerThread = Thread.ofVirtual().name("mixnet-router-" + number).start(router::run);
        this.sweepTicker = Thread.ofVirtual().name("mixnet-sweep-" + number).start(router::runTicker);
        this.controlSender = new ControlSender(this, "mixnet-control-" + number);
        this.geometry = transport.packetGeometry().orElse(null);
        transport.onFailure(this::transportFailed);
        transport.addConnectionListener(new MixnetTransport.ConnectionListener() {
            @Override
            public void connectionLost(IOException cause) {
                // Before the transport reconnects: every message queued now came over the lost connection.
                interruptions.lost(cause, streams.values(), transport.inbound().size());
                router.wakeUp();
            }

            @Override
            public void connectionRestored() {
                LOG.debug("mixnet transport connected again");
            }
        });
    }

    /** The streams to fail after a loss of the transport's connection, for the router. */
    Interruptions interruptions() {
        return interruptions;
    }

    /**
     * The transport failed (its connection was lost): new streams cannot be opened from now on, and
     * the router, once it has routed every message the transport delivered before failing, ends
     * everything ({@link #failEverything}).
     */
    private void transportFailed(IOException cause) {
        if (closed.get() || !transportFailure.compareAndSet(null, cause)) {
            return;
        }
        LOG.warn("mixnet transport failed; failing every stream: {}", cause.getMessage());
        router.wakeUp();
    }

    /** Why the transport failed, or {@code null}. */
    IOException transportFailure() {
        return transportFailure.get();
    }

    /**
     * Called by the router once the transport failed and everything it delivered was routed: every
     * stream, blocked read, accept and message wait fails with an IOException carrying the cause.
     * Streams and message mode keep what they already received (readers get it, then the failure),
     * as with an idle timeout. The application still closes the client.
     */
    void failEverything(IOException cause) {
        IOException failure = new TransportFailedException("mixnet transport failed: " + cause.getMessage(), cause);
        MixnetListener taken = listener.get();
        if (taken != null) {
            taken.shutdown(failure);
        }
        for (MixnetStream stream : streams.values()) {
            if (!stream.isClosed() && !stream.isTerminated()) {
                stream.fail(failure);
            }
        }
        messages.fail(failure);
    }

    /**
     * Starts building a client over a transport. The client owns the transport from then on and
     * closes it when it closes.
     *
     * @param transport the mixnet client to multiplex over
     * @return a builder with every default set
     */
    public static Builder builder(MixnetTransport transport) {
        return new Builder(Objects.requireNonNull(transport, "transport"));
    }

    /**
     * Returns this client's own Nym address, which peers open streams to.
     *
     * @return the address
     */
    public Recipient address() {
        return transport.address();
    }

    /**
     * Opens a stream to a peer, its Open carrying {@value #DEFAULT_OPEN_SURBS} reply SURBs. Returns
     * at once; see {@link #openStream(Recipient, int)}.
     *
     * @param recipient the peer's address
     * @return the new stream
     * @throws IOException if the Open could not be sent or the client is closed
     */
    public MixnetStream openStream(Recipient recipient) throws IOException {
        return openStream(recipient, DEFAULT_OPEN_SURBS);
    }

    /**
     * Opens a stream to a peer, its Open carrying {@code replySurbs} reply SURBs so the peer can
     * answer (its nym-client keeps 10 in reserve and asks for more as it needs them). Data frames
     * carry only the SURBs that fit their last packet's padding for free, or {@code replySurbs}
     * each under {@link Builder#surbsOnEveryFrame(boolean)}. Returns at once. Over a transport
     * that cuts messages into packets, the Open waits for the first bytes written, up to the
     * {@linkplain Builder#writeLinger(Duration) linger}, and carries as many as fit its last
     * packet; otherwise it is sent now. Data written before the peer has the Open is held there.
     *
     * @param recipient the peer's address
     * @param replySurbs reply SURBs the Open carries (0 or more)
     * @return the new stream
     * @throws IOException if the client is closed or its transport failed, or the Open, sent now,
     *     could not be sent (a deferred Open that cannot be sent fails the stream)
     * @throws IllegalArgumentException if {@code replySurbs} is negative
     */
    public MixnetStream openStream(Recipient recipient, int replySurbs) throws IOException {
        Objects.requireNonNull(recipient, "recipient");
        ArgumentChecks.notNegative(replySurbs, "replySurbs");
        ensureOpen();
        enterStreamMode();
        MixnetStream stream;
        StreamId id;
        do {
            id = StreamId.random();
            stream = new MixnetStream(id, this, recipient, null, replySurbs, newReorderBuffer());
        } while (streams.putIfAbsent(id.value(), stream) != null);
        try {
            // close() or a transport failure may have come meanwhile and not seen this stream:
            // check again now that it is registered, or its reader could wait forever.
            ensureOpen();
        } catch (IOException e) {
            stream.reset(e);
            streams.remove(id.value(), stream);
            throw e;
        }
        counters.streamsOpened.increment();
        try {
            stream.writer().open();
        } catch (IOException e) {
            stream.reset(new IOException("open failed: " + e.getMessage(), e));
            streams.remove(id.value(), stream);
            throw e;
        }
        LOG.debug("{}: opened", id);
        StreamEvents.opened(id.value(), true);
        return stream;
    }

    /**
     * Takes this client's one listener, which accepts streams that peers open.
     *
     * @return the listener
     * @throws ListenerAlreadyTakenException if it was taken before
     * @throws IllegalStateException if the client is closed
     */
    public MixnetListener listener() {
        if (closed.get()) {
            throw new IllegalStateException("mixnet client closed");
        }
        MixnetListener created = new MixnetListener(this, config.acceptBacklog());
        if (!listener.compareAndSet(null, created)) {
            throw new ListenerAlreadyTakenException();
        }
        if (closed.get()) {
            // close() ran meanwhile and may not have seen this listener: shut it here, or accept
            // would wait forever.
            created.shutdown(new ClientClosedException("mixnet client closed"));
            throw new IllegalStateException("mixnet client closed");
        }
        enterStreamMode();
        IOException failure = transportFailure.get();
        if (failure != null) { // the transport failed before: accept() fails at once instead of waiting forever
            created.shutdown(new TransportFailedException("mixnet transport failed: " + failure.getMessage(), failure));
        }
        return created;
    }

    /**
     * Message mode: sends one message anonymously with {@value #DEFAULT_REPLY_SURBS} reply SURBs,
     * so the receiver can {@link #sendReply} to its sender tag.
     *
     * @param recipient where to send
     * @param message the bytes; not changed or kept after the call
     * @throws IOException if the transport failed or the client is closed
     * @throws StreamModeActiveException once the client is in stream mode
     */
    public void sendPlainMessage(Recipient recipient, byte[] message) throws IOException {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(message, "message");
        checkMessageMode();
        transport.sendAnonymous(recipient, message.clone(), DEFAULT_REPLY_SURBS);
    }

    /**
     * Message mode: replies to the sender of a received message.
     *
     * @param senderTag the tag the received message carried
     * @param message the bytes; not changed or kept after the call
     * @throws IOException if the transport failed, the tag is unknown, or the client is closed
     * @throws StreamModeActiveException once the client is in stream mode
     */
    public void sendReply(SenderTag senderTag, byte[] message) throws IOException {
        Objects.requireNonNull(senderTag, "senderTag");
        Objects.requireNonNull(message, "message");
        checkMessageMode();
        transport.reply(senderTag, message.clone());
    }

    /**
     * Message mode: waits until at least one message has arrived, then returns every message
     * received and not yet taken, oldest first.
     *
     * @return one or more messages
     * @throws java.io.InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the client is closed
     * @throws StreamModeActiveException once the client is in stream mode, also while waiting
     */
    public List<InboundMessage> waitForMessages() throws IOException {
        checkReceivingMessages();
        return messages.takeAll(0);
    }

    /**
     * Message mode: like {@link #waitForMessages()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait; must be positive
     * @return the messages, or an empty list if none came in time
     * @throws IOException if the client is closed or the thread was interrupted
     * @throws StreamModeActiveException once the client is in stream mode
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public List<InboundMessage> waitForMessages(Duration timeout) throws IOException {
        long nanos = positiveNanos(timeout, "timeout");
        checkReceivingMessages();
        return messages.takeAll(nanos);
    }

    /**
     * Returns whether the client is in stream mode.
     *
     * @return {@code true} after the first {@link #openStream} or {@link #listener()}
     */
    public boolean isStreamMode() {
        return streamMode.get();
    }

    /**
     * Returns a snapshot of the client's counters.
     *
     * @return the counters now
     */
    public ClientStats stats() {
        long open = 0;
        for (MixnetStream stream : streams.values()) {
            if (!stream.isClosed() && !stream.isTerminated()) {
                open++;
            }
        }
        return counters.snapshot(open);
    }

    /**
     * Returns how many received bytes every stream together holds unread now, in order and out of
     * order: what counts against {@link Builder#maxTotalUnreadBytes(long)}. Zero once the client is
     * closed.
     *
     * @return bytes held in the streams' buffers
     */
    public long unreadBytes() {
        return unreadBudget.used();
    }

    /**
     * Returns whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes the client: every blocked read, accept and wait for messages throws an {@link
     * IOException} at once and every stream is closed; then the ends of stream still due are sent,
     * best effort, for at most two seconds in all, the router stops and the transport is closed.
     * A transport that takes no more data cannot hold the close up longer than that (plus the
     * transport's own close). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        IOException cause = new ClientClosedException("mixnet client closed");
        MixnetListener taken = listener.get();
        if (taken != null) {
            taken.shutdown(cause);
        }
        for (MixnetStream stream : streams.values()) {
            stream.closeByClient(cause);
        }
        streams.clear();
        closedStreams.clear();
        messages.close();
        routerThread.interrupt();
        sweepTicker.interrupt();
        boolean interrupted = false;
        for (Thread thread : List.of(routerThread, sweepTicker)) {
            interrupted |= Waits.joinUninterruptibly(thread);
        }
        interrupted |= controlSender.finish(CLOSE_SEND_DEADLINE);
        transport.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("mixnet client closed");
    }

    // ---- package-private: used by streams, the listener and the router ----

    MixnetTransport transport() {
        return transport;
    }

    Counters counters() {
        return counters;
    }

    Logger log() {
        return LOG;
    }

    int maxFramePayload() {
        return config.maxFramePayload();
    }

    MixnetListener takenListener() {
        return listener.get();
    }

    ReorderBuffer newReorderBuffer() {
        // Streams get whole received frames; their payload starts after the 16-byte header.
        return ReorderBuffer.forFrames(config.reorderWindow(), config.maxUnreadBytes(), unreadBudget,
                FrameCodec.HEADER_LENGTH, RECEIVED_FRAME_OVERHEAD);
    }

    /** Counts an Open or Data frame a stream's writer handed to the transport, and marks the stream's traffic. */
    void frameSent(MixnetStream stream, int payloadLength) {
        stream.markTraffic();
        counters.framesOut.increment();
        counters.bytesOut.add(payloadLength);
    }

    /**
     * Counts the packets and SURBs of any frame handed to the transport.
     *
     * @param frameLength the frame's length, header included
     * @param surbs reply SURBs it carried
     * @param anonymous whether it was sent anonymously (else as a reply)
     */
    void packetsSent(int frameLength, int surbs, boolean anonymous) {
        if (geometry != null) {
            counters.packetsOut.add(anonymous ? geometry.anonymousPackets(frameLength, surbs)
                    : geometry.replyPackets(frameLength));
            counters.surbsSent.add(surbs);
        }
    }

    /** A lane for a new stream: its own queue in the nym-client. */
    long nextLane() {
        return lanes.incrementAndGet();
    }

    Duration writeLinger() {
        return config.writeLinger();
    }

    boolean surbsOnEveryFrame() {
        return config.surbsOnEveryFrame();
    }

    /**
     * The credit each stream grants a peer of this library beyond what its reader took: the
     * window set, but at most half the stream's limit on unread bytes, so that one stream's share
     * leaves room below the limit; and never less
     * than {@link SendWindow#INITIAL_CREDIT}, which the peer sends before it hears a grant: a
     * smaller window would be exceeded by every stream's first bytes.
     */
    long receiveWindow() {
        return Math.max(SendWindow.INITIAL_CREDIT, Math.min(config.receiveWindow(), config.maxUnreadBytes() / 2));
    }

    /** The longest a frame for a peer of this library waits before it is sent again, back-off included. */
    long maxResendTimeoutNanos() {
        return config.maxResendTimeout().toNanos();
    }

    /** Whether this client speaks the library's extensions (flag on every frame, CREDIT and RESET). */
    boolean extensionsEnabled() {
        return config.extensions();
    }

    /** The sender of frames nobody waits for (ends of stream, OpenAck, Ping, Pong); it never blocks its callers. */
    ControlSender controlSender() {
        return controlSender;
    }

    /** The keepalive interval in nanoseconds, 0 for none. */
    long keepaliveNanos() {
        return config.keepaliveInterval().toNanos();
    }

    /**
     * A stream was closed by its application: the router moves it out of the stream table and
     * keeps its id for the linger, so late frames for it are dropped and its id is not reused.
     */
    void streamClosed(MixnetStream stream) {
        closedStreams.add(stream);
        router.wakeUp();
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new ClientClosedException("mixnet client closed");
        }
        IOException failure = transportFailure.get();
        if (failure != null) {
            throw new TransportFailedException("mixnet transport failed: " + failure.getMessage(), failure);
        }
    }

    /** Receiving needs message mode only: what came before a transport failure is still handed out. */
    private void checkReceivingMessages() {
        if (streamMode.get()) {
            throw new StreamModeActiveException();
        }
    }

    private void checkMessageMode() throws IOException {
        if (streamMode.get()) {
            throw new StreamModeActiveException();
        }
        ensureOpen();
    }

    private void enterStreamMode() {
        if (streamMode.compareAndSet(false, true)) {
            LOG.debug("stream mode started");
            router.wakeUp();
        }
    }

    /** The router thread (for tests: it must be gone after {@link #close()}). */
    Thread routerThread() {
        return routerThread;
    }

    private static long positiveNanos(Duration timeout, String what) {
        Objects.requireNonNull(timeout, what);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + timeout);
        }
        return Waits.saturatedNanos(timeout);
    }

    /**
     * Configures a {@link MixnetClient}. Every default is here, and every value is checked once,
     * in its setter, so {@link #build()} cannot fail on configuration.
     */
    public static final class Builder {

        /** Default idle timeout of a stream: 30 minutes, as the reference. */
        public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(30);
        /** Default limit on a stream's unread bytes (in order and out of order): 8 MiB. */
        public static final long DEFAULT_MAX_UNREAD_BYTES = 8L << 20;
        /** Default limit on the unread bytes of every stream together: 64 MiB. */
        public static final long DEFAULT_MAX_TOTAL_UNREAD_BYTES = 64L << 20;
        /** Default backlog of streams registered and not yet accepted: 1024. */
        public static final int DEFAULT_ACCEPT_BACKLOG = 1024;
        /** Default limit on Data frames held because they overtook their Open: 4096 frames. */
        public static final int DEFAULT_MAX_EARLY_FRAMES = 4096;
        /** Default limit on bytes held because they overtook their Open: 16 MiB. */
        public static final long DEFAULT_MAX_EARLY_BYTES = 16L << 20;
        /** Default time a Data frame waits for its Open: 2 minutes. */
        public static final Duration DEFAULT_EARLY_FRAME_TIMEOUT = Duration.ofMinutes(2);
        /** Default largest payload of one Data frame; larger writes are split: 1 MiB. */
        public static final int DEFAULT_MAX_FRAME_PAYLOAD = 1 << 20;
        /** Default out-of-order messages a stream buffers before skipping ahead: 256, as the reference. */
        public static final int DEFAULT_REORDER_WINDOW = ReorderBuffer.DEFAULT_MAX_BUFFERED_MESSAGES;
        /** Default time an opened stream may go without a frame from an armed peer before a Ping: 60 s, as upstream. */
        public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(60);
        /**
         * Default linger of a partly filled frame: 20 ms, the mean gap between a default
         * nym-client's packets. Bytes written within it share packets at no cost in time on
         * average (a packet leaves about every 20 ms anyway); a longer linger saves little more and
         * delays every answer that is not flushed.
         */
        public static final Duration DEFAULT_WRITE_LINGER = Duration.ofMillis(20);
        /**
         * The longest write linger: 10 s. Longer would hold bytes nobody flushed for longer than
         * any protocol waits, and keep closed streams' flushes scheduled as long.
         */
        public static final Duration MAX_WRITE_LINGER = Duration.ofSeconds(10);
        /**
         * Default credit a stream grants a peer of this library beyond what its reader took: 512
         * KiB. The Nym network moves about 80 KB a second per client, and a credit comes back a
         * round trip (about a second) plus up to a second of acknowledgement delay after the reader
         * took the data: about 160 KB in flight. Credit is granted when half the window was read,
         * so twice that, rounded up, keeps a fast reader's peer sending without pause.
         */
        public static final long DEFAULT_RECEIVE_WINDOW = 512L << 10;
        /** Default message-mode messages kept until taken: 4096. */
        public static final int DEFAULT_MESSAGE_QUEUE_CAPACITY = 4096;
        /** Default message-mode bytes kept until taken: 32 MiB (each message charged its length plus 96). */
        public static final long DEFAULT_MAX_MESSAGE_QUEUE_BYTES = 32L << 20;
        /**
         * How long a closed stream's id stays reserved (late frames for it are dropped as such, a
         * replayed Open is refused), and how long a stream ended by the client (reaped, failed)
         * keeps its unread bytes for its reader.
         */
        public static final Duration CLOSED_STREAM_LINGER = Duration.ofMinutes(2);
        /**
         * Closed stream ids remembered for the linger at most (about 24 bytes each); beyond it the
         * oldest are forgotten early, so under heavy churn the linger is shorter.
         */
        public static final int MAX_LINGERING_CLOSED_IDS = 65_536;

        private final MixnetTransport transport;
        private Duration streamIdleTimeout = DEFAULT_STREAM_IDLE_TIMEOUT;
        private long maxUnreadBytes = DEFAULT_MAX_UNREAD_BYTES;
        private long maxTotalUnreadBytes = DEFAULT_MAX_TOTAL_UNREAD_BYTES;
        private int acceptBacklog = DEFAULT_ACCEPT_BACKLOG;
        private int maxEarlyFrames = DEFAULT_MAX_EARLY_FRAMES;
        private long maxEarlyBytes = DEFAULT_MAX_EARLY_BYTES;
        private Duration earlyFrameTimeout = DEFAULT_EARLY_FRAME_TIMEOUT;
        private int maxFramePayload = DEFAULT_MAX_FRAME_PAYLOAD;
        private int reorderWindow = DEFAULT_REORDER_WINDOW;
        private int messageQueueCapacity = DEFAULT_MESSAGE_QUEUE_CAPACITY;
        private long maxMessageQueueBytes = DEFAULT_MAX_MESSAGE_QUEUE_BYTES;
        private Duration keepaliveInterval = DEFAULT_KEEPALIVE_INTERVAL;
        private Duration writeLinger = DEFAULT_WRITE_LINGER;
        private boolean surbsOnEveryFrame;
        private boolean extensions = true;
        private long receiveWindow = DEFAULT_RECEIVE_WINDOW;
        private Duration maxResendTimeout = Duration.ofNanos(RttEstimator.MAX_RTO_NANOS);

        private Builder(MixnetTransport transport) {
            this.transport = transport;
        }

        /**
         * Sets how long a stream may go without traffic in either direction before the client
         * closes it (its reader then gets an {@link IOException}). The sweep runs every
         * min(timeout / 2, 10 s) and credits traffic at the sweep after it, so an idle stream is
         * closed between one and two timeouts after its last frame, never before one.
         *
         * @param timeout positive, at most 100 years; default 30 minutes
         * @return this builder
         * @throws IllegalArgumentException if zero, negative or longer than 100 years
         */
        public Builder streamIdleTimeout(Duration timeout) {
            this.streamIdleTimeout = ArgumentChecks.positive(timeout, "streamIdleTimeout");
            return this;
        }

        /**
         * Sets how many bytes one stream may hold unread, in order and out of order, each received
         * frame counting its payload plus 48 bytes (its header and the memory that holds it), so
         * that a flood of empty or one-byte frames is bounded by what it really costs. Data beyond
         * it resets the stream locally: its reader gets an {@link IOException}, other streams are
         * untouched.
         *
         * @param bytes positive; default 8 MiB
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxUnreadBytes(long bytes) {
            this.maxUnreadBytes = ArgumentChecks.positive(bytes, "maxUnreadBytes");
            return this;
        }

        /**
         * Sets how many bytes all streams together may hold unread, in order and out of order
         * (counted as for {@link #maxUnreadBytes(long)}), so
         * that no peer, or set of peers, can exhaust the heap through many streams (the accept
         * backlog times {@link #maxUnreadBytes(long)} is far more than a heap). When Data does not
         * fit, the router resets the streams holding the most unread bytes, largest first, until it
         * fits; if the receiving stream itself holds the most, it is reset instead and the Data is
         * dropped ({@link DropReason#CLIENT_UNREAD_LIMIT}). A stream whose application keeps
         * reading holds little and is never the one reset while hoarders exist. Every reset is
         * counted in {@link ClientStats#streamsReset()}; its reader gets an {@link IOException}.
         *
         * @param bytes positive; default 64 MiB
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxTotalUnreadBytes(long bytes) {
            this.maxTotalUnreadBytes = ArgumentChecks.positive(bytes, "maxTotalUnreadBytes");
            return this;
        }

        /**
         * Sets how many streams may be registered and waiting for {@link MixnetListener#accept()};
         * Opens beyond it are dropped and counted.
         *
         * @param streams positive; default 1024
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder acceptBacklog(int streams) {
            this.acceptBacklog = ArgumentChecks.positive(streams, "acceptBacklog");
            return this;
        }

        /**
         * Sets how many Data frames, in all streams together, may be held because they arrived
         * before their stream's Open. When the store is full, the oldest frame of the sender that
         * holds the most is evicted to make room ({@link DropReason#EARLY_DATA_EVICTED}); if that
         * is the newcomer's own sender, the newcomer is dropped ({@link DropReason#EARLY_DATA_LIMIT}).
         * One stream holds at most its reorder window; Data without a sender tag is never held.
         *
         * @param frames positive; default 4096
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxEarlyFrames(int frames) {
            this.maxEarlyFrames = ArgumentChecks.positive(frames, "maxEarlyFrames");
            return this;
        }

        /**
         * Sets how many bytes, in all streams together, may be held because they arrived before
         * their stream's Open, each frame counting its payload plus 192 bytes (its header and the
         * memory that holds it); full, it evicts as {@link #maxEarlyFrames(int)} says.
         *
         * @param bytes positive; default 16 MiB
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxEarlyBytes(long bytes) {
            this.maxEarlyBytes = ArgumentChecks.positive(bytes, "maxEarlyBytes");
            return this;
        }

        /**
         * Sets how long a Data frame that arrived before its Open is held.
         *
         * @param timeout positive, at most 100 years; default 2 minutes
         * @return this builder
         * @throws IllegalArgumentException if zero, negative or longer than 100 years
         */
        public Builder earlyFrameTimeout(Duration timeout) {
            this.earlyFrameTimeout = ArgumentChecks.positive(timeout, "earlyFrameTimeout");
            return this;
        }

        /**
         * Sets the largest payload of one Data frame; a larger write is split into several frames.
         *
         * @param bytes positive; default 1 MiB
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxFramePayload(int bytes) {
            this.maxFramePayload = ArgumentChecks.positive(bytes, "maxFramePayload");
            return this;
        }

        /**
         * Sets how many messages a stream buffers out of order before it skips ahead past missing
         * ones (and reports the loss to its reader).
         *
         * @param messages positive; default 256, as the reference
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder reorderWindow(int messages) {
            this.reorderWindow = ArgumentChecks.positive(messages, "reorderWindow");
            return this;
        }

        /**
         * Sets the keepalive of opened streams whose peer speaks it (it sent an OpenAck, a Ping or
         * a Pong; newer Rust peers do): after this long without any frame from the peer, a Ping;
         * three that left without an answer fail the stream with {@link PeerUnresponsiveException}
         * (about four intervals of silence). Streams whose peer never showed it speaks keepalive are
         * never pinged. Pings from peers are answered whatever this is.
         *
         * @param interval positive, or {@link Duration#ZERO} for no keepalive; at most 100 years;
         *     default 60 s, as upstream
         * @return this builder
         * @throws IllegalArgumentException if negative or longer than 100 years
         */
        public Builder keepaliveInterval(Duration interval) {
            this.keepaliveInterval = ArgumentChecks.zeroOrPositive(interval, "keepaliveInterval");
            return this;
        }

        /**
         * Sets how long a partly filled frame waits for more bytes before it is sent, over a
         * transport that cuts messages into packets (a nym-client, the simulated mixnet with a
         * cost model): writes gather into frames that fill whole packets, and a frame leaves when
         * it is full, on {@code flush()}, on {@code shutdownOutput()} or {@code close()}, or once
         * this long has passed since its first byte. Writers never wait for it: the client's
         * sender thread sends what lingered. {@link Duration#ZERO} sends one message per write,
         * as the reference does; so does any transport that reports no packet geometry.
         *
         * @param linger zero or positive, at most {@link #MAX_WRITE_LINGER}; default 20 ms
         * @return this builder
         * @throws IllegalArgumentException if negative or longer than 10 s
         */
        public Builder writeLinger(Duration linger) {
            ArgumentChecks.zeroOrPositive(linger, "writeLinger");
            if (linger.compareTo(MAX_WRITE_LINGER) > 0) {
                throw new IllegalArgumentException("writeLinger must be at most 10 s, got " + linger);
            }
            this.writeLinger = linger;
            return this;
        }

        /**
         * Sets whether every Data frame of an opened stream carries the Open's reply SURBs, as the
         * reference does, instead of only the SURBs that fit its last packet's padding for free.
         * The reference's way costs about seven packets more per frame with legacy SURBs and
         * spares the acceptor's nym-client its requests for more; it pays only when the acceptor
         * sends far more than the opener, and then SURB requests cost less (see the project's
         * benchmarks).
         *
         * @param everyFrame {@code true} for the reference's policy; default {@code false}
         * @return this builder
         */
        public Builder surbsOnEveryFrame(boolean everyFrame) {
            this.surbsOnEveryFrame = everyFrame;
            return this;
        }

        /**
         * Sets whether this client speaks the library's protocol extensions with peers that speak
         * them too (PROTOCOL.md, section 9): flow control, resets, and recovery of lost messages.
         * Every frame then carries a flag (in the header byte the Rust SDK writes as 0 and does not
         * read) that tells a peer this client speaks them; extension frames go only to peers whose
         * frames carry it, so Rust peers see the protocol they know.
         *
         * @param enabled {@code false} to speak only the Rust SDK's protocol; default {@code true}
         * @return this builder
         */
        public Builder extensions(boolean enabled) {
            this.extensions = enabled;
            return this;
        }

        /**
         * Sets the credit each stream grants a peer of this library beyond what its reader took
         * (flow control, PROTOCOL.md section 9): the peer sends no more than that ahead of the
         * reader, so a slow reader is never reset for its unread bytes, and waits instead. The
         * window used is at most half of {@link #maxUnreadBytes(long)}, but never less than 64 KiB,
         * the credit a peer assumes before it hears the first grant (so with a limit on unread
         * bytes under 128 KiB a peer's first bytes can still exceed it). Peers that do not speak
         * the extensions are not flow-controlled.
         *
         * @param bytes at least 64 KiB (65536); default 512 KiB
         * @return this builder
         * @throws IllegalArgumentException if less than 64 KiB
         */
        public Builder receiveWindow(long bytes) {
            this.receiveWindow = ArgumentChecks.atLeast(bytes, SendWindow.INITIAL_CREDIT, "receiveWindow");
            return this;
        }

        /**
         * Caps the time a frame for a peer of this library waits for its acknowledgement before
         * it is sent again, back-off included (default {@link RttEstimator#MAX_RTO_NANOS}, 60 s).
         * Not public: tests lower it so that a stream whose peer is gone is given up after ten
         * sends in a fraction of a second instead of minutes.
         *
         * @param timeout positive, at most 100 years
         * @return this builder
         * @throws IllegalArgumentException if zero, negative or longer than 100 years
         */
        Builder maxResendTimeout(Duration timeout) {
            this.maxResendTimeout = ArgumentChecks.positive(timeout, "maxResendTimeout");
            return this;
        }

        /**
         * Sets how many message-mode messages are kept until {@link #waitForMessages()} takes
         * them; beyond it they are dropped and counted.
         *
         * @param messages positive; default 4096
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder messageQueueCapacity(int messages) {
            this.messageQueueCapacity = ArgumentChecks.positive(messages, "messageQueueCapacity");
            return this;
        }

        /**
         * Sets how many bytes of message-mode messages are kept until {@link #waitForMessages()}
         * takes them, each message charged its length plus 96 bytes for the memory that holds it;
         * beyond it messages are dropped and counted ({@link DropReason#MESSAGE_QUEUE_FULL}).
         *
         * @param bytes positive; default 32 MiB
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxMessageQueueBytes(long bytes) {
            this.maxMessageQueueBytes = ArgumentChecks.positive(bytes, "maxMessageQueueBytes");
            return this;
        }

        /**
         * Builds the client and starts its router.
         *
         * @return the client, in message mode
         */
        public MixnetClient build() {
            return new MixnetClient(transport, new Settings(streamIdleTimeout, maxUnreadBytes, acceptBacklog,
                    maxEarlyFrames, maxEarlyBytes, earlyFrameTimeout, maxFramePayload, reorderWindow,
                    messageQueueCapacity, maxMessageQueueBytes, maxTotalUnreadBytes, keepaliveInterval, writeLinger,
                    surbsOnEveryFrame, extensions, receiveWindow, maxResendTimeout));
        }

    }
}
