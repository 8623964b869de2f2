package dev.mixnetstreams;

import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * A transport whose inbound messages come only from the test, which plays every peer: it puts raw
 * messages into a small bounded queue (so an attacker is paced by the router, as a real mixnet
 * client's bounded queue paces it) and outbound messages are counted and discarded.
 */
final class InjectTransport implements MixnetTransport {

    private final Recipient address;
    private final BlockingQueue<InboundMessage> inbound;
    final LongAdder sent = new LongAdder();
    volatile boolean closed;

    InjectTransport(long seed, int capacity) {
        this.address = Recipient.random(new SplittableRandom(seed));
        this.inbound = new ArrayBlockingQueue<>(capacity);
    }

    /** Puts one raw message into the client's inbound queue, waiting while it is full. */
    void inject(byte[] data, SenderTag tag) {
        try {
            inbound.put(new InboundMessage(data, tag));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while injecting", e);
        }
    }

    void open(long id, SenderTag tag) {
        inject(FrameCodec.encode(id, FrameType.OPEN, 0, new byte[0]), tag);
    }

    void data(long id, int sequence, byte[] payload, SenderTag tag) {
        inject(FrameCodec.encode(id, FrameType.DATA, sequence, payload), tag);
    }

    @Override
    public Recipient address() {
        return address;
    }

    @Override
    public void send(Recipient recipient, byte[] message) throws IOException {
        check();
        sent.increment();
    }

    @Override
    public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
        check();
        sent.increment();
    }

    @Override
    public void reply(SenderTag senderTag, byte[] message) throws IOException {
        check();
        sent.increment();
    }

    @Override
    public BlockingQueue<InboundMessage> inbound() {
        return inbound;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void check() throws IOException {
        if (closed) {
            throw new IOException("transport closed");
        }
    }
}
