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
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code tunnel-server} and {@code tunnel-client}: the two halves of the TCP tunnel in separate
 * processes, each on its own nym-client (real, or the {@code emulator} stand-in).
 */
final class NymTunnelCommands {

    private NymTunnelCommands() {
    }

    /** One running half; {@link #close()} stops it and prints its summary once. */
    static final class Running implements AutoCloseable {
        private final String name;
        private final MixnetClient client;
        private final AutoCloseable tunnel;
        private final java.util.function.Supplier<String> summary;
        private final PrintStream out;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final InetSocketAddress localAddress;

        private Running(String name, MixnetClient client, AutoCloseable tunnel,
                        java.util.function.Supplier<String> summary, PrintStream out, InetSocketAddress localAddress) {
            this.name = name;
            this.client = client;
            this.tunnel = tunnel;
            this.summary = summary;
            this.out = out;
            this.localAddress = localAddress;
        }

        /** The client half's listening address; {@code null} for the server half. */
        InetSocketAddress localAddress() {
            return localAddress;
        }

        /** The mixnet client this half runs on. */
        MixnetClient mixnetClient() {
            return client;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                tunnel.close();
            } catch (Exception e) {
                out.println(name + ": while stopping: " + e);
            }
            client.close();
            out.println(name + " stopped: " + summary.get());
            out.flush();
        }
    }

    /** {@code tunnel-server --nym URL --upstream HOST:PORT}; null (with a message) if the nym-client cannot be reached. */
    static Running startServer(List<String> rest, PrintStream out) throws UsageException {
        Args args = new Args(rest, Set.of("nym", "upstream", "connect-on-accept"));
        TunnelConfig config = TunnelCommand.config(args);
        URI nym = Args.nymUrl(args.required("nym"));
        InetSocketAddress upstream = HostPort.parse("--upstream", args.required("upstream"), false);
        MixnetClient client = connect("tunnel-server", nym, out);
        if (client == null) {
            return null;
        }
        TunnelServer server = TunnelServer.start(client.listener(), upstream, config);
        out.println("tunnel-server: address " + client.address());
        out.println("tunnel-server: every stream opened to it is connected to " + HostPort.format(upstream)
                + "; Ctrl-C stops it and prints a summary.");
        out.flush();
        return new Running("tunnel-server", client, server, () -> server.stats().summary(), out, null);
    }

    /** {@code tunnel-client --nym URL --server NYM-ADDRESS --listen HOST:PORT}; null (with a message) on failure. */
    static Running startClient(List<String> rest, PrintStream out) throws UsageException {
        Args args = new Args(rest, Set.of("nym", "server", "listen", "connect-on-accept"));
        TunnelConfig config = TunnelCommand.config(args);
        URI nym = Args.nymUrl(args.required("nym"));
        Recipient server;
        try {
            server = Recipient.parse(args.required("server"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--server: " + e.getMessage());
        }
        InetSocketAddress listen = HostPort.parse("--listen", args.required("listen"), true);
        MixnetClient client = connect("tunnel-client", nym, out);
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
        InetSocketAddress bound = tunnel.localAddress();
        out.println("tunnel-client: listening on " + HostPort.format(bound)
                + " -> " + server + "; Ctrl-C stops it and prints a summary.");
        out.flush();
        return new Running("tunnel-client", client, tunnel, () -> tunnel.stats().summary(), out, bound);
    }

    static int runServer(List<String> rest, PrintStream out) throws UsageException, InterruptedException {
        return TunnelCommand.runUntilStopped(() -> startServer(rest, out));
    }

    static int runClient(List<String> rest, PrintStream out) throws UsageException, InterruptedException {
        return TunnelCommand.runUntilStopped(() -> startClient(rest, out));
    }

    /** Connects to the nym-client and builds a mixnet client with the CLI's stream settings. */
    private static MixnetClient connect(String name, URI nym, PrintStream out) {
        NymClientTransport transport;
        try {
            transport = NymClientTransport.connect(nym);
        } catch (IOException e) {
            out.println(name + " FAILED: cannot reach the nym-client at " + nym + ": " + e.getMessage());
            return null;
        }
        return MixnetClient.builder(transport)
                .reorderWindow(TunnelCommand.REORDER_WINDOW)
                .maxUnreadBytes(TunnelCommand.MAX_UNREAD_BYTES)
                .build();
    }
}
