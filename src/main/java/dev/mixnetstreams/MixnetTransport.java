package dev.mixnetstreams;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * What one Nym mixnet client gives this library: its own address, three ways to send, and a queue
 * of inbound messages.
 *
 * <p>Implementations: {@code dev.mixnetstreams.nymclient.NymClientTransport} (a real nym-client)
 * and the embedded {@code dev.mixnetstreams.sim.SimulatedMixnet}. Sends may be called from many threads at once. The inbound
 * queue is bounded: a transport that finds it full waits (back-pressure towards the network)
 * rather than dropping or growing.
 */
public interface MixnetTransport extends Closeable {

    /**
     * Returns this client's own Nym address.
     *
     * @return the address other clients send to
     */
    Recipient address();

    /**
     * Sends a message that the receiver gets with no sender tag (it cannot reply).
     *
     * @param recipient where to send
     * @param message the message's bytes; the transport may keep the array, callers must not
     *     change it afterwards
     * @throws IOException if the transport is closed or failed
     */
    void send(Recipient recipient, byte[] message) throws IOException;

    /**
     * Sends a message together with reply SURBs; the receiver gets a {@link SenderTag} it can
     * {@link #reply} to without learning this client's address.
     *
     * @param recipient where to send
     * @param message the message's bytes; callers must not change the array afterwards
     * @param replySurbs how many reply SURBs to attach (0 or more)
     * @throws IOException if the transport is closed or failed
     */
    void sendAnonymous(Recipient recipient, byte[] message, int replySurbs) throws IOException;

    /**
     * Replies to the client behind a sender tag, using the SURBs it sent.
     *
     * @param senderTag the tag an inbound message carried
     * @param message the message's bytes; callers must not change the array afterwards
     * @throws IOException if the transport is closed or failed, or the tag is unknown
     */
    void reply(SenderTag senderTag, byte[] message) throws IOException;

    /**
     * Sends an anonymous message on a lane: a number the caller chose for one stream, whose
     * messages the mixnet client queues apart from other lanes' and sends in turn with them, so
     * that one stream's backlog does not hold up the others. Like {@link #sendAnonymous(Recipient,
     * byte[], int)}, which sends on no lane. Never waits for the lane: see {@link #awaitLane}.
     * The default ignores the lane.
     *
     * @param recipient where to send
     * @param message the message's bytes; callers must not change the array afterwards
     * @param replySurbs how many reply SURBs to attach (0 or more)
     * @param lane the lane, 1 or more
     * @throws IOException if the transport is closed or failed
     */
    default void sendAnonymous(Recipient recipient, byte[] message, int replySurbs, long lane) throws IOException {
        sendAnonymous(recipient, message, replySurbs);
    }

    /**
     * Replies on a lane; see {@link #sendAnonymous(Recipient, byte[], int, long)}. The default
     * ignores the lane.
     *
     * @param senderTag the tag an inbound message carried
     * @param message the message's bytes; callers must not change the array afterwards
     * @param lane the lane, 1 or more
     * @throws IOException if the transport is closed or failed, or the tag is unknown
     */
    default void reply(SenderTag senderTag, byte[] message, long lane) throws IOException {
        reply(senderTag, message);
    }

    /**
     * Waits until the mixnet client holds at most {@code maxQueuedPackets} packets of a lane not
     * yet sent, so that a fast writer cannot pile up unbounded data inside it; returns early, with
     * {@code false}, when {@link #wakeLane} is called for the lane or the transport closes. The
     * default, for a transport that queues nothing, returns {@code true} at once.
     *
     * @param lane the lane
     * @param maxQueuedPackets the most packets the lane may hold
     * @return {@code true} once the lane has room; {@code false} if woken before
     * @throws java.io.InterruptedIOException if the thread was interrupted (its flag is set again)
     * @throws IOException if the transport failed
     */
    default boolean awaitLane(long lane, int maxQueuedPackets) throws IOException {
        return true;
    }

    /**
     * Wakes the threads waiting in {@link #awaitLane} for a lane (its stream closed). The default
     * does nothing.
     *
     * @param lane the lane
     */
    default void wakeLane(long lane) {
    }

    /**
     * Returns how the mixnet client cuts messages into packets, if the transport knows: the stream
     * layer then gathers writes into frames that fill whole packets (see {@link
     * MixnetClient.Builder#writeLinger}). A transport without one, such as an in-memory one, gets
     * one message per write. The default knows nothing.
     *
     * @return the geometry, or empty
     */
    default Optional<PacketGeometry> packetGeometry() {
        return Optional.empty();
    }

    /**
     * Returns the queue into which the transport delivers inbound messages. Exactly one consumer
     * (a client's router) takes from it.
     *
     * @return the inbound queue, the same instance on every call
     */
    BlockingQueue<InboundMessage> inbound();

    /**
     * Registers a callback for the transport failing for good on its own (a lost connection it
     * does not, or cannot, restore, as opposed to {@link #close()}; a connection it restores is
     * told to {@link #addConnectionListener connection listeners} instead): it is called once,
     * with the cause, on a thread of the transport's choosing, and must not block. A transport that has already failed calls it at once, on the calling
     * thread. A {@link MixnetClient} registers one when it is built, and then fails every stream,
     * blocked read, accept and message wait with an {@link IOException} carrying the cause.
     *
     * <p>The default does nothing: a transport that never fails this way need not implement it.
     * Callbacks are kept until the transport fails or closes; register a bounded number (one per
     * client).
     *
     * @param callback called with the cause of the failure
     */
    default void onFailure(Consumer<IOException> callback) {
    }

    /**
     * Registers a listener for the transport's connection to its mixnet client being lost and
     * restored while the transport itself goes on: a transport that reconnects (such as {@code
     * NymClientTransport}) tells it when the connection drops and when it is back. Messages in
     * flight when the connection dropped may have been lost, and sends fail while it is away.
     * Callbacks run on a thread of the transport's choosing and must not block; a loss is reported
     * before anything received over the new connection is put into {@link #inbound()}. A {@link
     * MixnetClient} registers one when it is built: it fails the streams that may have lost
     * messages and keeps its listener, so new streams work again once the connection is back.
     *
     * <p>The default does nothing: a transport that never reconnects need not implement it.
     * Listeners are kept until the transport fails or closes; register a bounded number (one per
     * client).
     *
     * @param listener told of each loss and return of the connection
     */
    default void addConnectionListener(ConnectionListener listener) {
    }

    /**
     * Hears of a transport's connection being lost and restored; see {@link
     * #addConnectionListener}. Neither method may block.
     */
    interface ConnectionListener {

        /**
         * The connection to the mixnet client was lost and the transport is reconnecting: sends
         * fail until it is back, and messages in flight may have been lost.
         *
         * @param cause why the connection was lost
         */
        void connectionLost(IOException cause);

        /** The connection is back, to the same client (the same address): sends work again. */
        void connectionRestored();
    }

    /**
     * Closes the transport: sends fail from now on and no more messages are delivered.
     * Idempotent.
     */
    @Override
    void close();
}
