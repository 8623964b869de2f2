package dev.mixnetstreams.tunnel;

import static dev.mixnetstreams.tunnel.TunnelFixture.HANG_GUARD;
import static dev.mixnetstreams.tunnel.TunnelFixture.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.InboundMessage;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link TunnelClient#close()} ends every thread the tunnel started, even one blocked in the transport. */
class TunnelCloseTest {

    /**
     * A transport whose first send blocks until the sending thread is interrupted, as a real one
     * does while its outbox is full, for up to its send timeout; later sends fail at once.
     */
    private static final class BlockingSendTransport implements MixnetTransport {
        private final Recipient address = Recipient.random(new SplittableRandom(31));
        private final BlockingQueue<InboundMessage> inbound = new ArrayBlockingQueue<>(16);
        private final AtomicBoolean firstSend = new AtomicBoolean(true);
        final CountDownLatch sendBlocked = new CountDownLatch(1);
        /** The thread blocked in the first send; set before {@link #sendBlocked} opens. */
        volatile Thread blockedThread;
        /** Whether the blocked send ended by an interrupt (the only way it ends). */
        volatile boolean endedByInterrupt;

        @Override
        public Recipient address() {
            return address;
        }

        @Override
        public void send(Recipient recipient, byte[] message) throws IOException {
            sendAnonymous(recipient, message, 0);
        }

        @Override
        public void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException {
            if (!firstSend.compareAndSet(true, false)) {
                throw new IOException("only the first send blocks; this one fails");
            }
            blockedThread = Thread.currentThread();
            sendBlocked.countDown();
            try {
                new CountDownLatch(1).await(); // until interrupted
            } catch (InterruptedException e) {
                endedByInterrupt = true;
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending");
            }
        }

        @Override
        public void reply(SenderTag senderTag, byte[] message) throws IOException {
            throw new IOException("no replies here");
        }

        @Override
        public BlockingQueue<InboundMessage> inbound() {
            return inbound;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void closeInterruptsAConnectionBlockedInOpenStream() throws Exception {
        BlockingSendTransport transport = new BlockingSendTransport();
        try (MixnetClient client = MixnetClient.builder(transport).build()) {
            TunnelClient tunnel = TunnelClient.start(client, Recipient.random(new SplittableRandom(32)),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TunnelConfig.defaults());
            try (Socket local = new Socket(tunnel.localAddress().getAddress(), tunnel.localAddress().getPort())) {
                local.getOutputStream().write(1); // the first byte: the tunnel opens its stream
                assertTrue(transport.sendBlocked.await(HANG_GUARD.toMillis(), TimeUnit.MILLISECONDS),
                        "the Open never reached the transport");
                CompletableFuture<Void> closing = CompletableFuture.runAsync(tunnel::close, r -> Thread.ofVirtual().start(r));
                get(closing); // before the fix: waits for a send that nothing ends
            }
            assertTrue(transport.endedByInterrupt, "the blocked send must end by an interrupt");
            assertFalse(transport.blockedThread.isAlive(), "close() returned before the blocked thread ended");
            assertEquals(0, tunnel.stats().activeConnections());
            assertEquals(0, tunnel.stats().failuresTotal(), "a connection ended by close() is not a failure: "
                    + tunnel.stats().summary());
        }
    }
}
