package dev.mixnetstreams.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.SenderTag;
import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.sim.SentMessage;
import dev.mixnetstreams.wire.DecodeStatus;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import dev.mixnetstreams.wire.FrameView;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the other end of one client at the frame level, in the manner of OkHttp's {@code
 * MockHttp2Peer}: the test scripts what the peer sends, frame by frame, and checks every message
 * the client under test sends, decoded.
 *
 * <p>The client under test runs on an endpoint of a {@link LoopbackMixnet} ({@link #client()}).
 * The peer is no endpoint, only an address ({@link #address()}) and the sender tag its anonymous
 * messages reach the client with ({@link #tag()}): what it sends is injected into the client's
 * inbound queue (waiting while it is full, as the network would), and what the client sends, to
 * the peer or anyone else, is recorded as it leaves ({@link LoopbackMixnet.Endpoint#onSend}) and
 * then delivered as usual; sent to the peer, it is dropped, since no endpoint has its address.
 *
 * <p>Frames into the client: {@link #open}, {@link #data} and {@link #endOfStream} carry the
 * peer's tag, as an opener's frames do; {@link #reply} and {@link #replyEndOfStream} carry none, as
 * replies to a stream the client opened; the overloads with a tag and {@link #send} carry any tag
 * or none, for intruders and garbage. Frames out of it: {@link #takeFrame()} waits for the next.
 */
public final class ScriptedPeer implements AutoCloseable {

    /** Numbers the peers, so that peers facing one mixnet have addresses (and tags) of their own. */
    private static final AtomicLong PEERS = new AtomicLong();

    private final LoopbackMixnet mixnet;
    private final boolean ownsMixnet;
    private final LoopbackMixnet.Endpoint client;
    private final Recipient address;
    private final SenderTag tag;
    /** What the client sent and the test has not taken yet, in the order sent; filled on the senders' threads. */
    private final LinkedBlockingQueue<SentFrame> sent = new LinkedBlockingQueue<>();
    /** Every message the client sent, recorded or not. */
    private final AtomicLong sentCount = new AtomicLong();
    /** Whether what the client sends is kept for {@link #takeFrame()}; cleared by {@link #stopRecording()}. */
    private volatile boolean recording = true;
    /** The flags byte (offset 15) of every stream frame the peer sends: 0, as a Rust peer's, by default. */
    private volatile int flags;

    private ScriptedPeer(LoopbackMixnet mixnet, boolean ownsMixnet, LoopbackMixnet.Endpoint client) {
        this.mixnet = mixnet;
        this.ownsMixnet = ownsMixnet;
        this.client = client;
        this.address = Recipient.random(new SplittableRandom(mixnet.seed() ^ (PEERS.incrementAndGet() * 0x9E3779B97F4A7C15L)));
        this.tag = mixnet.issueTag(address, client.address());
        client.onSend(message -> {
            sentCount.incrementAndGet();
            if (recording) {
                sent.add(SentFrame.of(message));
            }
        });
    }

    /**
     * Creates a peer facing a new endpoint on a loopback mixnet of its own (seeded, so addresses
     * and tags repeat), with the default inbound capacity; build the client under test on {@link
     * #client()}. Closing the peer closes that mixnet.
     *
     * @return the peer
     */
    public static ScriptedPeer create() {
        return create(LoopbackMixnet.Builder.DEFAULT_INBOUND_CAPACITY);
    }

    /**
     * As {@link #create()}, with an inbound queue of the given capacity: the peer waits while it
     * is full, so a small one paces the peer to the client's router.
     *
     * @param inboundCapacity the client endpoint's inbound capacity
     * @return the peer
     */
    public static ScriptedPeer create(int inboundCapacity) {
        return create(LoopbackMixnet.builder().inboundCapacity(inboundCapacity));
    }

    /**
     * As {@link #create()}, on a loopback mixnet built from {@code mixnet} (seeded here), for
     * example with a {@linkplain LoopbackMixnet.Builder#packetGeometry packet geometry}, so the
     * client under test cuts its frames as for a nym-client.
     *
     * @param mixnet the mixnet's settings
     * @return the peer
     */
    public static ScriptedPeer create(LoopbackMixnet.Builder mixnet) {
        LoopbackMixnet built = mixnet.seed(1).build();
        return new ScriptedPeer(built, true, built.newEndpoint());
    }

    /**
     * Creates a peer facing an endpoint of a mixnet the test owns (which may have other clients).
     *
     * @param mixnet the endpoint's mixnet, which issues the peer's tag
     * @param client the endpoint the client under test runs on
     * @return the peer
     */
    public static ScriptedPeer facing(LoopbackMixnet mixnet, LoopbackMixnet.Endpoint client) {
        return new ScriptedPeer(mixnet, false, client);
    }

    /**
     * Returns the endpoint the client under test runs on.
     *
     * @return the endpoint
     */
    public LoopbackMixnet.Endpoint client() {
        return client;
    }

    /**
     * Returns the peer's address: the client opens streams to the peer at it.
     *
     * @return the address, at which no endpoint listens
     */
    public Recipient address() {
        return address;
    }

    /**
     * Returns the tag the peer's anonymous messages reach the client with; the client's replies
     * to it are the peer's.
     *
     * @return the tag
     */
    public SenderTag tag() {
        return tag;
    }

    /**
     * Returns the tag with which the anonymous messages of another peer, at {@code sender}, reach
     * the client: for scripts with more than one opener.
     *
     * @param sender the other peer's address
     * @return its tag towards the client
     */
    public SenderTag tagOf(Recipient sender) {
        return mixnet.issueTag(sender, client.address());
    }

    /**
     * Sends an Open for {@code id} with the peer's tag, as an opener does.
     *
     * @param id the stream id
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void open(long id) throws InterruptedIOException {
        open(id, tag);
    }

    /**
     * Sends an Open for {@code id} with any tag, or none.
     *
     * @param id the stream id
     * @param senderTag the tag it carries, or {@code null}
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void open(long id, SenderTag senderTag) throws InterruptedIOException {
        send(FrameCodec.encode(id, FrameType.OPEN, 0, new byte[0]), senderTag);
    }

    /**
     * Sends a Data frame with the peer's tag, as the opener of stream {@code id} does.
     *
     * @param id the stream id
     * @param sequence its sequence number
     * @param payload its payload
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void data(long id, int sequence, byte[] payload) throws InterruptedIOException {
        data(id, sequence, payload, tag);
    }

    /**
     * Sends a Data frame with any tag, or none.
     *
     * @param id the stream id
     * @param sequence its sequence number
     * @param payload its payload
     * @param senderTag the tag it carries, or {@code null}
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void data(long id, int sequence, byte[] payload, SenderTag senderTag) throws InterruptedIOException {
        send(FrameCodec.encode(id, FrameType.DATA, sequence, payload), senderTag);
    }

    /**
     * Sends an end of stream (an empty Data frame) with the peer's tag, as the opener of stream
     * {@code id} does.
     *
     * @param id the stream id
     * @param sequence its sequence number: the one after the last Data
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void endOfStream(long id, int sequence) throws InterruptedIOException {
        data(id, sequence, new byte[0], tag);
    }

    /**
     * Sends a Data frame without a tag, as the acceptor of a stream the client opened replies.
     *
     * @param id the stream id
     * @param sequence its sequence number
     * @param payload its payload
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void reply(long id, int sequence, byte[] payload) throws InterruptedIOException {
        data(id, sequence, payload, null);
    }

    /**
     * Sends an end of stream without a tag, as the acceptor of a stream the client opened does.
     *
     * @param id the stream id
     * @param sequence its sequence number: the one after the last Data
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void replyEndOfStream(long id, int sequence) throws InterruptedIOException {
        data(id, sequence, new byte[0], null);
    }

    /**
     * Sends an OpenAck for {@code id} without a tag, as the acceptor of a stream the client opened does.
     *
     * @param id the stream id
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void openAck(long id) throws InterruptedIOException {
        send(FrameCodec.encode(id, FrameType.OPEN_ACK, 0, new byte[0]), null);
    }

    /**
     * Makes the peer speak this library's extensions from now on: every stream frame it sends
     * carries the flag that says so (a Rust peer's carry 0).
     *
     * @return this peer
     */
    public ScriptedPeer speakingExtensions() {
        flags = FrameCodec.FLAG_EXTENSIONS;
        return this;
    }

    /**
     * Sends a RESET for {@code id} with any tag, or none.
     *
     * @param id the stream id
     * @param code the reason's code
     * @param message the reason's text
     * @param senderTag the tag it carries, or {@code null}
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void reset(long id, int code, String message, SenderTag senderTag) throws InterruptedIOException {
        send(ExtensionFrames.reset(id, code, message), senderTag);
    }

    /**
     * Sends a CREDIT for {@code id} with any tag, or none.
     *
     * @param id the stream id
     * @param credit what it says
     * @param senderTag the tag it carries, or {@code null}
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void credit(long id, ExtensionFrames.Credit credit, SenderTag senderTag) throws InterruptedIOException {
        send(ExtensionFrames.credit(id, credit), senderTag);
    }

    /**
     * Sends a Ping for {@code id} with any tag, or none (the peer's tag, as an opener pings).
     *
     * @param id the stream id
     * @param nonce the Ping's nonce
     * @param senderTag the tag it carries, or {@code null}
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void ping(long id, int nonce, SenderTag senderTag) throws InterruptedIOException {
        send(FrameCodec.encode(id, FrameType.PING, nonce, new byte[0]), senderTag);
    }

    /**
     * Sends a Pong for {@code id} with any tag, or none (none, as the acceptor of a stream the
     * client opened answers its Pings).
     *
     * @param id the stream id
     * @param nonce the nonce it echoes
     * @param senderTag the tag it carries, or {@code null}
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void pong(long id, int nonce, SenderTag senderTag) throws InterruptedIOException {
        send(FrameCodec.encode(id, FrameType.PONG, nonce, new byte[0]), senderTag);
    }

    /**
     * Sends any bytes with any tag, or none; fails the test if the client's endpoint is closed.
     *
     * @param message the bytes, frame or not
     * @param senderTag the tag they carry, or {@code null}
     * @throws InterruptedIOException if interrupted while the client's queue is full
     */
    public void send(byte[] message, SenderTag senderTag) throws InterruptedIOException {
        if (flags != 0 && message.length >= FrameCodec.HEADER_LENGTH && message[0] == FrameCodec.KIND_SPHINX_STREAM
                && message[1] == 0) {
            message = message.clone();
            FrameCodec.writeFlags(message, flags);
        }
        if (!client.inject(message, senderTag)) {
            fail("the client's endpoint is closed: " + client);
        }
    }

    /**
     * Waits for the next message the client sends (or takes the next one recorded); fails the
     * test if none comes within {@link Await#GIVE_UP}.
     *
     * @return the message, decoded
     * @throws InterruptedException if interrupted while waiting
     */
    public SentFrame takeFrame() throws InterruptedException {
        SentFrame next = sent.poll(Await.GIVE_UP.toNanos(), TimeUnit.NANOSECONDS);
        if (next == null) {
            fail("the client sent nothing within " + Await.GIVE_UP);
        }
        return next;
    }

    /**
     * From now on counts what the client sends without keeping it, and drops what is kept: for
     * floods whose answers would otherwise fill the heap.
     */
    public void stopRecording() {
        recording = false;
        sent.clear();
    }

    /**
     * Returns how many messages the client sent since the peer was created, recorded or not.
     *
     * @return the count
     */
    public long sentCount() {
        return sentCount.get();
    }

    /**
     * Takes every message recorded and not taken yet.
     *
     * @return them, in the order sent
     */
    public List<SentFrame> takeAll() {
        List<SentFrame> all = new ArrayList<>();
        sent.drainTo(all);
        return all;
    }

    /**
     * Asserts that every message the client sent has been taken. Meaningful once nothing more can
     * be on its way: for example after the client closed (its close waits for its ends of stream).
     */
    public void assertNothingMoreSent() {
        List<SentFrame> more = takeAll();
        assertTrue(more.isEmpty(), () -> "the client sent more: " + more);
    }

    /** Closes the mixnet if the peer created it; a mixnet the test gave is the test's to close. */
    @Override
    public void close() {
        if (ownsMixnet) {
            mixnet.close();
        }
    }

    /**
     * One message the client under test sent: how, and its frame decoded with {@link FrameView}.
     *
     * @param message how it was sent (anonymous with how many SURBs, reply, plain) and its bytes
     * @param status whether the bytes are a frame
     * @param type the frame's type, or {@code null} if they are not a frame
     * @param streamId the frame's stream id (0 if not a frame)
     * @param sequence the frame's sequence number (0 if not a frame)
     * @param payload the frame's payload (empty if not a frame)
     */
    public record SentFrame(SentMessage message, DecodeStatus status, FrameType type, long streamId, int sequence,
                            byte[] payload) {

        static SentFrame of(SentMessage message) {
            FrameView view = new FrameView();
            DecodeStatus status = view.wrap(message.data());
            if (status != DecodeStatus.FRAME) {
                return new SentFrame(message, status, null, 0, 0, new byte[0]);
            }
            return new SentFrame(message, status, view.type(), view.streamId(), view.sequence(), view.copyPayload());
        }

        /**
         * Asserts this is an Open: sequence 0, empty payload.
         *
         * @return the stream id it opens
         */
        public long assertOpen() {
            return assertOpen(new byte[0]);
        }

        /**
         * Asserts this is an Open (sequence 0) carrying these first bytes of the stream.
         *
         * @param expectedPayload the bytes it carries
         * @return the stream id it opens
         */
        public long assertOpen(byte[] expectedPayload) {
            assertEquals(DecodeStatus.FRAME, status, this::toString);
            assertEquals(FrameType.OPEN, type, this::toString);
            assertEquals(0, sequence, () -> "an Open's sequence: " + this);
            assertArrayEquals(expectedPayload, payload, () -> "an Open's payload: " + this);
            return streamId;
        }

        /**
         * Asserts this is a Data frame of stream {@code id} with this sequence number and payload.
         *
         * @param id the stream id
         * @param expectedSequence the sequence number
         * @param expectedPayload the payload
         * @return this frame
         */
        public SentFrame assertData(long id, int expectedSequence, byte[] expectedPayload) {
            assertEquals(DecodeStatus.FRAME, status, this::toString);
            assertEquals(FrameType.DATA, type, this::toString);
            assertEquals(id, streamId, () -> "stream id of " + this);
            assertEquals(expectedSequence, sequence, () -> "sequence of " + this);
            assertArrayEquals(expectedPayload, payload, () -> "payload of " + this);
            return this;
        }

        /**
         * Asserts this is an OpenAck, Ping or Pong of stream {@code id} with this sequence number
         * (the Ping's or Pong's nonce; 0 for an OpenAck) and an empty payload.
         *
         * @param expectedType {@link FrameType#OPEN_ACK}, {@link FrameType#PING} or {@link FrameType#PONG}
         * @param id the stream id
         * @param expectedSequence the sequence number
         * @return this frame
         */
        public SentFrame assertControl(FrameType expectedType, long id, int expectedSequence) {
            assertEquals(DecodeStatus.FRAME, status, this::toString);
            assertEquals(expectedType, type, this::toString);
            assertEquals(id, streamId, () -> "stream id of " + this);
            assertEquals(expectedSequence, sequence, () -> "sequence of " + this);
            assertEquals(0, payload.length, () -> "payload of " + this);
            return this;
        }

        /**
         * Asserts this is a Ping of stream {@code id}, whatever its nonce (see {@link #sequence()}).
         *
         * @param id the stream id
         * @return this frame
         */
        public SentFrame assertPing(long id) {
            return assertControl(FrameType.PING, id, sequence);
        }

        /**
         * Asserts this is an end of stream: an empty Data frame of stream {@code id} with this
         * sequence number.
         *
         * @param id the stream id
         * @param expectedSequence the sequence number
         * @return this frame
         */
        public SentFrame assertEndOfStream(long id, int expectedSequence) {
            return assertData(id, expectedSequence, new byte[0]);
        }

        /**
         * Asserts it was sent anonymously to {@code recipient} with this many reply SURBs.
         *
         * @param recipient where it went
         * @param replySurbs the SURBs attached
         * @return this frame
         */
        public SentFrame assertAnonymous(Recipient recipient, int replySurbs) {
            assertEquals(SentMessage.Kind.SEND_ANONYMOUS, message.kind(), this::toString);
            assertEquals(recipient, message.recipient(), this::toString);
            assertEquals(replySurbs, message.replySurbs(), () -> "reply SURBs of " + this);
            return this;
        }

        /**
         * Asserts it was sent as a reply to {@code senderTag}.
         *
         * @param senderTag the tag replied to
         * @return this frame
         */
        public SentFrame assertReplyTo(SenderTag senderTag) {
            assertEquals(SentMessage.Kind.REPLY, message.kind(), this::toString);
            assertEquals(senderTag, message.senderTag(), this::toString);
            assertNull(message.recipient());
            return this;
        }

        /**
         * Asserts it was sent plainly (no SURBs) to {@code recipient}.
         *
         * @param recipient where it went
         * @return this frame
         */
        public SentFrame assertPlain(Recipient recipient) {
            assertEquals(SentMessage.Kind.SEND, message.kind(), this::toString);
            assertEquals(recipient, message.recipient(), this::toString);
            return this;
        }

        /**
         * Describes the frame and how it was sent.
         *
         * @return for failure messages
         */
        @Override
        public String toString() {
            String how = message.kind() + (message.kind() == SentMessage.Kind.SEND_ANONYMOUS
                    ? " (" + message.replySurbs() + " SURBs)" : "");
            if (status != DecodeStatus.FRAME) {
                return how + " " + status + " " + HexFormat.of().formatHex(message.data());
            }
            return how + " " + type + " id=" + Long.toHexString(streamId) + " seq=" + Integer.toUnsignedString(sequence)
                    + " payload=" + payload.length + " bytes";
        }
    }
}
