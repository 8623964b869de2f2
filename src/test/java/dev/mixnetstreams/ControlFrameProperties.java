package dev.mixnetstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mixnetstreams.testing.Await;
import dev.mixnetstreams.testing.ScriptedPeer;
import dev.mixnetstreams.testing.ScriptedPeer.SentFrame;
import dev.mixnetstreams.wire.FrameType;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * OpenAck, Ping and Pong lost, duplicated and reordered among Data, in both roles: whatever
 * arrives in whatever order, a stream is established exactly when an establishing frame arrived,
 * every Ping that arrived is answered by the latest Pong, the data comes out exact, and nothing is
 * sent that the peer has not shown it understands. Each sample prints its seed, which replays it.
 */
class ControlFrameProperties {

    /** What the scripted peer sends, before the mixnet loses, duplicates and shuffles it. */
    private enum Kind { OPEN_ACK, PING, STALE_PONG, DATA }

    private record Event(Kind kind, int value) {
    }

    /** Data 0..n-1 and an end, plus control frames; some lost, some twice, all shuffled. */
    private static List<Event> mixnet(SplittableRandom random, int dataFrames, boolean controls) {
        List<Event> sent = new ArrayList<>();
        for (int seq = 0; seq <= dataFrames; seq++) {
            sent.add(new Event(Kind.DATA, seq)); // Data is never lost here: its loss is another story
        }
        if (controls) {
            int count = random.nextInt(8);
            for (int i = 0; i < count; i++) {
                Kind kind = List.of(Kind.OPEN_ACK, Kind.PING, Kind.STALE_PONG).get(random.nextInt(3));
                sent.add(new Event(kind, random.nextInt()));
            }
        }
        List<Event> arrived = new ArrayList<>();
        for (Event e : sent) {
            boolean lost = e.kind() != Kind.DATA && random.nextInt(4) == 0;
            if (!lost) {
                arrived.add(e);
                if (random.nextInt(5) == 0) {
                    arrived.add(e); // a duplicate
                }
            }
        }
        Collections.shuffle(arrived, new java.util.Random(random.nextLong()));
        return arrived;
    }

    private static byte[] payload(int seq) {
        return new byte[] {(byte) seq, (byte) (seq >>> 8), 7};
    }

