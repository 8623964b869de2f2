package dev.mixnetstreams;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The keepalive of one stream this client opened, as newer Rust openers run it: once the peer has
 * shown that it speaks keepalive (it sent an OpenAck, a Ping or a Pong that answers ours: the
 * stream is <em>armed</em>), a stretch of {@code interval} without any frame from it brings a Ping;
 * the same nonce is sent again, one interval after the last one left, until something arrives; a
 * Ping counts as missed only once it has actually left (a transport that takes no data does not
 * count against the peer); the third miss makes the stream fail with
 * {@link PeerUnresponsiveException}. Any frame from the peer proves it alive and starts over.
 * Streams that were never armed are never pinged: a peer of the first protocol version would not
 * answer.
 *
 * <p>Confinement: everything belongs to the router thread (it sees every inbound frame and runs
 * the sweep), except {@link #pingLeftNanos} and {@link #leftNonce}, which the control sender writes
 * when a Ping has left (volatile, nonce first).
 */
final class Keepalive {

    /** Pings left unanswered before the peer is taken for gone. */
    static final int MISSES_ALLOWED = 3;

    /** What the sweep is to do for the stream. */
    enum Step {
        /** Nothing now. */
        NOTHING,
        /** Queue a Ping with {@link #nonce()}. */
        PING,
        /** The peer is unresponsive: fail the stream. */
        GIVE_UP
    }

    private boolean armed;
    private boolean frameSinceSweep;
    private long lastFrameNanos;
    private boolean pingOutstanding;
    private int nonce;
    private int misses;
    private volatile int leftNonce;
    private volatile long pingLeftNanos;

    Keepalive(long createdNanos) {
        this.lastFrameNanos = createdNanos;
    }

    /** Router: a frame from the peer arrived (any type). */
    void frameArrived() {
        frameSinceSweep = true;
    }

    /** Router: the peer showed that it speaks keepalive (OpenAck, Ping, or a Pong answering ours). */
    void arm() {
        armed = true;
    }

    boolean isArmed() {
        return armed;
    }

    /**
     * Router: a Pong arrived.
     *
     * @return whether it answers the Ping outstanding (a stale nonce does not)
     */
    boolean pongArrived(int pongNonce) {
        if (pingOutstanding && pongNonce == nonce) {
            pingOutstanding = false;
            misses = 0;
            return true;
        }
        return false;
    }

    /** Control sender: the Ping with {@code pingNonce} left at {@code nanos}. */
    void pingLeft(int pingNonce, long nanos) {
        leftNonce = pingNonce;
        pingLeftNanos = nanos;
    }

    /** The nonce of the Ping to send. */
    int nonce() {
        return nonce;
    }

    int misses() {
        return misses;
    }

    /**
     * Router, at each sweep: what to do now.
     *
     * @param now the sweep's time ({@link System#nanoTime()})
     * @param intervalNanos the keepalive interval
     */
    Step sweep(long now, long intervalNanos) {
        if (frameSinceSweep) {
            // Credited with a clock read made after clearing the mark: late by at most one
            // sweep, never early, so a Ping never goes out sooner than an interval of silence.
            frameSinceSweep = false;
            lastFrameNanos = System.nanoTime();
            pingOutstanding = false;
            misses = 0;
            return Step.NOTHING;
        }
        if (!armed || now - lastFrameNanos < intervalNanos) {
            return Step.NOTHING;
        }
        if (!pingOutstanding) {
            pingOutstanding = true;
            nonce = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE); // 0 is the Open probe's
            pingLeftNanos = 0;
            return Step.PING;
        }
        long left = pingLeftNanos;
        if (left == 0 || leftNonce != nonce || now - left < intervalNanos) {
            return Step.NOTHING; // not left yet (it waits in the sender), or not yet overdue
        }
        if (++misses >= MISSES_ALLOWED) {
            return Step.GIVE_UP;
        }
        pingLeftNanos = 0;
        return Step.PING; // the same nonce again
    }
}
