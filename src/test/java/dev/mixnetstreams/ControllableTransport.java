package dev.mixnetstreams;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A transport in front of another whose sends the test controls: it can hold them (a nym-client
 * that takes no more data: senders wait until the gate opens or they are interrupted, as
 * {@code NymClientTransport} senders wait for room) or fail the next one. To see what got
 * through, put a {@link dev.mixnetstreams.testing.ScriptedPeer} on the endpoint behind it.
 */
final class ControllableTransport implements MixnetTransport {

    private final MixnetTransport delegate;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition gateChanged = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private boolean gateClosed;
    /** Guarded by {@link #lock}: senders waiting at the closed gate now. */
    private int waiting;
    /** Guarded by {@link #lock}: senders that gave up waiting because they were interrupted. */
    private int interrupted;
    /** Guarded by {@link #lock}: the failure the next send throws, once. */
    private IOException failNext;
    /** Guarded by {@link #lock}: the next message it matches is lost (not sent, no error), once. */
    private Predicate<byte[]> loseNext;

    ControllableTransport(MixnetTransport delegate) {
        this.delegate = delegate;
    }

    /** Holds every send from now on until {@link #openGate()}. */
    void closeGate() {
        lock.lock();
        try {
            gateClosed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Lets held and later sends through. */
    void openGate() {
        lock.lock();
        try {
            gateClosed = false;
            gateChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next send throws {@code failure} instead of sending. */
    void failNextSend(IOException failure) {
        lock.lock();
        try {
            failNext = failure;
        } finally {
            lock.unlock();
        }
    }

    /** The next message {@code which} matches is lost on its way, as the mixnet loses one: the send returns. */
    void loseNext(Predicate<byte[]> which) {
        lock.lock();
        try {
            loseNext = which;
        } finally {
            lock.unlock();
        }
    }

    int waitingSenders() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    int interruptedSenders() {
        lock.lock();
        try {
            return interrupted;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the message goes on: fails, waits at a closed gate, or is lost as {@link #loseNext} says. */
    private boolean pass(byte[] message) throws IOException {
        lock.lock();
        try {
            if (loseNext != null && loseNext.test(message)) {
                loseNext = null;
                return false;
            }
            if (failNext != null) {
                IOException failure = failNext;
                failNext = null;
                throw failure;
            }
            waiting++;
            try {
                while (gateClosed) {
                    gateChanged.await();
                }
            } catch (InterruptedException e) {
                interrupted++;
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the gate was closed");
            } finally {
                waiting--;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Recipient address() {
        return delegate.address();
    }

    @Override
    public void send(Recipient recipient, byte[] message) throws IOException {
        if (pass(message)) {
            delegate.send(recipient, message);
        }
    }

    @Override
    public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
        if (pass(message)) {
            delegate.sendAnonymous(recipient, message, replySurbs);
        }
    }

    @Override
    public void reply(SenderTag senderTag, byte[] message) throws IOException {
        if (pass(message)) {
            delegate.reply(senderTag, message);
        }
    }

    @Override
    public BlockingQueue<InboundMessage> inbound() {
        return delegate.inbound();
    }

    @Override
    public void onFailure(Consumer<IOException> callback) {
        delegate.onFailure(callback);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
