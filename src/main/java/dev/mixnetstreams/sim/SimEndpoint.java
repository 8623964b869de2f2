package dev.mixnetstreams.sim;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.sim.internal.MixnetModel;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
        transmit(net.endpointAt(recipient), message, null);
    }

    @Override
    public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(message, "message");
        if (replySurbs < 0) {
            throw new IllegalArgumentException("replySurbs: must be >= 0, got " + replySurbs);
        }
        ensureOpen();
        transmit(net.endpointAt(recipient), message, sender.tagFor(recipient));
    }

    @Override
    public void reply(SenderTag senderTag, byte[] message) throws IOException {
        Objects.requireNonNull(senderTag, "senderTag");
        Objects.requireNonNull(message, "message");
        ensureOpen();
        Recipient to = net.model.replyRoute(senderTag, address);
        if (to == null) {
            throw new IOException("unknown sender tag " + senderTag);
        }
        // As on the real network, a reply carries no sender tag. A closed sender drops it.
        transmit(net.endpointAt(to), message, null);
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
     */
    private void transmit(SimEndpoint to, byte[] message, SenderTag tag) {
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
        to.enqueue(first, fate.delayNanos());
        if (second != null) {
            to.enqueue(second, fate.duplicateDelayNanos());
        }
    }

    /** Accepts one copy for delivery after {@code delayNanos}, or drops it if this endpoint is closed. */
    private void enqueue(InboundMessage message, long delayNanos) {
        Pending pending = new Pending(message, System.nanoTime() + delayNanos, arrivals.getAndIncrement());
        stateLock.lock();
        try {
            if (!closed) {
                staging.add(pending); // unbounded: never blocks
                return;
            }
        } finally {
            stateLock.unlock();
        }
        net.undeliverable.increment();
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

    /** A copy on its way: due at {@link #due} ({@link System#nanoTime()} time). */
    private static final class Pending implements Delayed {
        final InboundMessage message;
        final long due;
        final long order;

        Pending(InboundMessage message, long due, long order) {
            this.message = message;
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
