package dev.mixnetstreams;

import dev.mixnetstreams.internal.Waits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends the end of stream of streams that are closed, off the closing thread: {@link
 * MixnetStream#close()} wakes its readers and returns at once, as {@link java.net.Socket#close()}
 * does, and its end of stream follows, best effort, from this client's one sender thread. A
 * transport that takes no more data (a stalled nym-client) therefore never holds up a close; the
 * client's own close gives what is queued one shared deadline, then stops the thread.
 *
 * <p>Lock order: none taken while {@link #lock} is held; {@link #lock} is never held across a send.
 */
final class EndOfStreamSender {

    /** An end of stream to send: the stream and the sequence number its end took. */
    private record Pending(MixnetStream stream, int sequence) {
    }

    private final MixnetClient client;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when an end is queued or the sender is told to finish. */
    private final Condition work = lock.newCondition();
    /** Guarded by {@link #lock}: ends not sent yet, at most one per stream. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Guarded by {@link #lock}: no more ends are taken; the thread ends once the queue is empty. */
    private boolean finishing;
    private final Thread thread;

    EndOfStreamSender(MixnetClient client, String threadName) {
        this.client = client;
        this.thread = Thread.ofVirtual().name(threadName).start(this::run);
    }

    /**
     * Queues a stream's end of stream; never blocks.
     *
     * @return {@code false} if the client finished sending (the end is not sent)
     */
    boolean submit(MixnetStream stream, int sequence) {
        lock.lock();
        try {
            if (finishing) {
                return false;
            }
            queue.addLast(new Pending(stream, sequence));
            work.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes no more ends, lets the queued ones go out until {@code deadline} has passed, then stops
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
            unsent = queue.size();
            queue.clear();
        } finally {
            lock.unlock();
        }
        if (unsent > 0) {
            client.log().debug("{} end(s) of stream not sent within the close deadline", unsent);
        }
        return interrupted;
    }

    private void run() {
        while (true) {
            Pending next;
            lock.lock();
            try {
                while (queue.isEmpty() && !finishing) {
                    work.awaitUninterruptibly();
                }
                next = queue.pollFirst();
                if (next == null) {
                    return; // finishing, and everything was sent
                }
            } finally {
                lock.unlock();
            }
            try {
                client.sendEndOfStream(next.stream(), next.sequence());
            } catch (IOException e) {
                client.log().debug("{}: end of stream not sent: {}", next.stream().id(), e.toString());
            }
            if (Thread.interrupted()) {
                return; // finish() gave up waiting
            }
        }
    }
}
