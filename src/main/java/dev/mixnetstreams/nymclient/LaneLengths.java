package dev.mixnetstreams.nymclient;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What nym-client last said about each lane's queue (its LaneQueueLength answers), and the writers
 * waiting for a lane to shorten. nym-client answers every request sent with a connection id with
 * the length of that lane, so a writer usually knows without asking; a writer that finds its lane
 * long asks again ({@code GetLaneQueueLength}) at most once per poll interval until it is short
 * enough, or until it is woken.
 *
 * <p>Bounded: lanes reported empty are forgotten, and beyond {@value #MAX_LANES} lanes the oldest
 * report is forgotten (a forgotten lane counts as short: the next answer about it corrects that).
 *
 * <p>Guards: {@link #lock} guards both maps; it is never held while asking nym-client.
 */
final class LaneLengths {

    /** Lanes remembered at most. */
    static final int MAX_LANES = 4096;

    /** Asks nym-client for a lane's length; its answer comes as an {@link #update}. */
    interface Poll {
        /**
         * Sends the question.
         *
         * @throws IOException if the transport cannot send (closed or failed)
         */
        void ask() throws IOException;
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every update and wake-up. */
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}: the last length reported per lane, oldest report first; absent when 0. */
    private final LinkedHashMap<Long, Long> lengths = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: wake-ups per lane with a waiter, so a waiter sees one that came for it. */
    private final HashMap<Long, Long> wakeUps = new HashMap<>();
    /** Guarded by {@link #lock}: every waiter is to return (the transport closed or failed). */
    private long wakeAlls;

    /** nym-client reported a lane's length. */
    void update(long lane, long length) {
        lock.lock();
        try {
            lengths.remove(lane);
            if (length > 0) {
                lengths.put(lane, length);
                if (lengths.size() > MAX_LANES) {
                    Iterator<Long> oldest = lengths.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the last length reported for a lane, 0 if none is remembered. */
    long length(long lane) {
        lock.lock();
        try {
            return lengths.getOrDefault(lane, 0L);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the lane is reported to hold at most {@code max} packets, asking at most once per
     * {@code pollNanos}; returns {@code false} if woken first.
     */
    boolean await(long lane, long max, long pollNanos, Poll poll) throws IOException, InterruptedException {
        long lastAsked = 0;
        boolean asked = false;
        lock.lock();
        try {
            long myWakeUps = wakeUps.merge(lane, 0L, Long::sum);
            long myWakeAlls = wakeAlls;
            try {
                while (lengths.getOrDefault(lane, 0L) > max) {
                    if (wakeUps.get(lane).longValue() != myWakeUps || wakeAlls != myWakeAlls) {
                        return false;
                    }
                    long now = System.nanoTime();
                    if (!asked || now - lastAsked >= pollNanos) {
                        lock.unlock();
                        try {
                            poll.ask();
                        } finally {
                            lock.lock();
                        }
                        asked = true;
                        lastAsked = now;
                        continue; // the answer may have come already
                    }
                    changed.awaitNanos(pollNanos - (now - lastAsked));
                }
                return true;
            } finally {
                wakeUps.remove(lane); // several writers of one lane are serialised by their stream
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the writers waiting for a lane. */
    void wake(long lane) {
        lock.lock();
        try {
            if (wakeUps.computeIfPresent(lane, (l, n) -> n + 1) != null) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting writer (the transport closed or failed). */
    void wakeAll() {
        lock.lock();
        try {
            wakeAlls++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets every lane and wakes every waiting writer: the connection was lost, and the
     * nym-client it comes back to holds none of what was queued.
     */
    void clear() {
        lock.lock();
        try {
            lengths.clear();
            wakeAlls++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Lanes remembered now (for tests: it stays bounded). */
    int size() {
        lock.lock();
        try {
            return lengths.size();
        } finally {
            lock.unlock();
        }
    }
}
