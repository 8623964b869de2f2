package dev.mixnetstreams.internal.jfr;

/**
 * The library's JFR events, behind one cheap guard: each method returns at once unless a flight
 * recording is running (one volatile read, then nothing is built or allocated). While one runs, the
 * events — {@code dev.mixnetstreams.StreamOpened}, {@code StreamClosed}, {@code DataLost},
 * {@code FrameDropped}, category "Mixnet Streams" — are registered and committed if the recording
 * enables them (they are enabled by default).
 *
 * <p>This class has no reference to {@code jdk.jfr}: the library needs that module only
 * optionally ({@code requires static jdk.jfr}). On the class path every JDK that has it resolves
 * it; in a modular application it is resolved when some module requires it, with {@code
 * --add-modules jdk.jfr}, or when the JVM starts a recording ({@code -XX:StartFlightRecording}).
 * Without it, every method here is a no-op.
 */
public final class StreamEvents {

    /** True while at least one recording runs and the event classes are registered. */
    static volatile boolean recording;

    static {
        if (ModuleLayer.boot().findModule("jdk.jfr").isPresent()) {
            try {
                JfrRegistration.install();
            } catch (LinkageError | RuntimeException e) {
                // jdk.jfr present but not usable here (e.g. not readable): events stay off
                recording = false;
            }
        }
    }

    private StreamEvents() {
    }

    /**
     * Makes sure the recording listener is installed (idempotent; the class initialiser does it).
     * Called when a client is built, so a recording started later is noticed.
     */
    public static void init() {
        // class initialisation has run
    }

    /**
     * Returns whether events are being recorded now (a recording runs).
     *
     * @return {@code true} while the event classes are registered
     */
    public static boolean isRecording() {
        return recording;
    }

    /**
     * A stream was opened here or accepted from a peer.
     *
     * @param streamId the stream id
     * @param opener {@code true} if this end opened it
     */
    public static void opened(long streamId, boolean opener) {
        if (recording) {
            JfrRegistration.opened(streamId, opener);
        }
    }

    /**
     * The peer of a stream opened here showed that it holds the stream.
     *
     * @param streamId the stream id
     */
    public static void established(long streamId) {
        if (recording) {
            JfrRegistration.established(streamId);
        }
    }

    /**
     * A keepalive step: an OpenAck, Ping or Pong arrived, a Ping was queued, or the peer was found
     * unresponsive.
     *
     * @param streamId the stream id
     * @param what {@code open-ack in}, {@code ping in}, {@code pong in}, {@code stale pong in},
     *     {@code ping out} or {@code unresponsive}
     * @param nonce the Ping or Pong nonce (unsigned 32 bits), else 0
     */
    public static void keepalive(long streamId, String what, long nonce) {
        if (recording) {
            JfrRegistration.keepalive(streamId, what, nonce);
        }
    }

    /**
     * A stream ended here: closed by its application, or ended by the client (idle timeout, reset,
     * client closed).
     *
     * @param streamId the stream id
     * @param reason why
     */
    public static void closed(long streamId, String reason) {
        if (recording) {
            JfrRegistration.closed(streamId, reason);
        }
    }

    /**
     * A reader was told that messages were lost ({@code StreamDataLossException}).
     *
     * @param streamId the stream id
     * @param firstLostSequence the first missing sequence number
     * @param lostMessages how many messages are missing
     * @param streamOffset the byte offset of the gap in the stream
     */
    public static void dataLost(long streamId, long firstLostSequence, long lostMessages, long streamOffset) {
        if (recording) {
            JfrRegistration.dataLost(streamId, firstLostSequence, lostMessages, streamOffset);
        }
    }

    /**
     * The router dropped an inbound message or frame.
     *
     * @param reason the {@code DropReason}'s name
     * @param streamId the frame's stream id, 0 when the message was not a stream frame
     */
    public static void frameDropped(String reason, long streamId) {
        if (recording) {
            JfrRegistration.frameDropped(reason, streamId);
        }
    }
}
