package dev.mixnetstreams.sim;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.sim.internal.MixnetModel;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory mixnet with no latency and no thread of its own, for tests and benchmarks:
 * endpoints created by {@link #newEndpoint()} send to each other's addresses, and a send puts the
 * message into the receiver's bounded inbound queue on the sender's own thread, waiting while that
 * queue is full (the back-pressure a nym-client puts on its sender; a waiting sender gives up
 * when its endpoint closes or fails, and its message is dropped when the receiver closes). When a
 * send returns, the message is in the receiver's queue, so a test that sends and then looks needs
 * no waiting.
 *
 * <p>As on the real network and in {@link SimulatedMixnet}: a sender's anonymous messages to one
 * recipient carry one sender tag; a reply to it reaches the sender without a tag; a message to an
 * address with no open endpoint is dropped. Nothing is lost, duplicated or reordered: messages
 * from one thread arrive in the order sent.
 *
 * <p>For tests, an {@link Endpoint} can also be given raw messages as if from the network
 * ({@link Endpoint#inject}, for example frames a hand-written peer sends), have every message it
 * sends observed ({@link Endpoint#onSend}) and lose its connection as a nym-client's can ({@link
 * Endpoint#fail}); {@link #issueTag} gives the sender tag with which a peer's messages arrive, so
 * that injected messages can be answered.
 *
 * <p>{@link SimulatedMixnet} is the one for latency, reordering, loss and duplicates (its
 * endpoints deliver from threads of their own, and senders never wait); this one is for tests
 * that want every step to happen when they take it, and for benchmarks that measure what runs on
 * top of the transport.
 *
 * <p>{@link #close()} fails every endpoint still open, as {@link SimulatedMixnet#close()} does.
 */
public final class LoopbackMixnet implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(LoopbackMixnet.class);

    /**
     * How often a sender waiting for room checks whether its endpoint or the receiver closed:
     * room itself wakes it at once. Only a full queue makes a sender wait at all.
     */
    private static final long CLOSE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Sender tags per (sender, recipient) and reply routes; nothing is random in delivery. */
    private final MixnetModel model = MixnetModel.instant();
    private final int inboundCapacity;
    /** What every endpoint reports as its packet geometry, or {@code null}. */
    private final PacketGeometry packetGeometry;
    private final long seed;

    /** Guards {@link #random}, {@link #endpoints} and {@link #closed}; never held across a send or a callback. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: creates addresses and each sender's generator. */
    private final SplittableRandom random;
    /** Guarded by {@link #lock}: the open endpoints in creation order. */
    private final List<Endpoint> endpoints = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /** Open endpoints by address; a concurrent map, read by every send. */
    private final ConcurrentHashMap<Recipient, Endpoint> byAddress = new ConcurrentHashMap<>();
    /** A concurrent map: the model's sender for every address that sent or was issued a tag (endpoints, and peers a test plays). */
    private final ConcurrentHashMap<Recipient, MixnetModel.Sender> senders = new ConcurrentHashMap<>();

    private LoopbackMixnet(Builder b) {
        this.inboundCapacity = b.inboundCapacity;
        this.packetGeometry = b.packetGeometry;
        this.seed = b.seed != null ? b.seed : new SecureRandom().nextLong();
        this.random = new SplittableRandom(seed);
    }

    /**
     * Starts configuring a loopback mixnet. Defaults: an inbound capacity of {@value
     * Builder#DEFAULT_INBOUND_CAPACITY} messages per endpoint, a random seed.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates an endpoint with a fresh random address.
     *
     * @return the endpoint, open until it or this mixnet is closed
     * @throws IllegalStateException if this mixnet is closed
     */
    public Endpoint newEndpoint() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("loopback mixnet closed");
            }
            Recipient address;
            do {
                address = Recipient.random(random);
            } while (senders.containsKey(address));
            MixnetModel.Sender sender = model.sender(address, random.split());
            senders.put(address, sender);
            Endpoint endpoint = new Endpoint(sender);
            byAddress.put(address, endpoint);
            endpoints.add(endpoint);
            return endpoint;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the sender tag with which {@code sender}'s anonymous messages reach {@code
     * recipient}: the one an endpoint at {@code sender} sends with ({@link
     * MixnetTransport#sendAnonymous}), issued now if it has not been yet. A message injected into
     * {@code recipient} with this tag ({@link Endpoint#inject}) is so one from {@code sender}, and
     * {@code recipient}'s replies to it go to {@code sender}'s address. {@code sender} need not be
     * an endpoint: a test that plays a peer can give it any address of its own (replies to a
     * sender with no open endpoint are dropped, as any message to such an address).
     *
     * @param sender the address the messages come from
     * @param recipient the address they go to
     * @return the tag, the same on every call for this pair
     */
    public SenderTag issueTag(Recipient sender, Recipient recipient) {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        MixnetModel.Sender known = senders.get(sender);
        if (known == null) { // a peer a test plays: a sender of its own, not an endpoint
            MixnetModel.Sender fresh;
            lock.lock();
            try {
                fresh = model.sender(sender, random.split());
            } finally {
                lock.unlock();
            }
            known = senders.putIfAbsent(sender, fresh);
            if (known == null) {
                known = fresh;
            }
        }
        return known.tagFor(recipient);
    }

    /**
     * Returns the seed addresses and sender tags derive from (the one given to the builder, or the
     * one drawn when none was given).
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Closes this mixnet: every endpoint still open fails (see {@link Endpoint#fail}) with an
     * {@link IOException} "loopback mixnet closed", on this thread, so a client over it fails
     * every stream, blocked read, accept and message wait. Afterwards {@link #newEndpoint()} fails.
     * Idempotent.
     */
    @Override
    public void close() {
        List<Endpoint> open;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            open = List.copyOf(endpoints);
        } finally {
            lock.unlock();
        }
        for (Endpoint endpoint : open) {
            endpoint.fail(new IOException("loopback mixnet closed"));
        }
    }

    /** Forgets a closing endpoint: messages to its address are dropped from now on. */
    private void remove(Endpoint endpoint) {
        byAddress.remove(endpoint.address(), endpoint);
        lock.lock();
        try {
            endpoints.remove(endpoint);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Describes the mixnet.
     *
     * @return for logs
     */
    @Override
    public String toString() {
        return "LoopbackMixnet[seed=" + seed + ", inboundCapacity=" + inboundCapacity + "]";
    }

    /**
     * One endpoint: a {@link MixnetTransport} whose sends deliver on the calling thread, plus what
     * tests need to play the network around it.
     *
     * <p>Closed by its client ({@link #close()}) or failed ({@link #fail}, or the mixnet closing),
     * its sends fail and messages to it are dropped from then on; what its inbound queue holds
     * stays there. Only a failure runs the failure callbacks, as a transport whose connection is
     * lost does.
     */
    public final class Endpoint implements MixnetTransport {

        private final Recipient address;
        /** This endpoint in the network model: issues its sender tags. */
        private final MixnetModel.Sender sender;
        private final BlockingQueue<InboundMessage> inbound = new LinkedBlockingQueue<>(inboundCapacity);
        /** Observers of every message sent; a copy-on-write list, so a send reads it without a lock. */
        private final List<Consumer<? super SentMessage>> observers = new CopyOnWriteArrayList<>();

        /**
         * Guards the writes of {@link #closed} and {@link #failure}, and {@link #failureCallbacks}.
         * Never held across a callback or a wait.
         */
        private final ReentrantLock stateLock = new ReentrantLock();
        /** Written under {@link #stateLock}, after {@link #failure}; read without it: sends fail, deliveries are dropped. */
        private volatile boolean closed;
        /** Written once, under {@link #stateLock}: why the endpoint failed, if it did. */
        private volatile IOException failure;
        /** Guarded by {@link #stateLock}: the callbacks to run if it fails; emptied when it fails or closes. */
        private final List<Consumer<IOException>> failureCallbacks = new ArrayList<>();

        private Endpoint(MixnetModel.Sender sender) {
            this.address = sender.address();
            this.sender = sender;
        }

        @Override
        public Recipient address() {
            return address;
        }

        @Override
        public void send(Recipient recipient, byte[] message) throws IOException {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(message, "message");
            ensureOpen();
            observe(SentMessage.Kind.SEND, recipient, null, 0, 0, message);
            deliver(this, byAddress.get(recipient), new InboundMessage(message, null));
        }

        @Override
        public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
            sendAnonymous(recipient, message, replySurbs, 0);
        }

        /** Like {@link #sendAnonymous(Recipient, byte[], int)}; the lane is only seen by observers. */
        @Override
        public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs, long lane) throws IOException {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(message, "message");
            ArgumentChecks.notNegative(replySurbs, "replySurbs");
            ensureOpen();
            SenderTag tag = sender.tagFor(recipient);
            observe(SentMessage.Kind.SEND_ANONYMOUS, recipient, tag, replySurbs, lane, message);
            deliver(this, byAddress.get(recipient), new InboundMessage(message, tag));
        }

        /**
         * Replies to the sender behind a tag; the reply arrives without a tag.
         *
         * @param senderTag a tag this endpoint received (or one {@link LoopbackMixnet#issueTag}
         *     issued towards this endpoint's address)
         * @param message the message's bytes; callers must not change the array afterwards
         * @throws IOException if this endpoint is closed or failed, or "unknown sender tag" if the
         *     tag was not issued towards this endpoint's address
         */
        @Override
        public void reply(SenderTag senderTag, byte[] message) throws IOException {
            reply(senderTag, message, 0);
        }

        /** Like {@link #reply(SenderTag, byte[])}; the lane is only seen by observers. */
        @Override
        public void reply(SenderTag senderTag, byte[] message, long lane) throws IOException {
            Objects.requireNonNull(senderTag, "senderTag");
            Objects.requireNonNull(message, "message");
            ensureOpen();
            Recipient to = model.replyRoute(senderTag, address);
            if (to == null) {
                throw new IOException("unknown sender tag " + senderTag);
            }
            observe(SentMessage.Kind.REPLY, null, senderTag, 0, lane, message);
            deliver(this, byAddress.get(to), new InboundMessage(message, null));
        }

        /**
         * Returns the inbound queue: bounded by the mixnet's inbound capacity; a sender waits
         * while it is full (and gives up when its own endpoint closes or fails, or this one).
         *
         * @return the queue, the same instance on every call
         */
        /**
         * Returns the packet geometry the mixnet was built with ({@link Builder#packetGeometry}),
         * so that a client over this endpoint cuts its frames as over a nym-client; messages still
         * move at once and cost nothing.
         *
         * @return the geometry, or empty (the default)
         */
        @Override
        public Optional<PacketGeometry> packetGeometry() {
            return Optional.ofNullable(packetGeometry);
        }

        @Override
        public BlockingQueue<InboundMessage> inbound() {
            return inbound;
        }

        /**
         * Puts a raw message into this endpoint's inbound queue as if it came from the network,
         * waiting while the queue is full. For example the frames of a peer a test plays: with the
         * tag {@link LoopbackMixnet#issueTag} gave for that peer, the message is one the peer sent
         * anonymously and this endpoint can reply to; without a tag, it is a reply or a plain send.
         *
         * @param message the bytes, any at all; the receiver owns the array from now on
         * @param senderTag the tag the message carries, or {@code null} for none
         * @return {@code true} if it was delivered; {@code false} if this endpoint is closed or
         *     failed, when the message is dropped, as the network would drop it
         * @throws InterruptedIOException if interrupted while waiting for room (the interrupt flag
         *     is set again)
         */
        public boolean inject(byte[] message, SenderTag senderTag) throws InterruptedIOException {
            Objects.requireNonNull(message, "message");
            InboundMessage inboundMessage = new InboundMessage(message, senderTag);
            if (closed) {
                return false;
            }
            if (inbound.offer(inboundMessage)) {
                return true;
            }
            try {
                while (!inbound.offer(inboundMessage, CLOSE_CHECK_NANOS, TimeUnit.NANOSECONDS)) {
                    if (closed) {
                        return false;
                    }
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for room at " + this);
            }
        }

        /**
         * Registers an observer of every message this endpoint sends: it is called on the sending
         * thread, once the send is accepted (the endpoint open, the arguments valid, a reply's tag
         * known) and before the message is delivered, so a thread's sends are observed in the
         * order it made them. It must not block; an exception it throws is logged, not passed on.
         * Observers are kept until the endpoint closes; register a bounded number.
         *
         * @param observer called with each message sent
         */
        public void onSend(Consumer<? super SentMessage> observer) {
            Objects.requireNonNull(observer, "observer");
            observers.add(observer);
        }

        /**
         * Registers a callback for this endpoint failing (see {@link MixnetTransport#onFailure}):
         * it runs once, with the cause, on the thread calling {@link #fail} (or closing the
         * mixnet); at once, on this thread, if that happened already. An endpoint closed by its
         * own client runs none.
         *
         * @param callback called with the cause
         */
        @Override
        public void onFailure(Consumer<IOException> callback) {
            Objects.requireNonNull(callback, "callback");
            IOException cause;
            stateLock.lock();
            try {
                cause = failure;
                if (cause == null) {
                    if (!closed) {
                        failureCallbacks.add(callback);
                    }
                    return;
                }
            } finally {
                stateLock.unlock();
            }
            run(callback, cause);
        }

        /**
         * Fails this endpoint as a lost connection to nym-client fails a transport: sends fail
         * from now on (with an {@link IOException} carrying {@code cause}'s message; a send
         * waiting for room gives up), messages to it are dropped, what its inbound queue holds
         * stays there for its consumer, and its failure callbacks run once, on this thread, with
         * {@code cause}. Does nothing if the endpoint is closed or failed already.
         *
         * @param cause why, for the callbacks and for later sends
         */
        public void fail(IOException cause) {
            Objects.requireNonNull(cause, "cause");
            List<Consumer<IOException>> callbacks;
            stateLock.lock();
            try {
                if (closed) {
                    return;
                }
                failure = cause;
                closed = true;
                callbacks = List.copyOf(failureCallbacks);
                failureCallbacks.clear();
            } finally {
                stateLock.unlock();
            }
            remove(this);
            observers.clear();
            for (Consumer<IOException> callback : callbacks) {
                run(callback, cause);
            }
        }

        /**
         * Closes this endpoint: sends fail from now on (a send waiting for room gives up), and
         * messages to it are dropped (a sender waiting for room in it goes on, its message
         * dropped). What its inbound queue holds stays there. Runs no failure callback.
         * Idempotent.
         */
        @Override
        public void close() {
            stateLock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                failureCallbacks.clear();
            } finally {
                stateLock.unlock();
            }
            remove(this);
            observers.clear();
        }

        /**
         * Returns whether this endpoint is closed or failed.
         *
         * @return {@code true} once {@link #close()} or {@link #fail} was called
         */
        public boolean isClosed() {
            return closed;
        }

        /**
         * Describes the endpoint.
         *
         * @return its address and state
         */
        @Override
        public String toString() {
            return "LoopbackMixnet.Endpoint[" + address + (closed ? ", closed" : "") + "]";
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                IOException cause = failure;
                throw cause != null ? new IOException(cause.getMessage(), cause) : new IOException("transport closed");
            }
        }

        private void observe(SentMessage.Kind kind, Recipient recipient, SenderTag tag, int replySurbs, long lane,
                             byte[] message) {
            if (observers.isEmpty()) {
                return;
            }
            SentMessage sent = new SentMessage(kind, recipient, tag, replySurbs, lane, message);
            for (Consumer<? super SentMessage> observer : observers) {
                try {
                    observer.accept(sent);
                } catch (RuntimeException e) {
                    LOG.error("send observer threw", e);
                }
            }
        }
    }

    /**
     * Puts a message into the receiver's inbound queue on this thread, waiting while it is full;
     * drops it if there is no open receiver, or the receiver closes while the sender waits.
     *
     * @param from the sending endpoint
     * @param to the receiving endpoint, or {@code null} if none has the address
     * @return whether it was delivered
     * @throws InterruptedIOException if interrupted while waiting for room (the flag is set again)
     * @throws IOException if the sending endpoint closed or failed while waiting for room
     */
    private static boolean deliver(Endpoint from, Endpoint to, InboundMessage message) throws IOException {
        if (to == null || to.closed) {
            return false; // undeliverable, as on the real network
        }
        if (to.inbound.offer(message)) {
            return true;
        }
        try {
            // Back-pressure: wait while full. Room wakes the sender at once; the slices only bound
            // how late it sees either end close.
            while (!to.inbound.offer(message, CLOSE_CHECK_NANOS, TimeUnit.NANOSECONDS)) {
                from.ensureOpen();
                if (to.closed) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for room at " + to);
        }
    }

    private static void run(Consumer<IOException> callback, IOException cause) {
        try {
            callback.accept(cause);
        } catch (RuntimeException e) {
            LOG.error("failure callback threw", e);
        }
    }

    /**
     * Configures a {@link LoopbackMixnet}. Each setting is checked where it is set, so {@link
     * #build()} cannot fail on configuration.
     */
    public static final class Builder {

        /** Default capacity of each endpoint's inbound queue: 16 384 messages. */
        public static final int DEFAULT_INBOUND_CAPACITY = 16_384;

        private int inboundCapacity = DEFAULT_INBOUND_CAPACITY;
        private Long seed;
        private PacketGeometry packetGeometry;

        private Builder() {}

        /**
         * Sets the packet geometry every endpoint reports ({@link MixnetTransport#packetGeometry()}),
         * so that tests see the frames a client cuts for a nym-client. Messages still move at
         * once, whole; {@link SimulatedMixnet} with a cost model also paces and counts packets.
         * Default: none.
         *
         * @param geometry the geometry, or {@code null} for none
         * @return this builder
         */
        public Builder packetGeometry(PacketGeometry geometry) {
            this.packetGeometry = geometry;
            return this;
        }

        /**
         * Sets the capacity of each endpoint's inbound queue: a sender waits while the receiver's
         * is full. Default {@value #DEFAULT_INBOUND_CAPACITY}.
         *
         * @param inboundCapacity messages, more than 0
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder inboundCapacity(int inboundCapacity) {
            this.inboundCapacity = ArgumentChecks.positive(inboundCapacity, "inboundCapacity");
            return this;
        }

        /**
         * Sets the seed of endpoint addresses and sender tags. Default: a random seed (see {@link
         * LoopbackMixnet#seed()}).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Creates the mixnet.
         *
         * @return a new, open mixnet with no endpoints
         */
        public LoopbackMixnet build() {
            return new LoopbackMixnet(this);
        }
    }
}
