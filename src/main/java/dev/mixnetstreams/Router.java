package dev.mixnetstreams;

import dev.mixnetstreams.internal.OfferResult;
import dev.mixnetstreams.internal.RecentIds;
import dev.mixnetstreams.internal.ReorderBuffer;
import dev.mixnetstreams.internal.jfr.StreamEvents;
import dev.mixnetstreams.wire.DecodeStatus;
import dev.mixnetstreams.wire.ExtensionFrames;
import dev.mixnetstreams.wire.FrameCodec;
import dev.mixnetstreams.wire.FrameType;
import dev.mixnetstreams.wire.FrameView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's router: the one virtual thread that takes inbound messages from the transport's
 * queue, decodes them and hands each to its stream. It never blocks on a stream (offers to a
 * stream's buffer never wait) and never runs application code. After each batch it moves streams
 * closed by their application out of the stream table into the record of recently closed ids, wakes
 * the readers that got data, and ends everything once the transport failed and its queue is empty;
 * when the ticker asks, it sweeps idle streams, expired early frames and lingering ids.
 *
 * <p>Confinement: every field below is touched only by the router thread, except {@link #sweepDue}
 * (volatile, set by the ticker) and the final references. The stream table
 * ({@code MixnetClient.streams}) is a concurrent map shared with the application's threads.
 */
final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    /** Wakes the router (stream mode began, a stream closed, the client closes); carries nothing. */
    static final InboundMessage WAKE_UP = new InboundMessage(new byte[0], null);
    /** Tells the router to sweep now; put into the queue by the client's sweep ticker. */
    static final InboundMessage SWEEP = new InboundMessage(new byte[0], null);
    private static final long MAX_SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Messages the router takes from the queue at once, at most. */
    static final int BATCH = 64;

    private final MixnetClient client;
    private final BlockingQueue<InboundMessage> inbound;
    private final Counters counters;
    private final FrameView view = new FrameView();
    private final long idleTimeoutNanos;
    private final long sweepIntervalNanos;
    private final long lingerNanos;
    private final long maxUnreadBytes;

    /**
     * Data that overtook its Open. One stream holds at most its reorder window there: more Data
     * than that before the Open means the Open is most likely lost.
     */
    private final EarlyFrameStore early;
    /** Frames the store evicted or expired in the current step, to be counted as dropped. */
    private final ArrayList<EarlyFrameStore.EarlyFrame> leftEarlyStore = new ArrayList<>();
    /** Ids of streams closed here, kept for the linger so late frames and replayed Opens are refused. */
    private final RecentIds recentlyClosed = new RecentIds(MixnetClient.Builder.MAX_LINGERING_CLOSED_IDS);
    private boolean messageQueueDrained;
    /** The keepalive interval of opened streams, 0 for none. */
    private final long keepaliveNanos;
    /** Whether the transport's failure has been carried out (every stream, accept and wait ended). */
    private boolean transportFailureHandled;
    /** Buffers that got data in the current batch; their readers are woken after it. */
    private final ArrayList<ReorderBuffer> toSignal = new ArrayList<>();
    /** A stream closed by its application whose writer still waits for acknowledgements, since when. */
    private record Draining(MixnetStream stream, long sinceNanos) {
    }

    /** Closed streams still routable for their peers' CREDITs; looked at every sweep. */
    private final ArrayList<Draining> draining = new ArrayList<>();
    /** The reserved byte (flags) of the frame being routed. */
    private int frameFlags;
    /** Set by the sweep ticker: the router sweeps after the batch at hand (even if SWEEP found the queue full). */
    private volatile boolean sweepDue;

    Router(MixnetClient client, BlockingQueue<InboundMessage> inbound, MixnetClient.Settings config) {
        this.client = client;
        this.inbound = inbound;
        this.counters = client.counters();
        this.idleTimeoutNanos = config.streamIdleTimeout().toNanos();
        // Half the idle timeout: traffic is credited at the sweep after it (see MixnetStream.markTraffic),
        // so an idle stream is closed within twice its idle timeout at most, as with a sweep per timeout.
        // A quarter of the keepalive interval: a Ping goes out, and a miss is counted, at most a
        // quarter interval late.
        this.keepaliveNanos = client.keepaliveNanos();
        long sweep = Math.min(idleTimeoutNanos / 2, MAX_SWEEP_INTERVAL_NANOS);
        if (keepaliveNanos > 0) {
            sweep = Math.min(sweep, keepaliveNanos / 4);
        }
        this.sweepIntervalNanos = Math.max(1, sweep);
        this.lingerNanos = MixnetClient.Builder.CLOSED_STREAM_LINGER.toNanos();
        this.maxUnreadBytes = config.maxUnreadBytes();
        this.early = new EarlyFrameStore(config.maxEarlyFrames(), config.maxEarlyBytes(), config.reorderWindow(),
                config.earlyFrameTimeout().toNanos());
    }

    /** Makes the router look at its state soon, even if no message arrives. Never blocks. */
    void wakeUp() {
        inbound.offer(WAKE_UP);
    }

    /**
     * The sweep ticker: a virtual thread that puts {@link #SWEEP} into the queue every sweep
     * interval until the client closes. It lets the router block in an untimed {@code take()}: a
     * timed wait would make the JDK schedule (and then cancel) a timer each time the router parks,
     * which is once per message when traffic is light.
     */
    void runTicker() {
        while (!client.isClosed()) {
            try {
                TimeUnit.NANOSECONDS.sleep(sweepIntervalNanos);
            } catch (InterruptedException e) {
                continue;       // the client closes (checked above)
            }
            sweepDue = true;
            inbound.offer(SWEEP);   // if the queue is full, the router is busy and sees sweepDue after its current batch
        }
    }

    void run() {
        // No clock read per message: traffic marks the stream (MixnetStream.markTraffic) and the
        // sweep, which the ticker asks for, credits it.
        ArrayList<InboundMessage> batch = new ArrayList<>(BATCH);
        while (!client.isClosed()) {
            try {
                // Whatever is queued, up to BATCH, under one acquisition of the queue's lock (and
                // one update of its shared count); only an empty queue is waited on.
                if (inbound.drainTo(batch, BATCH) == 0) {
                    batch.add(inbound.take());   // untimed: the ticker's SWEEP wakes us to sweep
                }
            } catch (InterruptedException e) {
                if (client.isClosed()) {
                    break;
                }
                continue;
            }
            for (int i = 0, n = batch.size(); i < n && !client.isClosed(); i++) {
                InboundMessage message = batch.get(i);
                try {
                    if (message != WAKE_UP && message != SWEEP) {
                        counters.messagesIn.increment();
                        handle(message);
                    } else if (!messageQueueDrained && client.isStreamMode()) {
                        drainMessageQueue();
                    }
                } catch (RuntimeException e) {
                    // Nothing a peer sends may stop the router; this is a bug, and it is logged as one.
                    counters.routerFailures.increment();
                    LOG.error("router: unexpected failure handling a message; continuing", e);
                }
            }
            int routed = batch.size();
            batch.clear();
            forgetClosedStreams();
            signalReaders();
            if (client.transportFailure() != null && !transportFailureHandled && inbound.isEmpty()) {
                // Everything the transport delivered before it failed has been routed: now end it all.
                transportFailureHandled = true;
                client.failEverything(client.transportFailure());
            }
            // The streams open when the transport's connection was lost fail once what came before is routed.
            client.interruptions().afterBatch(routed, inbound.isEmpty());
            if (sweepDue) {
                sweepDue = false;
                try {
                    sweep(System.nanoTime());
                } catch (RuntimeException e) {
                    counters.routerFailures.increment();
                    LOG.error("router: unexpected failure while sweeping; continuing", e);
                }
            }
        }
        LOG.debug("router stopped");
    }

    /** Wakes the readers of the buffers that got data in this batch, if they wait. */
    private void signalReaders() {
        for (int i = 0, n = toSignal.size(); i < n; i++) {
            toSignal.get(i).signalIfWaiting();
        }
        toSignal.clear();
    }

    /**
     * Moves the streams their applications closed out of the stream table into the record of
     * recently closed ids (late frames for them are then dropped as {@link DropReason#CLOSED_STREAM}
     * and a replayed Open is refused); until then the table keeps them, closed.
     */
    private void forgetClosedStreams() {
        MixnetStream closed = client.closedStreams.poll();
        if (closed == null) {
            return;
        }
        long now = System.nanoTime();
        do {
            if (!closed.peerWithoutExtensions() && (!closed.writer().isDrained() || closed.wasResetHere())) {
                // Its frames still wait for acknowledgements (and resends; its peer may not be
                // known yet): it stays routable for the peer's CREDITs until they all came, or
                // the peer is taken for a Rust one, or the linger is over. A stream
                // reset here stays for the linger, so that a peer that did not hear the RESET
                // (lost, or it overtook the Open) is told again when its frames arrive.
                draining.add(new Draining(closed, now));
                continue;
            }
            long id = closed.id().value();
            client.streams.remove(id, closed);
            recentlyClosed.add(id, now);
        } while ((closed = client.closedStreams.poll()) != null);
    }

    /** Forgets the closed streams whose writers have nothing left for their peers, or waited the linger. */
    private void forgetDrainedStreams(long now) {
        for (Iterator<Draining> it = draining.iterator(); it.hasNext(); ) {
            Draining d = it.next();
            if (d.stream().writer().isDrained() && !d.stream().wasResetHere() || now - d.sinceNanos() > lingerNanos) {
                it.remove();
                long id = d.stream().id().value();
                client.streams.remove(id, d.stream());
                recentlyClosed.add(id, now);
            }
        }
    }

    private void handle(InboundMessage message) {
        if (!client.isStreamMode()) {
            switch (client.messages.offer(message)) {
                case ACCEPTED, CLIENT_CLOSED -> {
                    return;
                }
                case FULL -> {
                    drop(DropReason.MESSAGE_QUEUE_FULL, 0);
                    return;
                }
                case STREAM_MODE -> { } // stream mode began meanwhile: a stream frame, routed below
            }
        }
        if (!messageQueueDrained) {
            drainMessageQueue();
        }
        route(message);
    }

    /** Stream mode began: messages received before it and not taken may be stream frames. */
    private void drainMessageQueue() {
        messageQueueDrained = true;
        for (InboundMessage early : client.messages.refuseFromNowOn()) {
            route(early);
        }
    }

    private void route(InboundMessage message) {
        DecodeStatus status = view.wrap(message.data());
        switch (status) {
            case FRAME -> { }
            case TOO_SHORT -> {
                drop(DropReason.TOO_SHORT, 0);
                return;
            }
            case NOT_STREAM_KIND -> {
                drop(DropReason.NOT_STREAM_KIND, 0);
                return;
            }
            case UNKNOWN_MESSAGE_TYPE -> {
                drop(DropReason.UNKNOWN_MESSAGE_TYPE, 0);
                return;
            }
        }
        counters.framesIn.increment();
        long id = view.streamId();
        frameFlags = view.reserved();
        if (LOG.isDebugEnabled()) {
            LOG.debug("frame in: {}", view);
        }
        switch (view.type()) {
            case OPEN -> onOpen(id, message.senderTag(), message.data());
            // The whole frame is handed on: the payload stays where it arrived, after the header.
            case DATA -> onData(id, view.sequence(), message.data(), message.senderTag());
            case OPEN_ACK, PING, PONG -> onControl(view.type(), id, view.sequence(), message.senderTag());
            case CREDIT, RESET -> onExtension(view.type(), id, message.senderTag());
            case DATA_CREDIT -> onDataWithCredit(id, message.senderTag());
        }
    }

    private void onOpen(long id, SenderTag senderTag, byte[] frameBytes) {
        if (senderTag == null) {
            drop(DropReason.OPEN_WITHOUT_SENDER_TAG, id);
            return;
        }
        MixnetStream existing = client.streams.get(id);
        if (existing != null || recentlyClosed.contains(id)) {
            drop(DropReason.DUPLICATE_OPEN, id);
            if (existing != null && existing.peerSpeaksExtensions() && isFromPeer(existing, senderTag)) {
                // A peer of this library sends its Open again only when nothing came back: say we hold it.
                client.controlSender().queueCredit(existing, false);
            }
            return;
        }
        MixnetListener listener = client.takenListener();
        if (listener == null || listener.isClosed()) {
            drop(DropReason.NO_LISTENER, id);
            return;
        }
        if (listener.isBacklogFull()) { // only accept() changes it meanwhile, and only downwards
            drop(DropReason.ACCEPT_BACKLOG_FULL, id);
            return;
        }
        MixnetStream stream = new MixnetStream(new StreamId(id), client, null, senderTag, 0, client.newReorderBuffer());
        stream.notePeerFlags(frameFlags);
        client.streams.put(id, stream);
        // The Open's payload is the stream's first bytes, before Data 0. Then the held early
        // frames; all of it before accept() can hand the stream out (and its application close
        // it): afterwards it would be dropped as data for a closed stream.
        if (frameBytes.length > FrameCodec.HEADER_LENGTH) {
            offer(stream, 0, frameBytes, true);
        }
        for (EarlyFrameStore.EarlyFrame frame : early.release(id)) {
            if (senderTag.equals(frame.senderTag)) {
                counters.earlyFramesDelivered.increment();
            }
            deliver(stream, frame.sequence, frame.frameBytes, frame.senderTag); // counts WRONG_PEER if not
        }
        if (!listener.offer(stream)) { // the listener closed meanwhile
            client.streams.remove(id, stream);
            stream.reset(new IOException("listener closed"));
            drop(DropReason.NO_LISTENER, id);
            return;
        }
        counters.streamsAccepted.increment();
        StreamEvents.opened(id, false);
        LOG.debug("{}: accepted into the backlog", stream.id());
    }

    private void onData(long id, int sequence, byte[] frameBytes, SenderTag senderTag) {
        MixnetStream stream = client.streams.get(id);
        if (stream != null) {
            deliver(stream, sequence, frameBytes, senderTag);
        } else if (recentlyClosed.contains(id)) {
            drop(DropReason.CLOSED_STREAM, id);
        } else if (senderTag == null) {
            // Only an Open's sender can send Data that overtakes it, and it sends with its tag;
            // replies (no tag) go to streams this client opened, which are registered before they
            // send anything. So this can never become deliverable: it is not held.
            drop(DropReason.UNKNOWN_STREAM, id);
        } else {
            hold(id, sequence, frameBytes, senderTag);
        }
    }

    private void deliver(MixnetStream stream, int sequence, byte[] frameBytes, SenderTag senderTag) {
        if (stream.isClosed() && isFromPeer(stream, senderTag)) {
            if (stream.wasResetHere()) {
                stream.notePeerFlags(frameFlags); // an opener that reset before the peer's first frame learns its kind
            }
            if (stream.peerSpeaksExtensions()) {
                dataForClosedStream(stream, sequence);
                return;
            }
        }
        if (acceptsFrameFrom(stream, senderTag)) {
            if (!stream.isEstablished()) {
                stream.markEstablished(); // any Data shows that the peer holds the stream
            }
            offer(stream, sequence, frameBytes, false);
        }
    }

    /**
     * Whether a frame for a registered stream may go to it: the stream is neither closed nor ended
     * here, and the frame comes from its peer (an accepted stream's opener tag; untagged for an
     * opened stream, as replies arrive). Counts the drop if not; notes the peer's frame if so.
     */
    private boolean acceptsFrameFrom(MixnetStream stream, SenderTag senderTag) {
        long id = stream.id().value();
        if (stream.isClosed() || stream.isTerminated()) {
            drop(DropReason.CLOSED_STREAM, id);
            return false;
        }
        if (!isFromPeer(stream, senderTag)) {
            drop(DropReason.WRONG_PEER, id);
            return false;
        }
        Keepalive keepalive = stream.keepalive();
        if (keepalive != null) {
            keepalive.frameArrived();
        }
        return true;
    }

    /** Whether a frame comes from the stream's peer: an accepted stream's opener tag; untagged for an opened stream. */
    private static boolean isFromPeer(MixnetStream stream, SenderTag senderTag) {
        SenderTag peer = stream.peerSenderTag();
        return peer == null ? senderTag == null : peer.equals(senderTag);
    }

    /**
     * Data from a peer of this library for a stream closed here whose writer still waits for
     * acknowledgements: a frame that arrived before is acknowledged again (the acknowledgement was
     * lost, so the peer sends it again); new data means the peer still sends to a stream nobody
     * reads: it is told to stop, once.
     */
    private void dataForClosedStream(MixnetStream stream, int sequence) {
        drop(DropReason.CLOSED_STREAM, stream.id().value());
        if (stream.wasResetHere()) {
            stream.tellResetAgain(); // the peer still sends: it did not hear the reset
        } else if (stream.arrivedBefore(sequence)) {
            client.controlSender().queueCredit(stream, false);
        } else if (stream.markStopSendingSent()) {
            stream.tellPeer(ResetReason.STOP_SENDING, "the stream was closed here");
        }
    }

    /** Offers a frame's payload to its stream (the Open's as its first bytes if {@code initial}) and counts the result. */
    private void offer(MixnetStream stream, int sequence, byte[] frameBytes, boolean initial) {
        long id = stream.id().value();
        // Counted before the hand-off, so a reader that has the bytes also sees them counted.
        int length = frameBytes.length - FrameCodec.HEADER_LENGTH;
        counters.bytesIn.add(length);
        ReorderBuffer buffer = stream.inbound;
        OfferResult result = initial ? buffer.offerInitial(frameBytes) : buffer.offerQuietly(sequence, frameBytes);
        while (result == OfferResult.OVER_SHARED_BUDGET) {
            MixnetStream hoarder = largestHolder(stream);
            if (hoarder == null) {
                break;
            }
            resetForClientLimit(hoarder);
            result = initial ? buffer.offerInitial(frameBytes) : buffer.offerQuietly(sequence, frameBytes);
        }
        // Woken after the batch: once per reader, not once per message. Listed whenever it has
        // something pending, not only the first time in a batch, so that even a publish left
        // unsignalled by a failure is signalled with the stream's next message; a repeat is a
        // no-op in signalReaders, and a run of messages to one stream is listed once.
        if (buffer.hasPendingSignal() && (toSignal.isEmpty() || toSignal.get(toSignal.size() - 1) != buffer)) {
            toSignal.add(buffer);
        }
        if (result != OfferResult.ACCEPTED) {
            counters.bytesIn.add(-length);
        }
        for (int displaced = buffer.takeDroppedAfterEnd(); displaced > 0; displaced--) {
            drop(DropReason.DATA_AFTER_END, id);    // held frames that an end of stream came before
        }
        if (!initial && result == OfferResult.ACCEPTED) {
            // Only new data tells what the peer is: anyone can send an untagged frame for a
            // stream opened here, but only its peer knows which sequence number comes next.
            stream.notePeerFlags(frameFlags);
            if (length == 0) {
                stream.notePeerEnded();
            }
        }
        if (!initial && stream.peerSpeaksExtensions()
                && (result == OfferResult.ACCEPTED || result == OfferResult.DUPLICATE || result == OfferResult.LATE)) {
            stream.dataArrived(buffer.arrivalState()); // acknowledged soon: a repeat too, its acknowledgement was lost
        }
        switch (result) {
            case ACCEPTED -> stream.markTraffic();
            case DUPLICATE, LATE -> drop(DropReason.DUPLICATE_DATA, id);
            case CLOSED -> drop(DropReason.CLOSED_STREAM, id);
            case AFTER_END -> drop(DropReason.DATA_AFTER_END, id);
            case OVER_BUDGET -> {
                drop(DropReason.UNREAD_LIMIT, id);
                LOG.warn("a stream was reset: it held {} unread bytes and {} more arrived, over its limit "
                        + "(maxUnreadBytes) of {}", stream.inbound.unreadBytes(), length, maxUnreadBytes);
                LOG.debug("{}: reset for its unread-byte limit", stream.id());
                reset(stream, "stream reset: more unread data arrived than the limit of "
                        + "maxUnreadBytes allows; read faster or raise the limit");
            }
            case OVER_SHARED_BUDGET -> {
                drop(DropReason.CLIENT_UNREAD_LIMIT, id);
                resetForClientLimit(stream);
            }
        }
    }

    /**
     * An OpenAck, Ping or Pong. Never held, never answered for a stream not open here (silence is
     * how a newer peer learns a stream is gone). A Ping is answered with a Pong by the control
     * sender; an OpenAck, a Ping or a Pong answering ours arms an opened stream's keepalive and
     * establishes it.
     */
    private void onControl(FrameType type, long id, int nonce, SenderTag senderTag) {
        MixnetStream stream = client.streams.get(id);
        if (stream == null) {
            drop(recentlyClosed.contains(id) ? DropReason.CLOSED_STREAM : DropReason.CONTROL_FOR_UNKNOWN_STREAM, id);
            if (type == FrameType.PING && senderTag != null && (frameFlags & FrameCodec.FLAG_EXTENSIONS) != 0
                    && client.extensionsEnabled() && !recentlyClosed.contains(id)) {
                // A peer of this library asks whether its Open arrived: it did not.
                client.controlSender().queueOpenMissing(id, senderTag);
            }
            return;
        }
        if (stream.isClosed() && stream.wasResetHere() && isFromPeer(stream, senderTag)) {
            // The peer's OpenAck or Ping for a stream reset here: it did not hear (the RESET was
            // lost, or overtook the Open), and may only read: it is told again.
            drop(DropReason.CLOSED_STREAM, id);
            stream.notePeerFlags(frameFlags);
            stream.tellResetAgain();
            return;
        }
        if (!acceptsFrameFrom(stream, senderTag)) {
            return;
        }
        stream.markTraffic();
        stream.notePeerFlags(frameFlags);
        Keepalive keepalive = stream.keepalive();
        switch (type) {
            case OPEN_ACK -> {
                if (keepalive == null) {
                    drop(DropReason.UNEXPECTED_OPEN_ACK, id);
                    return;
                }
                counters.openAcksReceived.increment();
                StreamEvents.keepalive(id, "open-ack in", 0);
                keepalive.arm();
                stream.markEstablished();
            }
            case PING -> {
                counters.pingsReceived.increment();
                StreamEvents.keepalive(id, "ping in", Integer.toUnsignedLong(nonce));
                if (keepalive != null) {
                    keepalive.arm();
                }
                stream.markEstablished();
                client.controlSender().queuePong(stream, nonce);
            }
            case PONG -> {
                counters.pongsReceived.increment();
                boolean answers = keepalive != null && keepalive.pongArrived(nonce);
                StreamEvents.keepalive(id, answers ? "pong in" : "stale pong in", Integer.toUnsignedLong(nonce));
                if (answers) {
                    keepalive.arm();
                    stream.markEstablished();
                }
            }
            default -> throw new IllegalArgumentException("not a control frame: " + type);
        }
    }

    /**
     * A CREDIT or RESET, from a peer that speaks the extensions: a CREDIT goes to the stream's
     * writer (also after the stream was closed here, while its writer waits for acknowledgements),
     * a RESET ends an open stream as its reason says. Anything else is dropped and counted.
     */
    private void onExtension(FrameType type, long id, SenderTag senderTag) {
        MixnetStream stream = extensionTarget(type, id, senderTag);
        if (stream == null) {
            return;
        }
        if (type == FrameType.CREDIT) {
            ExtensionFrames.Credit credit = ExtensionFrames.readCredit(view);
            if (credit == null) {
                drop(DropReason.EXTENSION_NOT_USABLE, id);
                return;
            }
            creditArrived(stream, credit);
            return;
        }
        counters.resetsReceived.increment();
        ResetReason reason = ResetReason.ofCode(view.sequence());
        LOG.debug("{}: reset by its peer ({})", stream.id(), reason);
        stream.resetByPeer(reason, ExtensionFrames.readResetMessage(view));
    }

    /**
     * A Data frame carrying a CREDIT: the CREDIT goes to the stream's writer, the Data on as any
     * Data frame does.
     */
    private void onDataWithCredit(long id, SenderTag senderTag) {
        ExtensionFrames.DataWithCredit parts = ExtensionFrames.readDataWithCredit(view);
        if (parts == null) {
            drop(DropReason.EXTENSION_NOT_USABLE, id);
            return;
        }
        int sequence = view.sequence();
        MixnetStream stream = client.streams.get(id);
        if (stream != null && isFromPeer(stream, senderTag) && stream.peerSpeaksExtensions()) {
            creditArrived(stream, parts.credit());
        }
        onData(id, sequence, parts.dataFrame(), senderTag);
    }

    /** A peer's CREDIT for one of its streams: to the writer; a blocked peer is answered with ours at once. */
    private void creditArrived(MixnetStream stream, ExtensionFrames.Credit credit) {
        counters.creditsReceived.increment();
        stream.writer().onCredit(credit);
        if (credit.blocked()) {
            client.controlSender().queueCredit(stream, false);
        }
    }

    /**
     * The stream an extension frame is for, if it may be: registered (open, or closed with its
     * writer still waiting for acknowledgements), from its peer, a peer that speaks the
     * extensions. Counts the drop and returns {@code null} otherwise.
     */
    private MixnetStream extensionTarget(FrameType type, long id, SenderTag senderTag) {
        MixnetStream stream = client.streams.get(id);
        if (stream == null) {
            drop(recentlyClosed.contains(id) ? DropReason.CLOSED_STREAM : DropReason.EXTENSION_NOT_USABLE, id);
            return null;
        }
        if (stream.isClosed() && stream.wasResetHere() && isFromPeer(stream, senderTag)) {
            // A stream reset here: the peer's CREDIT shows it did not hear; its RESET needs no answer.
            drop(DropReason.CLOSED_STREAM, id);
            if (type == FrameType.CREDIT) {
                stream.notePeerFlags(frameFlags);
                stream.tellResetAgain();
            }
            return null;
        }
        if (stream.isClosed() && isFromPeer(stream, senderTag)) {
            stream.notePeerFlags(frameFlags); // a stream closed before its peer's first frame may learn it now
            if (stream.peerSpeaksExtensions()) {
                return stream;
            }
        }
        if (!acceptsFrameFrom(stream, senderTag)) {
            return null;
        }
        stream.notePeerFlags(frameFlags); // an extension frame carries the flag: it says the peer speaks them
        if (!stream.peerSpeaksExtensions()) {
            drop(DropReason.EXTENSION_NOT_USABLE, id);
            return null;
        }
        stream.markTraffic();
        return stream;
    }

    /** Resets the stream holding the most unread bytes when the client-wide limit is reached; logged, counted. */
    private void resetForClientLimit(MixnetStream stream) {
        LOG.warn("a stream was reset: the client's limit on unread bytes of all streams (maxTotalUnreadBytes) "
                + "is reached and it held the most ({} bytes)", stream.inbound.unreadBytes());
        LOG.debug("{}: reset for the client-wide unread-byte limit", stream.id());
        reset(stream, "stream reset: the client's limit on unread bytes of all streams together "
                + "(maxTotalUnreadBytes) was reached and this stream held the most; read faster or raise it");
    }

    private void reset(MixnetStream stream, String why) {
        stream.resetForLimit(new StreamResetException(ResetReason.UNREAD_LIMIT, false, why),
                "the receiver's limit on unread bytes was exceeded");
        counters.streamsReset.increment(); // after: whoever sees the count sees the stream reset
    }

    /**
     * The stream other than {@code receiving} that holds the most unread bytes, if it holds more
     * than {@code receiving}; {@code null} if {@code receiving} holds the most (or nobody holds
     * anything). Streams ended by the client (reaped, failed) and not yet read count too: they
     * keep their bytes for their reader until the linger ends. O(streams); runs only when the
     * client-wide budget is exhausted.
     */
    private MixnetStream largestHolder(MixnetStream receiving) {
        MixnetStream largest = null;
        long most = receiving.inbound.unreadBytes();
        for (MixnetStream candidate : client.streams.values()) {
            if (candidate == receiving || candidate.isClosed()) {
                continue;
            }
            long held = candidate.inbound.unreadBytes();
            if (held > most) {
                most = held;
                largest = candidate;
            }
        }
        return largest;
    }

    /** Holds Data that overtook its stream's Open, within the store's limits on count, bytes and age. */
    private void hold(long id, int sequence, byte[] frameBytes, SenderTag senderTag) {
        MixnetListener listener = client.takenListener();
        if (listener == null || listener.isClosed()) {
            drop(DropReason.UNKNOWN_STREAM, id);
            return;
        }
        long now = System.nanoTime();   // rare path: Data before its Open
        early.expire(now, leftEarlyStore);
        countLeftEarlyStore(DropReason.EARLY_DATA_EXPIRED);
        if ((frameFlags & FrameCodec.FLAG_EXTENSIONS) != 0 && client.extensionsEnabled() && early.holds(id, sequence)) {
            // A peer of this library sends Data again only when it heard nothing back: its Open
            // was probably lost. Tell it the Open is missing; it sends the Open again.
            client.controlSender().queueOpenMissing(id, senderTag);
        }
        EarlyFrameStore.HoldResult result =
                early.hold(new EarlyFrameStore.EarlyFrame(id, sequence, frameBytes, senderTag, now), leftEarlyStore);
        countLeftEarlyStore(DropReason.EARLY_DATA_EVICTED);
        if (result == EarlyFrameStore.HoldResult.HELD) {
            counters.earlyFramesHeld.increment();
        } else {
            drop(DropReason.EARLY_DATA_LIMIT, id);
        }
    }

    private void countLeftEarlyStore(DropReason reason) {
        for (EarlyFrameStore.EarlyFrame frame : leftEarlyStore) {
            drop(reason, frame.streamId);
        }
        leftEarlyStore.clear();
    }

    /** Counts a drop and, while a flight recording runs, records it. */
    private void drop(DropReason reason, long streamId) {
        counters.drop(reason);
        StreamEvents.frameDropped(reason.name(), streamId);
    }

    /**
     * Reaps idle streams; after their linger, forgets the ids of closed streams and releases what
     * streams ended by the client (reaped, reset, failed) still hold unread; expires early frames.
     */
    private void sweep(long now) {
        forgetDrainedStreams(now);
        early.expire(now, leftEarlyStore);
        countLeftEarlyStore(DropReason.EARLY_DATA_EXPIRED);
        recentlyClosed.expire(now, lingerNanos);
        Iterator<MixnetStream> it = client.streams.values().iterator();
        while (it.hasNext()) {
            MixnetStream stream = it.next();
            if (stream.isClosed()) {
                continue;   // closed by its application: forgetClosedStreams moves it to the record
            }
            if (stream.isTerminated()) {
                long endedAt = stream.endedAtNanos();
                if (now - endedAt > lingerNanos) {
                    // Its reader had the linger to take what was received; now the memory goes.
                    stream.discardUnread();
                    it.remove();
                    recentlyClosed.add(stream.id().value(), endedAt);
                }
            } else {
                if (stream.takeTrafficMark()) {
                    // The clock read after the mark is cleared is no earlier than the traffic that
                    // set it (now, read when the sweep began, could be); only streams with traffic pay.
                    stream.lastActivityNanos = System.nanoTime();
                } else if (now - stream.lastActivityNanos > idleTimeoutNanos) {
                    counters.streamsReaped.increment();
                    LOG.debug("{}: idle for longer than {} ms, closing", stream.id(),
                            TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos));
                    stream.fail(new StreamIdleTimeoutException("stream closed after the idle timeout of "
                            + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) + " ms without traffic"));
                    continue;
                }
                Keepalive keepalive = stream.keepalive();
                if (keepalive != null && keepaliveNanos > 0) {
                    keepAlive(stream, keepalive, now);
                }
            }
        }
    }

    /** One keepalive step of an opened stream: a Ping to queue, or a peer given up on. */
    private void keepAlive(MixnetStream stream, Keepalive keepalive, long now) {
        switch (keepalive.sweep(now, keepaliveNanos)) {
            case NOTHING -> { }
            case PING -> {
                StreamEvents.keepalive(stream.id().value(), "ping out", Integer.toUnsignedLong(keepalive.nonce()));
                client.controlSender().queuePing(stream, keepalive.nonce());
            }
            case GIVE_UP -> {
                counters.streamsUnresponsive.increment();
                StreamEvents.keepalive(stream.id().value(), "unresponsive", Integer.toUnsignedLong(keepalive.nonce()));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(keepaliveNanos);
                LOG.debug("{}: peer unresponsive: {} keepalive pings unanswered", stream.id(), keepalive.misses());
                stream.fail(new PeerUnresponsiveException("the peer answered none of "
                        + Keepalive.MISSES_ALLOWED + " keepalive pings, sent " + seconds
                        + " s apart after " + seconds + " s without a frame from it"));
            }
        }
    }
}
