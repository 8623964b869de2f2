package dev.mixnetstreams.sim;

import dev.mixnetstreams.PacketGeometry;
import java.time.Duration;

/**
 * What a message costs on the real Nym mixnet, for the simulator: Sphinx packets, the pace at which
 * a nym-client sends them, and the reply SURBs replies spend and the nym-client refills. With a
 * cost model ({@link SimulatedMixnet.Builder#costModel}), the simulator moves packets, not messages,
 * and counts them ({@link SimulatedMixnet#packetsSent()}).
 *
 * <p>The facts, from a default nym-client:
 * <ul>
 *   <li>Packets: a message is cut into packets of 1,604 message bytes ({@link PacketGeometry}); an
 *       anonymous message with {@code k} reply SURBs takes {@code ceil((23 + S·k + frame) / 1604)},
 *       a reply {@code ceil((3 + frame) / 1604)}, with S = 1,164 bytes for a legacy SURB (the
 *       default) or 460.</li>
 *   <li>Pace: each client sends one packet at a time, with exponential gaps of mean
 *       {@code 1 / packetsPerSecond} (50 per second by default), shared by everything it sends.</li>
 *   <li>Reply SURBs: an anonymous message's SURBs join the receiver's pool for its sender tag; each
 *       reply packet spends one; {@value #SURB_RESERVE} stay in reserve, so a reply of R packets
 *       leaves at once only if the pool holds {@code 10 + R}. While reply packets wait, the
 *       replier asks the sender's client for more whenever the SURBs it holds plus those asked for
 *       and not yet come are fewer than the waiting packets plus the reserve (and fewer than
 *       {@value #SURB_POOL_TARGET_MAX}): a request of {@code min(50, max(waiting packets, 10))}
 *       SURBs, one packet that spends a reserve SURB, several possibly in flight. The sender's
 *       client answers with that many SURBs (an anonymous message of SURBs only). When none came
 *       for {@link #surbRequestRetry()}, the replier asks again, at most
 *       {@value #SURB_REQUEST_ATTEMPTS} times, then drops the waiting replies, as it does when
 *       none came for {@link #surbGiveUp()}. These are the nym-client's rules and defaults
 *       (its reply controller).</li>
 * </ul>
 *
 * <p>Immutable; {@link #defaults()}, then the {@code with} methods return changed copies.
 */
public final class NymCostModel {

    /** Reply SURBs a replier keeps in reserve per sender tag. */
    public static final int SURB_RESERVE = 10;
    /** The fewest SURBs a replier asks for at once. */
    public static final int SURB_REQUEST_MIN = 10;
    /** The most SURBs a replier asks for at once. */
    public static final int SURB_REQUEST_MAX = 50;
    /** Times a replier asks again for SURBs that did not come before it drops the waiting replies. */
    public static final int SURB_REQUEST_ATTEMPTS = 5;
    /** A replier asks for no more SURBs while it holds and awaits this many. */
    public static final int SURB_POOL_TARGET_MAX = 200;

    private final PacketGeometry geometry;
    private final double packetsPerSecond;
    private final Duration surbRequestRetry;
    private final Duration surbGiveUp;

    private NymCostModel(PacketGeometry geometry, double packetsPerSecond, Duration surbRequestRetry,
                         Duration surbGiveUp) {
        this.geometry = geometry;
        this.packetsPerSecond = packetsPerSecond;
        this.surbRequestRetry = surbRequestRetry;
        this.surbGiveUp = surbGiveUp;
    }

    /**
     * Returns a default nym-client's costs: legacy SURBs, 50 packets per second, SURBs asked for
     * again after 10 s and given up after 5 minutes.
     *
     * @return the model
     */
    public static NymCostModel defaults() {
        return new NymCostModel(PacketGeometry.NYM_LEGACY_SURBS, 50, Duration.ofSeconds(10), Duration.ofMinutes(5));
    }

    /**
     * Returns a copy that sends at another pace (for tests and benchmarks).
     *
     * @param perSecond packets each client sends per second on average; positive
     * @return the copy
     * @throws IllegalArgumentException if not positive or not finite
     */
    public NymCostModel withPacketsPerSecond(double perSecond) {
        if (!(perSecond > 0 && perSecond < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("packetsPerSecond must be positive and finite, got " + perSecond);
        }
        return new NymCostModel(geometry, perSecond, surbRequestRetry, surbGiveUp);
    }

    /**
     * Returns a copy with another packet geometry, for example {@link PacketGeometry#NYM_CURRENT_SURBS}.
     *
     * @param packets the geometry
     * @return the copy
     */
    public NymCostModel withGeometry(PacketGeometry packets) {
        return new NymCostModel(java.util.Objects.requireNonNull(packets, "geometry"), packetsPerSecond,
                surbRequestRetry, surbGiveUp);
    }

    /**
     * Returns a copy whose clock runs {@code factor} times faster: the pace multiplied, the SURB
     * timers divided. A benchmark that also divides the mixnet's latency and the clients' own timers
     * by the same factor sees the same packets in a fraction of the time, its times to be
     * multiplied back.
     *
     * @param factor at least 1
     * @return the copy
     * @throws IllegalArgumentException if below 1 or not finite
     */
    public NymCostModel speedUp(double factor) {
        if (!(factor >= 1 && factor < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("factor must be at least 1 and finite, got " + factor);
        }
        return new NymCostModel(geometry, packetsPerSecond * factor, divide(surbRequestRetry, factor),
                divide(surbGiveUp, factor));
    }

    private static Duration divide(Duration d, double factor) {
        return Duration.ofNanos(Math.max(1, (long) (d.toNanos() / factor)));
    }

    /**
     * Returns how messages are cut into packets.
     *
     * @return the geometry
     */
    public PacketGeometry geometry() {
        return geometry;
    }

    /**
     * Returns the pace: packets each client sends per second on average.
     *
     * @return packets per second
     */
    public double packetsPerSecond() {
        return packetsPerSecond;
    }

    /**
     * Returns how long a replier waits for SURBs it asked for before it asks again.
     *
     * @return the retry interval
     */
    public Duration surbRequestRetry() {
        return surbRequestRetry;
    }

    /**
     * Returns how long replies may wait for SURBs before they are dropped.
     *
     * @return the give-up time
     */
    public Duration surbGiveUp() {
        return surbGiveUp;
    }

    /**
     * Returns how many SURBs a replier asks for when {@code queuedPackets} reply packets wait.
     *
     * @param queuedPackets reply packets waiting for SURBs
     * @return {@code min(50, max(queuedPackets, 10))}
     */
    public static int surbRequestAmount(long queuedPackets) {
        return (int) Math.min(SURB_REQUEST_MAX, Math.max(queuedPackets, SURB_REQUEST_MIN));
    }

    /**
     * Describes the model.
     *
     * @return for logs
     */
    @Override
    public String toString() {
        return "NymCostModel[" + geometry + ", " + packetsPerSecond + " packets/s, SURB retry " + surbRequestRetry
                + ", give up " + surbGiveUp + "]";
    }
}
