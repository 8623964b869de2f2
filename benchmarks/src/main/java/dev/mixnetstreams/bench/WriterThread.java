package dev.mixnetstreams.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writing half of a throughput benchmark: one thread, started at trial set-up and kept for the
 * trial, that sends one invocation's messages each time the JMH thread calls {@link #writeAll()}.
 * An invocation is done when the receiving side has read every byte it sent, so the JMH thread
 * measures from the hand-over to the last byte read, and no thread is started per invocation.
 *
 * <p>The hand-over is a lock and two conditions: {@link #writeAll()} raises the count of
 * invocations asked for and waits until the writer has completed as many. No sleeps, no polling.
 *
 * <p>In flight: the writer keeps at most {@code maxInFlight} bytes written and not yet read. It
 * sends as many messages as fit in one run, and when none fits it waits until the receiving side
 * has brought the bytes in flight down to half, so it waits at most once per
 * {@code maxInFlight / 2} bytes. The library has no flow control of its own (a
 * stream's reader that falls more than {@code maxUnreadBytes} behind has its stream reset), and a
 * virtual writer on a single carrier is never preempted: without this bound it would write until
 * the transport's queue is full, and the router would then hand one stream more than its limit.
 */
final class WriterThread implements AutoCloseable {

    /** Sends a run of messages. */
    @FunctionalInterface
    interface Sends {
        /**
         * Sends messages {@code first} to {@code first + count - 1} of the invocation. The loop over
         * the messages is the caller's own code, so that each benchmark's sending loop is compiled
         * for it alone: a loop shared by two paths in one JVM would call both through one call
         * site, and the JIT would compile that site for whichever it saw first.
         *
         * @param first the index of the first, 0 to {@code messagesPerInvocation - 1}
         * @param count how many, at least 1
         * @throws IOException if a send fails
         */
        void send(int first, int count) throws IOException;
    }

    private final int messagesPerInvocation;
    private final int bytesPerMessage;
    private final long maxInFlight;
    private final ReceivedBytes received;
    private final Sends sends;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when an invocation is asked for or the writer is closed. */
    private final Condition asked = lock.newCondition();
    /** Signalled when the writer completes an invocation. */
    private final Condition completed = lock.newCondition();
    /** Guarded by {@link #lock}: invocations the JMH thread asked for. */
    private long askedFor;
    /** Guarded by {@link #lock}: invocations the writer completed (successfully or not). */
    private long done;
    /** Guarded by {@link #lock}: the writer is to stop. */
    private boolean closing;
    /** Guarded by {@link #lock}: why an invocation failed, or null; every later one fails too. */
    private IOException failure;

    /** Confined to the writer thread: bytes sent since the trial began. */
    private long sent;
    /** Confined to the writer thread: the receiving side's count when the writer last looked. */
    private long knownReceived;

    /**
     * Starts the writer thread, which waits for the first {@link #writeAll()}.
     *
     * @param name the thread's name
     * @param virtual a virtual thread (as the library's users write) or a platform thread
     * @param messagesPerInvocation messages sent per {@link #writeAll()}
     * @param bytesPerMessage the payload bytes the receiving side counts per message
     * @param maxInFlight bytes written and not yet read at most (see the class comment)
     * @param received the receiving side's count
     * @param sends what sends a run of messages
     */
    WriterThread(String name, boolean virtual, int messagesPerInvocation, int bytesPerMessage, long maxInFlight,
                 ReceivedBytes received, Sends sends) {
        this.messagesPerInvocation = messagesPerInvocation;
        this.bytesPerMessage = bytesPerMessage;
        this.maxInFlight = maxInFlight;
        this.received = received;
        this.sends = sends;
        Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
        this.thread = builder.name(name).start(this::run);
    }

    /**
     * One invocation: has the writer send its messages and returns when the receiving side has
     * read every byte of them. Called by the JMH thread.
     *
     * @throws IOException if a send failed, a receiving thread failed, or the wait was interrupted
     */
    void writeAll() throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                throw new IOException("the writer failed: " + failure.getMessage(), failure);
            }
            long ticket = ++askedFor;
            asked.signal();
            while (done < ticket) {
                completed.await();
            }
            if (failure != null) {
                throw new IOException("the writer failed: " + failure.getMessage(), failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the writer");
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (done == askedFor && !closing) {
                    asked.await();
                }
                if (closing) {
                    return;
                }
            } catch (InterruptedException e) {
                continue;       // close() interrupts after setting closing, checked above
            } finally {
                lock.unlock();
            }
            IOException error = null;
            try {
                writeInvocation();
            } catch (IOException e) {
                error = e;
            } catch (RuntimeException e) {
                error = new IOException(e);
            }
            lock.lock();
            try {
                if (error != null && failure == null) {
                    failure = error;
                }
                done++;
                completed.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    private void writeInvocation() throws IOException {
        int next = 0;
        while (next < messagesPerInvocation) {
            long room = maxInFlight - (sent - knownReceived);
            if (room < bytesPerMessage) {
                knownReceived = received.total();
                room = maxInFlight - (sent - knownReceived);
                if (room < bytesPerMessage) {
                    knownReceived = received.awaitAtLeast(sent - maxInFlight / 2);
                    continue;
                }
            }
            int count = (int) Math.min(messagesPerInvocation - next, room / bytesPerMessage);
            sends.send(next, count);
            next += count;
            sent += (long) count * bytesPerMessage;
        }
        knownReceived = received.awaitAtLeast(sent);
    }

    /**
     * Stops the writer thread and waits for it to end. Called by the JMH thread at tear-down, when
     * no invocation runs.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public void close() throws InterruptedException {
        lock.lock();
        try {
            closing = true;
            asked.signal();
        } finally {
            lock.unlock();
        }
        thread.interrupt();     // in case an invocation failed and left it blocked in a send
        thread.join();
    }
}
