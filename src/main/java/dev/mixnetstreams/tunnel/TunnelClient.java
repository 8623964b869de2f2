package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetStream;
import dev.mixnetstreams.Recipient;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
 * <p>By default the stream is opened when the local application's first bytes arrive, and they
 * are its first write; a connection that sends nothing within
 * {@link TunnelConfig#firstByteTimeout()} is closed without opening a stream
 * ({@link TunnelFailure#FIRST_BYTE_TIMEOUT}). With {@link TunnelConfig#connectOnAccept()} the
 * stream is opened at once, for protocols in which the server speaks first.
 *
 * <p>Each direction is a blocking copy on its own virtual thread. The local application's end of
 * output (half-close) becomes the stream's {@link MixnetStream#shutdownOutput()}, the stream's end
 * becomes {@link Socket#shutdownOutput()}; the connection ends when both directions have ended.
 * A failure on either side ends the connection at once: the local socket is reset, the stream
 * closed, the cause counted ({@link #stats()}) and logged once. Connections beyond
 * {@link TunnelConfig#maxConnections()} are closed as soon as they are accepted. If accepting
 * fails (the process's file-descriptor limit reached, say), the tunnel pauses between attempts
 * (10 ms, doubling up to 1 s while it fails) and logs at most one warning per 10 s.
 *
 * <p>Once its stream is open, a connection waits for the tunnel server's answer (its OpenAck or
 * any frame) for at most {@link TunnelConfig#establishTimeout()} while bytes are copied; if none
 * comes, the local socket is reset and {@link TunnelFailure#NOT_ESTABLISHED} counted and logged,
 * so a program connecting to an address nobody serves fails fast instead of hanging.
 *
 * <p>The tunnel does not own the {@link MixnetClient}: close the tunnel first, then the client.
 */
public final class TunnelClient implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelClient.class);

    private final MixnetClient client;
    private final Recipient server;
    private final ServerSocket serverSocket;
    private final TunnelEngine engine;

    private TunnelClient(MixnetClient client, Recipient server, ServerSocket serverSocket, TunnelConfig config,
                         TunnelEnvironment environment) {
        this.client = client;
        this.server = server;
        this.serverSocket = serverSocket;
        this.engine = new TunnelEngine(config, environment, "tunnel-client-", false);
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
        return start(client, server, serverSocket, config, TunnelEnvironment.real(LOG));
    }

    /** Starts accepting on a bound server socket, which the tunnel then owns; tests pass their own socket and environment. */
    static TunnelClient start(MixnetClient client, Recipient server, ServerSocket bound, TunnelConfig config,
                              TunnelEnvironment environment) {
        TunnelClient tunnel = new TunnelClient(client, server, bound, config, environment);
        tunnel.engine.spawn("accept", tunnel::acceptLoop);
        tunnel.engine.log.debug("tunnel client listening on {} for {}", tunnel.localAddress(), server);
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
        AcceptRetry retry = new AcceptRetry(engine.environment);
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (serverSocket.isClosed() || engine.isClosed()) {
                    break;
                }
                try {
                    retry.failed(e);
                } catch (InterruptedException interrupted) {
                    // Only close() interrupts this thread; the loop condition sees the socket closed.
                }
                continue;
            }
            retry.succeeded();
            Connection connection = engine.admit();
            if (connection == null) {
                Connection.closeHard(socket);
                engine.log.debug("tunnel client: refused {}: over the limit of {} connections or closing",
                        socket.getRemoteSocketAddress(), engine.config.maxConnections());
                continue;
            }
            connection.attach(socket, "conn#" + connection.number + " " + peer(socket));
            connection.startSetup("open", () -> open(connection, socket));
        }
        if (retry.notLogged() > 0) {
            engine.log.debug("tunnel client: {} accept failures not logged before closing", retry.notLogged());
        }
    }

    /**
     * The setup thread: waits for the local application's first bytes (unless connecting on
     * accept), opens the stream, writes them to it first, then starts the copies.
     */
    private void open(Connection connection, Socket socket) {
        TunnelConfig config = engine.config;
        byte[] first = null;
        int n = 0;
        if (!config.connectOnAccept()) {
            first = new byte[config.bufferSize()];
            try {
                socket.setSoTimeout((int) TunnelEngine.millis(config.firstByteTimeout()));
                n = connection.awaitFirstBytes(socket.getInputStream(), first, TunnelFailure.TCP_FAILED);
            } catch (IOException e) {
                connection.fail(TunnelFailure.TCP_FAILED, e);
                return;
            }
            if (n == 0) {
                return; // ended: silent, failed, or closed without a byte
            }
        }
        MixnetStream stream;
        try {
            stream = client.openStream(server);
        } catch (IOException | RuntimeException e) {
            connection.fail(TunnelFailure.STREAM_OPEN_FAILED, e);
            return;
        }
        connection.attach(stream);
        if (n > 0 && !connection.forwardFirstBytes(first, n, stream.getOutputStream(),
                TunnelFailure.STREAM_FAILED, engine.tcpToMixnetBytes)) {
            return;
        }
        connection.startCopying();
        awaitEstablished(connection, stream);
    }

    /**
     * The setup thread, once the copies run: waits for the tunnel server's first answer, and
     * resets the connection if none comes within the establish timeout, so a local program is not
     * left waiting on an address nobody serves.
     */
    private void awaitEstablished(Connection connection, MixnetStream stream) {
        Duration timeout = engine.config.establishTimeout();
        if (timeout.isZero()) {
            return;
        }
        try {
            stream.awaitEstablished(timeout);
        } catch (SocketTimeoutException e) {
            connection.fail(TunnelFailure.NOT_ESTABLISHED, e);
        } catch (InterruptedIOException e) {
            // the connection ended: its abort interrupts this thread
        } catch (IOException e) {
            connection.fail(TunnelFailure.STREAM_FAILED, e); // the stream ended first (its Open was not sent, say)
        }
    }

    private static String peer(Socket socket) {
        if (socket.getRemoteSocketAddress() instanceof InetSocketAddress a) {
            return TunnelEngine.hostPort(a);
        }
        return String.valueOf(socket.getRemoteSocketAddress());
    }
}
