package dev.mixnetstreams;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** One client's counters; written from the router and from writers, read as a {@link ClientStats}. */
final class Counters {

    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder messagesIn = new LongAdder();
    final LongAdder dataLossEvents = new LongAdder();
    final LongAdder earlyFramesHeld = new LongAdder();
    final LongAdder earlyFramesDelivered = new LongAdder();
    final LongAdder streamsOpened = new LongAdder();
    final LongAdder streamsAccepted = new LongAdder();
    final LongAdder streamsReaped = new LongAdder();
    final LongAdder streamsReset = new LongAdder();
    /** Unexpected exceptions the router caught and survived: bugs; tests assert it stays 0. */
    final LongAdder routerFailures = new LongAdder();
    private final LongAdder[] drops = new LongAdder[DropReason.values().length];

    Counters() {
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
    }

    void drop(DropReason reason) {
        drops[reason.ordinal()].increment();
    }

    ClientStats snapshot(long openStreams) {
        Map<DropReason, Long> byReason = new EnumMap<>(DropReason.class);
        for (DropReason reason : DropReason.values()) {
            byReason.put(reason, drops[reason.ordinal()].sum());
        }
        return new ClientStats(framesIn.sum(), framesOut.sum(), bytesIn.sum(), bytesOut.sum(),
                messagesIn.sum(), byReason, dataLossEvents.sum(), earlyFramesHeld.sum(),
                earlyFramesDelivered.sum(), streamsOpened.sum(), streamsAccepted.sum(),
                streamsReaped.sum(), streamsReset.sum(), openStreams);
    }
}
