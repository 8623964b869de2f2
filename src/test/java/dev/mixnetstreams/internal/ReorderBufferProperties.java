package dev.mixnetstreams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mixnetstreams.StreamDataLossException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Model-based properties of {@link ReorderBuffer}: every arrival order, fed to the buffer and to a
 * plain model of the documented semantics (absolute {@code long} positions and a {@link TreeMap}),
 * must give the same offer results, the same counters after every event and exactly the same
 * delivery sequence, losses included.
 *
 * <p>A scenario is rebuilt deterministically from its {@link Shape}, budget, base and seed, all
 * printed by its {@code toString}; to replay a failing sample, paste those into {@link #replay()}.
 */
class ReorderBufferProperties {

    private static final long TWO_TO_32 = 1L << 32;

    // ---------------------------------------------------------------------------------------------
    // The model.
    // ---------------------------------------------------------------------------------------------

    /** A payload as offered: its absolute position, which copy (0 = first sent) and its bytes. */
    record Payload(long position, int copy, byte[] bytes) {
        String label() {
            return "data(seq=" + (position & 0xFFFFFFFFL) + " copy=" + copy + " len=" + bytes.length + ")";
        }
    }

    /** A loss report as the reader should see it. */
    record Loss(long firstLostSequence, long lostMessages, long streamOffset) {
        String label() {
            return "LOSS(first=" + firstLostSequence + " lost=" + lostMessages + " offset=" + streamOffset + ")";
        }
    }

    /** The semantics of ReorderBuffer's class Javadoc, written the obvious way. */
    static final class Model {
        final int maxBuffered;
        final long maxUnreadBytes;
        /** Absolute position of the next expected message (never wraps). */
        long next;
        final TreeMap<Long, Payload> buffered = new TreeMap<>();
        final ArrayDeque<Object> ready = new ArrayDeque<>();
        long unreadBytes;
        long readyBytes;
        long deliveredBytes;
        // What happened, for coverage statistics.
        boolean sawFarAhead;
        boolean sawSkipToFarAhead;
        boolean sawDuplicate;
        boolean sawLate;
        boolean sawOverBudget;
        int skips;

        void clearCoverage() {
            sawFarAhead = sawSkipToFarAhead = sawDuplicate = sawLate = sawOverBudget = false;
            skips = 0;
        }

        Model(int maxBuffered, long maxUnreadBytes) {
            this.maxBuffered = maxBuffered;
            this.maxUnreadBytes = maxUnreadBytes;
        }

        OfferResult offer(long position, Payload payload) {
            if (position < next) {
                sawLate = true;
                return OfferResult.LATE;
            }
            if (buffered.containsKey(position)) {
                sawDuplicate = true;
                return OfferResult.DUPLICATE; // the first copy stays
            }
            int length = payload.bytes().length;
            if (unreadBytes + length > maxUnreadBytes) {
                sawOverBudget = true;
                return OfferResult.OVER_BUDGET;
            }
            if (position - next >= ReorderBuffer.RING_SIZE) {
                sawFarAhead = true;
            }
            buffered.put(position, payload);
            unreadBytes += length;
            if (buffered.size() > maxBuffered) {
                long lowest = buffered.firstKey();
                if (lowest > next) { // lowest == next: nothing is skipped, it is simply delivered
                    if (lowest - next >= ReorderBuffer.RING_SIZE) {
                        sawSkipToFarAhead = true;
                    }
                    skips++;
                    ready.addLast(new Loss(next & 0xFFFFFFFFL, lowest - next, deliveredBytes));
                    next = lowest;
                }
            }
            while (!buffered.isEmpty() && buffered.firstKey() == next) {
                Payload p = buffered.pollFirstEntry().getValue();
                ready.addLast(p);
                readyBytes += p.bytes().length;
                deliveredBytes += p.bytes().length;
                next++;
            }
            return OfferResult.ACCEPTED;
        }

        String poll() {
            Object head = ready.pollFirst();
            if (head == null) {
                return "nothing";
            }
            if (head instanceof Payload p) {
                readyBytes -= p.bytes().length;
                unreadBytes -= p.bytes().length;
                return p.label();
            }
            return ((Loss) head).label();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Scenarios.
    // ---------------------------------------------------------------------------------------------

    sealed interface Event permits Offer, Poll, Stale {
    }

    /** Offer the message at an absolute position (the buffer sees its low 32 bits). */
    record Offer(long position, int copy, int length) implements Event {
        @Override
        public String toString() {
            return (copy == 0 ? "" : "dup" + copy + ":") + position + (length == 0 ? "" : "(" + length + ")");
        }
    }

    /** One poll() on both. */
    record Poll() implements Event {
        @Override
        public String toString() {
            return "poll";
        }
    }

    /** Offer a message {@code distance} behind the next expected one (serial arithmetic: LATE). */
    record Stale(long distance) implements Event {
        @Override
        public String toString() {
            return "stale-" + distance;
        }
    }

    /** The knobs a scenario is generated from. */
    record Shape(int count, int window, int lossPercent, int lossBursts, int farMoves, int dupPercent,
            int pollPercent, int maxBuffered) {
    }

    record Scenario(Shape shape, long maxUnreadBytes, long base, long seed, int hopEvents, List<Event> events) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("Scenario[").append(shape)
                    .append(", maxUnreadBytes=").append(maxUnreadBytes == Long.MAX_VALUE ? "unlimited" : maxUnreadBytes)
                    .append(", base=0x").append(Long.toHexString(base))
                    .append(", seed=").append(seed).append("L")
                    .append(", ").append(events.size()).append(" events: ");
            int shown = Math.min(events.size(), 400);
            for (int i = 0; i < shown; i++) {
                sb.append(i == 0 ? "" : " ").append(events.get(i));
            }
            if (shown < events.size()) {
                sb.append(" ...");
            }
            return sb.append("]").toString();
        }
    }

    /**
     * Builds a scenario: first, if {@code base > 0}, skip-ahead hops bringing the next expected
     * number to {@code base}; then messages {@code base .. base+count-1}, some lost (singly and in
     * bursts), perturbed within windows, a few moved far earlier (more than the ring's 1024
     * ahead), some duplicated, with stale numbers and polls mixed in.
     */
    static Scenario scenario(Shape shape, long maxUnreadBytes, long base, long seed) {
        Random r = new Random(seed);
        List<Event> events = new ArrayList<>();
        int max = shape.maxBuffered();

        // Hops: offer target+max .. target in reverse, so the last one makes max+1 buffered and the
        // buffer skips to target, each hop less than 2^31 ahead.
        long next = 0;
        while (next < base) {
            long target = Math.min(next + 0x70000000L, base - (max + 1));
            if (target <= next) {
                break;
            }
            for (long p = target + max; p >= target; p--) {
                events.add(new Offer(p, 0, 0));
            }
            next = target + max + 1;
        }
        long start = next;
        int hopEvents = events.size();

        // Which messages are sent at all.
        int count = shape.count();
        boolean[] lost = new boolean[count];
        for (int i = 0; i < count; i++) {
            lost[i] = r.nextInt(100) < shape.lossPercent();
        }
        for (int b = 0; b < shape.lossBursts() && count > 0; b++) {
            int from = r.nextInt(count);
            int length = 1 + r.nextInt(400);
            for (int i = from; i < Math.min(count, from + length); i++) {
                lost[i] = true;
            }
        }
        List<Long> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (!lost[i]) {
                order.add(start + i);
            }
        }

        // Perturbation: either shuffle within consecutive windows of random size, or jitter.
        int window = shape.window();
        if (r.nextBoolean()) {
            for (int from = 0; from < order.size(); ) {
                int size = 1 + r.nextInt(window);
                int to = Math.min(order.size(), from + size);
                Collections.shuffle(order.subList(from, to), r);
                from = to;
            }
        } else {
            Map<Long, Double> key = new HashMap<>();
            for (int i = 0; i < order.size(); i++) {
                key.put(order.get(i), i + r.nextDouble() * window);
            }
            order.sort(Comparator.comparing(key::get));
        }

        // A few messages arrive far earlier than their neighbours: more than 1024 ahead.
        for (int m = 0; m < shape.farMoves() && order.size() > 1100; m++) {
            int from = 1025 + r.nextInt(order.size() - 1025);
            int to = Math.max(0, from - 1025 - r.nextInt(3000));
            order.add(to, order.remove(from));
        }

        List<Offer> offers = new ArrayList<>();
        for (long p : order) {
            offers.add(new Offer(p, 0, randomLength(r)));
        }
        // Duplicates, before or after the original, with their own length.
        int copies = 0;
        for (int i = 0, n = offers.size(); i < n; i++) {
            if (r.nextInt(100) < shape.dupPercent()) {
                Offer original = offers.get(i);
                int at = Math.max(0, Math.min(offers.size(), i - window / 4 + r.nextInt(window + 1)));
                offers.add(at, new Offer(original.position(), ++copies, randomLength(r)));
            }
        }

        for (Offer o : offers) {
            events.add(o);
            if (r.nextInt(200) == 0) {
                events.add(new Stale(staleDistance(r)));
            }
            while (r.nextInt(100) < shape.pollPercent() / 2) {
                events.add(new Poll());
            }
        }
        return new Scenario(shape, maxUnreadBytes, base, seed, hopEvents, List.copyOf(events));
    }

    private static int randomLength(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1 + r.nextInt(64);
            default -> 1 + r.nextInt(8);
        };
    }

    private static long staleDistance(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1L << 31; // exactly half the space: behind, by serial arithmetic
            case 2 -> 1 + r.nextInt(2000);
            default -> 1 + (r.nextLong() & 0x7FFFFFFFL);
        };
    }

    /** The bytes say which message and copy they are, so any mix-up is visible in a dump. */
    private static byte[] bytesOf(long position, int copy, int length) {
        byte[] tag = ("[" + (position & 0xFFFFFFFFL) + "/" + copy + "]").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = tag[i % tag.length];
        }
        return bytes;
    }

    // ---------------------------------------------------------------------------------------------
    // Running a scenario against both.
    // ---------------------------------------------------------------------------------------------

    /** Runs the scenario, asserting after every event; returns the model for statistics. */
    static Model run(Scenario s) {
        int max = s.shape().maxBuffered();
        ReorderBuffer buffer = max == ReorderBuffer.DEFAULT_MAX_BUFFERED_MESSAGES && s.maxUnreadBytes() == Long.MAX_VALUE
                ? new ReorderBuffer()
                : new ReorderBuffer(max, s.maxUnreadBytes());
        Model model = new Model(max, s.maxUnreadBytes());
        Map<byte[], String> labels = new IdentityHashMap<>();
        List<String> delivered = new ArrayList<>();
        int step = 0;
        for (Event event : s.events()) {
            if (step++ == s.hopEvents()) {
                model.clearCoverage(); // statistics about the scenario proper, not the hops to its base
            }
            switch (event) {
                case Offer o -> {
                    Payload p = new Payload(o.position(), o.copy(), bytesOf(o.position(), o.copy(), o.length()));
                    labels.put(p.bytes(), p.label());
                    OfferResult expected = model.offer(o.position(), p);
                    OfferResult actual = buffer.offer((int) o.position(), p.bytes());
                    assertEquals(expected, actual, () -> where(s, event, "offer result", delivered));
                }
                case Stale st -> {
                    long position = model.next - st.distance();
                    Payload p = new Payload(position, -1, bytesOf(position, -1, 1));
                    labels.put(p.bytes(), "stale " + p.label());
                    OfferResult expected = model.offer(position, p);
                    assertEquals(OfferResult.LATE, expected, "the model itself");
                    OfferResult actual = buffer.offer((int) position, p.bytes());
                    assertEquals(expected, actual, () -> where(s, event, "offer result", delivered));
                }
                case Poll ignored -> {
                    String expected = model.poll();
                    String actual = pollReal(buffer, labels);
                    assertEquals(expected, actual, () -> where(s, event, "poll", delivered));
                    delivered.add(expected);
                }
            }
            assertSameState(buffer, model, s, event, delivered);
        }
        while (true) {
            String expected = model.poll();
            String actual = pollReal(buffer, labels);
            assertEquals(expected, actual, () -> where(s, null, "final drain", delivered));
            assertSameState(buffer, model, s, null, delivered);
            if (expected.equals("nothing")) {
                break;
            }
            delivered.add(expected);
        }
        return model;
    }

    private static void assertSameState(ReorderBuffer buffer, Model model, Scenario s, Event event, List<String> delivered) {
        assertEquals(model.buffered.size(), buffer.bufferedMessages(), () -> where(s, event, "bufferedMessages()", delivered));
        assertEquals(model.next & 0xFFFFFFFFL, Integer.toUnsignedLong(buffer.nextSequence()),
                () -> where(s, event, "nextSequence()", delivered));
        assertEquals(model.unreadBytes, buffer.unreadBytes(), () -> where(s, event, "unreadBytes()", delivered));
        assertEquals(model.readyBytes, buffer.readyBytes(), () -> where(s, event, "readyBytes()", delivered));
    }

    private static String pollReal(ReorderBuffer buffer, Map<byte[], String> labels) {
        try {
            byte[] bytes = buffer.poll();
            if (bytes == null) {
                return "nothing";
            }
            String label = labels.get(bytes);
            return label != null ? label : "unknown bytes \"" + new String(bytes, StandardCharsets.US_ASCII) + "\"";
        } catch (StreamDataLossException e) {
            return new Loss(e.firstLostSequence(), e.lostMessages(), e.streamOffset()).label();
        } catch (IOException e) {
            return "unexpected " + e;
        }
    }

    private static String where(Scenario s, Event event, String what, List<String> delivered) {
        int index = event == null ? s.events().size() : s.events().indexOf(event);
        List<String> tail = delivered.subList(Math.max(0, delivered.size() - 8), delivered.size());
        return what + " differs at event #" + (index + 1) + " (" + (event == null ? "end" : event) + ")"
                + "; recent events " + s.events().subList(Math.max(0, index - 12), Math.min(s.events().size(), index + 1))
                + "; last polled " + tail;
    }

    // ---------------------------------------------------------------------------------------------
    // Properties.
    // ---------------------------------------------------------------------------------------------

    @Property(tries = 200)
    void behavesLikeTheModel(@ForAll("fromZero") Scenario scenario) {
        collect(run(scenario));
    }

    @Property(tries = 120)
    void behavesLikeTheModelAcrossTheWrap(@ForAll("acrossTheWrap") Scenario scenario) {
        collect(run(scenario));
    }

    /**
     * The same scenarios with a reader taking concurrently: without a byte budget, what is
     * delivered does not depend on when the reader polls, so the reader must see exactly the
     * model's whole delivery sequence. The writer ends with {@code fail(..)}, which lets the reader
     * take everything ready and then stop.
     */
    @Property(tries = 50)
    void aConcurrentReaderSeesTheModelsDeliveries(@ForAll("unlimited") Scenario s) throws Exception {
        int max = s.shape().maxBuffered();
        ReorderBuffer buffer = new ReorderBuffer(max, Long.MAX_VALUE);
        Model model = new Model(max, Long.MAX_VALUE);
        Map<byte[], String> labels = new IdentityHashMap<>();
        List<Payload> payloads = new ArrayList<>();
        for (Event event : s.events()) {
            if (event instanceof Offer o) {
                Payload p = new Payload(o.position(), o.copy(), bytesOf(o.position(), o.copy(), o.length()));
                labels.put(p.bytes(), p.label());
                payloads.add(p);
                model.offer(o.position(), p);
            }
        }
        List<String> expected = new ArrayList<>();
        for (String next = model.poll(); !next.equals("nothing"); next = model.poll()) {
            expected.add(next);
        }
        IOException end = new IOException("end of scenario");
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            List<String> got = new ArrayList<>();
            try {
                while (true) {
                    try {
                        byte[] bytes = buffer.take(0);
                        got.add(labels.getOrDefault(bytes, "unknown bytes"));
                    } catch (StreamDataLossException e) {
                        got.add(new Loss(e.firstLostSequence(), e.lostMessages(), e.streamOffset()).label());
                    }
                }
            } catch (IOException e) {
                if (e.getCause() != end) {
                    got.add("unexpected " + e);
                }
            }
            seen.complete(got);
        });
        for (Payload p : payloads) {
            buffer.offer((int) p.position(), p.bytes());
        }
        buffer.fail(end);
        List<String> got = seen.get(30, TimeUnit.SECONDS); // a hang guard only
        reader.join();
        assertEquals(expected, got, () -> "scenario " + s);
    }

    /** Paste a failing sample's shape, budget, base and seed here to replay it. */
    @Example
    void replay() {
        run(scenario(new Shape(3000, 600, 5, 2, 10, 10, 50, 256), Long.MAX_VALUE, 0, 1L));
        run(scenario(new Shape(3000, 600, 5, 2, 10, 10, 50, 3), 500, TWO_TO_32 - 1500, 2L));
    }

    private static void collect(Model m) {
        Statistics.label("far ahead buffered").collect(m.sawFarAhead);
        Statistics.label("skip to far ahead").collect(m.sawSkipToFarAhead);
        Statistics.label("skipped").collect(m.skips > 0);
        Statistics.label("duplicate").collect(m.sawDuplicate);
        Statistics.label("late").collect(m.sawLate);
        Statistics.label("over budget").collect(m.sawOverBudget);
        Statistics.label("far ahead buffered").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("skip to far ahead").coverage(c -> c.check(true).percentage(p -> p >= 2));
        Statistics.label("skipped").coverage(c -> c.check(true).percentage(p -> p >= 30));
        Statistics.label("duplicate").coverage(c -> c.check(true).percentage(p -> p >= 30));
        Statistics.label("over budget").coverage(c -> c.check(true).percentage(p -> p >= 5));
    }

    @Provide
    Arbitrary<Scenario> fromZero() {
        return Combinators.combine(shapes(), budgets(), Arbitraries.longs()).as((shape, budget, seed) -> scenario(shape, budget, 0, seed));
    }

    @Provide
    Arbitrary<Scenario> unlimited() {
        Arbitrary<Long> bases = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)),
                Tuple.of(1, Arbitraries.longs().between(TWO_TO_32 - 4500, TWO_TO_32 + 50)));
        return Combinators.combine(shapes(), bases, Arbitraries.longs())
                .as((shape, base, seed) -> scenario(shape, Long.MAX_VALUE, base, seed));
    }

    @Provide
    Arbitrary<Scenario> acrossTheWrap() {
        Arbitrary<Long> bases = Arbitraries.longs().between(TWO_TO_32 - 4500, TWO_TO_32 + 50);
        return Combinators.combine(shapes(), budgets(), bases, Arbitraries.longs()).as(ReorderBufferProperties::scenario);
    }

    private static Arbitrary<Shape> shapes() {
        Arbitrary<Integer> max = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(1, 8)),
                Tuple.of(3, Arbitraries.just(ReorderBuffer.DEFAULT_MAX_BUFFERED_MESSAGES)),
                Tuple.of(1, Arbitraries.integers().between(9, 300)),
                Tuple.of(1, Arbitraries.integers().between(1000, 3000))); // more than the ring holds
        return Combinators.combine(
                Arbitraries.integers().between(0, 4000).withDistribution(RandomDistribution.uniform()),
                Arbitraries.integers().between(1, 600),
                Arbitraries.integers().between(0, 30),
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 100),
                max).as(Shape::new);
    }

    private static Arbitrary<Long> budgets() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Long.MAX_VALUE)),
                Tuple.of(2, Arbitraries.longs().between(1, 3000)));
    }
}
