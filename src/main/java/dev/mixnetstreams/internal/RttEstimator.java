package dev.mixnetstreams.internal;

import java.util.concurrent.TimeUnit;

/**
 * A stream's round-trip time estimate and retransmission timeout, as TCP computes them (RFC 6298):
 * a smoothed round trip and its variation from each sample, the timeout their sum plus four times
 * the variation, doubled after each timeout that fires (back-off) until a new sample comes.
 *
 * <p>Not thread-safe: its owner's lock guards it.
 */
public final class RttEstimator {

    /** The timeout before the first sample: a few of the mixnet's round trips. */
    public static final long INITIAL_RTO_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** The shortest timeout. */
    public static final long MIN_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The longest timeout, back-off included. */
    public static final long MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final long extraNanos;
    /** The longest timeout, back-off included. */
    private final long maxNanos;
    private long smoothedNanos;
    private long variationNanos;
    private long latestNanos;
    private boolean sampled;
    private int backoffs;

    /**
     * Creates an estimator with no sample yet.
     *
     * @param extraNanos added to every timeout: the longest the peer may wait before it acknowledges
     */
    public RttEstimator(long extraNanos) {
        this(extraNanos, MAX_RTO_NANOS);
    }

    /**
     * Creates an estimator with no sample yet and a longest timeout of its own.
     *
     * @param extraNanos added to every timeout: the longest the peer may wait before it acknowledges
     * @param maxNanos the longest timeout, back-off included; positive (below {@link
     *     #MIN_RTO_NANOS} it is every timeout)
     */
    public RttEstimator(long extraNanos, long maxNanos) {
        this.extraNanos = extraNanos;
        this.maxNanos = ArgumentChecks.positive(maxNanos, "maxNanos");
    }

    /**
     * Takes a sample: the time from a frame's send (a first send, never a resend) to the
     * acknowledgement that covered it. Ends any back-off.
     *
     * @param rttNanos the sample, positive
     */
    public void sample(long rttNanos) {
        long r = Math.max(1, rttNanos);
        latestNanos = r;
        if (!sampled) {
            smoothedNanos = r;
            variationNanos = r / 2;
            sampled = true;
        } else {
            variationNanos = (3 * variationNanos + Math.abs(smoothedNanos - r)) / 4;
            smoothedNanos = (7 * smoothedNanos + r) / 8;
        }
        backoffs = 0;
    }

    /** A timeout fired: the next one is twice as long, up to the longest timeout. */
    public void backOff() {
        if (backoffs < 16) {
            backoffs++;
        }
    }

    /**
     * Returns the retransmission timeout now.
     *
     * @return nanoseconds
     */
    public long rtoNanos() {
        long base = sampled ? smoothedNanos + Math.max(4 * variationNanos, TimeUnit.MILLISECONDS.toNanos(10)) + extraNanos
                : INITIAL_RTO_NANOS;
        base = Math.max(MIN_RTO_NANOS, base);
        return Math.min(maxNanos, base << Math.min(backoffs, 20));
    }

    /**
     * Returns how long after a frame's send its loss is declared when a frame sent after it was
     * acknowledged: 9/8 of the larger of the smoothed and the latest round trip (QUIC's rule, so
     * that the mixnet's reordering is not taken for loss).
     *
     * @return nanoseconds; the initial timeout before any sample
     */
    public long lossDelayNanos() {
        return sampled ? Math.max(smoothedNanos, latestNanos) * 9 / 8 : INITIAL_RTO_NANOS;
    }

    /**
     * Returns the smoothed round trip.
     *
     * @return nanoseconds, 0 before the first sample
     */
    public long smoothedNanos() {
        return smoothedNanos;
    }
}