    @Property(tries = 60)
    void asOpenerEstablishmentPongsAndDataFollowWhatArrived(@ForAll long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int dataFrames = random.nextInt(6);
        List<Event> arrived = mixnet(random, dataFrames, true);
        try (ScriptedPeer peer = ScriptedPeer.create();
             MixnetClient client = MixnetClient.builder(peer.client()).keepaliveInterval(Duration.ZERO).build()) {
            MixnetStream stream = client.openStream(peer.address());
            long id = peer.takeFrame().assertOpen();
            boolean establishing = false;
            int lastPing = 0;
            Set<Integer> pings = new HashSet<>();
            int openAcks = 0;
            int stalePongs = 0;
            for (Event e : arrived) {
                switch (e.kind()) {
                    case OPEN_ACK -> {
                        peer.openAck(id);
                        openAcks++;
                        establishing = true;
                    }
                    case PING -> {
                        peer.ping(id, e.value(), null);
                        pings.add(e.value());
                        lastPing = e.value();
                        establishing = true;
                    }
                    case STALE_PONG -> {
                        peer.pong(id, e.value(), null);
                        stalePongs++;
                    }
                    case DATA -> {
                        peer.reply(id, e.value(), e.value() == dataFrames ? new byte[0] : payload(e.value()));
                        establishing = true;
                    }
                }
            }
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int seq = 0; seq < dataFrames; seq++) {
                expected.writeBytes(payload(seq));
            }
            assertArrayEquals(expected.toByteArray(), stream.getInputStream().readAllBytes(), "seed " + seed);
            assertEquals(establishing, stream.isEstablished(), "seed " + seed);
            long pingsArrived = arrived.stream().filter(e -> e.kind() == Kind.PING).count();
            int expectedOpenAcks = openAcks;
            int expectedStale = stalePongs;
            Await.until(() -> "every control frame routed, seed " + seed,
                    () -> client.stats().openAcksReceived() == expectedOpenAcks
                            && client.stats().pingsReceived() == pingsArrived
                            && client.stats().pongsReceived() == expectedStale);
            List<SentFrame> sent = new ArrayList<>();
            if (!pings.isEmpty()) {
                int answer = lastPing;
                Await.until(() -> "the latest Ping answered, seed " + seed, () -> {
                    sent.addAll(peer.takeAll());
                    return sent.stream().anyMatch(f -> f.type() == FrameType.PONG && f.sequence() == answer);
                });
            }
            client.close();
            sent.addAll(peer.takeAll());
            for (SentFrame frame : sent) {
                if (frame.type() == FrameType.DATA) {
                    frame.assertEndOfStream(id, 0); // the client's close ends the stream
                    continue;
                }
                frame.assertControl(FrameType.PONG, id, frame.sequence()); // never a Ping: keepalive is off
                assertTrue(pings.contains(frame.sequence()), () -> "a Pong answers a Ping that came, seed " + seed);
            }
        }
    }

    @Property(tries = 60)
    void asAcceptorOneOpenAckAndPongsOnlyForTheOpenStream(@ForAll long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int dataFrames = random.nextInt(6);
        List<Event> arrived = mixnet(random, dataFrames, true);
        long id = random.nextLong();
        try (ScriptedPeer peer = ScriptedPeer.create(); MixnetClient server = MixnetClient.builder(peer.client()).build()) {
            MixnetListener listener = server.listener();
            // The Open arrives somewhere in the middle; control frames before it meet no stream.
            int openAt = random.nextInt(arrived.size() + 1);
            Set<Integer> answerable = new HashSet<>();
            long pingsAfterOpen = 0;
            long beforeOpen = 0;
            long unexpectedAcks = 0;
            for (int i = 0; i <= arrived.size(); i++) {
                if (i == openAt) {
                    peer.open(id);
                }
                if (i == arrived.size()) {
                    break;
                }
                Event e = arrived.get(i);
                boolean open = i >= openAt;
                switch (e.kind()) {
                    case OPEN_ACK -> peer.send(dev.mixnetstreams.wire.FrameCodec.encode(id, FrameType.OPEN_ACK, 0,
                            new byte[0]), peer.tag());
                    case PING -> peer.ping(id, e.value(), peer.tag());
                    case STALE_PONG -> peer.pong(id, e.value(), peer.tag());
                    case DATA -> peer.data(id, e.value(), e.value() == dataFrames ? new byte[0] : payload(e.value()));
                }
                if (e.kind() != Kind.DATA && !open) {
                    beforeOpen++;
                } else if (e.kind() == Kind.PING) {
                    answerable.add(e.value());
                    pingsAfterOpen++;
                } else if (e.kind() == Kind.OPEN_ACK) {
                    unexpectedAcks++;
                }
            }
            MixnetStream stream = listener.accept();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int seq = 0; seq < dataFrames; seq++) {
                expected.writeBytes(payload(seq));
            }
            assertArrayEquals(expected.toByteArray(), stream.getInputStream().readAllBytes(), "seed " + seed);
            long dropped = beforeOpen;
            long unexpected = unexpectedAcks;
            long pings = pingsAfterOpen;
            // Every frame routed before the close (Pings may come after the end of stream was read).
            Await.until(() -> "every control frame routed, seed " + seed,
                    () -> server.stats().dropped(DropReason.CONTROL_FOR_UNKNOWN_STREAM) == dropped
                            && server.stats().dropped(DropReason.UNEXPECTED_OPEN_ACK) == unexpected
                            && server.stats().pingsReceived() == pings);
            // Pongs leave from the client's sender thread: closing first could drop one still queued.
            Await.until(() -> "a Pong sent for the Pings to the open stream, seed " + seed,
                    () -> answerable.isEmpty() || server.stats().pongsSent() >= 1);
            server.close();
            int openAcks = 0;
            for (SentFrame frame : peer.takeAll()) {
                frame.assertReplyTo(peer.tag());
                if (frame.type() == FrameType.OPEN_ACK) {
                    frame.assertControl(FrameType.OPEN_ACK, id, 0);
                    openAcks++;
                } else if (frame.type() == FrameType.PONG) {
                    assertTrue(answerable.contains(frame.sequence()), () -> "answers a Ping to the open stream " + frame);
                } else {
                    assertEquals(FrameType.DATA, frame.type(), () -> "no Ping from an acceptor " + frame);
                }
            }
            assertEquals(1, openAcks, "one OpenAck, when accept() handed the stream out; seed " + seed);
            assertTrue(answerable.isEmpty() || server.stats().pongsSent() >= 1, "seed " + seed);
        }
    }
}
