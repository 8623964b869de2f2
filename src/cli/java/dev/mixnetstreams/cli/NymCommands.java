package dev.mixnetstreams.cli;

import dev.mixnetstreams.cli.emulator.NymClientEmulator;
import dev.mixnetstreams.nymclient.NymClientTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code emulator} (the local nym-client stand-in) and {@code address} (a nym-client's address). */
final class NymCommands {

    private NymCommands() {
    }

    /**
     * {@code emulator --port P [--clients N] [--latency-ms A-B] [--loss P] [--duplicate P] [--seed S]
     * [--nym-costs [--packets-per-second N]]}: runs until {@code stop} is counted down (Ctrl-C or
     * SIGTERM, see {@link StopSignals}), then stops the stand-ins, says so and returns 0.
     */
    static int emulator(List<String> rest, PrintStream out, CountDownLatch stop) throws UsageException, InterruptedException {
        Args args = new Args(rest, Set.of("port", "clients", "latency-ms", "loss", "duplicate", "seed", "host",
                CostOptions.PACE), Set.of(CostOptions.FLAG));
        int port = (int) Args.parseNumber("--port", args.required("port"), 0, 65535);
        int clients = (int) args.number("clients", 1, 1, 1000);
        if (port != 0 && port + clients - 1 > 65535) {
            throw new UsageException("--port + --clients goes past port 65535");
        }
        Duration[] latency = args.millisRange("latency-ms", 0, 0);
        NymClientEmulator.Builder builder = NymClientEmulator.builder().host(args.text("host", "127.0.0.1"))
                .port(port).clients(clients).latency(latency[0], latency[1])
                .loss(args.probability("loss", 0)).duplicate(args.probability("duplicate", 0))
                .costModel(CostOptions.parse(args));
        String seed = args.text("seed", null);
        if (seed != null) {
            builder.seed(Args.parseNumber("--seed", seed, Long.MIN_VALUE, Long.MAX_VALUE));
        }
        NymClientEmulator emulator;
        try {
            emulator = builder.start();
        } catch (IOException e) {
            out.println("emulator FAILED: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "emulator-shutdown"));
        out.printf("emulator: %d nym-client stand-in(s), latency %d-%d ms%s; Ctrl-C stops%n", clients,
                latency[0].toMillis(), latency[1].toMillis(), CostOptions.describe(CostOptions.parse(args)));
        for (int i = 0; i < emulator.size(); i++) {
            out.println(emulator.uri(i) + " " + emulator.address(i));
        }
        out.flush();
        try {
            stop.await();
        } finally {
            emulator.close();
        }
        out.println("emulator stopped");
        out.flush();
        return 0;
    }

    /** {@code address --nym URL}: connects, prints the address, disconnects. */
    static int address(List<String> rest, PrintStream out, PrintStream err) throws UsageException {
        Args args = new Args(rest, Set.of("nym"));
        URI uri = Args.nymUrl(args.required("nym"));
        try (NymClientTransport transport = NymClientTransport.connect(uri)) {
            out.println(transport.address());
            return 0;
        } catch (IOException e) {
            err.println("address FAILED: " + e.getMessage());
            return 1;
        }
    }
}
