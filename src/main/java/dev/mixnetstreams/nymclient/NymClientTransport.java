package dev.mixnetstreams.nymclient;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.internal.ArgumentChecks;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MixnetTransport} over a Nym native client's ({@code nym-client}) WebSocket binary API,
 * using the JDK's {@link java.net.http.WebSocket}.
 *
 * <pre>{@code
 * try (MixnetClient client = MixnetClient.builder(
 *         NymClientTransport.connect(URI.create("ws://127.0.0.1:1977"))).build()) {
 *     ...
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Connect.</b> {@link #connect} opens the WebSocket, sends SelfAddress and waits for the
 *       answer, both within {@link Builder#connectTimeout}. nym-client serves one connection at a
 *       time: a second transport to the same nym-client is refused or closed by it.
 *   <li><b>Requests.</b> {@link #send} is Send (0x00; the receiver gets no sender tag), {@link
 *       #sendAnonymous} is SendAnonymous (0x01) with the SURB count, {@link #reply} is Reply (0x02).
 *       Sent on a lane (a stream's), the lane is the request's connection id, and nym-client
 *       answers with the lane's queue length (LaneQueueLength, 0x03); without one, the id is 0 and
 *       nothing answers.
 *   <li><b>Lanes.</b> {@link #awaitLane} waits while nym-client last reported a lane holding
 *       more packets than allowed, asking again ({@code GetLaneQueueLength}) every {@value
 *       #LANE_POLL_MILLIS} ms, so a fast writer cannot pile up data inside nym-client.
 *       {@link #packetGeometry()} is {@link Builder#packetGeometry}: how nym-client cuts messages
 *       into packets, so streams fill them.
 *   <li><b>Responses.</b> Received (0x01) goes into the bounded {@link #inbound()} queue with its
 *       sender tag, if any. Error (0x00) is logged (warn, with its kind and text), counted, kept as
 *       {@link #lastError()} and passed to {@link Builder#errorListener}; it does <em>not</em> fail
 *       the transport or any send, because nym-client answers asynchronously and an Error cannot be
 *       tied to the request that caused it. LaneQueueLength (0x03) is kept as {@link
 *       #lastLaneQueueLength()}. Malformed responses, text messages and messages larger than
 *       {@link Builder#maxMessageBytes} (whole or in parts) are logged (warn, once each), counted
 *       by reason ({@link #stats()}) and dropped, never fatal.
 *   <li><b>Fragments.</b> A binary message delivered in parts is reassembled, up to {@link
 *       Builder#maxMessageBytes}.
 *   <li><b>Outbound back-pressure.</b> Requests go out one at a time (the JDK WebSocket allows one
 *       outstanding send) from a queue owned by one writer virtual thread. The bytes queued or being
 *       sent are bounded by {@link Builder#maxBytesInFlight}: a sender that would exceed it waits
 *       (one message larger than the bound goes alone), for at most {@link Builder#sendTimeout},
 *       then fails with an {@link IOException}. Waiting senders go in first come, first served, so
 *       a large message is not starved by smaller ones sent after it.
 *   <li><b>Inbound back-pressure.</b> The transport asks the WebSocket for one message at a time
 *       ({@link WebSocket#request}) and asks for the next only once the previous one is in the
 *       inbound queue, which is bounded in messages and in bytes ({@link Builder#inboundCapacity},
 *       {@link Builder#maxInboundBytes}). When the queue is full, a virtual thread waits for room, so nothing is
 *       dropped and nothing more is read; TCP flow control then holds nym-client back. (While
 *       reading waits, a lost connection is noticed by the next send, or when reading resumes.)
 *   <li><b>Connection loss.</b> When nym-client closes the connection or it breaks, every blocked
 *       and later send fails at once with an {@link IOException} saying so, and the {@link
 *       #onFailure} callbacks run: a {@link dev.mixnetstreams.MixnetClient} over this transport
 *       then fails every stream, accept and message wait. Messages already received are kept: those
 *       in the inbound queue stay there, and one waiting for room in a full queue goes in as soon as
 *       the queue's consumer makes room. There is no automatic reconnection: a new transport (and a
 *       new client) is the way to go on; with a real nym-client the address stays the same.
 * </ul>
 *
 * <p>Thread-safe. No lock is held across WebSocket I/O. Parts: the {@code Outbox} (outgoing
 * requests, first come first served), the {@code InboundQueue} (received messages, bounded in
 * messages and bytes) and the {@code MessageAssembler} (fragments), each with its own guard; this
 * class's {@code lock} guards only {@code closed}, and no two of these locks are ever held at once.
 */
public final class NymClientTransport implements MixnetTransport {

    private static final Logger LOG = LoggerFactory.getLogger(NymClientTransport.class);
    /** How often a writer waiting for its lane asks nym-client again: about one packet's time. */
    static final long LANE_POLL_MILLIS = 20;

    private final URI uri;
    private final Settings settings;
    private final InboundQueue inbound;
    private final HttpClient http;
    /** Set once, by {@link #connect}, when the WebSocket is open. */
    private volatile WebSocket webSocket;

    /** Encoded requests not yet handed to the WebSocket; it has its own lock. */
    private final Outbox outbox;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Set once, under {@link #lock}: why the connection was lost. */
    private volatile IOException failure;
    /** Set once, by {@link #connect}: the thread that hands the outbox's requests to the WebSocket. */
    private volatile Thread writer;
    /**
     * The virtual thread waiting for room in the full inbound queue, if any: at most one, since
     * the next message is asked for only after it has put its own. It clears this itself before
     * asking, because the next message may start the next pusher.
     */
    private final AtomicReference<Thread> pusher = new AtomicReference<>();

    private final CompletableFuture<Recipient> selfAddress = new CompletableFuture<>();
    private final List<Consumer<IOException>> failureCallbacks = new CopyOnWriteArrayList<>();

    /**
     * Puts fragmented messages together: touched only by the listener's callbacks, which the JDK
     * runs one at a time and in order (on its threads, or on a pusher asking for the next message).
     */
    private final MessageAssembler assembler;

    /** What nym-client last said about each lane; it has its own lock. */
    private final LaneLengths lanes = new LaneLengths();

    private final LongAdder received = new LongAdder();
    private final LongAdder droppedAtClose = new LongAdder();
    private final LongAdder errorResponses = new LongAdder();
    private final LongAdder inboundFullPauses = new LongAdder();
    private final LongAdder requestsSent = new LongAdder();
    private final AtomicLongArray malformed = new AtomicLongArray(Malformed.values().length);
    private final LongAdder oversized = new LongAdder();
    private final LongAdder textMessages = new LongAdder();
    private volatile NymResponse.Error lastError;
    private volatile NymResponse.LaneQueueLength lastLaneQueueLength;

    /** The configuration, copied from the builder when the transport connected. */
    private record Settings(Duration connectTimeout, Duration sendTimeout, Duration closeTimeout,
                            int inboundCapacity, long maxInboundBytes, long maxBytesInFlight, int maxMessageBytes,
                            Consumer<NymResponse.Error> errorListener, ThreadFactory inboundThreads,
                            PacketGeometry packetGeometry) {
    }

    private NymClientTransport(URI uri, Settings settings) {
        this.uri = uri;
        this.settings = settings;
        this.inbound = new InboundQueue(settings.inboundCapacity(), settings.maxInboundBytes());
        this.outbox = new Outbox(settings.maxBytesInFlight(), uri.toString());
        this.assembler = new MessageAssembler(settings.maxMessageBytes());
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    }

    /**
     * Connects to a nym-client with every default; the same as {@code builder(uri).connect()}.
     *
     * @param uri for example {@code ws://127.0.0.1:1977}
     * @return the connected transport, its {@link #address()} known
     * @throws IOException if the connection fails or nym-client does not tell its address in time
     */
    public static NymClientTransport connect(URI uri) throws IOException {
        return builder(uri).connect();
    }

    /**
     * Starts configuring a transport to a nym-client.
     *
     * @param uri for example {@code ws://127.0.0.1:1977}
     * @return a builder with every default set
     */
    public static Builder builder(URI uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    private static NymClientTransport connect(URI uri, Settings settings) throws IOException {
        NymClientTransport t = new NymClientTransport(uri, settings);
        Duration connectTimeout = settings.connectTimeout();
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        try {
            WebSocket ws = t.http.newWebSocketBuilder().connectTimeout(connectTimeout)
                    .buildAsync(uri, t.new Listener()).get(connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
            t.webSocket = ws;
            t.writer = Thread.ofVirtual().name("nym-client-writer").start(t::writeLoop);
            t.submit(NymCodec.encode(new NymRequest.SelfAddress()));
            Recipient address = t.selfAddress.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            LOG.debug("connected to nym-client at {}: {}", uri, address);
            return t;
        } catch (ExecutionException e) {
            t.close();
            Throwable cause = e.getCause();
            throw new IOException("cannot connect to nym-client at " + uri + ": " + cause, cause);
        } catch (TimeoutException e) {
            t.close();
            throw new IOException("nym-client at " + uri + " did not connect and tell its address within "
                    + connectTimeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            t.close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to nym-client at " + uri);
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * Returns nym-client's own address, as it answered SelfAddress.
     *
     * @return the address
     */
    @Override
    public Recipient address() {
        return selfAddress.getNow(null);
    }

    /**
     * Returns the WebSocket URI this transport connected to.
     *
     * @return the URI
     */
    public URI uri() {
        return uri;
    }

    /**
     * Sends a Send request (0x00): the receiver gets no sender tag.
     *
     * @param recipient where to send
     * @param message the bytes
     * @throws IOException if the connection is lost or closed, or no room came within the send
     *     timeout
     */
    @Override
    public void send(Recipient recipient, byte[] message) throws IOException {
        submit(NymCodec.encode(new NymRequest.Send(recipient, 0, message)));
    }

    /**
     * Sends a SendAnonymous request (0x01) with {@code replySurbs} reply SURBs: the receiver gets a
     * sender tag.
     *
     * @param recipient where to send
     * @param message the bytes
     * @param replySurbs 0 or more
     * @throws IOException if the connection is lost or closed, or no room came within the send
     *     timeout
     */
    @Override
    public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
        ArgumentChecks.notNegative(replySurbs, "replySurbs");
        submit(NymCodec.encode(new NymRequest.SendAnonymous(recipient, replySurbs, 0, message)));
    }

    /**
     * Sends a SendAnonymous request (0x01) with the lane as its connection id; nym-client answers
     * with the lane's length.
     *
     * @param recipient where to send
     * @param message the bytes
     * @param replySurbs 0 or more
     * @param lane the lane, 1 or more
     * @throws IOException if the connection is lost or closed, or no room came within the send
     *     timeout
     */
    @Override
    public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs, long lane) throws IOException {
        ArgumentChecks.notNegative(replySurbs, "replySurbs");
        submit(NymCodec.encode(new NymRequest.SendAnonymous(recipient, replySurbs, lane, message)));
    }

    /**
     * Sends a Reply request (0x02) to the sender behind a tag. An unknown tag is reported by
     * nym-client as an Error response, asynchronously (see {@link #lastError()}).
     *
     * @param senderTag the tag an inbound message carried
     * @param message the bytes
     * @throws IOException if the connection is lost or closed, or no room came within the send
     *     timeout
     */
    @Override
    public void reply(SenderTag senderTag, byte[] message) throws IOException {
        reply(senderTag, message, 0);
    }

    /**
     * Sends a Reply request (0x02) with the lane as its connection id; nym-client answers with the
     * lane's length.
     *
     * @param senderTag the tag an inbound message carried
     * @param message the bytes
     * @param lane the lane, 1 or more
     * @throws IOException if the connection is lost or closed, or no room came within the send
     *     timeout
     */
    @Override
    public void reply(SenderTag senderTag, byte[] message, long lane) throws IOException {
        submit(NymCodec.encode(new NymRequest.Reply(senderTag, lane, message)));
    }

    /**
     * Waits while nym-client last reported the lane holding more than {@code maxQueuedPackets}
     * packets, asking it again every {@value #LANE_POLL_MILLIS} ms.
     *
     * @param lane the lane
     * @param maxQueuedPackets the most packets the lane may hold
     * @return {@code true} once the lane has room; {@code false} if {@link #wakeLane} came first,
     *     or the transport closed
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the connection is lost
     */
    @Override
    public boolean awaitLane(long lane, int maxQueuedPackets) throws IOException {
        try {
            return lanes.await(lane, maxQueuedPackets, TimeUnit.MILLISECONDS.toNanos(LANE_POLL_MILLIS),
                    () -> submit(NymCodec.encode(new NymRequest.GetLaneQueueLength(lane))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for room in nym-client's lane");
        }
    }

    @Override
    public void wakeLane(long lane) {
        lanes.wake(lane);
    }

    /**
     * Returns how nym-client cuts messages into packets: {@link Builder#packetGeometry}.
     *
     * @return the geometry
     */
    @Override
    public Optional<PacketGeometry> packetGeometry() {
        return Optional.of(settings.packetGeometry());
    }

    /**
     * Sends any request as it is, for example {@link NymRequest.GetLaneQueueLength} (whose answer
     * becomes {@link #lastLaneQueueLength()}) or a request with a connection id.
     *
     * @param request the request
     * @throws IOException if the connection is lost or closed, or no room came within the send
     *     timeout
     */
    public void sendRequest(NymRequest request) throws IOException {
        submit(NymCodec.encode(request));
    }

    /** Sends bytes as one binary message, well-formed or not (tests provoke Error responses). */
    void sendRaw(byte[] bytes) throws IOException {
        submit(bytes.clone());
    }

    /**
     * Returns the queue Received messages go into, bounded in messages and in bytes ({@link
     * Builder#inboundCapacity}, {@link Builder#maxInboundBytes}); its one consumer takes with
     * {@code poll}, {@code take} or {@code drainTo}.
     *
     * @return the queue, the same on every call
     */
    @Override
    public BlockingQueue<InboundMessage> inbound() {
        return inbound;
    }

    /**
     * Registers a callback for the connection being lost; see {@link MixnetTransport#onFailure}.
     * Each callback runs at most once; not after {@link #close()}.
     *
     * @param callback called with the cause
     */
    @Override
    public void onFailure(Consumer<IOException> callback) {
        Objects.requireNonNull(callback, "callback");
        AtomicBoolean ran = new AtomicBoolean();
        Consumer<IOException> once = cause -> {
            if (ran.compareAndSet(false, true)) {
                callback.accept(cause);
            }
        };
        failureCallbacks.add(once);
        IOException cause = failure;
        if (cause != null) {
            failureCallbacks.remove(once);
            once.accept(cause);
        }
    }

    /**
     * Returns why the connection was lost, if it was.
     *
     * @return the cause, or empty while connected (and after a plain {@link #close()})
     */
    public Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Returns the last Error response nym-client sent.
     *
     * @return the error, or empty if none came
     */
    public Optional<NymResponse.Error> lastError() {
        return Optional.ofNullable(lastError);
    }

    /**
     * Returns the last LaneQueueLength response nym-client sent.
     *
     * @return the response, or empty if none came
     */
    public Optional<NymResponse.LaneQueueLength> lastLaneQueueLength() {
        return Optional.ofNullable(lastLaneQueueLength);
    }

    /**
     * Returns a snapshot of the counters.
     *
     * @return the counters now
     */
    public Stats stats() {
        Map<Malformed, Long> byReason = new EnumMap<>(Malformed.class);
        for (Malformed m : Malformed.values()) {
            long n = malformed.get(m.ordinal());
            if (n > 0) {
                byReason.put(m, n);
            }
        }
        return new Stats(requestsSent.sum(), received.sum(), droppedAtClose.sum(), errorResponses.sum(),
                Map.copyOf(byReason), oversized.sum(), textMessages.sum(), inboundFullPauses.sum(), inbound.bytes(),
                outbox.bytes(), outbox.waitingSenders());
    }

    /**
     * Closes the transport: sends fail from now on; requests already queued are given to the
     * WebSocket for up to {@link Builder#closeTimeout}, then the connection is closed. Messages in
     * the inbound queue stay; one waiting for room in a full queue is dropped and counted ({@link
     * Stats#messagesDroppedAtClose()}). Idempotent; does not run the failure callbacks.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        outbox.close();
        lanes.wakeAll();
        failureCallbacks.clear();
        boolean interrupted = false;
        Thread p = pusher.get();
        if (p != null && p != Thread.currentThread()) {
            p.interrupt(); // it drops its message, counted, and ends
            try {
                p.join(settings.closeTimeout());
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        Thread w = writer;
        if (w != null) {
            try {
                if (!w.join(settings.closeTimeout())) {
                    w.interrupt();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                w.interrupt();
            }
        }
        WebSocket ws = webSocket;
        if (ws != null) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("close handshake with nym-client did not complete: {}", e.toString());
            }
            ws.abort();
        }
        http.shutdownNow();
        selfAddress.completeExceptionally(new IOException("transport closed"));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("nym-client transport to {} closed", uri);
    }

    /**
     * Describes the transport for logs.
     *
     * @return its URI, address and state
     */
    @Override
    public String toString() {
        return "NymClientTransport[" + uri + ", " + address() + (failure != null ? ", failed" : "") + "]";
    }

    // ---- outbound ----

    private void submit(byte[] request) throws IOException {
        outbox.submit(request, settings.sendTimeout());
        requestsSent.increment();
    }

    /** The writer: hands queued requests to the WebSocket one at a time. */
    private void writeLoop() {
        byte[] next;
        while ((next = outbox.awaitNext()) != null) {
            try {
                webSocket.sendBinary(ByteBuffer.wrap(next), true).get();
            } catch (ExecutionException e) {
                fail(new IOException("sending to nym-client failed: " + e.getCause(), e.getCause()));
                return;
            } catch (InterruptedException e) {
                return; // close() gave up waiting
            }
            outbox.sent();
        }
    }

    // ---- failure ----

    private void fail(IOException cause) {
        lock.lock();
        try {
            if (failure != null || closed) {
                return;
            }
            failure = cause;
        } finally {
            lock.unlock();
        }
        outbox.fail(cause);
        lanes.wakeAll();
        LOG.warn("nym-client at {}: {}", uri, cause.getMessage());
        selfAddress.completeExceptionally(cause);
        Thread w = writer;
        if (w != null) {
            w.interrupt();
        }
        for (Consumer<IOException> callback : failureCallbacks) {
            try {
                callback.accept(cause);
            } catch (RuntimeException e) {
                LOG.error("failure callback threw", e);
            }
        }
        failureCallbacks.clear();
        WebSocket ws = webSocket;
        if (ws != null) {
            ws.abort();
        }
    }

    // ---- inbound ----

    /** Handles one whole message; returns whether the next may be requested now. */
    private boolean handle(byte[] bytes) {
        Decoded<NymResponse> decoded = NymCodec.decodeResponse(bytes);
        if (!decoded.isOk()) {
            malformed.incrementAndGet(decoded.malformed().ordinal());
            LOG.warn("nym-client at {}: dropped a malformed response ({}): {}", uri, decoded.malformed(), decoded.detail());
            return true;
        }
        switch (decoded.value()) {
            case NymResponse.Received r -> {
                received.increment();
                InboundMessage message = r.toInboundMessage();
                if (!inbound.offer(message)) {
                    inboundFullPauses.increment();
                    waitForRoom(message);
                    return false;
                }
            }
            case NymResponse.SelfAddress a -> selfAddress.complete(a.address());
            case NymResponse.Error e -> {
                errorResponses.increment();
                lastError = e;
                LOG.warn("nym-client at {} answered with an error, {}: {}", uri, NymResponse.Error.kindName(e.kind()),
                        e.message());
                Consumer<NymResponse.Error> listener = settings.errorListener();
                if (listener != null) {
                    try {
                        listener.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.error("error listener threw", ex);
                    }
                }
            }
            case NymResponse.LaneQueueLength l -> {
                lastLaneQueueLength = l;
                lanes.update(l.lane(), l.queueLength());
                LOG.debug("nym-client lane {}: {} queued", l.lane(), l.queueLength());
            }
        }
        return true;
    }

    /**
     * The inbound queue is full: a virtual thread waits for room, puts the message, then asks for
     * the next one. A lost connection does not stop it (the queue's consumer still takes what was
     * received); {@link #close()} does, and the message is counted as dropped at close.
     */
    private void waitForRoom(InboundMessage message) {
        Thread t = settings.inboundThreads().newThread(() -> push(message));
        pusher.set(t);
        t.start();
    }

    /** The pusher's work: see {@link #waitForRoom}. */
    private void push(InboundMessage message) {
        boolean put = false;
        while (!put && !isClosed()) {
            try {
                inbound.put(message);
                put = true;
            } catch (InterruptedException e) {
                // close() interrupts; the loop checks it
            }
        }
        // Before asking for the next message, which may start the next pusher: close() must see that one.
        pusher.compareAndSet(Thread.currentThread(), null);
        if (!put) {
            droppedAtClose.increment();
            return;
        }
        WebSocket ws = webSocket;
        if (ws != null && failure == null && !isClosed()) {
            ws.request(1);
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Counts and logs one message dropped for exceeding the limit, whether it came whole or in parts. */
    private void dropOversized() {
        oversized.increment();
        LOG.warn("nym-client at {}: dropped a message larger than {} bytes", uri, settings.maxMessageBytes());
    }

    /** The JDK WebSocket's callbacks: one at a time, one message requested at a time. */
    private final class Listener implements WebSocket.Listener {

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (!last) {
                assembler.add(data);
                ws.request(1);
                return null;
            }
            byte[] whole = assembler.finish(data);
            if (whole == null) {
                dropOversized();
            } else if (!handle(whole)) {
                return null; // a pusher asks for the next message once this one is queued
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (last) {
                textMessages.increment();
                LOG.warn("nym-client at {}: dropped a text message (this transport speaks the binary API)", uri);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            fail(new IOException("nym-client at " + uri + " closed the connection (status " + statusCode
                    + (reason == null || reason.isEmpty() ? "" : ", " + reason) + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            fail(new IOException("connection to nym-client at " + uri + " broke: " + error, error));
        }
    }

    /**
     * Counters of a {@link NymClientTransport}.
     *
     * @param requestsSent requests queued for sending (including SelfAddress)
     * @param messagesReceived Received responses decoded: each went into the inbound queue, waits
     *     for room in it (at most one at a time), or was dropped at close ({@code
     *     messagesDroppedAtClose}); messages dropped before decoding are counted as oversized or
     *     malformed, not here
     * @param messagesDroppedAtClose received messages dropped because {@link
     *     NymClientTransport#close()} came while they waited for room in the full inbound queue (a
     *     lost connection drops none)
     * @param errorResponses Error responses
     * @param malformedResponses malformed responses dropped, by reason (only reasons seen)
     * @param oversizedMessages messages dropped for exceeding {@link Builder#maxMessageBytes}
     * @param textMessages text messages dropped
     * @param inboundFullPauses times the inbound queue was full and reading paused until it had room
     * @param inboundBytes bytes charged for the messages in the inbound queue now (length plus 96 each)
     * @param bytesInFlight request bytes queued or being sent now
     * @param blockedSenders senders waiting now for their turn and room in the bytes in flight
     */
    public record Stats(long requestsSent, long messagesReceived, long messagesDroppedAtClose,
                        long errorResponses, Map<Malformed, Long> malformedResponses, long oversizedMessages,
                        long textMessages, long inboundFullPauses, long inboundBytes, long bytesInFlight,
                        int blockedSenders) {
    }

    /**
     * Configures a {@link NymClientTransport}. Every default is here, and every value is checked
     * once, in its setter; {@link #connect()} copies them into the transport.
     */
    public static final class Builder {

        /** Default time to connect, including the SelfAddress answer: 10 seconds. */
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        /** Default time a send waits for room before it fails: 2 minutes. */
        public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofMinutes(2);
        /** Default time {@link NymClientTransport#close()} lets queued requests go out: 5 seconds. */
        public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
        /** Default capacity of the inbound queue: 4096 messages. */
        public static final int DEFAULT_INBOUND_CAPACITY = 4096;
        /** Default byte bound of the inbound queue: 64 MiB (each message charged its length plus 96). */
        public static final long DEFAULT_MAX_INBOUND_BYTES = 64L << 20;
        /** Default bound on request bytes queued or being sent: 4 MiB. */
        public static final long DEFAULT_MAX_BYTES_IN_FLIGHT = 4L << 20;
        /** Default largest response accepted: 32 MiB. */
        public static final int DEFAULT_MAX_MESSAGE_BYTES = 32 << 20;

        private final URI uri;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private int inboundCapacity = DEFAULT_INBOUND_CAPACITY;
        private long maxInboundBytes = DEFAULT_MAX_INBOUND_BYTES;
        private long maxBytesInFlight = DEFAULT_MAX_BYTES_IN_FLIGHT;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Consumer<NymResponse.Error> errorListener;
        private ThreadFactory inboundThreads = Thread.ofVirtual().name("nym-client-inbound").factory();
        private PacketGeometry packetGeometry = PacketGeometry.NYM_LEGACY_SURBS;

        private Builder(URI uri) {
            this.uri = uri;
        }

        /**
         * Sets how long connecting, including the SelfAddress answer, may take.
         *
         * @param timeout positive, at most 100 years; default 10 s
         * @return this builder
         * @throws IllegalArgumentException if zero, negative or longer than 100 years
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = ArgumentChecks.positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets how long a send may wait for room (see {@link #maxBytesInFlight}) before it fails.
         *
         * @param timeout positive, at most 100 years; default 2 minutes
         * @return this builder
         * @throws IllegalArgumentException if zero, negative or longer than 100 years
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = ArgumentChecks.positive(timeout, "sendTimeout");
            return this;
        }

        /**
         * Sets how long {@link NymClientTransport#close()} lets queued requests go out, and waits
         * for the close handshake.
         *
         * @param timeout positive, at most 100 years; default 5 s
         * @return this builder
         * @throws IllegalArgumentException if zero, negative or longer than 100 years
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = ArgumentChecks.positive(timeout, "closeTimeout");
            return this;
        }

        /**
         * Sets how many messages the inbound queue holds; when it is full, reading pauses (nothing
         * is dropped).
         *
         * @param messages positive; default 4096
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder inboundCapacity(int messages) {
            this.inboundCapacity = ArgumentChecks.positive(messages, "inboundCapacity");
            return this;
        }

        /**
         * Sets how many bytes the inbound queue holds, each message charged its length plus 96;
         * when it is full, reading pauses (nothing is dropped). One message larger than this goes
         * in alone.
         *
         * @param bytes positive; default 64 MiB
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder maxInboundBytes(long bytes) {
            this.maxInboundBytes = ArgumentChecks.positive(bytes, "maxInboundBytes");
            return this;
        }

        /**
         * Sets how many request bytes may be queued or being sent before senders wait (first come,
         * first served).
         *
         * @param bytes positive; default 4 MiB
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder maxBytesInFlight(long bytes) {
            this.maxBytesInFlight = ArgumentChecks.positive(bytes, "maxBytesInFlight");
            return this;
        }

        /**
         * Sets the largest response accepted (after reassembling fragments); larger ones are
         * logged, counted and dropped.
         *
         * @param bytes positive; default 32 MiB
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = ArgumentChecks.positive(bytes, "maxMessageBytes");
            return this;
        }

        /**
         * Sets a listener for Error responses, called on the WebSocket's thread; it must not block.
         *
         * @param listener the listener, or {@code null} for none (the default; errors are still
         *     logged and counted)
         * @return this builder
         */
        public Builder errorListener(Consumer<NymResponse.Error> listener) {
            this.errorListener = listener;
            return this;
        }

        /**
         * Sets how the nym-client cuts messages into packets, which streams over this transport
         * fill: {@link PacketGeometry#NYM_LEGACY_SURBS} for a nym-client with its default {@code
         * use_legacy_sphinx_format = true}, {@link PacketGeometry#NYM_CURRENT_SURBS} for one
         * configured with the newer, smaller reply SURBs.
         *
         * @param geometry the geometry; default {@link PacketGeometry#NYM_LEGACY_SURBS}
         * @return this builder
         */
        public Builder packetGeometry(PacketGeometry geometry) {
            this.packetGeometry = Objects.requireNonNull(geometry, "packetGeometry");
            return this;
        }

        /** Sets the factory of the threads that wait for room in a full inbound queue (for tests). */
        Builder inboundThreads(ThreadFactory factory) {
            this.inboundThreads = Objects.requireNonNull(factory, "inboundThreads");
            return this;
        }

        /**
         * Connects: opens the WebSocket, asks SelfAddress and waits for the answer, all within
         * {@link #connectTimeout}.
         *
         * @return the connected transport, its {@link NymClientTransport#address()} known
         * @throws IOException if the connection fails or nym-client does not tell its address in time
         * @throws InterruptedIOException if the thread is interrupted while connecting (flag set again)
         */
        public NymClientTransport connect() throws IOException {
            return NymClientTransport.connect(uri, new Settings(connectTimeout, sendTimeout, closeTimeout,
                    inboundCapacity, maxInboundBytes, maxBytesInFlight, maxMessageBytes, errorListener,
                    inboundThreads, packetGeometry));
        }
    }
}
