package dev.mixnetstreams.cli;

import dev.mixnetstreams.ClientStats;
import dev.mixnetstreams.DropReason;
import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code demo}: two clients on the simulated mixnet; N concurrent streams each echo their bytes
 * back, and every byte is verified. Both clients are of this library, so lost messages are sent
 * again and every stream must arrive whole, with loss as without. A stream whose echo or
 * verification fails is aborted, never closed: its peer sees a reset, not a clean end of stream.
 */
final class Demo {

    private static final long NO_PROGRESS_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final int streams;
    private final long bytesPerStream;
    private final Duration minLatency;
    private final Duration maxLatency;
    private final double loss;
    private final double duplicate;
    private final long seed;
    /** Each client's limit on unread bytes of all its streams together; 0 for the demo's default. */
    private final long maxUnreadBytes;
    /** The Nym cost model, or {@code null} for messages moving at once. */
    private final NymCostModel costModel;
    private final PrintStream out;

    private final AtomicLong bytesVerified = new AtomicLong();
    private final AtomicLong streamsVerified = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final CountDownLatch finished;

    private Demo(Args args, PrintStream out) throws UsageException {
        this.streams = (int) args.number("streams", 16, 1, 1_000_000);
        this.bytesPerStream = args.number("bytes", 65_536, 0, 1L << 30);
        Duration[] latency = args.millisRange("latency-ms", 5, 50);
        this.minLatency = latency[0];
        this.maxLatency = latency[1];
        this.loss = args.probability("loss", 0);
        this.duplicate = args.probability("duplicate", 0);
        String seedText = args.text("seed", null);
        this.seed = seedText == null ? new SecureRandom().nextLong() : Args.parseNumber("--seed", seedText, Long.MIN_VALUE, Long.MAX_VALUE);
        this.maxUnreadBytes = args.number("max-unread-bytes", 0, 1, Long.MAX_VALUE);
        this.costModel = CostOptions.parse(args);
        this.out = out;
        this.finished = new CountDownLatch(streams);
    }

    static int run(List<String> rest, PrintStream out) throws UsageException, InterruptedException {
        Args args = new Args(rest, Set.of("streams", "bytes", "latency-ms", "loss", "duplicate", "seed", "max-unread-bytes",
                CostOptions.PACE), Set.of(CostOptions.FLAG));
        return new Demo(args, out).run();
    }

