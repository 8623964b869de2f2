package dev.mixnetstreams.bench;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.PacketGeometry;
import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.sim.PacketCosts;
import dev.mixnetstreams.sim.SimulatedMixnet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * What a stream byte costs on the Nym mixnet, measured on the simulated mixnet under the Nym cost
 * model: four workloads, each run with the reference's policy (one message per write, 10 reply
 * SURBs on every message from the opener) and with this library's defaults. For each: Sphinx
 * packets on both sides (SURB requests and refills included), payload bytes per packet against the
 * floor, the time at 50 packets per second, the time to the first byte, bytes verified.
 *
 * <p>Time runs {@code --speed-up K} times faster than on the real network (default 10): the pace
 * is multiplied by K, and the latency, the SURB timers and the write linger are divided by it, so
 * the same packets move in a K-th of the time; the times reported are multiplied back.
 *
 * <pre>
 * ./mvnw -q -f benchmarks/pom.xml package exec:exec@costs [-Dcosts.args="--speed-up K --seed S --out DIR"]
 * </pre>
 *
 * Writes {@code DIR/costs.md} (the table) and {@code DIR/costs.svg} (the chart); default DIR is
 * {@code benchmarks/results}.
 */
public final class MixnetCostBench {

    private static final PacketGeometry GEOMETRY = PacketGeometry.NYM_LEGACY_SURBS;
    /** Payload bytes one packet carries from the opener (no SURBs) and from the acceptor. */
    private static final double OPENER_FLOOR = GEOMETRY.anonymousPayloadFilling(1, 0);
    private static final double REPLY_FLOOR = GEOMETRY.replyPayloadFilling(1);
    /** Packets a reply packet costs with the SURB it consumes (a SURB is 1,164 bytes of the opener's packets). */
    private static final double REPLY_PACKET_WITH_SURB = 1 + GEOMETRY.surbBytes() / (double) GEOMETRY.packetBytes();
    /** One-way latency of a message after its last packet left, on the real network. */
    private static final Duration MIN_LATENCY = Duration.ofMillis(150);
    private static final Duration MAX_LATENCY = Duration.ofMillis(350);
    private static final int MIB = 1 << 20;

    /** How one side of a stream is configured. */
    private record Policy(String name, int openSurbs, UnaryOperator<MixnetClient.Builder> opener,
                          UnaryOperator<MixnetClient.Builder> acceptor) {
    }

    /** What a workload moved: bytes each way, and when the first awaited byte came. */
    private record Moved(long upBytes, long downBytes, long firstByteNanos, int exchanges) {
    }

    /** One workload: what the opener and the acceptor do, on a fresh pair of clients. */
    private interface Workload {
        Moved run(MixnetStream opened, MixnetListener listener, long startNanos) throws Exception;
    }

    /** One run's figures. */
    private record Result(String workload, String policy, long packets, long openerPackets, long acceptorPackets,
                          long surbsSent, long surbRequests, long credits, double bytesPerPacket, double floorBytesPerPacket,
                          double seconds, double floorSeconds, double firstByteSeconds, int exchanges, long bytes) {
        double ofFloor() {
            return bytesPerPacket / floorBytesPerPacket;
        }
    }

    private final double speedUp;
    private final long seed;

    private MixnetCostBench(double speedUp, long seed) {
        this.speedUp = speedUp;
        this.seed = seed;
    }

