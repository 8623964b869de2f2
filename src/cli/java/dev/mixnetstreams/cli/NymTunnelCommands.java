package dev.mixnetstreams.cli;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.Recipient;
import dev.mixnetstreams.nymclient.NymClientTransport;
import dev.mixnetstreams.tunnel.TunnelClient;
import dev.mixnetstreams.tunnel.TunnelConfig;
import dev.mixnetstreams.tunnel.TunnelServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code tunnel-server} and {@code tunnel-client}: the two halves of the TCP tunnel in separate
 * processes, each on its own nym-client (real, or the {@code emulator} stand-in), run as services.
 *
 * <p>They ride through nym-client restarts: the transport reconnects (each loss and return is
 * logged once), the connections open at a loss are reset, and new ones work once nym-client is
 * back. If it stays away longer than {@code --max-outage} seconds (or comes back as another
 * client), the service stops and exits with status 1, for a supervisor to act on. Every {@code
 * --summary-interval} seconds, and when it stops, a service prints its health ({@link
 * ServiceHealth}). A tunnel client resets a local connection whose stream the tunnel server does
 * not answer within {@code --establish-timeout} seconds.
 */
final class NymTunnelCommands {

    /** Seconds nym-client may stay away before a service gives up and exits with status 1: 5 minutes. */
    static final long DEFAULT_MAX_OUTAGE_SECONDS = 300;
    /** Seconds between two health summaries: 5 minutes. */
    static final long DEFAULT_SUMMARY_INTERVAL_SECONDS = 300;
    static final String MAX_OUTAGE = "max-outage";
    static final String SUMMARY_INTERVAL = "summary-interval";
    static final String ESTABLISH_TIMEOUT = "establish-timeout";
    /** The longest time an option in seconds takes: 100 years. */
    private static final long MAX_SECONDS = Duration.ofDays(36_500).toSeconds();

    private NymTunnelCommands() {
    }

    /** One running half; {@link #close()} stops it and prints its health once. */
    static final class Running implements AutoCloseable {
        private final String name;
        private final MixnetClient client;
        private final AutoCloseable tunnel;
        private final ServiceHealth health;
        private final PrintStream out;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final InetSocketAddress localAddress;
        /** Prints the health every summary interval; {@code null} without one. */
        private final Thread summaries;

        private Running(String name, MixnetClient client, AutoCloseable tunnel, ServiceHealth health, PrintStream out,
                        InetSocketAddress localAddress, long summarySeconds) {
            this.name = name;
            this.client = client;
            this.tunnel = tunnel;
            this.health = health;
            this.out = out;
            this.localAddress = localAddress;
            this.summaries = summarySeconds == 0 ? null
                    : Thread.ofVirtual().name(name + "-summary").start(() -> printSummaries(summarySeconds));
        }

        private void printSummaries(long seconds) {
            while (!closed.get()) {
                try {
                    Thread.sleep(Duration.ofSeconds(seconds));
                } catch (InterruptedException e) {
                    return; // closing
                }
                out.println(name + ": " + health.summary());
                out.flush();
            }
        }

        /** The client half's listening address; {@code null} for the server half. */
        InetSocketAddress localAddress() {
            return localAddress;
        }

        /** The mixnet client this half runs on. */
        MixnetClient mixnetClient() {
            return client;
        }

        /** The health this half reports. */
        ServiceHealth health() {
            return health;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (summaries != null) {
                summaries.interrupt();
            }
            try {
                tunnel.close();
            } catch (Exception e) {
                out.println(name + ": while stopping: " + e);
            }
            String last = health.summary(); // with every connection closed, nym-client as it was
            client.close();
            out.println(name + " stopped: " + last);
            out.flush();
        }
    }

    /** The options both halves take beyond their own: how long nym-client may stay away, how often to summarise. */
    private record ServiceOptions(long maxOutageSeconds, long summarySeconds) {
        static ServiceOptions parse(Args args) throws UsageException {
            return new ServiceOptions(args.number(MAX_OUTAGE, DEFAULT_MAX_OUTAGE_SECONDS, 1, MAX_SECONDS),
                    args.number(SUMMARY_INTERVAL, DEFAULT_SUMMARY_INTERVAL_SECONDS, 0, MAX_SECONDS));
        }
    }

    /** As {@link #startServer(List, PrintStream, TunnelCommand.Stop)}, for tests that do not stop it that way. */
    static Running startServer(List<String> rest, PrintStream out) throws UsageException {
        return startServer(rest, out, status -> { });
    }

