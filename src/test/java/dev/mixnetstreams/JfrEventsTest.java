package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.sim.LoopbackMixnet;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.internal.jfr.StreamEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR events: registered only while a recording runs, and recorded for a real workload. */
class JfrEventsTest {

    private static final List<String> NAMES = List.of("dev.mixnetstreams.StreamOpened",
            "dev.mixnetstreams.StreamClosed", "dev.mixnetstreams.DataLost", "dev.mixnetstreams.FrameDropped");

    private static boolean registered() {
        return FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .anyMatch(t -> NAMES.contains(t.getName()));
    }

    @Test
    void recordsLifecycleLossAndDropOnlyWhileRecording(@TempDir Path dir) throws Exception {
        LoopbackMixnet net = LoopbackMixnet.builder().build();
        LoopbackMixnet.Endpoint serverEndpoint = net.newEndpoint();
        ScriptedPeer intruder = ScriptedPeer.facing(net, serverEndpoint); // sends what the client would not
        Path file = dir.resolve("events.jfr");
        // The opener without the extensions: towards a peer of this library the receiver waits
        // for lost frames to be sent again and never skips ahead, so no loss would be reported.
        try (MixnetClient server = MixnetClient.builder(serverEndpoint).reorderWindow(2).build();
             MixnetClient client = MixnetClient.builder(net.newEndpoint()).extensions(false).build()) {
            assertFalse(StreamEvents.isRecording());
            try (Recording recording = new Recording()) {
                NAMES.forEach(recording::enable);
                recording.start();
                assertTrue(StreamEvents.isRecording(), "registered when the recording starts");
                assertTrue(registered());

                MixnetListener listener = server.listener();
                MixnetStream opened = client.openStream(server.address());
                MixnetStream accepted = listener.accept();
                long id = accepted.id().value();
                SenderTag tag = accepted.remoteSenderTag().orElseThrow();

                // A drop (too short), then Data 1, 2, 3 without 0: with a window of 2, the third
                // makes the buffer skip ahead over 0, so the reader is told of one lost message.
                intruder.send(new byte[3], null);
                for (int seq = 1; seq <= 3; seq++) {
                    intruder.data(id, seq, new byte[] {(byte) seq}, tag);
                }
                StreamDataLossException loss =
                        assertThrows(StreamDataLossException.class, () -> accepted.getInputStream().read());
                assertEquals(0, loss.firstLostSequence());
                assertEquals(1, accepted.getInputStream().read()); // the router handled all of it

                opened.close();
                accepted.close();
                recording.stop();
                recording.dump(file);
            }
            assertFalse(StreamEvents.isRecording(), "unregistered when the last recording stops");
            assertFalse(registered());

            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            List<RecordedEvent> opens = named(events, "dev.mixnetstreams.StreamOpened");
            assertEquals(2, opens.size());
            assertEquals(1, opens.stream().filter(e -> e.getBoolean("opener")).count());
            assertEquals(2, named(events, "dev.mixnetstreams.StreamClosed").size());
            RecordedEvent lost = named(events, "dev.mixnetstreams.DataLost").getFirst();
            assertEquals(0, lost.getLong("firstLostSequence"));
            assertEquals(1, lost.getLong("lostMessages"));
            assertEquals(0, lost.getLong("streamOffset"));
            assertTrue(named(events, "dev.mixnetstreams.FrameDropped").stream()
                    .anyMatch(e -> e.getString("reason").equals("TOO_SHORT") && e.getLong("streamId") == 0));
        }
        assertTrue(Files.size(file) > 0);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
