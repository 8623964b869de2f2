package dev.mixnetstreams.cli;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.sim.NymCostModel;
import dev.mixnetstreams.sim.SimulatedMixnet;
import dev.mixnetstreams.tunnel.TunnelClient;
import dev.mixnetstreams.tunnel.TunnelConfig;
import dev.mixnetstreams.tunnel.TunnelServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code tunnel}: a tunnel client and a tunnel server in one process, joined by the simulated
 * mixnet. Local TCP connections to {@code --listen} are carried, one stream each, to
 * {@code --upstream}. Runs until Ctrl-C or SIGTERM, then prints a summary.
 */
final class TunnelCommand {

    /** Reorder window of the CLI's clients: the simulated mixnet has no sending rate limit, so bursts are long. */
    static final int REORDER_WINDOW = 4096;
    /**
     * Unread bytes a stream may hold: streams have no flow control, so a download faster than the
     * local reader piles up at the receiving end; beyond this the stream is reset (never truncated
     * silently). 64 MiB per stream, with at most {@link #MAX_CONNECTIONS} connections.
     */
    static final long MAX_UNREAD_BYTES = 64L << 20;
    /** Connections served at once; with {@link #MAX_UNREAD_BYTES} bounds the memory held for slow readers. */
    static final int MAX_CONNECTIONS = 64;

    /** A running tunnel; {@link #close()} stops it and prints the summary once. */
    static final class Running implements AutoCloseable {
        private final SimulatedMixnet mixnet;
        /** The Nym cost model, or {@code null}. */
        private final NymCostModel costModel;
        private final MixnetClient serverClient;
        private final MixnetClient clientClient;
        private final TunnelServer server;
        private final TunnelClient client;
        private final PrintStream out;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Running(SimulatedMixnet mixnet, NymCostModel costModel, MixnetClient serverClient,
                        MixnetClient clientClient, TunnelServer server, TunnelClient client, PrintStream out) {
            this.mixnet = mixnet;
            this.costModel = costModel;
            this.serverClient = serverClient;
            this.clientClient = clientClient;
            this.server = server;
            this.client = client;
            this.out = out;
        }

        InetSocketAddress localAddress() {
            return client.localAddress();
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            client.close();
            server.close();
            clientClient.close();
            serverClient.close();
            mixnet.close();
            out.println("tunnel stopped");
            out.println("  local side:    " + client.stats().summary());
            out.println("  upstream side: " + server.stats().summary());
            if (costModel != null) {
                out.println("  " + CostOptions.report(costModel, mixnet.packetsSent(),
                        clientClient.stats().bytesOut() + serverClient.stats().bytesOut()));
            }
            out.flush();
        }
    }

    private TunnelCommand() {
    }

    static int run(List<String> rest, PrintStream out) throws UsageException, InterruptedException {
        return runUntilStopped(stop -> start(rest, out));
    }

    /** How a running command asks to be stopped, with the status the process then exits with. */
    @FunctionalInterface
    interface Stop {
        /**
         * Asks to stop; the first request (this or a signal's, with 0) sets the status. Never blocks.
         *
         * @param status the exit status: 0 for a stop asked for, 1 for a failure
         */
        void request(int status);
    }

    /** Starts a long-running command: what it runs, or null (with a message printed) if it did not start. */
    @FunctionalInterface
    interface Starter {
        /**
         * Parses the options and starts; null (with a message printed) if it could not start.
         *
         * @param stop how the command stops itself when it cannot go on (it then exits non-zero)
         */
        AutoCloseable start(Stop stop) throws UsageException;
    }

