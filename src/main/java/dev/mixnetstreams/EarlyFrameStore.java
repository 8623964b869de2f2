package dev.mixnetstreams;

import dev.mixnetstreams.wire.FrameCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The router's store of Data frames that arrived before their stream's Open (the mixnet reorders,
 * so Data can overtake its Open): held until the Open comes, for at most a timeout.
 *
 * <p>Bounded in frames and in bytes, each frame charged its payload plus {@link #FRAME_OVERHEAD}
 * for the memory that holds it, so a flood of empty or one-byte frames is limited by what it really
 * costs. One stream holds at most its reorder window of frames (more before the Open means the Open
 * is most likely lost). When the store is full, room is made by evicting the oldest frame of the
 * sender tag that holds the most; if that is the newcomer's own tag, the newcomer is refused
 * instead. So a sender that floods the store only ever evicts its own frames once it holds the
 * most, and an honest stream's few early frames stay until their Open comes. Frames without a
 * sender tag are never held (the caller drops them): only an Open's sender can send Data that may
 * overtake it, and replies to streams this client opened find their stream registered.
 *
 * <p>Not thread-safe: the router thread owns it.
 */
final class EarlyFrameStore {

    /**
     * Bytes charged for every held frame on top of its payload: its 16-byte header and the
     * bookkeeping that holds it (the frame's record, its entries in three collections, the array's
     * own header).
     */
    static final int FRAME_OVERHEAD = FrameCodec.HEADER_LENGTH + 176;

    /** What {@link #hold} did with a frame. */
    enum HoldResult {
        /** Held until its Open or its timeout. */
        HELD,
        /** Refused: its stream holds its share already, or its sender holds the most of a full store. */
        REFUSED
    }

    /** A Data frame waiting for its stream's Open; identity is equality (two copies are two frames). */
    static final class EarlyFrame {
        final long streamId;
        final int sequence;
        final byte[] frameBytes;
        final SenderTag senderTag;
        final long arrivedNanos;

        EarlyFrame(long streamId, int sequence, byte[] frameBytes, SenderTag senderTag, long arrivedNanos) {
            this.streamId = streamId;
            this.sequence = sequence;
            this.frameBytes = frameBytes;
            this.senderTag = senderTag;
            this.arrivedNanos = arrivedNanos;
        }

        long charge() {
            return frameBytes.length - FrameCodec.HEADER_LENGTH + FRAME_OVERHEAD;
        }
    }

    /** What one sender tag holds; ordered by charge, largest first, then by creation. */
    private static final class Share {
        final SenderTag tag;
        final long order;
        /** Its frames, oldest first. */
        final LinkedHashSet<EarlyFrame> frames = new LinkedHashSet<>();
        long charge;

        Share(SenderTag tag, long order) {
            this.tag = tag;
            this.order = order;
        }
    }

    private final int maxFrames;
    private final long maxBytes;
    private final int maxFramesPerStream;
    private final long timeoutNanos;

    private final Map<Long, ArrayDeque<EarlyFrame>> byStream = new HashMap<>();
    private final Map<SenderTag, Share> byTag = new HashMap<>();
    /** The shares that hold something, largest first. */
    private final TreeSet<Share> largestFirst = new TreeSet<>((a, b) -> a.charge != b.charge
            ? Long.compare(b.charge, a.charge) : Long.compare(a.order, b.order));
    /** Every frame held, oldest first (identity set: removal is O(1)). */
    private final LinkedHashSet<EarlyFrame> byAge = new LinkedHashSet<>();
    private long shareOrder;
    private long charge;

    EarlyFrameStore(int maxFrames, long maxBytes, int maxFramesPerStream, long timeoutNanos) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.maxFramesPerStream = maxFramesPerStream;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Holds a frame, evicting the oldest frames of the largest holder if the store is full.
     *
     * @param frame the frame; its sender tag is not {@code null}
     * @param evicted receives the frames evicted to make room (to be counted as dropped)
     * @return whether it was held
     */
    HoldResult hold(EarlyFrame frame, List<EarlyFrame> evicted) {
        long cost = frame.charge();
        ArrayDeque<EarlyFrame> same = byStream.get(frame.streamId);
        if ((same != null && same.size() >= maxFramesPerStream) || cost > maxBytes) {
            return HoldResult.REFUSED;
        }
        Share own = byTag.get(frame.senderTag);
        while (byAge.size() >= maxFrames || cost > maxBytes - charge) {
            Share largest = largestFirst.first();
            if (largest == own) {
                return HoldResult.REFUSED;
            }
            EarlyFrame victim = largest.frames.iterator().next();
            remove(victim);
            evicted.add(victim);
        }
        if (same == null) {
            same = new ArrayDeque<>(4);
            byStream.put(frame.streamId, same);
        }
        same.addLast(frame);
        if (own == null) {
            own = new Share(frame.senderTag, shareOrder++);
            byTag.put(frame.senderTag, own);
        } else {
            largestFirst.remove(own);
        }
        own.frames.add(frame);
        own.charge += cost;
        largestFirst.add(own);
        byAge.add(frame);
        charge += cost;
        return HoldResult.HELD;
    }

    /** Whether a frame of {@code streamId} with {@code sequence} is held: one that arrives now is a copy. */
    boolean holds(long streamId, int sequence) {
        ArrayDeque<EarlyFrame> same = byStream.get(streamId);
        if (same != null) {
            for (EarlyFrame frame : same) {
                if (frame.sequence == sequence) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Takes every frame held for a stream out of the store, oldest first.
     *
     * @param streamId the stream whose Open came
     * @return its frames, empty if none
     */
    List<EarlyFrame> release(long streamId) {
        ArrayDeque<EarlyFrame> held = byStream.get(streamId);
        if (held == null) {
            return List.of();
        }
        List<EarlyFrame> frames = new ArrayList<>(held);
        for (EarlyFrame frame : frames) {
            remove(frame);
        }
        return frames;
    }

    /**
     * Takes out every frame held longer than the timeout.
     *
     * @param now the time now ({@link System#nanoTime()})
     * @param expired receives the frames taken out (to be counted as dropped)
     */
    void expire(long now, List<EarlyFrame> expired) {
        while (!byAge.isEmpty()) {
            EarlyFrame oldest = byAge.iterator().next();
            if (now - oldest.arrivedNanos <= timeoutNanos) {
                return;
            }
            remove(oldest);
            expired.add(oldest);
        }
    }

    /** Frames held now. */
    int frames() {
        return byAge.size();
    }

    /** Bytes charged for the frames held now. */
    long charge() {
        return charge;
    }

    /** Sender tags holding frames now. */
    int senders() {
        return byTag.size();
    }

    private void remove(EarlyFrame frame) {
        byAge.remove(frame);
        long cost = frame.charge();
        charge -= cost;
        ArrayDeque<EarlyFrame> same = byStream.get(frame.streamId);
        if (same != null) {
            same.remove(frame);
            if (same.isEmpty()) {
                byStream.remove(frame.streamId);
            }
        }
        Share share = byTag.get(frame.senderTag);
        largestFirst.remove(share);
        share.frames.remove(frame);
        share.charge -= cost;
        if (share.frames.isEmpty()) {
            byTag.remove(frame.senderTag);
        } else {
            largestFirst.add(share);
        }
    }
}
