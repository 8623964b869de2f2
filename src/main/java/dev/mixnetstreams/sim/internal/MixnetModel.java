package dev.mixnetstreams.sim.internal;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a simulated mixnet treats messages, shared by {@code SimulatedMixnet}, {@code LoopbackMixnet}
 * and the nym-client stand-in ({@code NymClientEmulator}), which differ only in how they carry a
 * message to its receiver:
 *
 * <ul>
 *   <li>each message is lost with probability {@code lossRate}; one not lost is delivered after a
 *       delay drawn uniformly from [{@code minDelayNanos}, {@code maxDelayNanos}], independently
 *       for each message (so messages overtake each other), and with probability {@code
 *       duplicateRate} a second time, after a delay of its own ({@link Sender#fate()});
 *   <li>a sender's anonymous messages to one recipient carry one sender tag, issued on first use
 *       and unique in the model ({@link Sender#tagFor});
 *   <li>a reply with a tag goes to the tag's sender, and only the recipient the tag was issued to
 *       can reply with it ({@link #replyRoute}).
 * </ul>
 *
 * <p>Every random decision about what a sender sends, and its tags, come from that sender's own
 * seeded generator: the same seeds and the same order of sends on each sender make the same
 * decisions again. Thread-safe.
 */
public final class MixnetModel {

    /** The fate of a lost message. */
    private static final Fate LOST = new Fate(0, 0, 0);

    private final long minDelayNanos;
    private final long maxDelayNanos;
    private final double lossRate;
    private final double duplicateRate;
    /** The fate of every message when nothing is random: one copy after the minimum delay. */
    private final Fate fixedFate;
    /** Every sender tag issued, with where replies to it go. */
    private final ConcurrentHashMap<SenderTag, TagRoute> tagRoutes = new ConcurrentHashMap<>();

    /**
     * Where replies to a sender tag go.
     *
     * @param sender the address that sent with the tag, which replies reach
     * @param issuedTo the address the tag was issued to, the only one that may reply with it
     */
    private record TagRoute(Recipient sender, Recipient issuedTo) {}

    /**
     * Creates a model. The settings are checked where they are set, by the builder of the mixnet
     * or stand-in that uses the model; they are taken as they are here.
     *
     * @param minDelayNanos the shortest delay, 0 or more, at most 100 years in nanoseconds (so a
     *     due time {@code System.nanoTime() + delay}, compared by difference, never wraps)
     * @param maxDelayNanos the longest delay, at least {@code minDelayNanos}, at most 100 years
     * @param lossRate the probability that a message is lost, in [0, 1]
     * @param duplicateRate the probability that a message not lost is delivered twice, in [0, 1]
     */
    public MixnetModel(long minDelayNanos, long maxDelayNanos, double lossRate, double duplicateRate) {
        this.minDelayNanos = minDelayNanos;
        this.maxDelayNanos = maxDelayNanos;
        this.lossRate = lossRate;
        this.duplicateRate = duplicateRate;
        this.fixedFate = new Fate(1, minDelayNanos, minDelayNanos);
    }

    /**
     * Creates the model of a network that delivers every message once, at once.
     *
     * @return a model with no delay, no loss and no duplicates
     */
    public static MixnetModel instant() {
        return new MixnetModel(0, 0, 0, 0);
    }

    /**
     * Returns the shortest delay.
     *
     * @return nanoseconds
     */
    public long minDelayNanos() {
        return minDelayNanos;
    }

    /**
     * Returns the longest delay.
     *
     * @return nanoseconds
     */
    public long maxDelayNanos() {
        return maxDelayNanos;
    }

    /**
     * Returns the probability that a message is lost.
     *
     * @return in [0, 1]
     */
    public double lossRate() {
        return lossRate;
    }

    /**
     * Returns the probability that a message not lost is delivered twice.
     *
     * @return in [0, 1]
     */
    public double duplicateRate() {
        return duplicateRate;
    }

    /**
     * Creates the model's side of one sending client: its address and the generator its decisions
     * and tags come from. The caller keeps it, one per address.
     *
     * @param address the sender's address
     * @param random the sender's generator, used by the sender only from now on
     * @return the sender
     */
    public Sender sender(Recipient address, SplittableRandom random) {
        return new Sender(Objects.requireNonNull(address, "address"), Objects.requireNonNull(random, "random"));
    }

    /**
     * Returns where a reply with a sender tag goes.
     *
     * @param senderTag the tag the reply names
     * @param replier the address replying
     * @return the address of the tag's sender, or {@code null} if no tag like it was issued to
     *     {@code replier}
     */
    public Recipient replyRoute(SenderTag senderTag, Recipient replier) {
        TagRoute route = tagRoutes.get(senderTag);
        return route != null && route.issuedTo().equals(replier) ? route.sender() : null;
    }

    /**
     * Describes the settings.
     *
     * @return for logs
     */
    @Override
    public String toString() {
        return "MixnetModel[delay=" + minDelayNanos + ".." + maxDelayNanos + " ns, loss=" + lossRate
                + ", duplicates=" + duplicateRate + "]";
    }

    /**
     * What happens to one message sent: lost ({@code copies} 0), delivered once, or twice; each
     * copy after its delay.
     *
     * @param copies 0, 1 or 2
     * @param delayNanos the first copy's delay
     * @param duplicateDelayNanos the second copy's delay, if there is one
     */
    public record Fate(int copies, long delayNanos, long duplicateDelayNanos) {

        /**
         * Returns whether the message is lost.
         *
         * @return {@code copies == 0}
         */
        public boolean lost() {
            return copies == 0;
        }

        /**
         * Returns whether the message is delivered twice.
         *
         * @return {@code copies == 2}
         */
        public boolean duplicated() {
            return copies == 2;
        }
    }

    /** One sending client in the model: its generator and the tags issued for it. */
    public final class Sender {

        private final Recipient address;
        /** Guards {@link #random}. Never held across anything but a draw. */
        private final ReentrantLock randomLock = new ReentrantLock();
        /** Guarded by {@link #randomLock}. */
        private final SplittableRandom random;
        /** This sender's tag towards each recipient, issued on first use. */
        private final ConcurrentHashMap<Recipient, SenderTag> tags = new ConcurrentHashMap<>();

        private Sender(Recipient address, SplittableRandom random) {
            this.address = address;
            this.random = random;
        }

        /**
         * Returns the sender's address.
         *
         * @return the address replies to its tags reach
         */
        public Recipient address() {
            return address;
        }

        /**
         * Decides what happens to one message this sender sends, with its generator: lost, or
         * delivered once or twice, each copy after a delay. Draws nothing when nothing is random.
         *
         * @return the message's fate
         */
        public Fate fate() {
            boolean jitter = maxDelayNanos > minDelayNanos;
            if (!jitter && lossRate == 0 && duplicateRate == 0) {
                return fixedFate;
            }
            randomLock.lock();
            try {
                if (lossRate > 0 && random.nextDouble() < lossRate) {
                    return LOST;
                }
                boolean duplicated = duplicateRate > 0 && random.nextDouble() < duplicateRate;
                long delay = jitter ? drawDelay() : minDelayNanos;
                long duplicateDelay = duplicated && jitter ? drawDelay() : minDelayNanos;
                return new Fate(duplicated ? 2 : 1, delay, duplicateDelay);
            } finally {
                randomLock.unlock();
            }
        }

        /** Draws a delay uniformly from [min, max] (max is at most 100 years); called with {@link #randomLock} held. */
        private long drawDelay() {
            return random.nextLong(minDelayNanos, maxDelayNanos + 1);
        }

        /**
         * Returns the sender tag this sender's anonymous messages to {@code recipient} carry,
         * issuing it with this sender's generator on first use: replies to it from {@code
         * recipient} reach this sender's address ({@link #replyRoute}).
         *
         * @param recipient where the anonymous messages go
         * @return the tag, the same on every call for this recipient
         */
        public SenderTag tagFor(Recipient recipient) {
            SenderTag tag = tags.get(recipient);
            if (tag != null) {
                return tag;
            }
            TagRoute route = new TagRoute(address, recipient);
            SenderTag fresh;
            do {
                randomLock.lock();
                try {
                    fresh = SenderTag.random(random);
                } finally {
                    randomLock.unlock();
                }
            } while (tagRoutes.putIfAbsent(fresh, route) != null);
            tag = tags.putIfAbsent(recipient, fresh);
            if (tag != null) { // another thread issued one first
                tagRoutes.remove(fresh, route);
                return tag;
            }
            return fresh;
        }

        /**
         * Describes the sender.
         *
         * @return for logs
         */
        @Override
        public String toString() {
            return "Sender[" + address + "]";
        }
    }
}
