package dev.mixnetstreams;

import dev.mixnetstreams.internal.Waits;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends the frames nobody should wait for, off the thread that asks for them: the acceptor's
 * OpenAck, Pongs that answer a peer's Pings, keepalive Pings, CREDITs and RESETs for peers of this
 * library; and runs the stream writers' timers ({@link StreamWriter#onTimer(long)}: a closed stream's
 * last frames, lingering bytes, resends; {@link MixnetStream#close()} returns at once, as {@link
 * java.net.Socket#close()} does, and a writer never waits for its linger). The router never
 * blocks, so it cannot send; the application's close must not wait for a transport that takes no
 * more data (a stalled nym-client). One virtual thread per client does it all in turn.
 *
 * <p>What is pending is kept per stream, at most one of each kind (a newer Pong or Ping replaces
 * an older one), so a peer flooding a stream with Pings costs one pending Pong, not a queue. At
 * most {@value #MAX_PENDING_STREAMS} streams wait at once: if streams close faster than the
 * transport takes their ends (a peer churning streams against a stalled nym-client), the oldest
 * waiting stream's frames are given up, logged at debug and counted
 * ({@link ClientStats#controlFramesDropped()}), so memory stays bounded. The client's close gives
 * what is pending and the timers due one shared deadline, then stops the thread. Timers are kept
 * apart, a few per stream at most (a writer schedules one only when none runs before it), and
 * never given up while the client runs.
 *
 * <p>Guards: {@link #lock} guards {@link #pending}, {@link #openMissing}, {@link #timers} and
 * {@link #finishing}; it is
 * never held across a send or a timer's task, and no other lock is taken while it is held (a
 * writer may hold its own state lock when it schedules: the order is writer, then this).
 */
final class ControlSender {

    /** Reply SURBs sent with a Ping, so the peer can answer (as newer Rust openers send). */
    static final int PING_REPLY_SURBS = 2;
    /** Streams with frames waiting at most; beyond it the oldest one's are given up. */
    static final int MAX_PENDING_STREAMS = 16_384;

    /** A stream's frames waiting to be sent; -1 or null where none is. Guarded by {@link #lock}. */
    private static final class Pending {
        boolean openAck;
        long pongNonce = -1;
        long pingNonce = -1;
        /** A Ping asking a peer not known yet whether it holds the stream (its Open may be lost); not keepalive. */
        boolean openProbe;
        /** A CREDIT to send (built when it is sent, from the stream's state then); blocked: ours waits too. */
        boolean credit;
        boolean creditBlocked;
        /** A RESET to send instead of everything else; then {@link #resetMessage} says why. */
        ResetReason reset;
        String resetMessage;
    }

    /** Answers for Data that came again before its Open, waiting at most; beyond it they are given up. */
    static final int MAX_OPEN_MISSING = 1024;

    /** A stream whose Data came again before its Open, to be told so; sent by reply to its opener's tag. */
    private record OpenMissing(long streamId, SenderTag senderTag) {
    }

    /** A task due at {@code dueNanos} ({@link System#nanoTime()}); {@code order} keeps ties in order. */
    private record Timer(long dueNanos, long order, Runnable task) {
    }

    private final MixnetClient client;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when something is queued or the sender is told to finish. */
    private final Condition work = lock.newCondition();
    /** Guarded by {@link #lock}: streams with frames to send, in the order they first asked. */
    private final LinkedHashMap<MixnetStream, Pending> pending = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: streams not yet opened here whose openers are to be told, oldest first. */
    private final ArrayDeque<OpenMissing> openMissing = new ArrayDeque<>();
    /** Guarded by {@link #lock}: timers, soonest first. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            Comparator.comparingLong(Timer::dueNanos).thenComparingLong(Timer::order));
    /** Guarded by {@link #lock}: numbers the timers. */
    private long timerOrder;
    /** Guarded by {@link #lock}: nothing more is taken; the thread ends once nothing is pending. */
    private boolean finishing;
    private final Thread thread;

    ControlSender(MixnetClient client, String threadName) {
        this.client = client;
        this.thread = Thread.ofVirtual().name(threadName).start(this::run);
    }

    /**
     * Queues a RESET for a stream whose peer speaks the extensions; what else waits for it is
     * dropped. A stop-sending RESET never replaces another one waiting: that one ends the peer's
     * reads too, and a peer told only to stop sending would wait for data that never comes.
     */
    boolean queueReset(MixnetStream stream, ResetReason reason, String message) {
        return queue(stream, p -> {
            if (p.reset == null || reason != ResetReason.STOP_SENDING) {
                p.reset = reason;
                p.resetMessage = message;
            }
        });
    }

    /** Queues a CREDIT for a stream whose peer speaks the extensions; {@code blocked}: this end waits for credit. */
    boolean queueCredit(MixnetStream stream, boolean blocked) {
        return queue(stream, p -> {
            p.credit = true;
            p.creditBlocked |= blocked;
        });
    }

    /** Runs {@code task} on this thread at {@code dueNanos} ({@link System#nanoTime()}); void once the client closes. */
    void schedule(Runnable task, long dueNanos) {
        lock.lock();
        try {
            if (!finishing) {
                timers.add(new Timer(dueNanos, timerOrder++, task));
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues the OpenAck of a stream its application just accepted. */
    boolean queueOpenAck(MixnetStream stream) {
        return queue(stream, p -> p.openAck = true);
    }

    /** Queues the Pong that answers a Ping with {@code nonce} (a newer one replaces it). */
    boolean queuePong(MixnetStream stream, int nonce) {
        return queue(stream, p -> p.pongNonce = Integer.toUnsignedLong(nonce));
    }

    /**
     * Queues a Ping for an opened stream whose peer has not answered its Open and is not known to
     * speak the extensions (so the Open is not sent again): a peer of this library answers with a
     * Pong, or with a CREDIT saying the Open is missing; a newer Rust peer that holds the stream
     * with a Pong; a first-version Rust peer drops it as an unknown type. It plays no part in
     * keepalive.
     */
    boolean queueOpenProbe(MixnetStream stream) {
        return queue(stream, p -> p.openProbe = true);
    }

    /** Queues a keepalive Ping with {@code nonce}; the stream hears when it has left. */
    boolean queuePing(MixnetStream stream, int nonce) {
        return queue(stream, p -> p.pingNonce = Integer.toUnsignedLong(nonce));
    }

    /**
     * Queues a CREDIT with limit 0 for a stream whose Open has not arrived while its opener, a
     * peer of this library, sends its Data again: it tells the opener that the Open is missing.
     */
    void queueOpenMissing(long streamId, SenderTag senderTag) {
        lock.lock();
        try {
            if (finishing) {
                return;
            }
            if (openMissing.size() >= MAX_OPEN_MISSING) {
                openMissing.pollFirst();
                client.counters().controlFramesDropped.increment();
            }
            openMissing.addLast(new OpenMissing(streamId, senderTag));
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    private boolean queue(MixnetStream stream, java.util.function.Consumer<Pending> what) {
        lock.lock();
        try {
            if (finishing) {
                return false;
            }
            Pending entry = pending.get(stream);
            if (entry == null) {
                if (pending.size() >= MAX_PENDING_STREAMS) {
                    Iterator<Map.Entry<MixnetStream, Pending>> oldest = pending.entrySet().iterator();
                    MixnetStream given = oldest.next().getKey();
                    oldest.remove();
                    client.counters().controlFramesDropped.increment();
                    client.log().debug("{}: control frames given up: {} streams wait already", given.id(),
                            MAX_PENDING_STREAMS);
                }
                entry = new Pending();
                pending.put(stream, entry);
            }
            what.accept(entry);
            work.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes nothing more, lets what is pending go out until {@code deadline} has passed, then stops
     * the thread (interrupting a send still waiting) and waits for it.
     *
     * @return whether the caller was interrupted meanwhile (its flag is to be set again)
     */
    boolean finish(Duration deadline) {
        lock.lock();
        try {
            finishing = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        try {
            if (thread.join(deadline)) {
                return false;
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        thread.interrupt();
        interrupted |= Waits.joinUninterruptibly(thread);
        int unsent;
        lock.lock();
        try {
            unsent = pending.size();
            pending.clear();
            openMissing.clear();
            timers.clear();
        } finally {
            lock.unlock();
        }
        if (unsent > 0) {
            client.log().debug("frames of {} stream(s) not sent within the close deadline", unsent);
        }
        return interrupted;
    }

    private void run() {
        while (true) {
            MixnetStream stream = null;
            Pending next = null;
            Runnable due = null;
            OpenMissing missing = null;
            lock.lock();
            try {
                while (true) {
                    Timer soonest = timers.peek();
                    long now = soonest == null ? 0 : System.nanoTime();
                    if (soonest != null && soonest.dueNanos() - now <= 0) {
                        due = timers.poll().task();
                        break;
                    }
                    missing = openMissing.pollFirst();
                    if (missing != null) {
                        break;
                    }
                    if (!pending.isEmpty()) {
                        Iterator<Map.Entry<MixnetStream, Pending>> oldest = pending.entrySet().iterator();
                        Map.Entry<MixnetStream, Pending> entry = oldest.next();
                        oldest.remove();
                        stream = entry.getKey();
                        next = entry.getValue();
                        break;
                    }
                    if (finishing) {
                        return; // everything due was done; later timers are void once the client closes
                    }
                    if (soonest == null) {
                        work.awaitUninterruptibly();
                    } else if (!awaitNanos(soonest.dueNanos() - now)) {
                        return; // interrupted: finish() gave up waiting
                    }
                }
            } finally {
                lock.unlock();
            }
            if (due != null) {
                runTask(due);
            } else if (missing != null) {
                sendOpenMissing(missing);
            } else {
                send(stream, next);
            }
            if (Thread.interrupted()) {
                return; // finish() gave up waiting
            }
        }
    }

    /** Waits on {@link #work} for at most {@code nanos}; returns false if interrupted (by finish()). */
    private boolean awaitNanos(long nanos) {
        assert lock.isHeldByCurrentThread();
        try {
            work.awaitNanos(nanos);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Runs a timer's task; a failure is a bug, logged, and the thread goes on. */
    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            client.log().error("control sender: a timer failed; continuing", e);
        }
    }

    /** Tells an opener that its stream's Open has not arrived (best effort). */
    private void sendOpenMissing(OpenMissing missing) {
        try {
            client.transport().reply(missing.senderTag(),
                    ExtensionFrames.credit(missing.streamId(), new ExtensionFrames.Credit(0, 0, 0, false)));
            client.counters().creditsSent.increment();
        } catch (IOException e) {
            client.log().debug("a CREDIT for a stream whose Open is missing not sent: {}", e.toString());
        }
    }

    /** Sends a stream's pending frames, each best effort. */
    private void send(MixnetStream stream, Pending next) {
        long id = stream.id().value();
        StreamWriter writer = stream.writer();
        try {
            // Extension frames leave only for a peer that has shown it speaks them (checked here,
            // where they leave, whoever queued them).
            if (next.reset != null) {
                if (stream.peerSpeaksExtensions()) {
                    writer.transmit(ExtensionFrames.reset(id, next.reset.code(), next.resetMessage), 0);
                    client.counters().resetsSent.increment();
                }
                return;
            }
            if (next.openAck) {
                writer.transmit(FrameCodec.encode(id, FrameType.OPEN_ACK, 0, new byte[0]), 0);
                client.counters().openAcksSent.increment();
            }
            if (next.pongNonce >= 0) {
                writer.transmit(FrameCodec.encode(id, FrameType.PONG, (int) next.pongNonce, new byte[0]), 0);
                client.counters().pongsSent.increment();
            }
            if (next.pingNonce >= 0) {
                writer.transmit(FrameCodec.encode(id, FrameType.PING, (int) next.pingNonce, new byte[0]),
                        PING_REPLY_SURBS);
                client.counters().pingsSent.increment();
                stream.keepalive().pingLeft((int) next.pingNonce, System.nanoTime());
            }
            if (next.openProbe) {
                // Nonce 0: keepalive's nonces are never 0, so its Pong is taken for none of theirs.
                writer.transmit(FrameCodec.encode(id, FrameType.PING, 0, new byte[0]), PING_REPLY_SURBS);
                client.counters().pingsSent.increment();
            }
            if (next.credit && stream.peerSpeaksExtensions()) {
                writer.transmit(ExtensionFrames.credit(id, stream.creditToSend(next.creditBlocked)), 0);
                client.counters().creditsSent.increment();
            }
        } catch (IOException e) {
            client.log().debug("{}: control frame not sent: {}", stream.id(), e.toString());
        }
    }
}