    private int run() throws InterruptedException {
        out.printf(Locale.ROOT, "demo: streams=%d bytes-per-stream=%d latency=%d-%dms loss=%s duplicate=%s seed=%d%s%n",
                streams, bytesPerStream, minLatency.toMillis(), maxLatency.toMillis(), loss, duplicate, seed,
                CostOptions.describe(costModel));
        long start = System.nanoTime();
        // Each side may have to hold every byte of the demo unread at once: with many streams the
        // router delivers faster than the readers' virtual threads get to run (flow control bounds
        // each stream, not all together), and a client over its limit on unread bytes of all
        // streams resets the stream holding the most. Bounded by a quarter of the heap.
        long unreadBudget = maxUnreadBytes > 0 ? maxUnreadBytes : Math.max(MixnetClient.Builder.DEFAULT_MAX_TOTAL_UNREAD_BYTES,
                Math.min(streams * bytesPerStream, Runtime.getRuntime().maxMemory() / 4));
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().latency(minLatency, maxLatency).lossRate(loss)
                .duplicateRate(duplicate).seed(seed).costModel(costModel).build();
             MixnetClient server = MixnetClient.builder(mixnet.newEndpoint())
                     .acceptBacklog(Math.max(MixnetClient.Builder.DEFAULT_ACCEPT_BACKLOG, streams))
                     .maxEarlyFrames(Math.max(MixnetClient.Builder.DEFAULT_MAX_EARLY_FRAMES, streams * 16))
                     .maxEarlyBytes(Math.max(MixnetClient.Builder.DEFAULT_MAX_EARLY_BYTES, 4 * streams * Math.min(bytesPerStream, 1 << 20)))
                     .maxTotalUnreadBytes(unreadBudget)
                     .build();
             MixnetClient client = MixnetClient.builder(mixnet.newEndpoint()).maxTotalUnreadBytes(unreadBudget).build()) {
            MixnetListener listener = server.listener();
            Thread acceptor = Thread.ofVirtual().name("demo-acceptor").start(() -> acceptLoop(listener));
            for (int i = 0; i < streams; i++) {
                int index = i;
                Thread.ofVirtual().name("demo-stream-" + i).start(() -> runStream(client, server, index));
            }
            boolean done = awaitWithProgress(start);
            long elapsedNanos = System.nanoTime() - start;
            acceptor.interrupt();
            report(client.stats(), server.stats());
            if (costModel != null) {
                out.println(CostOptions.report(costModel, mixnet.packetsSent(),
                        client.stats().bytesOut() + server.stats().bytesOut()));
            }
            if (!done && failure.get() == null) {
                failure.compareAndSet(null, "no progress for " + TimeUnit.NANOSECONDS.toSeconds(NO_PROGRESS_LIMIT_NANOS)
                        + " s; " + (streams - finished.getCount()) + " of " + streams + " streams finished");
            }
            failure.compareAndSet(null, shortfall());
            if (failure.get() != null) {
                out.println("demo FAILED: " + failure.get());
                return 1;
            }
            double seconds = elapsedNanos / 1e9;
            out.printf(Locale.ROOT, "demo ok: streams=%d bytes=%d elapsed=%.2fs throughput=%.2f MiB/s%s%n",
                    streams, bytesVerified.get(), seconds, bytesVerified.get() / seconds / (1 << 20),
                    loss > 0 ? " (frames resent=" + (client.stats().framesResent() + server.stats().framesResent()) + ")" : "");
            return 0;
        }
    }

    /** What the demo failed to verify, or null if nothing is missing: every stream and every byte, with loss or without. */
    private String shortfall() {
        long expectedBytes = streams * bytesPerStream;
        if (streamsVerified.get() != streams) {
            return (streams - streamsVerified.get()) + " of " + streams + " streams did not verify";
        }
        if (bytesVerified.get() != expectedBytes) {
            return "verified " + bytesVerified.get() + " of " + expectedBytes + " bytes";
        }
        return null;
    }

    private boolean awaitWithProgress(long start) throws InterruptedException {
        long lastFinished = -1;
        long lastChange = System.nanoTime();
        while (!finished.await(1, TimeUnit.SECONDS)) {
            long nowFinished = streams - finished.getCount();
            long verifiedBytes = bytesVerified.get();
            out.printf(Locale.ROOT, "progress: %d/%d streams finished, %d bytes verified, %.1fs%n",
                    nowFinished, streams, verifiedBytes, (System.nanoTime() - start) / 1e9);
            long progressMark = nowFinished * 31 + verifiedBytes;
            if (progressMark != lastFinished) {
                lastFinished = progressMark;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > NO_PROGRESS_LIMIT_NANOS) {
                return false;
            }
            if (failure.get() != null) {
                return false;
            }
        }
        return true;
    }

    private void report(ClientStats client, ClientStats server) {
        out.printf(Locale.ROOT, "opener:   frames out=%d in=%d resent=%d, loss reports=%d, streams reset=%d, "
                + "resets in=%d, drops=%d%s%n",
                client.framesOut(), client.framesIn(), client.framesResent(), client.dataLossEvents(),
                client.streamsReset(), client.resetsReceived(), client.droppedTotal(), reasons(client));
        out.printf(Locale.ROOT, "acceptor: frames out=%d in=%d resent=%d, loss reports=%d, streams reset=%d, "
                + "resets in=%d, early frames held=%d, drops=%d%s%n",
                server.framesOut(), server.framesIn(), server.framesResent(), server.dataLossEvents(),
                server.streamsReset(), server.resetsReceived(), server.earlyFramesHeld(), server.droppedTotal(),
                reasons(server));
    }

    private static String reasons(ClientStats stats) {
        StringBuilder sb = new StringBuilder();
        for (DropReason reason : DropReason.values()) {
            long n = stats.dropped(reason);
            if (n > 0) {
                sb.append(sb.isEmpty() ? " (" : ", ").append(reason.name().toLowerCase(Locale.ROOT)).append('=').append(n);
            }
        }
        return sb.isEmpty() ? "" : sb.append(')').toString();
    }

    private void acceptLoop(MixnetListener listener) {
        try {
            while (true) {
                MixnetStream stream = listener.accept();
                Thread.ofVirtual().start(() -> echo(stream));
            }
        } catch (IOException e) {
            // The listener closed: the demo is over.
        }
    }

    /** Echoes a stream's bytes and ends its output; a failure aborts it, so its opener never sees a clean end. */
    private void echo(MixnetStream stream) {
        try {
            stream.setReadTimeout(stallTimeout());
            InputStream input = stream.getInputStream();
            OutputStream output = stream.getOutputStream();
            byte[] buffer = new byte[pieceSize()];
            int n;
            while ((n = input.read(buffer)) >= 0) {
                output.write(buffer, 0, n);
            }
            stream.shutdownOutput();
            stream.close();
        } catch (IOException e) {
            failure.compareAndSet(null, "echo " + stream.id() + ": " + e.getMessage());
            stream.abort();
        }
    }

    /**
     * How long a read may wait before its stream counts as stalled and fails the demo: a hang
     * guard, far longer than a frame lost a few times in a row takes to be sent again.
     */
    private Duration stallTimeout() {
        return maxLatency.multipliedBy(4).plusSeconds(30);
    }

    /** Largest piece written at once; small streams get small buffers, so 100,000 streams fit in a small heap. */
    private int pieceSize() {
        return (int) Math.max(1, Math.min(8192, bytesPerStream));
    }

    private void runStream(MixnetClient client, MixnetClient server, int index) {
        long streamSeed = seed ^ (0x9E3779B97F4A7C15L * (index + 1));
        MixnetStream stream;
        try {
            stream = client.openStream(server.address());
        } catch (IOException e) {
            failure.compareAndSet(null, "stream " + index + ": open failed: " + e);
            finished.countDown();
            return;
        }
        stream.setReadTimeout(stallTimeout());
        // Every stream gets a virtual thread for its reader; this one writes.
        Thread.ofVirtual().name("demo-reader-" + index).start(() -> verify(stream, streamSeed));
        try {
            write(stream, streamSeed);
        } catch (IOException e) {
            failure.compareAndSet(null, stream.id() + ": write failed: " + e);
            stream.abort();
        }
    }

    private void write(MixnetStream stream, long streamSeed) throws IOException {
        SplittableRandom content = new SplittableRandom(streamSeed);
        SplittableRandom sizes = new SplittableRandom(~streamSeed);
        OutputStream output = stream.getOutputStream();
        byte[] buffer = new byte[pieceSize()];
        long remaining = bytesPerStream;
        while (remaining > 0) {
            int n = (int) Math.min(remaining, 1 + sizes.nextInt(buffer.length));
            content.nextBytes(buffer); // whole buffers, so the reader regenerates the same bytes per piece
            output.write(buffer, 0, n);
            remaining -= n;
        }
        stream.shutdownOutput();
    }

    private void verify(MixnetStream stream, long streamSeed) {
        SplittableRandom content = new SplittableRandom(streamSeed);
        SplittableRandom sizes = new SplittableRandom(~streamSeed);
        byte[] expected = new byte[pieceSize()];
        int expectedLength = 0;
        int expectedPosition = 0;
        long remaining = bytesPerStream;
        byte[] buffer = new byte[pieceSize()];
        long received = 0;
        try {
            InputStream input = stream.getInputStream();
            while (true) {
                int n = input.read(buffer);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (expectedPosition == expectedLength) {
                        if (remaining == 0) {
                            throw new IllegalStateException("more bytes than were written");
                        }
                        expectedLength = (int) Math.min(remaining, 1 + sizes.nextInt(expected.length));
                        content.nextBytes(expected);
                        expectedPosition = 0;
                        remaining -= expectedLength;
                    }
                    if (buffer[i] != expected[expectedPosition++]) {
                        throw new IllegalStateException("byte " + (received + i) + " differs");
                    }
                }
                received += n;
                bytesVerified.addAndGet(n);
            }
            if (received != bytesPerStream) {
                throw new IllegalStateException("end of stream after " + received + " of " + bytesPerStream + " bytes");
            }
            streamsVerified.incrementAndGet();
            stream.close();
        } catch (IOException | IllegalStateException e) {
            failure.compareAndSet(null, stream.id() + ": " + e.getMessage());
            stream.abort(); // never a clean end for a stream that did not verify
        } finally {
            finished.countDown();
        }
    }
}