    /**
     * Starts {@code starter}'s command and runs it until Ctrl-C or SIGTERM (status 0) or until it
     * asks to stop ({@link Stop}, with its status), then closes it (which prints its summary) and
     * returns the status, so that {@link Main#main} exits normally and every shutdown hook runs
     * (see {@link StopSignals}); returns 1 at once if it did not start. The signals are taken
     * before the start, so that one arriving as soon as the command says it runs is a stop request
     * too. A shutdown of the JVM for another reason (SIGHUP, or signals that cannot be handled)
     * still closes the command and prints the summary, from a shutdown hook.
     */
    static int runUntilStopped(Starter starter) throws UsageException, InterruptedException {
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicInteger status = new AtomicInteger(-1);
        Stop stop = s -> {
            status.compareAndSet(-1, s);
            stopRequested.countDown();
        };
        StopSignals.install(() -> stop.request(0)); // where it cannot, the shutdown hook does the work
        AutoCloseable running = starter.start(stop);
        if (running == null) {
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(running), "tunnel-shutdown"));
        stopRequested.await();
        close(running);
        return status.get();
    }

    private static void close(AutoCloseable running) {
        try {
            running.close(); // idempotent: whichever of main and the shutdown hook comes second does nothing
        } catch (Exception e) {
            System.err.println("while stopping: " + e);
        }
    }

    /**
     * The CLI's tunnel settings: the defaults, at most {@link #MAX_CONNECTIONS} connections, and
     * {@code --connect-on-accept true} for protocols in which the server speaks first.
     */
    static TunnelConfig.Builder config(Args args) throws UsageException {
        return TunnelConfig.builder().maxConnections(MAX_CONNECTIONS)
                .connectOnAccept(args.bool("connect-on-accept", TunnelConfig.DEFAULT_CONNECT_ON_ACCEPT));
    }

    /** Parses the options and starts both ends; null (with a message) if the address cannot be bound. */
    static Running start(List<String> rest, PrintStream out) throws UsageException {
        Args args = new Args(rest, Set.of("listen", "upstream", "latency-ms", "loss", "duplicate", "seed", "connect-on-accept",
                CostOptions.PACE), Set.of(CostOptions.FLAG));
        TunnelConfig config = config(args).build();
        InetSocketAddress listen = HostPort.parse("--listen", args.required("listen"), true);
        InetSocketAddress upstream = HostPort.parse("--upstream", args.required("upstream"), false);
        Duration[] latency = args.millisRange("latency-ms", 5, 50);
        double loss = args.probability("loss", 0);
        double duplicate = args.probability("duplicate", 0);
        String seedText = args.text("seed", null);
        long seed = seedText == null ? new SecureRandom().nextLong()
                : Args.parseNumber("--seed", seedText, Long.MIN_VALUE, Long.MAX_VALUE);
        NymCostModel costModel = CostOptions.parse(args);

        SimulatedMixnet mixnet = SimulatedMixnet.builder().latency(latency[0], latency[1]).lossRate(loss)
                .duplicateRate(duplicate).seed(seed).costModel(costModel).build();
        MixnetClient serverClient = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(REORDER_WINDOW).maxUnreadBytes(MAX_UNREAD_BYTES).build();
        MixnetClient clientClient = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(REORDER_WINDOW).maxUnreadBytes(MAX_UNREAD_BYTES).build();
        TunnelServer server = TunnelServer.start(serverClient.listener(), upstream, config);
        TunnelClient client;
        try {
            client = TunnelClient.start(clientClient, serverClient.address(), listen, config);
        } catch (IOException e) {
            server.close();
            clientClient.close();
            serverClient.close();
            mixnet.close();
            out.println("tunnel FAILED: cannot listen on " + HostPort.format(listen) + ": " + e.getMessage());
            return null;
        }
        out.printf(Locale.ROOT, "tunnel: listening on %s -> upstream %s (simulated mixnet: latency=%d-%dms loss=%s duplicate=%s seed=%d%s)%n",
                HostPort.format(client.localAddress()), HostPort.format(upstream),
                latency[0].toMillis(), latency[1].toMillis(), loss, duplicate, seed, CostOptions.describe(costModel));
        out.println("Ctrl-C stops it and prints a summary.");
        out.flush();
        return new Running(mixnet, costModel, serverClient, clientClient, server, client, out);
    }
}
