package dev.mixnetstreams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client does when its transport's connection to the mixnet client is lost and the
 * transport reconnects ({@link MixnetTransport.ConnectionListener}): the streams open at the loss
 * fail with a {@link TransportFailedException}, because messages they sent or were sent may have been lost with the connection (in the
 * mixnet client's queues, or on their way), and the protocol cannot tell which; the listener, message
 * mode and streams opened later are untouched, so new streams work again once the connection is
 * back.
 *
 * <p>The streams fail once the router has routed what the transport received before the loss, so
 * their readers get every byte that arrived, then the failure: the loss is recorded with the number
 * of messages queued then, and the router counts them down after each batch (or finds the queue
 * empty). Messages that came after the loss may be routed to those streams first, which does no
 * harm: they fail all the same.
 *
 * <p>Threads: {@link #lost} runs on the transport's thread, {@link #afterBatch} on the router's.
 * {@link #pending} is a concurrent queue; {@link #current} and {@link #toRoute} are confined to
 * the router thread.
 */
final class Interruptions {

    private static final Logger LOG = LoggerFactory.getLogger(Interruptions.class);

    /** One loss: its cause, the streams open then, and the messages queued for the router then. */
    private record Loss(IOException cause, List<MixnetStream> streams, int queued) {
    }

    /** Losses the router has not carried out yet, oldest first. */
    private final ConcurrentLinkedQueue<Loss> pending = new ConcurrentLinkedQueue<>();
    /** Router-confined: the loss being counted down, or {@code null}. */
    private Loss current;
    /** Router-confined: messages still to route before {@link #current}'s streams fail. */
    private long toRoute;

    /**
     * The transport's connection was lost: records the streams open now, to fail once the
     * {@code queued} messages received before have been routed. Transport thread.
     *
     * @param cause why the connection was lost
     * @param streams the client's stream table
     * @param queued messages waiting for the router now
     */
    void lost(IOException cause, Iterable<MixnetStream> streams, int queued) {
        List<MixnetStream> open = new ArrayList<>();
        for (MixnetStream stream : streams) {
            if (!stream.isClosed() && !stream.isTerminated()) {
                open.add(stream);
            }
        }
        pending.add(new Loss(cause, open, queued));
    }

    /**
     * After each batch: counts the batch's messages against the loss being counted down and fails
     * the streams of every loss whose messages were routed. Router thread.
     *
     * @param routed messages the router took in the batch (markers included, as in {@code queued})
     * @param queueEmpty whether the router's queue is empty now
     */
    void afterBatch(int routed, boolean queueEmpty) {
        while (true) {
            if (current == null) {
                current = pending.poll();
                if (current == null) {
                    return;
                }
                // This batch may have held messages from before or after the loss: count none of them.
                toRoute = current.queued();
                if (!queueEmpty) {
                    return;
                }
            } else {
                toRoute -= routed;
                routed = 0;
                if (toRoute > 0 && !queueEmpty) {
                    return;
                }
            }
            failStreams(current);
            current = null;
        }
    }

    private void failStreams(Loss loss) {
        IOException failure = new TransportFailedException("mixnet transport lost its connection; messages in flight"
                + " may be lost: " + loss.cause().getMessage(), loss.cause());
        int failed = 0;
        for (MixnetStream stream : loss.streams()) {
            if (!stream.isClosed() && !stream.isTerminated() && !canRecover(stream)) {
                stream.fail(failure);
                failed++;
            }
        }
        if (failed > 0) {
            LOG.info("failed {} open stream(s): the connection to the mixnet client was lost", failed);
        }
    }

    /**
     * Whether a stream can recover what the loss may have taken, and so is kept: a stream whose
     * peer resends what was not acknowledged, and which resends itself, survives a short outage.
     * The protocol has no such recovery yet, so none can; this is where it will say so.
     *
     * @param stream a stream open at the loss
     * @return {@code false}: every stream open at the loss fails
     */
    private static boolean canRecover(MixnetStream stream) {
        return false;
    }
}