    /**
     * {@code tunnel-server --nym URL --upstream HOST:PORT [--connect-on-accept B] [--max-outage S]
     * [--summary-interval S]}; null (with a message) if the nym-client cannot be reached. {@code
     * stop} is asked to stop with status 1 if nym-client stays away too long.
     */
    static Running startServer(List<String> rest, PrintStream out, TunnelCommand.Stop stop) throws UsageException {
        Args args = new Args(rest, Set.of("nym", "upstream", "connect-on-accept", MAX_OUTAGE, SUMMARY_INTERVAL));
        TunnelConfig config = TunnelCommand.config(args).build();
        URI nym = Args.nymUrl(args.required("nym"));
        InetSocketAddress upstream = HostPort.parse("--upstream", args.required("upstream"), false);
        ServiceOptions options = ServiceOptions.parse(args);
        ServiceHealth health = new ServiceHealth();
        MixnetClient client = connect("tunnel-server", nym, options, health, out, stop);
        if (client == null) {
            return null;
        }
        TunnelServer server = TunnelServer.start(client.listener(), upstream, config);
        health.tunnel(server::stats);
        out.println("tunnel-server: address " + client.address());
        out.println("tunnel-server: every stream opened to it is connected to " + HostPort.format(upstream)
                + "; Ctrl-C stops it and prints a summary.");
        out.flush();
        return new Running("tunnel-server", client, server, health, out, null, options.summarySeconds());
    }

    /** As {@link #startClient(List, PrintStream, TunnelCommand.Stop)}, for tests that do not stop it that way. */
    static Running startClient(List<String> rest, PrintStream out) throws UsageException {
        return startClient(rest, out, status -> { });
    }

    /**
     * {@code tunnel-client --nym URL --server NYM-ADDRESS --listen HOST:PORT [--connect-on-accept B]
     * [--establish-timeout S] [--max-outage S] [--summary-interval S]}; null (with a message) on
     * failure.
     */
    static Running startClient(List<String> rest, PrintStream out, TunnelCommand.Stop stop) throws UsageException {
        Args args = new Args(rest, Set.of("nym", "server", "listen", "connect-on-accept", ESTABLISH_TIMEOUT, MAX_OUTAGE,
                SUMMARY_INTERVAL));
        TunnelConfig config = TunnelCommand.config(args).establishTimeout(Duration.ofSeconds(args.number(
                ESTABLISH_TIMEOUT, TunnelConfig.DEFAULT_ESTABLISH_TIMEOUT.toSeconds(), 0, MAX_SECONDS))).build();
        URI nym = Args.nymUrl(args.required("nym"));
        Recipient server;
        try {
            server = Recipient.parse(args.required("server"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--server: " + e.getMessage());
        }
        InetSocketAddress listen = HostPort.parse("--listen", args.required("listen"), true);
        ServiceOptions options = ServiceOptions.parse(args);
        ServiceHealth health = new ServiceHealth();
        MixnetClient client = connect("tunnel-client", nym, options, health, out, stop);
        if (client == null) {
            return null;
        }
        TunnelClient tunnel;
        try {
            tunnel = TunnelClient.start(client, server, listen, config);
        } catch (IOException e) {
            client.close();
            out.println("tunnel-client FAILED: cannot listen on " + HostPort.format(listen) + ": " + e.getMessage());
            return null;
        }
        health.tunnel(tunnel::stats);
        InetSocketAddress bound = tunnel.localAddress();
        out.println("tunnel-client: listening on " + HostPort.format(bound)
                + " -> " + server + "; Ctrl-C stops it and prints a summary.");
        out.flush();
        return new Running("tunnel-client", client, tunnel, health, out, bound, options.summarySeconds());
    }

    static int runServer(List<String> rest, PrintStream out) throws UsageException, InterruptedException {
        return TunnelCommand.runUntilStopped(stop -> startServer(rest, out, stop));
    }

    static int runClient(List<String> rest, PrintStream out) throws UsageException, InterruptedException {
        return TunnelCommand.runUntilStopped(stop -> startClient(rest, out, stop));
    }

    /**
     * Connects to the nym-client, reconnecting for up to the outage limit, and builds a mixnet
     * client with the CLI's stream settings; null (with one line saying why) if nym-client cannot
     * be reached. If the transport fails for good, one line says so and {@code stop} is asked to
     * stop with status 1 (the transport has logged why).
     */
    private static MixnetClient connect(String name, URI nym, ServiceOptions options, ServiceHealth health,
                                        PrintStream out, TunnelCommand.Stop stop) {
        NymClientTransport transport;
        try {
            transport = NymClientTransport.builder(nym).reconnectTimeout(Duration.ofSeconds(options.maxOutageSeconds()))
                    .errorListener(health::nymError).connect();
        } catch (IOException e) {
            out.println(name + " FAILED: " + e.getMessage());
            return null;
        }
        MixnetClient client = MixnetClient.builder(transport)
                .reorderWindow(TunnelCommand.REORDER_WINDOW)
                .maxUnreadBytes(TunnelCommand.MAX_UNREAD_BYTES)
                .build();
        health.attach(transport, client);
        transport.addConnectionListener(health);
        transport.onFailure(cause -> {
            out.println(name + " FAILED: its nym-client did not come back as the same client within --" + MAX_OUTAGE
                    + " " + options.maxOutageSeconds() + " s; exiting with status 1");
            out.flush();
            stop.request(1);
        });
        return client;
    }
}
