package dev.mixnetstreams;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One client's counters, read as a {@link ClientStats}. Those written by many threads (writers,
 * readers, the application) are {@link LongAdder}s; those written only by the router, on every
 * inbound message, are {@link RouterCounter}s: a plain add with opaque access, no CAS.
 */
final class Counters {

    /**
     * A counter with exactly one writer (the router thread): {@link #add} is a load and an opaque
     * store, no atomic read-modify-write; {@link #sum} reads it from any thread (opaque: never a
     * torn or out-of-thin-air value, eventually the latest).
     */
    static final class RouterCounter {
        private static final VarHandle VALUE;

        static {
            try {
                VALUE = MethodHandles.lookup().findVarHandle(RouterCounter.class, "value", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // accessed through VALUE
        private long value;

        /** Adds {@code n}; only ever called from the router thread. */
        void add(long n) {
            VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + n);
        }

        /** Adds one; only ever called from the router thread. */
        void increment() {
            add(1);
        }

        /** Returns the count; any thread. */
        long sum() {
            return (long) VALUE.getOpaque(this);
        }
    }

    final RouterCounter framesIn = new RouterCounter();
    final LongAdder framesOut = new LongAdder();
    final RouterCounter bytesIn = new RouterCounter();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder packetsOut = new LongAdder();
    final LongAdder surbsSent = new LongAdder();
    final RouterCounter messagesIn = new RouterCounter();
    final LongAdder dataLossEvents = new LongAdder();
    final LongAdder earlyFramesHeld = new LongAdder();
    final LongAdder earlyFramesDelivered = new LongAdder();
    final LongAdder streamsOpened = new LongAdder();
    final LongAdder streamsAccepted = new LongAdder();
    final LongAdder streamsReaped = new LongAdder();
    final LongAdder streamsReset = new LongAdder();
    final LongAdder streamsUnresponsive = new LongAdder();
    final LongAdder controlFramesDropped = new LongAdder();
    final LongAdder resetsSent = new LongAdder();
    final RouterCounter resetsReceived = new RouterCounter();
    final LongAdder openAcksSent = new LongAdder();
    final RouterCounter openAcksReceived = new RouterCounter();
    final LongAdder pingsSent = new LongAdder();
    final RouterCounter pingsReceived = new RouterCounter();
    final LongAdder pongsSent = new LongAdder();
    final RouterCounter pongsReceived = new RouterCounter();
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
        return new ClientStats(framesIn.sum(), framesOut.sum(), bytesIn.sum(), bytesOut.sum(), packetsOut.sum(),
                surbsSent.sum(), messagesIn.sum(), byReason, dataLossEvents.sum(), earlyFramesHeld.sum(),
                earlyFramesDelivered.sum(), streamsOpened.sum(), streamsAccepted.sum(),
                streamsReaped.sum(), streamsReset.sum(), streamsUnresponsive.sum(), openAcksSent.sum(),
                openAcksReceived.sum(), pingsSent.sum(), pingsReceived.sum(), pongsSent.sum(), pongsReceived.sum(),
                controlFramesDropped.sum(), resetsSent.sum(), resetsReceived.sum(), openStreams);
    }
}
