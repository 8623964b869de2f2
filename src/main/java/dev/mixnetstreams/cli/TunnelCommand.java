package dev.mixnetstreams.cli;

import dev.mixnetstreams.MixnetClient;
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
        private final MixnetClient serverClient;
        private final MixnetClient clientClient;
        private final TunnelServer server;
        private final TunnelClient client;
        private final PrintStream out;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Running(SimulatedMixnet mixnet, MixnetClient serverClient, MixnetClient clientClient,
                        TunnelServer server, TunnelClient client, PrintStream out) {
            this.mixnet = mixnet;
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
            out.flush();
        }
    }

    private TunnelCommand() {
    }

    static int run(List<String> rest, PrintStream out) throws UsageException, InterruptedException {
        return runUntilStopped(start(rest, out));
    }

    /**
     * Runs until Ctrl-C or SIGTERM, then closes {@code running} (which prints its summary) and
     * exits 0; returns 1 at once if it did not start.
     */
    static int runUntilStopped(AutoCloseable running) throws InterruptedException {
        if (running == null) {
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            }
            stopped.countDown();
            // A stop asked for is a success: exit 0, not the signal's 130/143 (which exec:exec
            // reports as a failed build). Everything is closed and the summary flushed by now.
            Runtime.getRuntime().halt(0);
        }, "tunnel-shutdown"));
        stopped.await(); // Ctrl-C or SIGTERM: the hook closes everything and prints the summary
        return 0;
    }

    /** Parses the options and starts both ends; null (with a message) if the address cannot be bound. */
    static Running start(List<String> rest, PrintStream out) throws UsageException {
        Args args = new Args(rest, Set.of("listen", "upstream", "latency-ms", "loss", "duplicate", "seed"));
        InetSocketAddress listen = hostPort("--listen", args.required("listen"), true);
        InetSocketAddress upstream = hostPort("--upstream", args.required("upstream"), false);
        Duration[] latency = args.millisRange("latency-ms", 5, 50);
        double loss = args.probability("loss", 0);
        double duplicate = args.probability("duplicate", 0);
        String seedText = args.text("seed", null);
        long seed = seedText == null ? new SecureRandom().nextLong()
                : Args.parseNumber("--seed", seedText, Long.MIN_VALUE, Long.MAX_VALUE);

        SimulatedMixnet mixnet = SimulatedMixnet.builder()
                .latency(latency[0], latency[1]).lossRate(loss).duplicateRate(duplicate).seed(seed).build();
        MixnetClient serverClient = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(REORDER_WINDOW).maxUnreadBytes(MAX_UNREAD_BYTES).build();
        MixnetClient clientClient = MixnetClient.builder(mixnet.newEndpoint()).reorderWindow(REORDER_WINDOW).maxUnreadBytes(MAX_UNREAD_BYTES).build();
        TunnelServer server = TunnelServer.start(serverClient.listener(), upstream, TunnelConfig.defaults().withMaxConnections(MAX_CONNECTIONS));
        TunnelClient client;
        try {
            client = TunnelClient.start(clientClient, serverClient.address(), listen, TunnelConfig.defaults().withMaxConnections(MAX_CONNECTIONS));
        } catch (IOException e) {
            server.close();
            clientClient.close();
            serverClient.close();
            mixnet.close();
            out.println("tunnel FAILED: cannot listen on " + listen.getHostString() + ":" + listen.getPort() + ": " + e.getMessage());
            return null;
        }
        InetSocketAddress bound = client.localAddress();
        out.printf(Locale.ROOT, "tunnel: listening on %s:%d -> upstream %s:%d (simulated mixnet: latency=%d-%dms loss=%s duplicate=%s seed=%d)%n",
                bound.getAddress().getHostAddress(), bound.getPort(), upstream.getHostString(), upstream.getPort(),
                latency[0].toMillis(), latency[1].toMillis(), loss, duplicate, seed);
        out.println("Ctrl-C stops it and prints a summary.");
        out.flush();
        return new Running(mixnet, serverClient, clientClient, server, client, out);
    }

    /** {@code HOST:PORT} or {@code [IPv6]:PORT}; port 0 only where allowed (listening). */
    static InetSocketAddress hostPort(String what, String text, boolean portZeroAllowed) throws UsageException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException(what + ": expected HOST:PORT: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new UsageException(what + ": write an IPv6 address in brackets, [ADDRESS]:PORT: " + text);
        }
        int port = (int) Args.parseNumber(what + " port", text.substring(colon + 1), portZeroAllowed ? 0 : 1, 65_535);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UsageException(what + ": unknown host: " + host);
        }
        return address;
    }
}
