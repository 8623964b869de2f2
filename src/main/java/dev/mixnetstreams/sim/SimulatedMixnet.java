package dev.mixnetstreams.sim;

import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.internal.ArgumentChecks;
import dev.mixnetstreams.sim.internal.MixnetModel;
import java.io.Closeable;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-process mixnet: endpoints created by {@link #newEndpoint()} send to each other's
 * addresses with a random delay, and may lose or duplicate messages.
 *
 * <p>Semantics, per message sent (by {@link MixnetTransport#send}, {@link
 * MixnetTransport#sendAnonymous} or {@link MixnetTransport#reply}):
 *
 * <ul>
 *   <li>with probability {@link Builder#lossRate lossRate} it is lost;
 *   <li>otherwise it is delivered after a delay drawn uniformly from [{@code min}, {@code max}]
 *       (see {@link Builder#latency}), independently for each message, so messages can overtake
 *       each other;
 *   <li>a message that is not lost is, with probability {@link Builder#duplicateRate
 *       duplicateRate}, delivered twice, each copy with its own delay. The first copy is the
 *       sender's array itself (senders promise not to change it after sending); the second copy is
 *       a fresh copy of it, so a receiver may change any array it receives;
 *   <li>a message to an address with no open endpoint is silently dropped, as on the real network,
 *       and counted as {@linkplain Stats#undeliverable() undeliverable}.
 * </ul>
 *
 * <p>Random decisions (endpoint addresses, sender tags, loss, duplication and delays) come from
 * {@link SplittableRandom}s derived from the {@linkplain Builder#seed seed}: one for the mixnet,
 * which creates addresses and gives each new endpoint its own generator, and that generator for
 * everything the endpoint sends. A run therefore makes the same decisions again for the same seed,
 * the same order of endpoint creation and the same order of sends on each endpoint (wall-clock
 * timing, and so the interleaving of deliveries, is not reproducible).
 *
 * <p>Each endpoint has a bounded inbound queue ({@link Builder#inboundCapacity}) and its own
 * delivery virtual thread, named {@code sim-delivery-<n>}, that moves due messages into it. When
 * the queue is full that thread waits: back-pressure holds back deliveries to that endpoint only,
 * never to others, and never blocks senders (messages in flight are held in an unbounded staging
 * queue, as the network would hold them).
 *
 * <p>With a {@linkplain Builder#costModel cost model}, each endpoint also behaves as a nym-client
 * does on the real network: what it sends is cut into Sphinx packets that leave one at a time at the
 * model's pace, a message starting on its way (with the delay above) when its last packet has left;
 * replies spend reply SURBs from the pool the replier holds for the sender tag, and wait while it
 * runs short, the replier asking the tag's owner for more, which answers with SURBs of its own
 * (see {@link NymCostModel}). Senders on a lane ({@link MixnetTransport#sendAnonymous(Recipient,
 * byte[], int, long)}) wait while their lane holds more than 30 packets. Loss and duplicates stay
 * per message: the nym-client resends lost packets itself, so at its API a message arrives whole
 * or, when a client restarts or SURBs run out, not at all. The client's own SURB requests and
 * refills are never lost. {@link #packetsSent()} and {@link #costs} count what left.
 *
 * <p>{@link #close()} closes every endpoint and stops every thread; it is idempotent. An endpoint
 * still open then fails as a transport whose connection is lost does: its {@link
 * MixnetTransport#onFailure} callbacks run once, with an {@link IOException} "simulated
 * mixnet closed", so a {@link dev.mixnetstreams.MixnetClient} over it fails every stream, blocked
 * read, accept and message wait instead of leaving them hanging.
 */
public final class SimulatedMixnet implements Closeable {

    private static final AtomicInteger ENDPOINT_NUMBERS = new AtomicInteger();

    /**
     * Loss, duplicates, delays and sender tags. Delays are at most {@link
     * ArgumentChecks#MAX_DURATION}: a due time {@code System.nanoTime() + delay}, compared by
     * difference, then never wraps into the past.
     */
    final MixnetModel model;
    /** The costs of the real network, or {@code null} for messages moving at once. */
    final NymCostModel costModel;
    final int inboundCapacity;
    private final long seed;

    private final ReentrantLock lock = new ReentrantLock();
    /** Creates addresses and endpoint generators; guarded by {@link #lock}. */
    private final SplittableRandom random;
    /** The open endpoints in creation order; guarded by {@link #lock}. */
    private final List<SimEndpoint> endpoints = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Guarded by {@link #lock}: what closed endpoints spent, for {@link #packetsSent()}. */
    private PacketCosts closedCosts = PacketCosts.NONE;

    /** Open endpoints by address. */
    private final ConcurrentHashMap<Recipient, SimEndpoint> byAddress = new ConcurrentHashMap<>();

    final LongAdder sent = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder undeliverable = new LongAdder();

    private SimulatedMixnet(Builder b, long seed) {
        this.model = new MixnetModel(b.minLatency.toNanos(), b.maxLatency.toNanos(), b.lossRate, b.duplicateRate);
        this.inboundCapacity = b.inboundCapacity;
        this.costModel = b.costModel;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Starts configuring a mixnet. Defaults: no latency, no loss, no duplicates, a random seed, an
     * inbound capacity of {@value Builder#DEFAULT_INBOUND_CAPACITY} messages per endpoint.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates an endpoint with a fresh random address and starts its delivery thread.
     *
     * @return the endpoint, open until it or this mixnet is closed
     * @throws IllegalStateException if this mixnet is closed
     */
    public MixnetTransport newEndpoint() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("simulated mixnet closed");
            }
            Recipient address;
            do {
                address = Recipient.random(random);
            } while (byAddress.containsKey(address));
            SimEndpoint endpoint =
                    new SimEndpoint(this, address, random.split(), ENDPOINT_NUMBERS.incrementAndGet());
            byAddress.put(address, endpoint);
            endpoints.add(endpoint);
            endpoint.start();
            return endpoint;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the seed this mixnet's random decisions derive from (the one given to the builder,
     * or the one drawn when none was given), for reproducing a run.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Returns the message counters so far. They are read one after the other, so while messages
     * are moving a snapshot may be slightly inconsistent; once everything is delivered or dropped,
     * {@code sent + duplicated == delivered + lost + undeliverable}.
     *
     * @return a snapshot of the counters
     */
    public Stats stats() {
        return new Stats(sent.sum(), delivered.sum(), lost.sum(), duplicated.sum(), undeliverable.sum());
    }

    /**
     * Returns how many Sphinx packets every endpoint sent so far (data, replies, SURB requests and
     * refills; not acknowledgements, not cover traffic), closed endpoints included.
     *
     * @return packets; 0 without a cost model
     */
    public long packetsSent() {
        lock.lock();
        try {
            long sum = closedCosts.packetsSent();
            for (SimEndpoint endpoint : endpoints) {
                sum += endpoint.costs().packetsSent();
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns what one endpoint spent so far under the cost model.
     *
     * @param endpoint an endpoint of this mixnet
     * @return its costs; {@link PacketCosts#NONE} without a cost model
     * @throws IllegalArgumentException if it is not an endpoint of this mixnet
     */
    public PacketCosts costs(MixnetTransport endpoint) {
        if (!(endpoint instanceof SimEndpoint simEndpoint) || simEndpoint.mixnet() != this) {
            throw new IllegalArgumentException("not an endpoint of this mixnet: " + endpoint);
        }
        return simEndpoint.costs();
    }

    /**
     * Closes every endpoint (see {@link MixnetTransport#close()}) and waits for their delivery
     * threads to end; each endpoint still open runs its failure callbacks (see {@link
     * MixnetTransport#onFailure}) with an {@link IOException} "simulated mixnet closed", on this
     * thread. Afterwards {@link #newEndpoint()} fails. Idempotent.
     */
    @Override
    public void close() {
        List<SimEndpoint> open;
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
        for (SimEndpoint endpoint : open) {
            endpoint.fail(new IOException("simulated mixnet closed"));
        }
    }

    /** Returns the open endpoint at an address, or {@code null}. */
    SimEndpoint endpointAt(Recipient address) {
        return byAddress.get(address);
    }

    /** Forgets a closing endpoint: messages to its address become undeliverable; its costs are kept. */
    void remove(SimEndpoint endpoint) {
        byAddress.remove(endpoint.address(), endpoint);
        lock.lock();
        try {
            if (endpoints.remove(endpoint)) {
                closedCosts = closedCosts.plus(endpoint.costs());
            }
        } finally {
            lock.unlock();
        }
    }

    /** The delivery threads of the open endpoints (for tests). */
    List<Thread> deliveryThreads() {
        lock.lock();
        try {
            return endpoints.stream().map(SimEndpoint::deliveryThread).toList();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counters of a {@link SimulatedMixnet}.
     *
     * @param sent messages accepted by {@code send}, {@code sendAnonymous} and {@code reply}
     * @param delivered copies put into an endpoint's inbound queue (counted just before the put
     *     completes, so a message a consumer has taken is always counted)
     * @param lost messages dropped by the simulated loss
     * @param duplicated messages that got a second copy
     * @param undeliverable copies dropped because no open endpoint had their address, or because
     *     the receiving endpoint closed before they were delivered
     */
    public record Stats(long sent, long delivered, long lost, long duplicated, long undeliverable) {

        /**
         * Returns the copies still on their way: sent and duplicated, not yet delivered, lost or
         * dropped.
         *
         * @return {@code sent + duplicated - delivered - lost - undeliverable}
         */
        public long inFlight() {
            return sent + duplicated - delivered - lost - undeliverable;
        }
    }

    /**
     * Configures a {@link SimulatedMixnet}. Each setting is checked where it is set, so {@link
     * #build()} cannot fail on configuration; a refused setting leaves the builder as it was.
     */
    public static final class Builder {

        /** Default capacity of each endpoint's inbound queue: 65 536 messages. */
        public static final int DEFAULT_INBOUND_CAPACITY = 65_536;

        private Duration minLatency = Duration.ZERO;
        private Duration maxLatency = Duration.ZERO;
        private double lossRate;
        private double duplicateRate;
        private Long seed;
        private int inboundCapacity = DEFAULT_INBOUND_CAPACITY;
        private NymCostModel costModel;

        private Builder() {}

        /**
         * Sets the range each message's delay is drawn from, uniformly. Default 0..0.
         *
         * @param min the shortest delay, not negative, at most 100 years
         * @param max the longest delay, at least {@code min}, at most 100 years
         * @return this builder
         * @throws NullPointerException if a bound is {@code null}
         * @throws IllegalArgumentException if a bound is negative or longer than 100 years, or
         *     {@code max} is shorter than {@code min}
         */
        public Builder latency(Duration min, Duration max) {
            ArgumentChecks.zeroOrPositive(min, "latency min");
            ArgumentChecks.zeroOrPositive(max, "latency max");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("latency max must be at least latency min (" + min + "), got " + max);
            }
            this.minLatency = min;
            this.maxLatency = max;
            return this;
        }

        /**
         * Sets the probability that a message is lost. Default 0.
         *
         * @param lossRate in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if it is outside [0, 1] or NaN
         */
        public Builder lossRate(double lossRate) {
            this.lossRate = ArgumentChecks.probability(lossRate, "lossRate");
            return this;
        }

        /**
         * Sets the probability that a message that is not lost is delivered twice. Default 0.
         *
         * @param duplicateRate in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if it is outside [0, 1] or NaN
         */
        public Builder duplicateRate(double duplicateRate) {
            this.duplicateRate = ArgumentChecks.probability(duplicateRate, "duplicateRate");
            return this;
        }

        /**
         * Sets the seed of the random decisions. Default: a random seed (see {@link
         * SimulatedMixnet#seed()}).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the capacity of each endpoint's inbound queue. Default {@value #DEFAULT_INBOUND_CAPACITY}.
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
         * Sets what a message costs on the real network: packets, pace and reply SURBs (see the
         * class description). Default: none, so messages move at once and cost nothing.
         *
         * @param model the costs, for example {@link NymCostModel#defaults()}, or {@code null} for none
         * @return this builder
         */
        public Builder costModel(NymCostModel model) {
            this.costModel = model;
            return this;
        }

        /**
         * Creates the mixnet.
         *
         * @return a new, open mixnet with no endpoints
         */
        public SimulatedMixnet build() {
            return new SimulatedMixnet(this, seed != null ? seed : new SecureRandom().nextLong());
        }
    }

    /**
     * Describes the configuration and the counters.
     *
     * @return for logs
     */
    @Override
    public String toString() {
        return "SimulatedMixnet[seed=" + seed + ", latency=" + Duration.ofNanos(model.minDelayNanos()) + ".."
                + Duration.ofNanos(model.maxDelayNanos()) + ", loss=" + model.lossRate() + ", duplicates="
                + model.duplicateRate() + ", " + stats() + "]";
    }
}
