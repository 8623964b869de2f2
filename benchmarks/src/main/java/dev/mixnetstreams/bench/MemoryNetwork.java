package dev.mixnetstreams.bench;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A zero-latency in-memory mixnet for benchmarks: a send puts the message straight into the
 * receiver's bounded inbound queue on the sender's thread (no delivery thread, no staging queue, no
 * delay bookkeeping), so what is measured on top of it is the cost of whatever uses it. Sender tags
 * are fixed per (sender, recipient) pair; replies are routed by tag and arrive without one, as on
 * the real network. Every method that sends behaves the same way, so a benchmark's stream path and
 * its raw path pay exactly the same transport cost per message.
 */
public final class MemoryNetwork {

    /** Inbound capacity of each endpoint; a sender waits while the receiver's queue is full. */
    public static final int INBOUND_CAPACITY = 16_384;

    private final Map<Recipient, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<SenderTag, Endpoint> replyRoutes = new ConcurrentHashMap<>();
    private final SplittableRandom random = new SplittableRandom(7);

    /** Creates an empty network. */
    public MemoryNetwork() {
    }

    /**
     * Creates an endpoint with a fresh random address.
     *
     * @return the endpoint
     */
    public Endpoint newEndpoint() {
        Endpoint endpoint;
        synchronized (random) {     // benchmark code, set-up only
            endpoint = new Endpoint(Recipient.random(random));
        }
        endpoints.put(endpoint.address, endpoint);
        return endpoint;
    }

    /** One endpoint: a {@link MixnetTransport} whose sends enqueue directly at the receiver. */
    public final class Endpoint implements MixnetTransport {
        private final Recipient address;
        private final BlockingQueue<InboundMessage> inbound = new LinkedBlockingQueue<>(INBOUND_CAPACITY);
        private final Map<Recipient, SenderTag> tags = new ConcurrentHashMap<>();
        private volatile boolean closed;

        Endpoint(Recipient address) {
            this.address = address;
        }

        @Override
        public Recipient address() {
            return address;
        }

        @Override
        public void send(Recipient recipient, byte[] message) throws IOException {
            deliver(endpoints.get(recipient), new InboundMessage(message, null));
        }

        @Override
        public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
            deliver(endpoints.get(recipient), new InboundMessage(message, tagFor(recipient)));
        }

        @Override
        public void reply(SenderTag senderTag, byte[] message) throws IOException {
            Endpoint to = replyRoutes.get(senderTag);
            if (to == null) {
                throw new IOException("unknown sender tag");
            }
            deliver(to, new InboundMessage(message, null));
        }

        @Override
        public BlockingQueue<InboundMessage> inbound() {
            return inbound;
        }

        @Override
        public void close() {
            closed = true;
        }

        private SenderTag tagFor(Recipient recipient) {
            SenderTag tag = tags.get(recipient);
            if (tag == null) {
                tag = tags.computeIfAbsent(recipient, r -> {
                    SenderTag fresh;
                    synchronized (random) {
                        fresh = SenderTag.random(random);
                    }
                    replyRoutes.put(fresh, this);
                    return fresh;
                });
            }
            return tag;
        }

        private void deliver(Endpoint to, InboundMessage message) throws IOException {
            if (closed) {
                throw new IOException("transport closed");
            }
            if (to == null || to.closed) {
                return;                                  // undeliverable, as on the real network
            }
            try {
                to.inbound.put(message);                 // back-pressure: waits while full
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while sending", e);
            }
        }
    }
}
