package dev.mixnetstreams.internal.jfr;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The part that uses {@code jdk.jfr}, loaded only when that module is present: registers the event
 * classes when the first recording starts and unregisters them when the last one stops, and builds
 * and commits the events.
 */
final class JfrRegistration {

    private static final List<Class<? extends jdk.jfr.Event>> EVENTS = List.of(
            StreamOpenedEvent.class, StreamClosedEvent.class, DataLostEvent.class, FrameDroppedEvent.class,
            StreamEstablishedEvent.class, ControlFrameEvent.class);
    /**
     * The JDK classes that JFR's instrumented {@code commit()} refers to (as of JDK 25). See
     * {@link #resolveCommitPath()}.
     */
    private static final List<String> COMMIT_PATH_CLASSES = List.of(
            "jdk.jfr.internal.event.EventWriter", "jdk.jfr.internal.event.EventConfiguration");
    private static final ReentrantLock LOCK = new ReentrantLock();

    private JfrRegistration() {
    }

    /**
     * Installs the listener. If the recorder is already initialised (a recording may run, e.g. from
     * {@code -XX:StartFlightRecording}), {@code addListener} calls {@code recorderInitialized}
     * before it returns, which catches up. JFR calls {@code recordingStateChanged} on the thread
     * that started or stopped the recording, after releasing its own locks, so {@link #LOCK} is
     * never taken inside a JFR lock except {@code addListener}'s, and nothing here waits for that.
     */
    static void install() {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                update();
            }

            @Override
            public void recordingStateChanged(Recording recording) {
                update();
            }
        });
    }

    /** Registers the events while any recording runs, unregisters them when none does. */
    private static void update() {
        LOCK.lock();
        try {
            boolean running = FlightRecorder.isInitialized() && FlightRecorder.getFlightRecorder().getRecordings()
                    .stream().anyMatch(r -> r.getState() == RecordingState.RUNNING);
            if (running == StreamEvents.recording) {
                return;
            }
            for (Class<? extends jdk.jfr.Event> event : EVENTS) {
                if (running) {
                    FlightRecorder.register(event);
                } else {
                    FlightRecorder.unregister(event);
                }
            }
            if (running) {
                resolveCommitPath();
            }
            StreamEvents.recording = running;
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Makes the event classes' loader an initiating loader of the JDK classes that the instrumented
     * {@code commit()} uses, here, on the thread that started the recording. Otherwise the first
     * commits resolve them through {@code ClassLoader.loadClass} from inside the VM; two virtual
     * threads doing that at once (the router and a stream's reader, say) contend for the class
     * loading lock with a native frame on the stack, which pins the carrier
     * ({@code jdk.VirtualThreadPinned}, seen in CI). Best effort: a JDK that names these classes
     * differently only loses the warm-up.
     */
    private static void resolveCommitPath() {
        ClassLoader loader = StreamOpenedEvent.class.getClassLoader();
        for (String name : COMMIT_PATH_CLASSES) {
            try {
                Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError absent) {
                // another JDK's layout: the first commit resolves whatever it uses
            }
        }
    }

    static void opened(long streamId, boolean opener) {
        StreamOpenedEvent event = new StreamOpenedEvent();
        if (event.shouldCommit()) {
            event.streamId = streamId;
            event.opener = opener;
            event.commit();
        }
    }

    static void closed(long streamId, String reason) {
        StreamClosedEvent event = new StreamClosedEvent();
        if (event.shouldCommit()) {
            event.streamId = streamId;
            event.reason = reason;
            event.commit();
        }
    }

    static void dataLost(long streamId, long firstLostSequence, long lostMessages, long streamOffset) {
        DataLostEvent event = new DataLostEvent();
        if (event.shouldCommit()) {
            event.streamId = streamId;
            event.firstLostSequence = firstLostSequence;
            event.lostMessages = lostMessages;
            event.streamOffset = streamOffset;
            event.commit();
        }
    }

    static void established(long streamId) {
        StreamEstablishedEvent event = new StreamEstablishedEvent();
        if (event.shouldCommit()) {
            event.streamId = streamId;
            event.commit();
        }
    }

    static void keepalive(long streamId, String what, long nonce) {
        ControlFrameEvent event = new ControlFrameEvent();
        if (event.shouldCommit()) {
            event.streamId = streamId;
            event.what = what;
            event.nonce = nonce;
            event.commit();
        }
    }

    static void frameDropped(String reason, long streamId) {
        FrameDroppedEvent event = new FrameDroppedEvent();
        if (event.shouldCommit()) {
            event.reason = reason;
            event.streamId = streamId;
            event.commit();
        }
    }
}
