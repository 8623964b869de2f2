package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.Recipient;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local end of a TCP tunnel: listens on a local TCP address and, for every accepted
 * connection, opens a stream to a {@link TunnelServer}'s Nym address and copies bytes both ways.
 *
 * <pre>{@code
 * try (TunnelClient tunnel = TunnelClient.start(client, serverAddress,
 *         new InetSocketAddress("127.0.0.1", 0), TunnelConfig.defaults())) {
 *     InetSocketAddress where = tunnel.localAddress();   // point any TCP client here
 *     ...
 * }
 * }</pre>
 *
 * <p>Each direction is a blocking copy on its own virtual thread. The local application's end of
 * output (half-close) becomes the stream's {@link MixnetStream#shutdownOutput()}, the stream's end
 * becomes {@link Socket#shutdownOutput()}; the connection ends when both directions have ended.
 * A failure on either side ends the connection at once: the local socket is reset, the stream
 * closed, the cause counted ({@link #stats()}) and logged once. Connections beyond
 * {@link TunnelConfig#maxConnections()} are closed as soon as they are accepted.
 *
 * <p>The tunnel does not own the {@link MixnetClient}: close the tunnel first, then the client.
 */
public final class TunnelClient implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelClient.class);

    private final MixnetClient client;
    private final Recipient server;
    private final ServerSocket serverSocket;
    private final TunnelEngine engine;

    private TunnelClient(MixnetClient client, Recipient server, ServerSocket serverSocket, TunnelConfig config) {
        this.client = client;
        this.server = server;
        this.serverSocket = serverSocket;
        this.engine = new TunnelEngine(config, LOG, "tunnel-client-");
    }

    /**
     * Binds the local address and starts accepting connections.
     *
     * @param client the mixnet client that opens the streams (switched to stream mode on the first connection)
     * @param server the tunnel server's Nym address
     * @param listen the local address to listen on; port 0 picks a free port (see {@link #localAddress()})
     * @param config the limits
     * @return the running tunnel client
     * @throws IOException if the address cannot be bound
     */
    public static TunnelClient start(MixnetClient client, Recipient server, InetSocketAddress listen, TunnelConfig config)
            throws IOException {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(config, "config");
        ServerSocket serverSocket = new ServerSocket();
        try {
            serverSocket.bind(listen);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        TunnelClient tunnel = new TunnelClient(client, server, serverSocket, config);
        tunnel.engine.spawn("accept", tunnel::acceptLoop);
        LOG.debug("tunnel client listening on {} for {}", tunnel.localAddress(), server);
        return tunnel;
    }

    /**
     * Returns the local address the tunnel listens on, with the port actually bound.
     *
     * @return the bound address
     */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    /**
     * Returns a snapshot of the counters.
     *
     * @return connections, bytes each way, failures by cause
     */
    public TunnelStats stats() {
        return engine.stats();
    }

    /**
     * Waits until at most {@code count} connections are active, e.g. 0 to let connections drain.
     *
     * @param count the number of active connections to wait for, or fewer
     * @param timeout how long to wait at most
     * @return {@code true} if reached, {@code false} if the time ran out
     * @throws InterruptedException if the thread was interrupted
     */
    public boolean awaitActiveConnections(int count, Duration timeout) throws InterruptedException {
        return engine.awaitActiveAtMost(count, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Returns whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Stops listening, closes every connection (local sockets reset, streams closed) and waits
     * for every copy thread to end. Idempotent. The mixnet client stays open.
     */
    @Override
    public void close() {
        engine.close(() -> {
            try {
                serverSocket.close();
            } catch (IOException e) {
                LOG.debug("closing the server socket: {}", e.toString());
            }
        });
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (serverSocket.isClosed()) {
                    break;
                }
                LOG.warn("tunnel client: accept failed: {}", e.toString());
                continue;
            }
            Connection connection = engine.admit();
            if (connection == null) {
                Connection.closeHard(socket);
                LOG.debug("tunnel client: refused {}: over the limit of {} connections or closing",
                        socket.getRemoteSocketAddress(), engine.config.maxConnections());
                continue;
            }
            String peer = peer(socket);
            connection.attach(socket, "conn#" + connection.number + " " + peer);
            engine.spawn("conn-" + connection.number + "-open", () -> open(connection, peer));
        }
    }

    private void open(Connection connection, String peer) {
        MixnetStream stream;
        try {
            stream = client.openStream(server);
        } catch (IOException | RuntimeException e) {
            connection.fail(TunnelFailure.STREAM_OPEN_FAILED, e);
            return;
        }
        connection.attach(stream, "conn#" + connection.number + " " + stream.id() + " " + peer);
        connection.startCopying();
    }

    private static String peer(Socket socket) {
        if (socket.getRemoteSocketAddress() instanceof InetSocketAddress a) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return String.valueOf(socket.getRemoteSocketAddress());
    }
}
