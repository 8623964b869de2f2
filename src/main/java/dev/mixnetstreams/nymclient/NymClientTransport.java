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
import java.util.concurrent.atomic.AtomicLong;
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
 *   <li><b>Connection loss and reconnection.</b> When nym-client closes the connection or it
 *       breaks (nym-client restarts, say), the transport reconnects. A loss is noticed when the
 *       WebSocket reports it, or when a write fails: an idle connection is checked with a
 *       WebSocket Ping every {@link Builder#pingInterval} (5 s), since the JDK's WebSocket can miss
 *       an end of input that arrives while a message is handled. The transport tries again after {@link
 *       Builder#reconnectDelays first} 100 ms, doubling the wait up to 5 s, for up to {@link
 *       Builder#reconnectTimeout} (by default for ever). While the connection is away, every
 *       blocked and later send fails at once with an {@link IOException} saying so ("not connected
 *       to nym-client … reconnecting"): requests queued for the lost connection are dropped,
 *       never sent over the next one. Each loss is logged once (warn), each return once (info),
 *       and both are told to the {@linkplain #addConnectionListener connection listeners}: a
 *       {@link dev.mixnetstreams.MixnetClient} over this transport fails the streams open at the
 *       loss (their messages in flight may be lost) and keeps its listener, so new streams work
 *       again once the connection is back. The nym-client that answers must be the same client:
 *       its SelfAddress is checked, and another address fails the transport for good (logged as
 *       an error). Messages already received are kept: those in the inbound queue stay there, and
 *       one waiting for room in a full queue goes in before anything the new connection brings.
 *       Messages nym-client sends before it has answered SelfAddress go into the queue too.
 *   <li><b>Failure.</b> If the connection does not come back within {@link
 *       Builder#reconnectTimeout} (with a timeout of zero: at the first loss), or comes back as
 *       another client, the transport fails for good: every send fails with an {@link IOException}
 *       saying why, and the {@link #onFailure} callbacks run (a {@code MixnetClient} then fails
 *       every stream, accept and message wait). A new transport (and client) is then the way on.
 * </ul>
 *
 * <p>Thread-safe. No lock is held across WebSocket I/O. Parts: the {@code Outbox} (outgoing
 * requests, first come first served), the {@code InboundQueue} (received messages, bounded in
 * messages and bytes), the {@code LaneLengths} and, per connection, a {@code MessageAssembler}
 * (fragments), each with its own guard. This class's {@code lock} guards the connection's state
 * ({@code closed}, the connection in use, the failure, the reconnecting thread); the outbox's lock
 * is taken inside it when a connection is lost or installed, never the other way round. Its {@code
 * events} lock, taken before it, keeps the losses and returns told to the connection listeners in
 * the order they happened. No other two locks are ever held at once.
 */
public final class NymClientTransport implements MixnetTransport {

    private static final Logger LOG = LoggerFactory.getLogger(NymClientTransport.class);
    /** How often a writer waiting for its lane asks nym-client again: about one packet's time. */
    static final long LANE_POLL_MILLIS = 20;

    private final URI uri;
    private final Settings settings;
    private final InboundQueue inbound;
    private final HttpClient http;

    /** Encoded requests not yet handed to the WebSocket; it has its own lock. */
    private final Outbox outbox;

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Held while a loss or a return of the connection is carried out and told to the connection
     * listeners, so that they hear of each in the order it happened; taken before {@link #lock}.
     * Listeners do not block, so it is held briefly.
     */
    private final ReentrantLock events = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /**
     * The connection in use: written under {@link #lock}, read anywhere. {@code null} before
     * {@link #connect}, while reconnecting, and after a failure or {@link #close()}.
     */
    private volatile Link link;
    /** Set once, under {@link #lock}: why the transport failed for good. */
    private volatile IOException failure;
    /** Guarded by {@link #lock}: the thread reconnecting now, if any. */
    private Thread reconnector;
    /** Written under {@link #lock} with {@link #lastLoss}: when the connection was last lost ({@link System#nanoTime()}). */
    private volatile long lostAtNanos;
    /** Written under {@link #lock}: why the connection was last lost, if it ever was. */
    private volatile IOException lastLoss;
    /** Set once, by {@link #connect}: nym-client's address, which every later connection must answer too. */
    private volatile Recipient address;
    /** Set once, by {@link #connect}: the thread that hands the outbox's requests to the WebSocket. */
    private volatile Thread writer;
    /**
     * The virtual thread waiting for room in the full inbound queue, if any: at most one, since
     * the next message is asked for only after it has put its own, and a new connection is opened
     * only once it is done. It clears this itself before asking, because the next message may
     * start the next pusher.
     */
    private final AtomicReference<Thread> pusher = new AtomicReference<>();
    /** Numbers the connections, for logs. */
    private final AtomicLong linkNumbers = new AtomicLong();

    private final List<Consumer<IOException>> failureCallbacks = new CopyOnWriteArrayList<>();
    private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();

    /** What nym-client last said about each lane; it has its own lock. */
    private final LaneLengths lanes = new LaneLengths();

    private final LongAdder received = new LongAdder();
    private final LongAdder droppedAtClose = new LongAdder();
    private final LongAdder errorResponses = new LongAdder();
    private final LongAdder inboundFullPauses = new LongAdder();
    private final LongAdder requestsSent = new LongAdder();
    private final LongAdder connectionsLost = new LongAdder();
    private final LongAdder reconnections = new LongAdder();
    private final LongAdder requestsDroppedAtLoss = new LongAdder();
    private final AtomicLongArray malformed = new AtomicLongArray(Malformed.values().length);
    private final LongAdder oversized = new LongAdder();
    private final LongAdder textMessages = new LongAdder();
    private volatile NymResponse.Error lastError;
    private volatile NymResponse.LaneQueueLength lastLaneQueueLength;

    /** The configuration, copied from the builder when the transport connected. */
    private record Settings(Duration connectTimeout, Duration sendTimeout, Duration closeTimeout,
                            int inboundCapacity, long maxInboundBytes, long maxBytesInFlight, int maxMessageBytes,
                            Consumer<NymResponse.Error> errorListener, ThreadFactory inboundThreads,
                            PacketGeometry packetGeometry, Duration reconnectTimeout, Duration firstReconnectDelay,
                            Duration maxReconnectDelay, Duration pingInterval) {
    }

    private NymClientTransport(URI uri, Settings settings) {
        this.uri = uri;
        this.settings = settings;
        this.inbound = new InboundQueue(settings.inboundCapacity(), settings.maxInboundBytes());
        this.outbox = new Outbox(settings.maxBytesInFlight(), uri.toString());
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    }

    /**
     * Connects to a nym-client with every default; the same as {@code builder(uri).connect()}. The
     * transport reconnects by itself when the connection is lost (see the class description).
     *
     * @param uri for example {@code ws://127.0.0.1:1977}
     * @return the connected transport, its {@link #address()} known
     * @throws IOException if the connection fails or nym-client does not tell its address in time;
     *     the message says why in a user's words ("connection refused — is nym-client running at
     *     ws://127.0.0.1:1977?")
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
        Link first;
        try {
            first = t.open(settings.connectTimeout());
        } catch (IOException | RuntimeException e) {
            t.http.shutdownNow();
            throw e;
        }
        t.address = first.address;
        t.writer = Thread.ofVirtual().name("nym-client-writer").start(t::writeLoop);
        t.install(first);
        t.lostMeanwhile(first);
        LOG.debug("connected to nym-client at {}: {}", uri, first.address);
        return t;
    }

    /**
     * Opens one connection: the WebSocket, then SelfAddress and its answer, all within {@code
     * timeout}. The connection is not in use yet ({@link #install}); what it receives meanwhile goes
     * into the inbound queue.
     */
    private Link open(Duration timeout) throws IOException {
        Link l = new Link(linkNumbers.incrementAndGet());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(timeout)
                    .buildAsync(uri, l).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            l.webSocket = ws;
            // Not through the outbox, which belongs to the connection in use (none while reconnecting).
            ws.sendBinary(ByteBuffer.wrap(NymCodec.encode(new NymRequest.SelfAddress())), true)
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            requestsSent.increment();
            l.address = l.selfAddress.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return l;
        } catch (ExecutionException e) {
            l.abandon();
            throw cannotConnect(e.getCause());
        } catch (TimeoutException e) {
            l.abandon();
            throw new IOException("nym-client at " + uri + " did not connect and tell its address within "
                    + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            l.abandon();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to nym-client at " + uri);
        } catch (RuntimeException e) {
            l.abandon();
            throw e;
        }
    }

    /** Why connecting failed, in a user's words, with the cause attached. */
    private IOException cannotConnect(Throwable cause) {
        Throwable root = cause;
        while ((root instanceof ExecutionException || root instanceof java.util.concurrent.CompletionException)
                && root.getCause() != null) {
            root = root.getCause();
        }
        String why;
        if (root instanceof ConnectionLost lost) {
            why = lost.getMessage(); // closed or broke during the handshake: says so already
        } else if (root instanceof java.net.http.HttpConnectTimeoutException) {
            why = "nym-client at " + uri + " did not accept the connection within "
                    + settings.connectTimeout().toMillis() + " ms";
        } else if (root instanceof java.net.ConnectException) {
            why = "connection refused — is nym-client running at " + uri + "?";
        } else if (root instanceof java.net.http.WebSocketHandshakeException h) {
            why = uri + " answered, but not as a nym-client WebSocket (HTTP status " + h.getResponse().statusCode()
                    + ") — is that nym-client's port?";
        } else if (root instanceof java.nio.channels.UnresolvedAddressException
                || root instanceof java.net.UnknownHostException) {
            why = "cannot resolve the host of " + uri;
        } else {
            why = "cannot connect to nym-client at " + uri + ": " + root;
        }
        return new IOException(why, root);
    }

    /**
     * Puts a connection to use: sends go over it from now on. Returns {@code false}, having used
     * nothing, if the transport closed or failed meanwhile. A loss of the connection noticed
     * before this is carried out by {@link #lostMeanwhile}, which the caller calls next.
     */
    private boolean install(Link l) {
        lock.lock();
        try {
            if (closed || failure != null) {
                return false;
            }
            link = l;
            reconnector = null;
            outbox.reconnected(); // under the lock: a loss of l is handled only after this
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** Carries out the loss of a connection that was lost while it was being put to use. */
    private void lostMeanwhile(Link l) {
        IOException cause = l.lossCause;
        if (cause != null) {
            connectionLost(l, cause);
        }
    }

    /**
     * Returns nym-client's own address, as it answered SelfAddress.
     *
     * @return the address
     */
    @Override
    public Recipient address() {
        return address;
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
     * @throws IOException if the transport is closed or failed, the connection is away (being
     *     reconnected), or no room came within the send timeout
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
     * @throws IOException if the transport is closed or failed, the connection is away (being
     *     reconnected), or no room came within the send timeout
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
     * @throws IOException if the transport is closed or failed, the connection is away (being
     *     reconnected), or no room came within the send timeout
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
     * @throws IOException if the transport is closed or failed, the connection is away (being
     *     reconnected), or no room came within the send timeout
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
     * @throws IOException if the transport is closed or failed, the connection is away (being
     *     reconnected), or no room came within the send timeout
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
     *     the connection was lost (nym-client's lanes went with it), or the transport closed
     * @throws InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the transport failed, or the connection is away when nym-client is
     *     to be asked
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
     * @throws IOException if the transport is closed or failed, the connection is away (being
     *     reconnected), or no room came within the send timeout
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
     * Registers a callback for the transport failing for good; see {@link MixnetTransport#onFailure}.
     * A lost connection that is being reconnected is not a failure (see {@link
     * #addConnectionListener}). Each callback runs at most once; not after {@link #close()}.
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
     * Registers a listener told of each loss of the connection (before the transport reconnects)
     * and each return; see {@link MixnetTransport#addConnectionListener}. It runs on the thread
     * that noticed the loss, or on the reconnecting thread, and must not block. Kept until the
     * transport fails or closes.
     *
     * @param listener the listener
     */
    @Override
    public void addConnectionListener(ConnectionListener listener) {
        connectionListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Returns whether the transport is connected to nym-client now: not while it reconnects,
     * and not once it failed or closed.
     *
     * @return {@code true} while a connection is in use
     */
    public boolean isConnected() {
        return link != null;
    }

    /**
     * Returns how long the connection has been away: since it was lost, while the transport
     * reconnects or after it failed.
     *
     * @return the time since the connection was lost, or empty while connected or once closed
     */
    public Optional<Duration> disconnectedFor() {
        lock.lock();
        try {
            if (closed || link != null || lastLoss == null) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(System.nanoTime() - lostAtNanos));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns why the connection was last lost, whether or not it came back.
     *
     * @return the cause, or empty if it never was
     */
    public Optional<IOException> lastConnectionLoss() {
        return Optional.ofNullable(lastLoss);
    }

    /**
     * Returns why the transport failed for good, if it did.
     *
     * @return the cause, or empty while connected or reconnecting (and after a plain {@link #close()})
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
                outbox.bytes(), outbox.waitingSenders(), connectionsLost.sum(), reconnections.sum(),
                requestsDroppedAtLoss.sum());
    }

    /**
     * Closes the transport: sends fail from now on and reconnecting stops; requests already queued
     * are given to the WebSocket for up to {@link Builder#closeTimeout}, then the connection is
     * closed. Messages in the inbound queue stay; one waiting for room in a full queue is dropped
     * and counted ({@link Stats#messagesDroppedAtClose()}). Idempotent; runs neither the failure
     * callbacks nor the connection listeners.
     */
    @Override
    public void close() {
        Thread r;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            r = reconnector;
            reconnector = null;
        } finally {
            lock.unlock();
        }
        outbox.close();
        lanes.wakeAll();
        failureCallbacks.clear();
        connectionListeners.clear();
        boolean interrupted = false;
        if (r != null) {
            r.interrupt(); // it stops trying, abandoning a connection it was opening
            interrupted |= !join(r, settings.closeTimeout());
        }
        Thread p = pusher.get();
        if (p != null && p != Thread.currentThread()) {
            p.interrupt(); // it drops its message, counted, and ends
            interrupted |= !join(p, settings.closeTimeout());
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
        Link l;
        lock.lock();
        try {
            l = link;
            link = null;
        } finally {
            lock.unlock();
        }
        if (l != null) {
            try {
                l.webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "")
                        .get(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("close handshake with nym-client did not complete: {}", e.toString());
            }
            l.abandon();
        }
        http.shutdownNow();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("nym-client transport to {} closed", uri);
    }

    /** Joins a thread for at most {@code timeout}; returns {@code false} if interrupted meanwhile. */
    private static boolean join(Thread t, Duration timeout) {
        try {
            t.join(timeout);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Describes the transport for logs.
     *
     * @return its URI, address and state
     */
    @Override
    public String toString() {
        String state = failure != null ? "failed" : link != null ? "connected" : isClosed() ? "closed" : "reconnecting";
        return "NymClientTransport[" + uri + ", " + address + ", " + state + "]";
    }

    // ---- outbound ----

    private void submit(byte[] request) throws IOException {
        outbox.submit(request, settings.sendTimeout());
        requestsSent.increment();
    }

    /**
     * The writer: hands queued requests to the WebSocket in use, one at a time. A request taken
     * while the connection is away, or being sent when it is lost, is dropped with it. When there
     * has been nothing to send for the ping interval, it sends a WebSocket Ping: writing is how a
     * connection whose end went unnoticed is found lost (the JDK's WebSocket can miss an end of
     * input that arrives while a message is being handled).
     */
    private void writeLoop() {
        long idleNanos = settings.pingInterval().isZero() ? Long.MAX_VALUE : settings.pingInterval().toNanos();
        byte[] next;
        try {
            while ((next = outbox.awaitNext(idleNanos)) != null) {
                Link l = link;
                if (next == Outbox.IDLE) {
                    if (l != null) {
                        transmit(l, l.webSocket.sendPing(ByteBuffer.allocate(0)), "pinging");
                    }
                    continue;
                }
                if (l != null) {
                    transmit(l, l.webSocket.sendBinary(ByteBuffer.wrap(next), true), "sending to");
                }
                outbox.sent(next);
            }
        } catch (InterruptedException e) {
            // close() gave up waiting
        }
    }

    /** Waits for a send to end, or the connection; a send that fails loses the connection. */
    private void transmit(Link l, CompletableFuture<WebSocket> sending, String what) throws InterruptedException {
        try {
            // Ends with the send, or with the connection (an aborted WebSocket may leave the send pending).
            CompletableFuture.anyOf(sending, l.ended).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c
                    && c.getCause() != null ? c.getCause() : e.getCause();
            l.lost(new ConnectionLost(what + " nym-client at " + uri + " failed: " + cause, cause));
        }
    }

    // ---- loss, reconnection, failure ----

    /**
     * A connection was lost: if it is the one in use, sends fail from now on, what was queued is
     * dropped, the listeners are told and a thread starts reconnecting (or, without reconnection,
     * the transport fails). Called once per connection, by whoever noticed.
     */
    private void connectionLost(Link l, IOException cause) {
        events.lock();
        try {
            carryOutLoss(l, cause);
        } finally {
            events.unlock();
        }
    }

    /** {@link #connectionLost}, with {@link #events} held. */
    private void carryOutLoss(Link l, IOException cause) {
        assert events.isHeldByCurrentThread();
        boolean reconnect;
        int dropped;
        lock.lock();
        try {
            if (closed || failure != null || link != l) {
                return; // not in use: closing, failed, or a connection still being opened
            }
            link = null;
            lostAtNanos = System.nanoTime();
            lastLoss = cause;
            reconnect = !settings.reconnectTimeout().isZero();
            dropped = reconnect ? outbox.disconnect(cause) : 0;
        } finally {
            lock.unlock();
        }
        connectionsLost.increment();
        l.abandon();
        if (!reconnect) {
            fail(new IOException("connection to nym-client lost: " + cause.getMessage(), cause), false);
            return;
        }
        requestsDroppedAtLoss.add(dropped);
        lanes.clear();
        LOG.warn("{}; reconnecting", cause.getMessage());
        if (dropped > 0) {
            LOG.debug("nym-client at {}: {} queued request(s) dropped with the connection", uri, dropped);
        }
        // Before anything a new connection brings is queued: listeners may mark where the old one ended.
        for (ConnectionListener listener : connectionListeners) {
            try {
                listener.connectionLost(cause);
            } catch (RuntimeException e) {
                LOG.error("connection listener threw", e);
            }
        }
        lock.lock();
        try {
            if (!closed && failure == null && link == null && reconnector == null) {
                reconnector = Thread.ofVirtual().name("nym-client-reconnect").start(this::reconnectLoop);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The reconnecting thread: tries to connect again after the first delay, doubling it up to
     * the longest, until a connection answers with the same address, the reconnect timeout runs
     * out (the transport fails), or the transport closes (it is interrupted).
     */
    private void reconnectLoop() {
        long lostAt = lostAtNanos;
        long timeoutNanos = settings.reconnectTimeout().toNanos();
        long delay = settings.firstReconnectDelay().toNanos();
        int attempts = 0;
        IOException last = null;
        try {
            Thread p = pusher.get();
            if (p != null) {
                p.join(); // what the lost connection brought goes into the queue before the next one's
            }
            while (true) {
                long left = timeoutNanos - (System.nanoTime() - lostAt);
                if (left <= 0) {
                    fail(new IOException("nym-client at " + uri + " did not come back within "
                            + describe(settings.reconnectTimeout()) + " (" + attempts + " attempt"
                            + (attempts == 1 ? "" : "s") + (last == null ? "" : "; the last: " + last.getMessage())
                            + ")", last), false);
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(Math.min(delay, left));
                attempts++;
                Link l;
                try {
                    l = open(settings.connectTimeout()); // an attempt under way may end after the timeout
                } catch (InterruptedIOException e) {
                    return; // close()
                } catch (IOException e) {
                    last = e;
                    LOG.debug("nym-client at {}: reconnecting, attempt {} failed: {}", uri, attempts, e.getMessage());
                    delay = Math.min(delay * 2, settings.maxReconnectDelay().toNanos());
                    continue;
                }
                if (!address.equals(l.address)) {
                    l.abandon();
                    fail(new IOException("nym-client at " + uri + " came back as another client: its address is "
                            + l.address + ", not " + address + "; messages to this transport's address no longer"
                            + " reach it"), true);
                    return;
                }
                events.lock();
                try {
                    if (!install(l)) {
                        l.abandon(); // closed or failed meanwhile
                        return;
                    }
                    reconnections.increment();
                    LOG.info("nym-client at {}: connection restored after {} ({} attempt{})", uri,
                            describe(Duration.ofNanos(System.nanoTime() - lostAt)), attempts, attempts == 1 ? "" : "s");
                    for (ConnectionListener listener : connectionListeners) {
                        try {
                            listener.connectionRestored();
                        } catch (RuntimeException e) {
                            LOG.error("connection listener threw", e);
                        }
                    }
                    lostMeanwhile(l); // after its return was told: a loss since comes next
                } finally {
                    events.unlock();
                }
                return;
            }
        } catch (InterruptedException e) {
            // close()
        }
    }

    /** A duration for messages: {@code 850 ms}, {@code 12.5 s}, {@code 300 s}. */
    private static String describe(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /**
     * The transport fails for good: every blocked and later send fails with {@code cause}, the
     * failure callbacks run. Logged once: as an error if nym-client came back as another client.
     */
    private void fail(IOException cause, boolean asError) {
        Link l;
        lock.lock();
        try {
            if (failure != null || closed) {
                return;
            }
            failure = cause;
            l = link;
            link = null;
            reconnector = null;
        } finally {
            lock.unlock();
        }
        outbox.fail(cause);
        lanes.wakeAll();
        if (asError) {
            LOG.error(cause.getMessage());
        } else {
            LOG.warn(cause.getMessage());
        }
        if (l != null) {
            l.abandon();
        }
        connectionListeners.clear();
        for (Consumer<IOException> callback : failureCallbacks) {
            try {
                callback.accept(cause);
            } catch (RuntimeException e) {
                LOG.error("failure callback threw", e);
            }
        }
        failureCallbacks.clear();
    }

    // ---- inbound ----

    /** Handles one whole message of a connection; returns whether the next may be requested now. */
    private boolean handle(Link l, byte[] bytes) {
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
                    waitForRoom(l, message);
                    return false;
                }
            }
            case NymResponse.SelfAddress a -> l.selfAddress.complete(a.address());
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
            case NymResponse.LaneQueueLength q -> {
                if (l == link) { // a lost connection's lanes went with it
                    lastLaneQueueLength = q;
                    lanes.update(q.lane(), q.queueLength());
                    LOG.debug("nym-client lane {}: {} queued", q.lane(), q.queueLength());
                }
            }
        }
        return true;
    }

    /**
     * The inbound queue is full: a virtual thread waits for room, puts the message, then asks for
     * the next one. A lost connection does not stop it (the queue's consumer still takes what was
     * received); {@link #close()} does, and the message is counted as dropped at close.
     */
    private void waitForRoom(Link l, InboundMessage message) {
        Thread t = settings.inboundThreads().newThread(() -> push(l, message));
        pusher.set(t);
        t.start();
    }

    /** The pusher's work: see {@link #waitForRoom}. */
    private void push(Link l, InboundMessage message) {
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
        if (!l.ended.isDone() && !isClosed()) {
            l.webSocket.request(1);
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

    /** Why a connection was lost; its message says so in full, naming nym-client's URI. */
    private static final class ConnectionLost extends IOException {
        private static final long serialVersionUID = 1L;

        ConnectionLost(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * One WebSocket connection to nym-client and its callbacks, which the JDK runs one at a time
     * and one message requested at a time. Connections follow each other; callbacks of a lost one
     * may still run while the next is in use, so each has its own assembler and handshake.
     */
    private final class Link implements WebSocket.Listener {
        /** Its number, for logs: 1 for the first connection. */
        final long number;
        /** Puts fragmented messages together; touched only by this connection's callbacks (and its pusher). */
        final MessageAssembler assembler = new MessageAssembler(settings.maxMessageBytes());
        /** The answer to this connection's SelfAddress. */
        final CompletableFuture<Recipient> selfAddress = new CompletableFuture<>();
        /** Completed when the connection is lost or given up: the writer stops waiting for a send on it. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        /** Set by {@code onOpen}, or when the handshake completes, whichever comes first. */
        volatile WebSocket webSocket;
        /** Set once the handshake is done. */
        volatile Recipient address;
        /** Why the connection was lost, once it was. */
        volatile IOException lossCause;
        /** Set when the connection is given up: a WebSocket that opens afterwards is aborted. */
        volatile boolean abandoned;

        Link(long number) {
            this.number = number;
        }

        /** The connection was lost (closed by nym-client, broken, or a send failed). */
        void lost(IOException cause) {
            if (lossCause == null) {
                lossCause = cause;
            }
            selfAddress.completeExceptionally(cause);
            ended.complete(null);
            connectionLost(this, cause);
        }

        /** Gives the connection up: aborts its WebSocket, now or as soon as it opens. Idempotent. */
        void abandon() {
            abandoned = true;
            ended.complete(null);
            WebSocket ws = webSocket;
            if (ws != null) {
                ws.abort();
            }
        }

        @Override
        public void onOpen(WebSocket ws) {
            webSocket = ws;
            if (abandoned) {
                ws.abort();
                return;
            }
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
            } else if (!handle(this, whole)) {
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
            lost(new ConnectionLost("nym-client at " + uri + " closed the connection (status " + statusCode
                    + (reason == null || reason.isEmpty() ? "" : ", " + reason) + ")", null));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            lost(new ConnectionLost("the connection to nym-client at " + uri + " broke: " + error, error));
        }

        @Override
        public String toString() {
            return "connection " + number + " to " + uri;
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
     * @param connectionsLost times the connection in use was lost
     * @param reconnections times the connection came back after a loss
     * @param requestsDroppedAtLoss requests queued (or being sent) when the connection was lost,
     *     dropped with it (their senders had returned; like messages in flight, they are lost)
     */
    public record Stats(long requestsSent, long messagesReceived, long messagesDroppedAtClose,
                        long errorResponses, Map<Malformed, Long> malformedResponses, long oversizedMessages,
                        long textMessages, long inboundFullPauses, long inboundBytes, long bytesInFlight,
                        int blockedSenders, long connectionsLost, long reconnections, long requestsDroppedAtLoss) {
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
        /** Default time a lost connection is tried again before the transport fails: for ever (100 years). */
        public static final Duration DEFAULT_RECONNECT_TIMEOUT = ArgumentChecks.MAX_DURATION;
        /** Default wait before the first attempt to reconnect: 100 ms. */
        public static final Duration DEFAULT_FIRST_RECONNECT_DELAY = Duration.ofMillis(100);
        /** Default longest wait between attempts to reconnect: 5 s. */
        public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
        /** Default time without a request after which the connection is checked with a WebSocket Ping: 5 s. */
        public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);

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
        private Duration reconnectTimeout = DEFAULT_RECONNECT_TIMEOUT;
        private Duration firstReconnectDelay = DEFAULT_FIRST_RECONNECT_DELAY;
        private Duration maxReconnectDelay = DEFAULT_MAX_RECONNECT_DELAY;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;

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

        /**
         * Sets how long the transport tries to reconnect after it lost its connection before it
         * fails for good (and its {@link NymClientTransport#onFailure} callbacks run). While it
         * tries, sends fail at once, saying so.
         *
         * @param timeout zero for no reconnection (the first loss fails the transport), or
         *     positive; at most 100 years; default for ever (100 years)
         * @return this builder
         * @throws IllegalArgumentException if negative or longer than 100 years
         */
        public Builder reconnectTimeout(Duration timeout) {
            this.reconnectTimeout = ArgumentChecks.zeroOrPositive(timeout, "reconnectTimeout");
            return this;
        }

        /**
         * Sets the waits between attempts to reconnect: the first attempt comes {@code first} after
         * the loss, and each wait is twice the one before, up to {@code max}.
         *
         * @param first positive, at most 100 years; default 100 ms
         * @param max at least {@code first}, at most 100 years; default 5 s
         * @return this builder
         * @throws IllegalArgumentException if {@code first} is not positive, {@code max} is shorter
         *     than {@code first}, or either is longer than 100 years
         */
        public Builder reconnectDelays(Duration first, Duration max) {
            ArgumentChecks.positive(first, "first reconnect delay");
            ArgumentChecks.positive(max, "longest reconnect delay");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("longest reconnect delay must be at least the first, "
                        + first + ", got " + max);
            }
            this.firstReconnectDelay = first;
            this.maxReconnectDelay = max;
            return this;
        }

        /**
         * Sets how long the connection may go without a request before the transport sends a
         * WebSocket Ping (nym-client answers it). Writing is how a lost connection that went
         * unnoticed is found: the JDK's WebSocket can miss the end of a connection that nym-client
         * closes while a message is being handled, and the Ping, or the one after, then fails.
         *
         * @param interval positive, or {@link Duration#ZERO} for no Pings; at most 100 years;
         *     default 5 s
         * @return this builder
         * @throws IllegalArgumentException if negative or longer than 100 years
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = ArgumentChecks.zeroOrPositive(interval, "pingInterval");
            return this;
        }

        /** Sets the factory of the threads that wait for room in a full inbound queue (for tests). */
        Builder inboundThreads(ThreadFactory factory) {
            this.inboundThreads = Objects.requireNonNull(factory, "inboundThreads");
            return this;
        }

        /**
         * Connects: opens the WebSocket, asks SelfAddress and waits for the answer, all within
         * {@link #connectTimeout}. Only a connection that was made is tried again when lost: a
         * first connection that fails fails here.
         *
         * @return the connected transport, its {@link NymClientTransport#address()} known
         * @throws IOException if the connection fails or nym-client does not tell its address in
         *     time; the message says why in a user's words ("connection refused — is nym-client
         *     running at ws://127.0.0.1:1977?")
         * @throws InterruptedIOException if the thread is interrupted while connecting (flag set again)
         */
        public NymClientTransport connect() throws IOException {
            return NymClientTransport.connect(uri, new Settings(connectTimeout, sendTimeout, closeTimeout,
                    inboundCapacity, maxInboundBytes, maxBytesInFlight, maxMessageBytes, errorListener,
                    inboundThreads, packetGeometry, reconnectTimeout, firstReconnectDelay, maxReconnectDelay,
                    pingInterval));
        }
    }
}
