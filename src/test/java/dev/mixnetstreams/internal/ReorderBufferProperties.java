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
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Model-based properties of {@link ReorderBuffer}: every arrival order, fed to the buffer and to a
 * plain model of the documented semantics (absolute {@code long} positions and a {@link TreeMap}),
 * must give the same offer results, the same counters after every event and exactly the same
 * delivery sequence, losses included; for a stream's buffer ({@link ReorderBuffer#forFrames}) also
 * the per-message charge and the end-of-stream rule.
 *
 * <p>A scenario is rebuilt deterministically from its {@link Shape}, budget, base and seed, all
 * printed by its {@code toString}; to replay a failing sample, paste those into {@link #replay()}.
 */
@StatisticsReport(onFailureOnly = true) // the build stays quiet; a failure shows them
class ReorderBufferProperties {

    private static final long TWO_TO_32 = 1L << 32;
    /** The per-message charge of the stream buffers in these properties. */
    private static final int FRAME_OVERHEAD = 48;

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
        /** Charged per message on top of its length (stream buffers). */
        final int overhead;
        /** Whether an empty payload ends the stream (stream buffers). */
        final boolean emptyEnds;
        /** Where the stream ends, or Long.MAX_VALUE. */
        long end = Long.MAX_VALUE;
        /** Held messages discarded by the last offer because an end came before them. */
        int droppedAfterEnd;
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
        boolean sawEnd;
        boolean sawAfterEnd;
        int skips;

        void clearCoverage() {
            sawFarAhead = sawSkipToFarAhead = sawDuplicate = sawLate = sawOverBudget = sawEnd = sawAfterEnd = false;
            skips = 0;
        }

        Model(int maxBuffered, long maxUnreadBytes) {
            this(maxBuffered, maxUnreadBytes, 0, false);
        }

        Model(int maxBuffered, long maxUnreadBytes, int overhead, boolean emptyEnds) {
            this.maxBuffered = maxBuffered;
            this.maxUnreadBytes = maxUnreadBytes;
            this.overhead = overhead;
            this.emptyEnds = emptyEnds;
        }

        long charge(Payload p) {
            return p.bytes().length + (long) overhead;
        }

        OfferResult offer(long position, Payload payload) {
            droppedAfterEnd = 0;
            if (position < next) {
                sawLate = true;
                return OfferResult.LATE;
            }
            if (position > end) {
                sawAfterEnd = true;
                return OfferResult.AFTER_END;
            }
            if (buffered.containsKey(position)) {
                sawDuplicate = true;
                return OfferResult.DUPLICATE; // the first copy stays
            }
            long charge = charge(payload);
            if (unreadBytes + charge > maxUnreadBytes) {
                sawOverBudget = true;
                return OfferResult.OVER_BUDGET;
            }
            if (position - next >= OrderingWindow.RING_SIZE) {
                sawFarAhead = true;
            }
            buffered.put(position, payload);
            unreadBytes += charge;
            if (emptyEnds && payload.bytes().length == 0) {
                sawEnd = true;
                end = position;
                while (buffered.lastKey() > end) {
                    unreadBytes -= charge(buffered.pollLastEntry().getValue());
                    droppedAfterEnd++;
                    sawAfterEnd = true;
                }
            }
            if (buffered.size() > maxBuffered) {
                long lowest = buffered.firstKey();
                if (lowest > next) { // lowest == next: nothing is skipped, it is simply delivered
                    if (lowest - next >= OrderingWindow.RING_SIZE) {
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
                unreadBytes -= charge(p);
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

    /**
     * A scenario; {@code frames} for a stream's buffer, whose messages are never empty but for its
     * end (and, in some scenarios, a hostile second end somewhere else).
     */
    record Scenario(Shape shape, long maxUnreadBytes, long base, long seed, boolean frames, int hopEvents,
                    List<Event> events) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("Scenario[").append(shape)
                    .append(frames ? ", frames" : "")
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
        return scenario(shape, maxUnreadBytes, base, seed, false);
    }

    /**
     * As {@link #scenario(Shape, long, long, long)}; for {@code frames}, payloads are never empty
     * except the last message's (the end of stream, in most scenarios) and, in some, one more
     * empty message anywhere (a hostile second end).
     */
    static Scenario scenario(Shape shape, long maxUnreadBytes, long base, long seed, boolean frames) {
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
                events.add(new Offer(p, 0, frames ? 1 : 0)); // a stream's buffer: never an end
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
        boolean endsAtLast = frames && r.nextInt(10) < 7;
        if (endsAtLast && count > 0) {
            lost[count - 1] = false; // a stream's end, sent last, is not lost in these scenarios
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

        long lastPosition = start + count - 1;
        long strayEnd = -1;
        if (frames && count > 0 && r.nextInt(2) == 0) {
            strayEnd = start + r.nextInt(count);
            if (!lost[(int) (strayEnd - start)]) {
                order.remove(strayEnd);      // a hostile second end comes early, before most of the rest
                order.add(r.nextInt(Math.max(1, order.size() / 3)), strayEnd);
            }
        }
        List<Offer> offers = new ArrayList<>();
        for (long p : order) {
            offers.add(new Offer(p, 0, frameLength(r, frames, p, endsAtLast && p == lastPosition || p == strayEnd)));
        }
        // Duplicates, before or after the original, with their own length (an end stays empty).
        int copies = 0;
        for (int i = 0, n = offers.size(); i < n; i++) {
            if (r.nextInt(100) < shape.dupPercent()) {
                Offer original = offers.get(i);
                int at = Math.max(0, Math.min(offers.size(), i - window / 4 + r.nextInt(window + 1)));
                int length = frames && original.length() == 0 ? 0 : frameLength(r, frames, original.position(), false);
                offers.add(at, new Offer(original.position(), ++copies, length));
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
        return new Scenario(shape, maxUnreadBytes, base, seed, frames, hopEvents, List.copyOf(events));
    }

    /** A payload length: any for a plain buffer; for a stream's, empty only for an end. */
    private static int frameLength(Random r, boolean frames, long position, boolean end) {
        if (!frames) {
            return randomLength(r);
        }
        return end ? 0 : Math.max(1, randomLength(r));
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
        ReorderBuffer buffer;
        Model model;
        if (s.frames()) {
            buffer = ReorderBuffer.forFrames(max, s.maxUnreadBytes(), null, 0, FRAME_OVERHEAD);
            model = new Model(max, s.maxUnreadBytes(), FRAME_OVERHEAD, true);
        } else {
            buffer = max == ReorderBuffer.DEFAULT_MAX_BUFFERED_MESSAGES && s.maxUnreadBytes() == Long.MAX_VALUE
                    ? new ReorderBuffer()
                    : new ReorderBuffer(max, s.maxUnreadBytes());
            model = new Model(max, s.maxUnreadBytes());
        }
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
                    assertEquals(model.droppedAfterEnd, buffer.takeDroppedAfterEnd(),
                            () -> where(s, event, "messages dropped after the end", delivered));
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

    /** A stream's buffer: every message charged its length plus the overhead; nothing after the end. */
    @Property(tries = 150)
    void aStreamsBufferBehavesLikeTheModel(@ForAll("streams") Scenario scenario) {
        Model model = run(scenario);
        Statistics.label("end").collect(model.sawEnd);
        Statistics.label("after end").collect(model.sawAfterEnd);
        Statistics.label("over budget").collect(model.sawOverBudget);
        Statistics.label("end").coverage(c -> c.check(true).percentage(p -> p >= 30));
        // About one scenario in eight sends after its end; 5 % keeps a draw of 150 from failing by chance.
        Statistics.label("after end").coverage(c -> c.check(true).percentage(p -> p >= 5));
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

    /** Paste a failing sample's shape, budget, base, seed and frames flag here to replay it. */
    @Example
    void replay() {
        run(scenario(new Shape(3000, 600, 5, 2, 10, 10, 50, 256), Long.MAX_VALUE, 0, 1L));
        run(scenario(new Shape(3000, 600, 5, 2, 10, 10, 50, 3), 500, TWO_TO_32 - 1500, 2L));
        run(scenario(new Shape(3000, 600, 5, 2, 10, 10, 50, 256), 20_000, 0, 3L, true));
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
    Arbitrary<Scenario> streams() {
        // The hops to a base near the wrap are charged too, so only scenarios from 0 get a budget.
        Arbitrary<Tuple.Tuple2<Long, Long>> budgetAndBase = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(Tuple.of(Long.MAX_VALUE, 0L))),
                Tuple.of(2, Arbitraries.longs().between(FRAME_OVERHEAD, 200_000).map(b -> Tuple.of(b, 0L))),
                Tuple.of(1, Arbitraries.longs().between(TWO_TO_32 - 4500, TWO_TO_32 + 50)
                        .map(base -> Tuple.of(Long.MAX_VALUE, base))));
        return Combinators.combine(shapes(), budgetAndBase, Arbitraries.longs())
                .as((shape, bb, seed) -> scenario(shape, bb.get1(), bb.get2(), seed, true));
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
