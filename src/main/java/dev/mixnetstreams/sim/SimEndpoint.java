package dev.mixnetstreams.sim;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.sim.internal.MixnetModel;
import dev.mixnetstreams.sim.internal.PacedClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint of a {@link SimulatedMixnet}: a {@link MixnetTransport} with its own address,
 * random generator (its {@link MixnetModel.Sender}), inbound queue and delivery thread.
 *
 * <p>Messages to this endpoint wait in {@link #staging} (a {@link DelayQueue}, or a plain FIFO
 * queue when the latency is always zero) until the delivery thread moves them into {@link
 * #inbound}, waiting while that is full.
 *
 * <p>With a cost model, what it sends goes through its {@link PacedClient} (packets, pace,
 * lanes, reply SURBs) and starts on its way when its last packet has left.
 *
 * <p>Closed by its client ({@link #close()}), it just closes. Closed because the mixnet closes
 * ({@link #fail}), it also runs its {@link #onFailure} callbacks, as a transport whose connection
 * is lost does, so that a client over it fails its streams and waits instead of hanging.
 */
final class SimEndpoint implements MixnetTransport {

    private static final Logger LOG = LoggerFactory.getLogger(SimEndpoint.class);

    /** Most messages the delivery thread takes from staging at once. */
    private static final int BATCH = 256;

    private final SimulatedMixnet net;
    private final Recipient address;
    private final int number;

    /** This endpoint in the network model: decides the fate of what it sends, issues its tags. */
    private final MixnetModel.Sender sender;
    /** Its nym-client's sending side under the cost model, or {@code null} without one. */
    private final PacedClient paced;

    private final BlockingQueue<InboundMessage> inbound;
    private final BlockingQueue<Pending> staging;
    /** Orders messages due at the same instant by arrival. */
    private final AtomicLong arrivals = new AtomicLong();

    /**
     * Guards {@link #closed} against {@link #enqueue} (no message enters staging after the close
     * has emptied it), and {@link #failure} and {@link #failureCallbacks} against {@link
     * #onFailure}. Never held across a blocking call or a callback.
     */
    private final ReentrantLock stateLock = new ReentrantLock();
    /** Written under {@link #stateLock}, after {@link #failure}; read without it. */
    private volatile boolean closed;
    /** Written once, under {@link #stateLock}: why the endpoint failed (the mixnet closed), if it did. */
    private volatile IOException failure;
    /** Guarded by {@link #stateLock}: the callbacks to run if it fails; emptied when it fails or closes. */
    private final List<Consumer<IOException>> failureCallbacks = new ArrayList<>();

    private volatile Thread deliveryThread;

    SimEndpoint(SimulatedMixnet net, Recipient address, SplittableRandom random, int number) {
        this.net = net;
        this.address = address;
        this.sender = net.model.sender(address, random);
        this.number = number;
        this.paced = net.costModel == null ? null : new PacedClient(net.costModel, net.model, sender, new PacedNetwork(),
                random.split(), "sim-pacer-" + number);
        this.inbound = new LinkedBlockingQueue<>(net.inboundCapacity);
        this.staging = net.model.maxDelayNanos() == 0 ? new LinkedBlockingQueue<>() : new DelayQueue<>();
    }

    /** Starts the delivery thread; called once, by the mixnet, before the endpoint is handed out. */
    void start() {
        deliveryThread = Thread.ofVirtual().name("sim-delivery-" + number).start(this::deliverLoop);
    }

    Thread deliveryThread() {
        return deliveryThread;
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
        if (paced != null) {
            paced.send(recipient, message, 0);
            return;
        }
        transmit(net.endpointAt(recipient), message, null, null);
    }

    @Override
    public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
        sendAnonymous(recipient, message, replySurbs, 0);
    }

    @Override
    public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs, long lane) throws IOException {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(message, "message");
        ArgumentChecks.notNegative(replySurbs, "replySurbs");
        ensureOpen();
        if (paced != null) {
            paced.sendAnonymous(recipient, message, replySurbs, lane);
            return;
        }
        transmit(net.endpointAt(recipient), message, sender.tagFor(recipient), null);
    }

    @Override
    public void reply(SenderTag senderTag, byte[] message) throws IOException {
        reply(senderTag, message, 0);
    }

    @Override
    public void reply(SenderTag senderTag, byte[] message, long lane) throws IOException {
        Objects.requireNonNull(senderTag, "senderTag");
        Objects.requireNonNull(message, "message");
        ensureOpen();
        Recipient to = net.model.replyRoute(senderTag, address);
        if (to == null) {
            throw new IOException("unknown sender tag " + senderTag);
        }
        if (paced != null) {
            paced.reply(senderTag, message, lane); // dropped, as by a nym-client, if it never got SURBs for the tag
            return;
        }
        // As on the real network, a reply carries no sender tag. A closed sender drops it.
        transmit(net.endpointAt(to), message, null, null);
    }

    @Override
    public Optional<PacketGeometry> packetGeometry() {
        return paced == null ? Optional.empty() : Optional.of(net.costModel.geometry());
    }

    @Override
    public boolean awaitLane(long lane, int maxQueuedPackets) throws IOException {
        if (paced == null) {
            return true;
        }
        try {
            boolean room = paced.awaitLane(lane, maxQueuedPackets);
            ensureOpen(); // closed while waiting
            return room;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for room in the lane");
        }
    }

    @Override
    public void wakeLane(long lane) {
        if (paced != null) {
            paced.wakeLane(lane);
        }
    }

    /** What this endpoint spent under the cost model. */
    PacketCosts costs() {
        return paced == null ? PacketCosts.NONE : paced.costs();
    }

    SimulatedMixnet mixnet() {
        return net;
    }

    /** The simulated mixnet as the pacer sees it: messages that left go through {@link #transmit}. */
    private final class PacedNetwork implements PacedClient.Network {
        @Override
        public void carry(byte[] message, SenderTag senderTag, Recipient to, Runnable onArrival) {
            transmit(to == null ? null : net.endpointAt(to), message, senderTag, onArrival);
        }

        @Override
        public PacedClient clientAt(Recipient address) {
            SimEndpoint endpoint = net.endpointAt(address);
            return endpoint == null ? null : endpoint.paced;
        }

        @Override
        public void later(Runnable event, long delayNanos) {
            enqueue(null, event, delayNanos);
        }
    }

    @Override
    public BlockingQueue<InboundMessage> inbound() {
        return inbound;
    }

    /**
     * Registers a callback for the mixnet closing under this endpoint (see {@link
     * MixnetTransport#onFailure}): it runs once, with an {@link IOException} "simulated mixnet
     * closed", on the thread closing the mixnet; at once, on this thread, if that happened
     * already. An endpoint closed by its own client runs none.
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
     * Closes this endpoint: sends fail from now on, its address becomes undeliverable, messages
     * still on their way to it are dropped (counted as undeliverable) and its delivery thread
     * ends before this returns (when called first; a concurrent second call may return earlier).
     * Messages already in the inbound queue stay there. Runs no failure callback. Idempotent.
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
        shutDown();
    }

    /**
     * The mixnet closes under this endpoint: closes it as {@link #close()} does, then runs the
     * failure callbacks with {@code cause}. Does nothing if the endpoint is closed already.
     *
     * @param cause why, for the callbacks and for later sends
     */
    void fail(IOException cause) {
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
        shutDown();
        for (Consumer<IOException> callback : callbacks) {
            run(callback, cause);
        }
    }

    private static void run(Consumer<IOException> callback, IOException cause) {
        try {
            callback.accept(cause);
        } catch (RuntimeException e) {
            LOG.error("failure callback threw", e);
        }
    }

    /** Closing, once {@link #closed} is set: forgets the address, stops delivery, drops what is on its way. */
    private void shutDown() {
        if (paced != null) {
            paced.close();
        }
        net.remove(this);
        Thread thread = deliveryThread;
        thread.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the delivery thread ends promptly; finish waiting for it
            }
        }
        // No one adds (closed) or takes (thread ended) any more.
        net.undeliverable.add(staging.size());
        staging.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns a description for logs.
     *
     * @return the endpoint's number and address
     */
    @Override
    public String toString() {
        return "SimEndpoint[" + number + ", " + address + (closed ? ", closed" : "") + "]";
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            IOException cause = failure;
            throw cause != null ? new IOException(cause.getMessage(), cause) : new IOException("transport closed");
        }
    }

    /**
     * Sends one message through the simulated network: the model decides loss, duplication and
     * delays with this endpoint's generator, then the copies go to the receiving endpoint.
     *
     * @param to the receiving endpoint, or {@code null} if none has the address
     * @param onArrival run when the first copy reaches the receiving endpoint, before delivery, or {@code null}
     */
    private void transmit(SimEndpoint to, byte[] message, SenderTag tag, Runnable onArrival) {
        net.sent.increment();
        MixnetModel.Fate fate = sender.fate();
        if (fate.lost()) {
            net.lost.increment();
            return;
        }
        InboundMessage first = new InboundMessage(message, tag);
        InboundMessage second = null;
        if (fate.duplicated()) {
            net.duplicated.increment();
            second = new InboundMessage(message.clone(), tag);
        }
        if (to == null) {
            net.undeliverable.add(fate.copies());
            return;
        }
        to.enqueue(first, onArrival, fate.delayNanos());
        if (second != null) {
            to.enqueue(second, null, fate.duplicateDelayNanos()); // SURBs arrive once: each is good for one reply
        }
    }

    /**
     * Accepts one copy for delivery after {@code delayNanos}, or drops it if this endpoint is
     * closed; {@code onArrival}, if any, runs first when it is due (a message of {@code null} is
     * only that).
     */
    private void enqueue(InboundMessage message, Runnable onArrival, long delayNanos) {
        Pending pending = new Pending(message, onArrival, System.nanoTime() + delayNanos, arrivals.getAndIncrement());
        stateLock.lock();
        try {
            if (!closed) {
                staging.add(pending); // unbounded: never blocks
                return;
            }
        } finally {
            stateLock.unlock();
        }
        if (message != null) {
            net.undeliverable.increment();
        }
    }

    /** The delivery thread: moves due messages into the inbound queue until closed. */
    private void deliverLoop() {
        ArrayDeque<Pending> batch = new ArrayDeque<>(BATCH);
        try {
            while (!closed) {
                batch.add(staging.take());
                staging.drainTo(batch, BATCH - 1);
                Pending next;
                while ((next = batch.peek()) != null) {
                    if (next.onArrival != null) {
                        next.onArrival.run();
                        next.onArrival = null; // once, even if the put below is interrupted
                    }
                    if (next.message == null) {
                        batch.poll();
                        continue;
                    }
                    // Counted first, so that a consumer that has taken a message sees it counted.
                    net.delivered.increment();
                    try {
                        inbound.put(next.message); // waits while full: back-pressure on this endpoint only
                    } catch (InterruptedException e) {
                        net.delivered.decrement(); // not delivered after all: counted below
                        throw e;
                    }
                    batch.poll();
                }
            }
        } catch (InterruptedException e) {
            // closed: end
        } finally {
            net.undeliverable.add(batch.size());
        }
    }

    /**
     * A copy on its way, or an event of the client's own: due at {@link #due} ({@link
     * System#nanoTime()} time). Confined to the delivery thread once staged.
     */
    private static final class Pending implements Delayed {
        final InboundMessage message;
        Runnable onArrival;
        final long due;
        final long order;

        Pending(InboundMessage message, Runnable onArrival, long due, long order) {
            this.message = message;
            this.onArrival = onArrival;
            this.due = due;
            this.order = order;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Pending o = (Pending) other;
            long d = due - o.due; // nanoTime values: compare by difference
            if (d != 0) {
                return d < 0 ? -1 : 1;
            }
            return Long.compare(order, o.order);
        }
    }
}