    /**
     * Runs every workload under both policies and writes the table and the chart.
     *
     * @param args {@code [--speed-up K] [--seed S] [--out DIR]}
     * @throws Exception if a run fails (bytes not verified, a stream failed)
     */
    public static void main(String[] args) throws Exception {
        double speedUp = 10;
        long seed = 1;
        Path out = Path.of("benchmarks", "results");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--speed-up" -> speedUp = Double.parseDouble(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: [--speed-up K] [--seed S] [--out DIR]");
            }
        }
        MixnetCostBench bench = new MixnetCostBench(speedUp, seed);
        List<Result> results = new ArrayList<>();
        String only = System.getProperty("workloads", "upload,download,interactive,http");
        Policy reference = new Policy("reference", 10,
                b -> b.writeLinger(Duration.ZERO).surbsOnEveryFrame(true).extensions(false),
                b -> b.writeLinger(Duration.ZERO).extensions(false));
        Policy ours = new Policy("mixnet-streams", MixnetClient.DEFAULT_OPEN_SURBS, UnaryOperator.identity(),
                UnaryOperator.identity());
        // The alternatives to this library's SURB policy, with its coalescing: SURBs on every frame
        // (as the reference), and fewer on the Open (only the nym-client's reserve).
        Policy everyFrame = new Policy("surbs-every-frame", MixnetClient.DEFAULT_OPEN_SURBS,
                b -> b.surbsOnEveryFrame(true), UnaryOperator.identity());
        Policy reserveOnly = new Policy("open-surbs-10", 10, UnaryOperator.identity(), UnaryOperator.identity());
        // The library's defaults without flow control and acknowledgements: the extensions' price.
        Policy noExtensions = new Policy("no-extensions", MixnetClient.DEFAULT_OPEN_SURBS,
                b -> b.extensions(false), b -> b.extensions(false));
        List<Policy> policies = List.of(reference, ours, noExtensions, everyFrame, reserveOnly);
        // A warm-up pass, a hundred times faster, so that the measured runs do not pay for the JIT.
        MixnetCostBench warmUp = new MixnetCostBench(100, seed);
        for (String workload : only.split(",")) {
            for (Policy policy : policies) {
                warmUp.run(workload, policy);
            }
        }
        for (String workload : only.split(",")) {
            for (Policy policy : policies) {
                Result r = bench.run(workload, policy);
                results.add(r);
                System.out.println(format(r));
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("costs.md"), table(results, speedUp, seed));
        Files.writeString(out.resolve("costs.svg"), chart(results));
        System.out.println("wrote " + out.resolve("costs.md") + " and " + out.resolve("costs.svg"));
    }

    private Result run(String name, Policy policy) throws Exception {
        long latencyMin = (long) (MIN_LATENCY.toNanos() / speedUp);
        long latencyMax = (long) (MAX_LATENCY.toNanos() / speedUp);
        Duration linger = Duration.ofNanos((long) (MixnetClient.Builder.DEFAULT_WRITE_LINGER.toNanos() / speedUp));
        try (SimulatedMixnet mixnet = SimulatedMixnet.builder().costModel(NymCostModel.defaults().speedUp(speedUp))
                .latency(Duration.ofNanos(latencyMin), Duration.ofNanos(latencyMax)).seed(seed).build()) {
            MixnetTransport acceptorEnd = mixnet.newEndpoint();
            MixnetTransport openerEnd = mixnet.newEndpoint();
            UnaryOperator<MixnetClient.Builder> scaled = b -> b.writeLinger(linger);
            try (MixnetClient acceptor = policy.acceptor().apply(scaled.apply(MixnetClient.builder(acceptorEnd)))
                         .maxUnreadBytes(64L << 20).build();
                 MixnetClient opener = policy.opener().apply(scaled.apply(MixnetClient.builder(openerEnd)))
                         .maxUnreadBytes(64L << 20).build()) {
                MixnetListener listener = acceptor.listener();
                long start = System.nanoTime();
                MixnetStream stream = opener.openStream(acceptor.address(), policy.openSurbs());
                Moved moved = workload(name).run(stream, listener, start);
                long elapsed = System.nanoTime() - start;
                PacketCosts o = mixnet.costs(openerEnd);
                PacketCosts a = mixnet.costs(acceptorEnd);
                long credits = opener.stats().creditsSent() + acceptor.stats().creditsSent();
                long packets = mixnet.packetsSent();
                double floorPackets = moved.upBytes() / OPENER_FLOOR
                        + moved.downBytes() * REPLY_PACKET_WITH_SURB / REPLY_FLOOR;
                double bytes = moved.upBytes() + moved.downBytes();
                // At 50 packets a second per client, the floor's time is that of the busier side.
                double floorSeconds = Math.max(moved.upBytes() / OPENER_FLOOR
                        + moved.downBytes() * (REPLY_PACKET_WITH_SURB - 1) / REPLY_FLOOR,
                        moved.downBytes() / REPLY_FLOOR) / 50;
                return new Result(name, policy.name(), packets, o.packetsSent(), a.packetsSent(),
                        o.surbsSent() + a.surbsSent(), o.surbRequests() + a.surbRequests(), credits, bytes / packets,
                        bytes / floorPackets, seconds(elapsed), floorSeconds, seconds(moved.firstByteNanos() - start),
                        moved.exchanges(), (long) bytes);
            }
        }
    }

    private double seconds(long nanos) {
        return nanos * speedUp / 1e9;
    }

    private Workload workload(String name) {
        return switch (name) {
            case "upload" -> (opened, listener, start) -> {
                byte[] bytes = random(MIB, 1);
                CompletableFuture<Long> firstByte = new CompletableFuture<>();
                CompletableFuture<byte[]> received = async(() -> {
                    InputStream in = listener.accept().getInputStream();
                    int first = in.read();
                    firstByte.complete(System.nanoTime());
                    byte[] rest = in.readAllBytes();
                    byte[] all = new byte[rest.length + 1];
                    all[0] = (byte) first;
                    System.arraycopy(rest, 0, all, 1, rest.length);
                    return all;
                });
                writeInPieces(opened.getOutputStream(), bytes, 1024);
                opened.shutdownOutput();
                verify(bytes, received.get(10, TimeUnit.MINUTES));
                return new Moved(bytes.length, 0, firstByte.get(), 0);
            };
            case "download" -> (opened, listener, start) -> exchange(opened, listener, 100, MIB, 1024);
            case "http" -> (opened, listener, start) -> exchange(opened, listener, 300, 100 * 1024, 4096);
            case "interactive" -> (opened, listener, start) -> {
                int exchanges = 100;
                CompletableFuture<Void> echo = async(() -> {
                    MixnetStream accepted = listener.accept();
                    byte[] buffer = new byte[64];
                    for (int i = 0; i < exchanges; i++) {
                        accepted.getInputStream().readNBytes(buffer, 0, 64);
                        accepted.getOutputStream().write(buffer);
                        accepted.getOutputStream().flush();
                    }
                    return null;
                });
                long firstByte = 0;
                for (int i = 0; i < exchanges; i++) {
                    byte[] message = random(64, i);
                    opened.getOutputStream().write(message);
                    opened.getOutputStream().flush();
                    byte[] answer = opened.getInputStream().readNBytes(64);
                    if (i == 0) {
                        firstByte = System.nanoTime();
                    }
                    verify(message, answer);
                }
                echo.get(1, TimeUnit.MINUTES);
                return new Moved(64L * exchanges, 64L * exchanges, firstByte, exchanges);
            };
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The opener sends a request and reads the answer, which the acceptor writes in pieces. */
    private static Moved exchange(MixnetStream opened, MixnetListener listener, int requestBytes, int answerBytes,
                                  int piece) throws Exception {
        byte[] request = random(requestBytes, 2);
        byte[] answer = random(answerBytes, 3);
        CompletableFuture<Void> server = async(() -> {
            MixnetStream accepted = listener.accept();
            verify(request, accepted.getInputStream().readNBytes(requestBytes));
            writeInPieces(accepted.getOutputStream(), answer, piece);
            accepted.close();
            return null;
        });
        opened.getOutputStream().write(request);
        opened.getOutputStream().flush();
        InputStream in = opened.getInputStream();
        int first = in.read();
        long firstByte = System.nanoTime();
        byte[] rest = in.readAllBytes();
        server.get(1, TimeUnit.MINUTES);
        byte[] all = new byte[rest.length + 1];
        all[0] = (byte) first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        verify(answer, all);
        return new Moved(requestBytes, answerBytes, firstByte, 0);
    }

    private static void writeInPieces(OutputStream out, byte[] bytes, int piece) throws IOException {
        for (int off = 0; off < bytes.length; off += piece) {
            out.write(bytes, off, Math.min(piece, bytes.length - off));
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static void verify(byte[] expected, byte[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalStateException("bytes not verified: expected " + expected.length + ", got "
                    + actual.length + (expected.length == actual.length ? " different" : ""));
        }
    }

    /** Work on a virtual thread, its failure rethrown by {@code get}. */
    private interface Work<T> {
        T run() throws Exception;
    }

    private static <T> CompletableFuture<T> async(Work<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                future.complete(work.run());
            } catch (IOException e) {
                future.completeExceptionally(new UncheckedIOException(e));
            } catch (Exception | Error e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    // ---- output ----

    private static String format(Result r) {
        return String.format(Locale.ROOT, "%-11s %-17s packets %6d (opener %5d, acceptor %5d)  %6.0f B/packet"
                        + " (%.2f of floor)  %6.1f s (floor %5.1f s)  first byte %5.2f s",
                r.workload(), r.policy(), r.packets(), r.openerPackets(), r.acceptorPackets(), r.bytesPerPacket(),
                r.ofFloor(), r.seconds(), r.floorSeconds(), r.firstByteSeconds());
    }

    private static String table(List<Result> results, double speedUp, long seed) {
        StringBuilder md = new StringBuilder();
        md.append("# What a stream byte costs on the Nym mixnet\n\n");
        md.append("Generated by `MixnetCostBench` (see benchmarks/README.md): the simulated mixnet under the Nym ")
                .append("cost model (legacy reply SURBs, 50 packets per second per client, one-way latency ")
                .append(MIN_LATENCY.toMillis()).append("-").append(MAX_LATENCY.toMillis())
                .append(" ms after a message's last packet), run ").append(fmt(speedUp, 0))
                .append(" times faster than real time, seed ").append(seed).append("; times are real-network ")
                .append("seconds.\n\n");
        md.append("Workloads: upload (the opener writes 1 MiB as 1 KiB writes), download (a 100-byte request, ")
                .append("then 1 MiB answered as 1 KiB writes), interactive (100 exchanges of 64 bytes each way, ")
                .append("flushed), http (a 300-byte request, a 100 KiB answer in 4 KiB writes). Policies: ")
                .append("reference (one message per write, 10 reply SURBs on every message from the opener); ")
                .append("mixnet-streams (the library's defaults: writes coalesced into packet-filling frames, ")
                .append("20 SURBs on the Open, Data frames only those that ride free); and two alternatives ")
                .append("with the same coalescing: surbs-every-frame (the Open's 20 SURBs on every frame too) and ")
                .append("open-surbs-10 (10 SURBs on the Open, the nym-client's reserve); and no-extensions (the ")
                .append("defaults without flow control and acknowledgements, which the reference does not have ")
                .append("either: the difference to mixnet-streams is their price).\n\n");
        md.append("Packets: every Sphinx packet both clients sent (data, replies, credits, SURB requests and ")
                .append("refills). Credits: CREDIT frames sent alone, each a message of its own (those riding on ")
                .append("Data cost nothing extra). ")
                .append("Floor: 1,565 payload bytes per packet from the opener, 1,585 per reply packet plus the ")
                .append("SURB it consumes (1,164 bytes of the opener's packets).\n\n");
        md.append("| workload | policy | packets | opener | acceptor | SURBs sent | SURB requests | credits | bytes/packet ")
                .append("| of floor | time (s) | floor time (s) | first byte (s) | packets/exchange | bytes verified |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append("| ").append(r.workload()).append(" | ").append(r.policy()).append(" | ").append(r.packets())
                    .append(" | ").append(r.openerPackets()).append(" | ").append(r.acceptorPackets())
                    .append(" | ").append(r.surbsSent()).append(" | ").append(r.surbRequests())
                    .append(" | ").append(r.credits())
                    .append(" | ").append(fmt(r.bytesPerPacket(), 0)).append(" | ").append(fmt(r.ofFloor(), 2))
                    .append(" | ").append(fmt(r.seconds(), 1))
                    .append(" | ").append(r.exchanges() > 0 ? "" : fmt(r.floorSeconds(), 1)) // round trips, not packets, bound it
                    .append(" | ").append(fmt(r.firstByteSeconds(), 2))
                    .append(" | ").append(r.exchanges() > 0 ? fmt(r.packets() / (double) r.exchanges(), 2) : "")
                    .append(" | ").append(r.bytes()).append(" |\n");
        }
        md.append("\n").append("![packets per workload](costs.svg)\n");
        return md.toString();
    }

    private static String fmt(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A bar chart of packets per workload and policy, on a log scale. */
    private static String chart(List<Result> results) {
        int width = 720;
        int rowHeight = 26;
        int left = 200;
        int top = 40;
        double max = results.stream().mapToLong(Result::packets).max().orElse(1);
        double logMax = Math.log10(max * 1.2);
        StringBuilder svg = new StringBuilder();
        int height = top + results.size() * rowHeight + 40;
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<text x=\"10\" y=\"22\" font-size=\"14\">Sphinx packets per workload (log scale; fewer is ")
                .append("better)</text>\n");
        int y = top;
        for (Result r : results) {
            double barWidth = Math.max(1, (width - left - 80) * Math.log10(Math.max(1, r.packets())) / logMax);
            String colour = switch (r.policy()) {
                case "reference" -> "#b0b0b0";
                case "mixnet-streams" -> "#2a6fb0";
                default -> "#9cc3e4";
            };
            svg.append("<text x=\"10\" y=\"").append(y + 17).append("\">").append(r.workload()).append(", ")
                    .append(r.policy()).append("</text>\n");
            svg.append("<rect x=\"").append(left).append("\" y=\"").append(y + 4).append("\" width=\"")
                    .append(fmt(barWidth, 1)).append("\" height=\"18\" fill=\"").append(colour).append("\"/>\n");
            svg.append("<text x=\"").append(fmt(left + barWidth + 6, 1)).append("\" y=\"").append(y + 17)
                    .append("\">").append(r.packets()).append("</text>\n");
            y += rowHeight;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }
}
