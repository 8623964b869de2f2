package dev.mixnetstreams;

import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test network with instant, in-order delivery, and full control: tests may inject any message
 * into any endpoint's inbound queue.
 */
final class LoopbackNetwork {

    private final Map<Recipient, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<SenderTag, Endpoint[]> tags = new ConcurrentHashMap<>();
    private final Map<String, SenderTag> tagByPair = new ConcurrentHashMap<>();
    private final SplittableRandom random = new SplittableRandom(1);

    Endpoint newEndpoint() {
        byte[] address = new byte[Recipient.LENGTH];
        fillRandom(address);
        Endpoint endpoint = new Endpoint(Recipient.fromBytes(address));
        endpoints.put(endpoint.address, endpoint);
        return endpoint;
    }

    private void fillRandom(byte[] bytes) {
        // Called from the test thread only.
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
    }

    /**
     * Issues a sender tag as if {@code sender} had sent reply SURBs to {@code receiver}: frames a
     * test injects into {@code receiver} with this tag are answered into {@code sender}'s queue.
     */
    SenderTag issueTag(Endpoint sender, Endpoint receiver, int seed) {
        byte[] b = new byte[SenderTag.LENGTH];
        new SplittableRandom(seed).nextBytes(b);
        SenderTag t = SenderTag.fromBytes(b);
        tags.put(t, new Endpoint[] {sender, receiver});
        return t;
    }

    final class Endpoint implements MixnetTransport {
        final Recipient address;
        /** The thread that takes from {@link #inbound}: the client's router, once it started. */
        volatile Thread consumer;
        final BlockingQueue<InboundMessage> inbound = new LinkedBlockingQueue<>() {
            @Override
            public InboundMessage poll(long timeout, TimeUnit unit) throws InterruptedException {
                consumer = Thread.currentThread();
                return super.poll(timeout, unit);
            }

            @Override
            public InboundMessage poll() {
                consumer = Thread.currentThread();
                return super.poll();
            }

            @Override
            public InboundMessage take() throws InterruptedException {
                consumer = Thread.currentThread();
                return super.take();
            }
        };
        volatile boolean closed;
        final java.util.List<java.util.function.Consumer<IOException>> failureCallbacks =
                new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onFailure(java.util.function.Consumer<IOException> callback) {
            failureCallbacks.add(callback);
        }

        /** Simulates a lost connection: sends fail and every failure callback runs. */
        void fail(IOException cause) {
            closed = true;
            failureCallbacks.forEach(c -> c.accept(cause));
        }

        Endpoint(Recipient address) {
            this.address = address;
        }

        @Override
        public Recipient address() {
            return address;
        }

        @Override
        public void send(Recipient recipient, byte[] message) throws IOException {
            check();
            Endpoint to = endpoints.get(recipient);
            if (to != null && !to.closed) {
                to.inbound.add(new InboundMessage(message, null));
            }
        }

        @Override
        public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
            check();
            Endpoint to = endpoints.get(recipient);
            if (to == null || to.closed) {
                return;
            }
            SenderTag tag = tagByPair.computeIfAbsent(address + "->" + recipient.hashCode(), k -> {
                byte[] b = new byte[SenderTag.LENGTH];
                new SplittableRandom(k.hashCode()).nextBytes(b);
                SenderTag t = SenderTag.fromBytes(b);
                tags.put(t, new Endpoint[] {this, to});
                return t;
            });
            to.inbound.add(new InboundMessage(message, tag));
        }

        @Override
        public void reply(SenderTag senderTag, byte[] message) throws IOException {
            check();
            Endpoint[] pair = tags.get(senderTag);
            if (pair == null || pair[1] != this) {
                throw new IOException("unknown sender tag");
            }
            if (!pair[0].closed) {
                pair[0].inbound.add(new InboundMessage(message, null));
            }
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
}
