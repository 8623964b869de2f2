package dev.mixnetstreams.cli.emulator;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.nymclient.Decoded;
import dev.mixnetstreams.nymclient.NymCodec;
import dev.mixnetstreams.nymclient.NymRequest;
import dev.mixnetstreams.nymclient.NymResponse;
import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.sim.PacketCosts;
import dev.mixnetstreams.sim.internal.MixnetModel;
import dev.mixnetstreams.sim.internal.PacedClient;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for nym-client: N emulated Nym clients, each with its own address and
 * its own WebSocket port speaking the binary API ({@link NymCodec}), routing to each other like
 * the mixnet.
 *
 * <ul>
 *   <li>Each message gets an independent uniform delay in [min, max] latency (which reorders), is
 *       lost with probability {@code loss}, and a message not lost is delivered twice with
 *       probability {@code duplicate} (each copy with its own delay).
 *   <li>SendAnonymous gives the receiver a sender tag fixed per (sender, recipient) pair; Reply
 *       goes to the tag's sender and arrives without a tag; a Reply with a tag this client was not
 *       given gets Error 0xFF. Send arrives without a tag. Messages to unknown addresses vanish.
 *   <li>SelfAddress answers the client's address; a request with a connection id other than 0,
 *       and GetLaneQueueLength, get LaneQueueLength (queue length 0); ClosedConnection gets
 *       nothing. Malformed requests get Error 0x01 to 0x04; text messages get Error 0xFF (the JSON
 *       API is not emulated).
 *   <li>One connection per client at a time, as nym-client: a second is closed at once (status
 *       1008). Messages for a client with no connection, or whose connection is not reading, are
 *       held, up to {@code heldMessages} per client; beyond that they are dropped and counted.
 * </ul>
 *
 * <p>Delays, loss, duplicates, sender tags and reply routes are the simulated mixnet's model
 * ({@link MixnetModel}); each client draws its decisions and tags from a generator of its own.
 * A client's address and generators are derived from the seed and the client's index alone, so a
 * stand-in stopped and started again with the same seed serves the same addresses, whatever its
 * other settings, as a restarted nym-client keeps its keys; what the stopped one held or had on
 * its way is gone, as is what it knew of sender tags. With a {@linkplain Builder#costModel cost
 * model}, each client sends as the simulated mixnet's endpoints do under it: Sphinx packets at
 * the model's pace, lanes by connection id (LaneQueueLength answers the packets a lane holds),
 * replies spending reply SURBs that the clients ask for and refill ({@link NymCostModel}); {@link
 * #costs(int)} counts them. Every emulated client is a Java-WebSocket server on {@code host:port}
 * (or its own {@linkplain Builder#ports port}); a port of 0 takes a free one, and a port in use is
 * refused with one clear message.
 */
public final class NymClientEmulator implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(NymClientEmulator.class);
    /** Frames the Java-WebSocket connection may have queued before delivery to it waits. */
    private static final int MAX_QUEUED_FRAMES = 64;

    /** Loss, duplicates, delays, sender tags and reply routes: the simulated mixnet's model. */
    private final MixnetModel model;
    private final int heldMessages;
    private final long maxInFlightMessages;
    /** The costs of the real network, or {@code null}: messages leave at once and cost nothing. */
    private final NymCostModel costModel;

    private final List<Client> clients = new ArrayList<>();
    private final Map<Recipient, Client> byAddress = new ConcurrentHashMap<>();
    private final DelayQueue<Pending> inFlight = new DelayQueue<>();
    private final AtomicLong order = new AtomicLong();
    private final Thread router;
    private volatile boolean closed;

    private final LongAdder routed = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    private NymClientEmulator(Builder b) throws IOException {
        this.model = new MixnetModel(b.minLatency.toNanos(), b.maxLatency.toNanos(), b.loss, b.duplicate);
        this.heldMessages = b.heldMessages;
        this.maxInFlightMessages = b.maxInFlightMessages;
        this.costModel = b.costModel;
        // Each client's identity and generators are a function of the seed and its index alone, so
        // that a stand-in started again with the same seed serves the same addresses, whatever the
        // other settings (as a nym-client keeps its keys on disk).
        long seed = b.seed != null ? b.seed : new SecureRandom().nextLong();
        this.router = Thread.ofVirtual().name("emulator-router").start(this::routeLoop);
        try {
            for (int i = 0; i < b.clients; i++) {
                Recipient address = i < b.addresses.size() ? b.addresses.get(i) : null;
                SplittableRandom identity = new SplittableRandom(derive(seed, i, IDENTITY));
                while (address == null || byAddress.containsKey(address)) {
                    address = Recipient.random(identity);
                }
                MixnetModel.Sender sender = model.sender(address, new SplittableRandom(derive(seed, i, SENDING)));
                Client c = new Client(i, sender, costModel == null ? null : new SplittableRandom(derive(seed, i, PACING)),
                        new InetSocketAddress(b.host, b.portOf(i)));
                clients.add(c);
                byAddress.put(address, c);
                c.startServer();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** What a client's generator is for: its address, what it sends, its pace (see {@link #derive}). */
    private static final int IDENTITY = 1;
    private static final int SENDING = 2;
    private static final int PACING = 3;

    /**
     * The seed of one generator of one client: a function of the emulator's seed, the client's
     * index and the generator's purpose only (SplitMix64's finaliser over their combination).
     */
    static long derive(long seed, int client, int purpose) {
        long z = seed ^ mix((client + 1L) * 0x9E3779B97F4A7C15L) ^ mix(purpose * 0xC2B2AE3D27D4EB4FL);
        return mix(z);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Starts configuring an emulator: one client on a free port of 127.0.0.1, no latency, loss or
     * duplicates.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns how many clients this emulator runs.
     *
     * @return the number of clients
     */
    public int size() {
        return clients.size();
    }

    /**
     * Returns a client's address.
     *
     * @param client 0 to {@link #size()} - 1
     * @return its Nym address
     */
    public Recipient address(int client) {
        return clients.get(client).address;
    }

    /**
     * Returns a client's WebSocket URI.
     *
     * @param client 0 to {@link #size()} - 1
     * @return for example {@code ws://127.0.0.1:1977}
     */
    public URI uri(int client) {
        InetSocketAddress bound = clients.get(client).bound;
        String host = bound.getHostString();
        return URI.create("ws://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + bound.getPort());
    }

    /**
     * Drops a client's current connection at once (the TCP connection is closed without a close
     * handshake), as a nym-client that crashes or is killed would. Messages for it are held until
     * it reconnects.
     *
     * @param client 0 to {@link #size()} - 1
     * @return whether it had a connection
     */
    public boolean disconnect(int client) {
        WebSocket conn = clients.get(client).connection();
        if (conn == null) {
            return false;
        }
        conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, "nym-client stand-in: disconnected");
        return true;
    }

    /**
     * Stops (or resumes) reading a client's requests: while paused, the WebSocket's reading thread
     * of that client waits, so TCP flow control holds its sender back (for back-pressure tests).
     *
     * @param client 0 to {@link #size()} - 1
     * @param paused whether to pause
     */
    public void pauseRequests(int client, boolean paused) {
        clients.get(client).pauseRequests(paused);
    }

    /**
     * Returns what a client's sending side spent under the cost model.
     *
     * @param client 0 to {@link #size()} - 1
     * @return its packets and SURBs; {@link PacketCosts#NONE} without a cost model
     */
    public PacketCosts costs(int client) {
        PacedClient paced = clients.get(client).paced;
        return paced == null ? PacketCosts.NONE : paced.costs();
    }

    /**
     * Returns the counters.
     *
     * @return routed (copies scheduled), lost, duplicated and dropped (no room held) messages
     */
    public Stats stats() {
        return new Stats(routed.sum(), lost.sum(), duplicated.sum(), dropped.sum());
    }

    /**
     * Counters of the emulator.
     *
     * @param routed copies scheduled for delivery
     * @param lost messages lost on purpose
     * @param duplicated messages delivered twice
     * @param dropped copies dropped because a limit was reached
     */
    public record Stats(long routed, long lost, long duplicated, long dropped) {
    }

    /** Stops every server and the router. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        router.interrupt();
        for (Client c : clients) {
            c.stop();
        }
        inFlight.clear();
    }

    // ---- routing ----

    /**
     * Sends one message from a client: the model decides its fate with the sender's generator,
     * then each copy is scheduled for the target, if a client has its address.
     */
    private void route(Client from, Recipient to, byte[] data, SenderTag tag, Runnable onArrival) {
        MixnetModel.Fate fate = from.sender.fate();
        if (fate.lost()) {
            lost.increment();
            return;
        }
        Client target = to == null ? null : byAddress.get(to);
        if (target == null) {
            return; // no such client: vanishes, as on the network
        }
        byte[] received = NymCodec.encode(new NymResponse.Received(tag, data));
        schedule(target, received, onArrival, fate.delayNanos());
        if (fate.duplicated()) {
            duplicated.increment();
            schedule(target, received, null, fate.duplicateDelayNanos());
        }
    }

    /**
     * Delivers a response to a client after a delay; {@code onArrival} runs first. A response of
     * {@code null} is only that: an event of the clients' own (SURB traffic).
     */
    private void schedule(Client target, byte[] response, Runnable onArrival, long delayNanos) {
        if (delayNanos == 0) {
            arrive(target, response, onArrival);
            return;
        }
        if (inFlight.size() >= maxInFlightMessages) {
            dropped.increment();
            return;
        }
        routed.increment();
        inFlight.add(new Pending(target, response, onArrival, System.nanoTime() + delayNanos, order.getAndIncrement()));
    }

    private static void arrive(Client target, byte[] response, Runnable onArrival) {
        if (onArrival != null) {
            onArrival.run();
        }
        if (response != null) {
            target.hold(response);
        }
    }

    private void routeLoop() {
        try {
            while (!closed) {
                Pending p = inFlight.take();
                arrive(p.target, p.response, p.onArrival);
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** The emulator as a client's pacer sees it: messages that left are routed as any other. */
    private final class PacedNetwork implements PacedClient.Network {
        private final Client from;

        PacedNetwork(Client from) {
            this.from = from;
        }

        @Override
        public void carry(byte[] message, SenderTag senderTag, Recipient to, Runnable onArrival) {
            route(from, to, message, senderTag, onArrival);
        }

        @Override
        public PacedClient clientAt(Recipient address) {
            Client c = byAddress.get(address);
            return c == null ? null : c.paced;
        }

        @Override
        public void later(Runnable event, long delayNanos) {
            schedule(from, null, event, delayNanos);
        }
    }

    /** One emulated nym-client: an address, a WebSocket server, held messages and a deliverer. */
    private final class Client {
        final int index;
        final Recipient address;
        /** This client in the network model: the fate of what it sends, its sender tags. */
        final MixnetModel.Sender sender;
        /** Where it is asked to listen; port 0 for a free one. */
        final InetSocketAddress bind;
        /** Set by {@link #startServer}, before any connection: its WebSocket server and where it listens. */
        volatile Server server;
        volatile InetSocketAddress bound;
        /** Its sending side under the cost model, or {@code null} without one. */
        final PacedClient paced;
        /** Responses waiting for the connection: bounded; the deliverer takes from the front. */
        final LinkedBlockingDeque<byte[]> held;
        final ReentrantLock lock = new ReentrantLock();
        final Condition connected = lock.newCondition();
        final Condition resumed = lock.newCondition();
        /** Guarded by {@link #lock}. */
        WebSocket connection;
        /** Guarded by {@link #lock}. */
        boolean paused;
        final Thread deliverer;

        Client(int index, MixnetModel.Sender sender, SplittableRandom pacerRandom, InetSocketAddress bind) {
            this.index = index;
            this.address = sender.address();
            this.sender = sender;
            this.held = new LinkedBlockingDeque<>(heldMessages);
            this.bind = bind;
            this.paced = costModel == null ? null : new PacedClient(costModel, model, sender, new PacedNetwork(this),
                    pacerRandom, "emulator-pacer-" + index);
            this.deliverer = Thread.ofVirtual().name("emulator-deliver-" + index).unstarted(this::deliverLoop);
        }

        /**
         * Binds the port here, so that a port in use is one clear message (the WebSocket library
         * would log a stack trace), then starts the WebSocket server on it.
         */
        void startServer() throws IOException {
            ServerSocketChannel channel = ServerSocketChannel.open();
            try {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // a stand-in started again takes its port back
                channel.bind(bind);
            } catch (IOException e) {
                channel.close();
                String where = bind.getHostString() + ":" + bind.getPort();
                throw new IOException(e instanceof BindException
                        ? "port " + bind.getPort() + " on " + bind.getHostString()
                                + " is in use — is a nym-client or another stand-in running there?"
                        : "cannot listen on " + where + ": " + e.getMessage(), e);
            }
            bound = (InetSocketAddress) channel.getLocalAddress();
            Server s = new Server(this, channel);
            s.setReuseAddr(true);
            server = s;
            s.start();
            try {
                if (!s.started.await(10, TimeUnit.SECONDS) || s.startFailure != null) {
                    throw new IOException("cannot listen on " + bound.getHostString() + ":" + bound.getPort()
                            + (s.startFailure != null ? ": " + s.startFailure : ""), s.startFailure);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the stand-in");
            }
            deliverer.start();
        }

        WebSocket connection() {
            lock.lock();
            try {
                return connection;
            } finally {
                lock.unlock();
            }
        }

        void hold(byte[] response) {
            if (!held.offer(response)) {
                dropped.increment();
                LOG.debug("client {}: held-message limit reached, dropping", index);
            }
        }

        /** Moves held responses to the connection while there is one and it keeps up. */
        void deliverLoop() {
            try {
                while (!closed) {
                    byte[] next = held.take();
                    while (true) {
                        WebSocket conn = awaitConnection();
                        if (conn instanceof WebSocketImpl impl && impl.outQueue.size() > MAX_QUEUED_FRAMES) {
                            LockSupport.parkNanos(1_000_000); // the client is not reading: wait (emulator only)
                            if (Thread.interrupted()) {
                                return;
                            }
                            continue;
                        }
                        try {
                            conn.send(next);
                            break;
                        } catch (WebsocketNotConnectedException e) {
                            clearConnection(conn); // it went away: keep the message for the next one
                        }
                    }
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        WebSocket awaitConnection() throws InterruptedException {
            lock.lock();
            try {
                while (connection == null || !connection.isOpen()) {
                    connected.await();
                }
                return connection;
            } finally {
                lock.unlock();
            }
        }

        void clearConnection(WebSocket conn) {
            lock.lock();
            try {
                if (connection == conn) {
                    connection = null;
                }
            } finally {
                lock.unlock();
            }
        }

        void pauseRequests(boolean pause) {
            lock.lock();
            try {
                paused = pause;
                resumed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void awaitResumed() {
            lock.lock();
            try {
                while (paused && !closed) {
                    resumed.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
        }

        void opened(WebSocket conn) {
            lock.lock();
            try {
                if (connection != null && connection.isOpen()) {
                    conn.close(CloseFrame.POLICY_VALIDATION, "nym-client serves one connection at a time");
                    return;
                }
                connection = conn;
                connected.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.debug("client {}: connected from {}", index, conn.getRemoteSocketAddress());
        }

        void request(WebSocket conn, byte[] bytes) {
            awaitResumed();
            if (conn != connection()) {
                return; // a refused second connection
            }
            Decoded<NymRequest> decoded = NymCodec.decodeRequest(bytes);
            if (!decoded.isOk()) {
                reply(conn, new NymResponse.Error(decoded.malformed().requestErrorKind(), decoded.detail()));
                return;
            }
            long connectionId = 0;
            switch (decoded.value()) {
                case NymRequest.Send s -> {
                    connectionId = s.connectionId();
                    if (paced != null) {
                        paced.send(s.recipient(), s.data(), connectionId);
                    } else {
                        route(this, s.recipient(), s.data(), null, null);
                    }
                }
                case NymRequest.SendAnonymous s -> {
                    connectionId = s.connectionId();
                    if (paced != null) {
                        paced.sendAnonymous(s.recipient(), s.data(), s.replySurbs(), connectionId);
                    } else {
                        route(this, s.recipient(), s.data(), sender.tagFor(s.recipient()), null);
                    }
                }
                case NymRequest.Reply r -> {
                    connectionId = r.connectionId();
                    Recipient to = model.replyRoute(r.senderTag(), address);
                    if (to == null || (paced != null && !paced.reply(r.senderTag(), r.data(), connectionId))) {
                        reply(conn, new NymResponse.Error(NymResponse.Error.KIND_OTHER,
                                "no reply SURBs for sender tag " + r.senderTag()));
                        return;
                    }
                    if (paced == null) {
                        route(this, to, r.data(), null, null);
                    }
                }
                case NymRequest.SelfAddress a -> reply(conn, new NymResponse.SelfAddress(address));
                case NymRequest.ClosedConnection c -> { }
                case NymRequest.GetLaneQueueLength g -> connectionId = g.connectionId();
            }
            if (connectionId != 0) {
                long queued = paced == null ? 0 : paced.laneQueueLength(connectionId);
                reply(conn, new NymResponse.LaneQueueLength(connectionId, queued));
            }
        }

        void reply(WebSocket conn, NymResponse response) {
            try {
                conn.send(NymCodec.encode(response));
            } catch (WebsocketNotConnectedException e) {
                // gone: nothing to answer
            }
        }

        void stop() {
            if (paced != null) {
                paced.close();
            }
            deliverer.interrupt();
            Server s = server;
            if (s != null) {
                try {
                    s.stop(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            lock.lock();
            try {
                resumed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The Java-WebSocket server of one client. */
    private static final class Server extends WebSocketServer {
        final Client client;
        final CountDownLatch started = new CountDownLatch(1);
        volatile Exception startFailure;

        Server(Client client, ServerSocketChannel bound) {
            super(bound);
            this.client = client;
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            client.opened(conn);
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            client.clearConnection(conn);
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            if (conn == client.connection()) {
                client.reply(conn, new NymResponse.Error(NymResponse.Error.KIND_OTHER,
                        "the nym-client stand-in speaks only the binary API"));
            }
        }

        @Override
        public void onMessage(WebSocket conn, ByteBuffer message) {
            byte[] bytes = new byte[message.remaining()];
            message.get(bytes);
            client.request(conn, bytes);
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            if (conn == null) {
                startFailure = ex;
                started.countDown();
            } else {
                LOG.debug("client {}: connection error: {}", client.index, ex.toString());
            }
        }

        @Override
        public void onStart() {
            started.countDown();
        }
    }

    /** A message on its way: due at {@link #due} ({@link System#nanoTime()} time). */
    private record Pending(Client target, byte[] response, Runnable onArrival, long due, long order)
            implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Pending o = (Pending) other;
            long d = due - o.due;
            return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(order, o.order);
        }
    }

    /** Configures a {@link NymClientEmulator}; each value is checked when set. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        /** Each client's port, if given one by one; else {@link #port} + i. */
        private List<Integer> ports = List.of();
        private int clients = 1;
        private Duration minLatency = Duration.ZERO;
        private Duration maxLatency = Duration.ZERO;
        private double loss;
        private double duplicate;
        private Long seed;
        private int heldMessages = 65_536;
        private long maxInFlightMessages = 1_000_000;
        private List<Recipient> addresses = List.of();
        private NymCostModel costModel;

        private Builder() {
        }

        /**
         * Sets what a message costs on the real network: each client then sends Sphinx packets at
         * the model's pace, on lanes, spending and refilling reply SURBs, as the simulated mixnet's
         * endpoints do under it.
         *
         * @param model the costs, or {@code null} for none (the default: messages leave at once)
         * @return this builder
         */
        public Builder costModel(NymCostModel model) {
            this.costModel = model;
            return this;
        }

        /**
         * Gives the first clients configured identities (addresses) instead of random ones.
         *
         * @param addresses the addresses of clients 0, 1, ...; distinct
         * @return this builder
         */
        public Builder addresses(Recipient... addresses) {
            this.addresses = List.of(addresses);
            return this;
        }

        /**
         * Sets the interface the servers listen on.
         *
         * @param host default 127.0.0.1
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Sets the first port: client i listens on {@code port + i}; 0 takes free ports.
         *
         * @param port 0 to 65535; default 0
         * @return this builder
         */
        public Builder port(int port) {
            this.port = (int) ArgumentChecks.inRange(port, 0, 65535, "port");
            this.ports = List.of();
            return this;
        }

        /**
         * Sets each client's port (for a stand-in started again where a previous one listened):
         * client i listens on {@code ports[i]}; clients beyond them on free ports.
         *
         * @param ports 1 to 65535 each
         * @return this builder
         * @throws IllegalArgumentException if a port is out of range
         */
        public Builder ports(int... ports) {
            List<Integer> checked = new ArrayList<>();
            for (int p : ports) {
                checked.add((int) ArgumentChecks.inRange(p, 1, 65535, "port"));
            }
            this.ports = List.copyOf(checked);
            this.port = 0;
            return this;
        }

        /** The port client i listens on; 0 for a free one. */
        private int portOf(int client) {
            if (client < ports.size()) {
                return ports.get(client);
            }
            return port == 0 || !ports.isEmpty() ? 0 : port + client;
        }

        /**
         * Sets how many clients to run.
         *
         * @param clients 1 or more; default 1
         * @return this builder
         */
        public Builder clients(int clients) {
            this.clients = (int) ArgumentChecks.inRange(clients, 1, 1000, "clients");
            return this;
        }

        /**
         * Sets the range each message's delay is drawn from.
         *
         * @param min at least 0, at most 100 years
         * @param max at least min, at most 100 years
         * @return this builder
         * @throws IllegalArgumentException if a bound is negative or longer than 100 years, or min exceeds max
         */
        public Builder latency(Duration min, Duration max) {
            ArgumentChecks.zeroOrPositive(min, "minimum latency");
            ArgumentChecks.zeroOrPositive(max, "maximum latency");
            if (min.compareTo(max) > 0) {
                throw new IllegalArgumentException("minimum latency must be at most the maximum, got " + min
                        + " > " + max);
            }
            this.minLatency = min;
            this.maxLatency = max;
            return this;
        }

        /**
         * Sets the probability that a message is lost.
         *
         * @param p in [0, 1]; default 0
         * @return this builder
         */
        public Builder loss(double p) {
            this.loss = ArgumentChecks.probability(p, "loss");
            return this;
        }

        /**
         * Sets the probability that a message is delivered twice.
         *
         * @param p in [0, 1]; default 0
         * @return this builder
         */
        public Builder duplicate(double p) {
            this.duplicate = ArgumentChecks.probability(p, "duplicate");
            return this;
        }

        /**
         * Sets the seed of addresses, tags and random decisions. Client i's address depends on the
         * seed and on i only, so a stand-in started again with the same seed (whatever its other
         * settings) serves the same addresses.
         *
         * @param seed the seed; default random
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets how many messages a client holds while it has no connection or does not read.
         *
         * @param messages positive; default 65 536
         * @return this builder
         */
        public Builder heldMessages(int messages) {
            this.heldMessages = ArgumentChecks.positive(messages, "heldMessages");
            return this;
        }

        /**
         * Starts the servers.
         *
         * @return the running emulator
         * @throws IOException if a port cannot be bound
         */
        public NymClientEmulator start() throws IOException {
            return new NymClientEmulator(this);
        }
    }
}
