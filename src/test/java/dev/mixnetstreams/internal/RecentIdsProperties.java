package dev.mixnetstreams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** {@link RecentIds} against a plain model: a FIFO of (id, time) and a set. */
class RecentIdsProperties {

    /** One step: add an id (from a small range, so repeats happen) or expire. */
    record Step(boolean expire, long id, long advanceNanos) {
    }

    @Property(tries = 300)
    void behavesLikeABoundedFifoSet(@ForAll @IntRange(min = 1, max = 70) int maxIds,
                                    @ForAll("steps") List<Step> steps) {
        RecentIds ids = new RecentIds(maxIds);
        ArrayDeque<long[]> fifo = new ArrayDeque<>();
        Set<Long> present = new HashSet<>();
        long now = 0;
        long maxAge = 50;
        for (Step step : steps) {
            now += step.advanceNanos();
            if (step.expire()) {
                ids.expire(now, maxAge);
                while (!fifo.isEmpty() && now - fifo.peekFirst()[1] > maxAge) {
                    present.remove(fifo.pollFirst()[0]);
                }
            } else {
                ids.add(step.id(), now);
                if (present.add(step.id())) {
                    if (fifo.size() == maxIds) {
                        present.remove(fifo.pollFirst()[0]);
                    }
                    fifo.addLast(new long[] {step.id(), now});
                }
            }
            assertEquals(fifo.size(), ids.size(), () -> "size after " + step);
            for (long id = -40; id < 40; id++) {
                assertEquals(present.contains(id), ids.contains(id), "contains(" + id + ") after " + step);
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, Arbitraries.longs().between(-40, 39)
                        .flatMap(id -> Arbitraries.longs().between(0, 5).map(dt -> new Step(false, id, dt)))),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 60).map(dt -> new Step(true, 0, dt))));
        return step.list().ofMaxSize(400);
    }

    @Example
    void keepsAtMostItsLimitForgettingTheOldestFirst() {
        RecentIds ids = new RecentIds(65_536);
        for (long id = 0; id < 200_000; id++) {
            ids.add(id * 0x9E3779B97F4A7C15L, id);
        }
        assertEquals(65_536, ids.size());
        assertFalse(ids.contains(0));
        assertTrue(ids.contains(199_999L * 0x9E3779B97F4A7C15L));
        assertTrue(ids.contains((200_000L - 65_536) * 0x9E3779B97F4A7C15L));
        assertFalse(ids.contains((200_000L - 65_537) * 0x9E3779B97F4A7C15L));
    }
}
