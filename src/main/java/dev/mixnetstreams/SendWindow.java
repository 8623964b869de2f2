package dev.mixnetstreams;

import dev.mixnetstreams.internal.RttEstimator;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The sending half of a stream's reliability and flow control towards a peer of this library
 * (PROTOCOL.md, section 9): the frames cut and not yet sendable for want of the peer's credit, the
 * frames sent and not yet acknowledged, the peer's credit, and the round-trip estimate that times
 * resends. Towards a peer without the extensions it only passes frames on.
 *
 * <p>Credit is a cumulative byte count (what the peer allows in all, Open included: each frame's
 * payload and {@link ExtensionFrames#CREDIT_PER_FRAME}),
 * so a lost, repeated or reordered CREDIT does no harm; before the peer's first one the sender
 * assumes {@value #INITIAL_CREDIT} bytes. Acknowledgements are cumulative too (the next sequence
 * number expected), with the 32 frames after it marked one by one. A frame is sent again when its
 * timeout passes, or sooner when a frame sent after it was acknowledged and it has been out for
 * 9/8 of a round trip (the mixnet reorders: a little later is not lost). A frame sent {@value
 * #MAX_SENDS} times without an acknowledgement gives the stream up.
 *
 * <p>Guards: none of its own; every method is called with its {@link StreamWriter}'s state lock
 * held.
 */
final class SendWindow {

    /** Credit every sender assumes before its peer's first CREDIT: 64 KiB, about one round trip at the Nym pace. */
    static final long INITIAL_CREDIT = 64 * 1024;
    /** Sends of one frame (the first included) before the stream is given up. */
    static final int MAX_SENDS = 10;
    /** The most a peer waits before it acknowledges what arrived ({@link MixnetStream#ACK_DELAY_NANOS}). */
    static final long ACK_DELAY_NANOS = MixnetStream.ACK_DELAY_NANOS;

    /** A frame sent and not yet acknowledged. */
    private static final class Outstanding {
        final StreamWriter.Frame frame;
        long sentAtNanos;
        int sends = 1;
        boolean resent;
        boolean acked;

        Outstanding(StreamWriter.Frame frame, long sentAtNanos) {
            this.frame = frame;
            this.sentAtNanos = sentAtNanos;
        }
    }

    /** Frames cut and waiting for credit, in sequence order. */
    private final ArrayDeque<StreamWriter.Frame> unsent = new ArrayDeque<>();
    /** Frames sent and not yet acknowledged, in sequence order (the Open first). */
    private final ArrayDeque<Outstanding> unacked = new ArrayDeque<>();
    private final RttEstimator rtt;
    /** The credit the peer allows in all (payload bytes and {@link ExtensionFrames#CREDIT_PER_FRAME} per frame). */
    private long peerLimit = INITIAL_CREDIT;
    /** The credit spent so far (Open included). */
    private long sentBytes;
    /** Whether frames are kept until acknowledged and sends wait for credit: the peer speaks the extensions, or may. */
    private boolean reliable = true;
    /**
     * Whether the peer has shown that it speaks the extensions. Only then is an Open sent again: a
     * Rust acceptor of the first version takes a second Open for a new stream, while resent Data
     * is a duplicate to every peer.
     */
    private boolean peerKnown;
    /** How many frames in {@link #unacked} were sent more than once and are not acknowledged. */
    private int resentOutstanding;
    /** When sending began to wait for credit, or 0. */
    private long blockedSinceNanos;
    /** When the last probe for credit went out, or 0. */
    private long probedAtNanos;

    /**
     * Creates an empty window.
     *
     * @param maxResendTimeoutNanos the longest a frame waits before it is sent again, back-off
     *     included ({@link RttEstimator#MAX_RTO_NANOS} but in tests)
     */
    SendWindow(long maxResendTimeoutNanos) {
        this.rtt = new RttEstimator(ACK_DELAY_NANOS, maxResendTimeoutNanos);
    }

    /** Adds a frame just cut; it goes when the credit allows. */
    void add(StreamWriter.Frame frame) {
        unsent.addLast(frame);
    }

    /**
     * Takes the next frame to send if the peer's credit allows it, noting it as sent.
     *
     * @param now {@link System#nanoTime()}
     * @return the frame, or {@code null} if none is cut or the credit does not allow the next
     */
    StreamWriter.Frame next(long now) {
        StreamWriter.Frame frame = unsent.peekFirst();
        if (frame == null) {
            return null;
        }
        long cost = creditCost(frame);
        if (reliable && sentBytes + cost > peerLimit && cost > 0) {
            if (blockedSinceNanos == 0) {
                blockedSinceNanos = now;
            }
            return null;
        }
        blockedSinceNanos = 0;
        unsent.pollFirst();
        sentBytes += cost;
        if (reliable) {
            unacked.addLast(new Outstanding(frame, now));
        }
        return frame;
    }

    /** The credit a frame takes: its payload and {@link ExtensionFrames#CREDIT_PER_FRAME}; none for an end of stream. */
    static long creditCost(StreamWriter.Frame frame) {
        return frame.payloadLength() == 0 ? 0 : frame.payloadLength() + ExtensionFrames.CREDIT_PER_FRAME;
    }

    /** Whether frames are cut and not sent. */
    boolean hasUnsent() {
        return !unsent.isEmpty();
    }

    /** Whether every frame cut was sent and acknowledged (or the peer does not acknowledge). */
    boolean isDrained() {
        return unsent.isEmpty() && unacked.isEmpty();
    }

    /** The peer has shown that it speaks the extensions: a lost Open may now be sent again. */
    void peerSpeaksExtensions() {
        peerKnown = true;
    }

    /** The peer does not speak the extensions: nothing waits for credit or acknowledgements any more. */
    void peerWithoutExtensions() {
        reliable = false;
        unacked.clear();
        resentOutstanding = 0;
        blockedSinceNanos = 0;
    }

    /** Drops everything: the stream is reset or given up. */
    void clear() {
        unsent.clear();
        unacked.clear();
        resentOutstanding = 0;
        blockedSinceNanos = 0;
    }

    /**
     * The peer's CREDIT (alone, or riding on its Data): raises the credit, and takes what it
     * acknowledges out, sampling the round trip.
     *
     * @param credit what the peer said
     * @param now {@link System#nanoTime()}
     * @return whether something may be sent now that could not before, or is to be sent again
     */
    boolean onCredit(ExtensionFrames.Credit credit, long now) {
        boolean more = false;
        if (credit.limit() > peerLimit) {
            peerLimit = credit.limit();
            more = !unsent.isEmpty();
        }
        Outstanding sample = null;
        int next = credit.nextSequence();
        int highestAcked = next - 1;
        boolean anyBeyond = false;
        for (Iterator<Outstanding> it = unacked.iterator(); it.hasNext(); ) {
            Outstanding o = it.next();
            boolean acked;
            if (o.frame.type() == FrameType.OPEN) {
                acked = credit.limit() > 0; // the peer holds the stream; 0: Data came without the Open
            } else {
                int ahead = o.frame.sequence() - next;
                if (ahead > 32) {
                    break; // in sequence order: neither this frame nor any after it is acknowledged
                }
                acked = ahead < 0 || (ahead >= 1 && (credit.received() >>> (ahead - 1) & 1) != 0);
                if (acked && ahead > 0) {
                    anyBeyond = true;
                    if (o.frame.sequence() - highestAcked > 0) { // serial order: sequence numbers wrap
                        highestAcked = o.frame.sequence();
                    }
                }
            }
            if (acked && !o.acked) {
                o.acked = true;
                if (o.resent) {
                    resentOutstanding--;
                } else if (sample == null || o.sentAtNanos > sample.sentAtNanos) {
                    sample = o;
                }
            }
        }
        while (!unacked.isEmpty() && unacked.peekFirst().acked) {
            unacked.pollFirst();
        }
        if (sample != null) {
            rtt.sample(now - sample.sentAtNanos);
        }
        return more || (anyBeyond && hasLostBefore(highestAcked, now));
    }

    /** Whether a frame before {@code sequence}, still unacknowledged, has been out long enough to be lost. */
    private boolean hasLostBefore(int sequence, long now) {
        for (Outstanding o : unacked) {
            if (o.frame.type() == FrameType.OPEN) {
                continue;
            }
            if (o.frame.sequence() - sequence >= 0) {
                break; // in sequence order: the rest come after it
            }
            if (!o.acked && now - o.sentAtNanos >= rtt.lossDelayNanos()) {
                return true;
            }
        }
        return false;
    }

    /**
     * What {@link #takeLost} found: frames to send again; whether to ask a peer not known yet
     * whether it holds the stream (its Open timed out, and an Open goes again only to a peer known
     * to speak the extensions); or that the stream is to be given up.
     */
    record Lost(List<StreamWriter.Frame> frames, boolean askForOpen, boolean giveUp) {
    }

    /**
     * Takes the frames to send again now, noting them as sent: those whose timeout passed (the
     * timeout then backs off), and those sent before a frame the peer acknowledged, out for 9/8 of
     * a round trip.
     *
     * @param now {@link System#nanoTime()}
     * @return the frames, or that one was sent {@value #MAX_SENDS} times already
     */
    Lost takeLost(long now) {
        List<StreamWriter.Frame> frames = new ArrayList<>();
        long rto = rtt.rtoNanos();
        int highestAcked = 0;
        boolean anyAcked = false;
        for (Outstanding o : unacked) { // in sequence order: the last acknowledged is the highest
            if (o.acked && o.frame.type() != FrameType.OPEN) {
                highestAcked = o.frame.sequence();
                anyAcked = true;
            }
        }
        boolean timedOut = false;
        boolean askForOpen = false;
        for (Outstanding o : unacked) {
            if (o.acked) {
                continue;
            }
            boolean expired = now - o.sentAtNanos >= rto;
            boolean overtaken = anyAcked && o.frame.type() != FrameType.OPEN && o.frame.sequence() - highestAcked < 0
                    && now - o.sentAtNanos >= rtt.lossDelayNanos();
            if (expired || overtaken) {
                if (o.sends >= MAX_SENDS) {
                    return new Lost(List.of(), false, true);
                }
                timedOut |= expired;
                o.sends++;
                if (!o.resent) {
                    o.resent = true;
                    resentOutstanding++;
                }
                o.sentAtNanos = now;
                if (mayResend(o)) {
                    frames.add(o.frame);
                } else {
                    askForOpen = true;
                }
            }
        }
        if (timedOut) {
            rtt.backOff();
        }
        return new Lost(frames, askForOpen, false);
    }

    /**
     * Whether to ask the peer for credit now (a CREDIT with its blocked flag): sending has waited
     * for credit a timeout long, and the last probe is as old.
     *
     * @param now {@link System#nanoTime()}
     * @return whether to probe; if so, noted as probed now
     */
    boolean probeDue(long now) {
        if (blockedSinceNanos == 0 || !reliable) {
            return false;
        }
        long since = Math.max(blockedSinceNanos, probedAtNanos);
        if (now - since < rtt.rtoNanos()) {
            return false;
        }
        probedAtNanos = now;
        return true;
    }

    /**
     * Returns when {@link #takeLost} or {@link #probeDue} may have something to do next.
     *
     * @param now {@link System#nanoTime()}
     * @return the time, or {@code Long.MAX_VALUE} if nothing is outstanding or waiting
     */
    long nextDueNanos(long now) {
        long rto = rtt.rtoNanos();
        long due = Long.MAX_VALUE;
        for (Outstanding o : unacked) {
            if (!o.acked) {
                due = Math.min(due, o.sentAtNanos + rto);
                if (resentOutstanding == 0) {
                    break; // none was sent twice: they went in this order, and the first is the oldest
                }
            }
        }
        if (blockedSinceNanos != 0 && reliable) {
            due = Math.min(due, Math.max(blockedSinceNanos, probedAtNanos) + rto);
        }
        return due;
    }

    /** Whether a frame may be sent again: an Open only to a peer known to speak the extensions. */
    private boolean mayResend(Outstanding o) {
        return peerKnown || o.frame.type() != FrameType.OPEN;
    }

    /** Whether sending waits for the peer's credit. */
    boolean isBlocked() {
        return blockedSinceNanos != 0;
    }

    /** The payload bytes the peer's credit still allows. */
    long creditLeft() {
        return reliable ? peerLimit - sentBytes : Long.MAX_VALUE;
    }

    /** The smoothed round trip, 0 before any sample (for tests and diagnostics). */
    long smoothedRttMillis() {
        return TimeUnit.NANOSECONDS.toMillis(rtt.smoothedNanos());
    }
}
