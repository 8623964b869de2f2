package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The far end of a TCP tunnel: accepts the streams that {@link TunnelClient}s open and, for each,
 * connects to a fixed upstream TCP address and copies bytes both ways.
 *
 * <pre>{@code
 * try (TunnelServer tunnel = TunnelServer.start(client.listener(),
 *         new InetSocketAddress("127.0.0.1", 8000), TunnelConfig.defaults())) {
 *     ... // tunnel clients open streams to client.address()
 * }
 * }</pre>
 *
 * <p>Anyone who knows the tunnel server's Nym address can open streams to it, so a stream costs
 * the upstream nothing until it carries a byte: by default the server connects upstream only when
 * the stream's first bytes arrive, and writes them upstream first. A stream that sends nothing
 * within {@link TunnelConfig#firstByteTimeout()} is closed without an upstream connection
 * ({@link TunnelFailure#FIRST_BYTE_TIMEOUT}). At {@link TunnelConfig#maxConnections()}, a new
 * stream is not refused: the connection on which bytes moved least recently is closed to make
 * room ({@link TunnelFailure#EVICTED_IDLE}). So bare Opens cannot lock honest users out: a slot
 * is kept only by sending through it, and an Open that is not followed by data is the first to
 * go. With {@link TunnelConfig#connectOnAccept()} (for server-speaks-first protocols) every
 * stream connects upstream at once; see there for what that exposes.
 *
 * <p>Each direction is a blocking copy on its own virtual thread; half-close is carried through
 * as by {@link TunnelClient}. If the upstream cannot be reached (refused, timed out after
 * {@link TunnelConfig#connectTimeout()}, unreachable) the stream is closed at once, so the tunnel
 * client's local application reads end of stream, and the cause is counted. A failure of the
 * stream resets the upstream connection.
 *
 * <p>The tunnel server owns the listener and closes it; it does not own the mixnet client.
 */
public final class TunnelServer implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelServer.class);

    private final MixnetListener listener;
    private final InetSocketAddress upstream;
    private final TunnelEngine engine;

    private TunnelServer(MixnetListener listener, InetSocketAddress upstream, TunnelConfig config,
                         TunnelEnvironment environment) {
        this.listener = listener;
        this.upstream = upstream;
        this.engine = new TunnelEngine(config, environment, "tunnel-server-", true);
    }

    /**
     * Starts accepting streams from a listener.
     *
     * @param listener the mixnet client's listener ({@link dev.mixnetstreams.MixnetClient#listener()})
     * @param upstream where every stream is connected to
     * @param config the limits and the connect timeout
     * @return the running tunnel server
     */
    public static TunnelServer start(MixnetListener listener, InetSocketAddress upstream, TunnelConfig config) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(config, "config");
        return start(listener, upstream, config, TunnelEnvironment.real(LOG));
    }

    /** As {@link #start(MixnetListener, InetSocketAddress, TunnelConfig)}, logging where the environment says (tests). */
    static TunnelServer start(MixnetListener listener, InetSocketAddress upstream, TunnelConfig config,
                              TunnelEnvironment environment) {
        TunnelServer tunnel = new TunnelServer(listener, upstream, config, environment);
        tunnel.engine.spawn("accept", tunnel::acceptLoop);
        tunnel.engine.log.debug("tunnel server forwarding to {}", TunnelEngine.hostPort(upstream));
        return tunnel;
    }

    /**
     * Returns the upstream address every stream is connected to.
     *
     * @return the upstream
     */
    public InetSocketAddress upstream() {
        return upstream;
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

    /** Waits until at least {@code count} connections are active (tests: the slots are taken). */
    boolean awaitActiveConnectionsAtLeast(int count, Duration timeout) throws InterruptedException {
        return engine.awaitActiveAtLeast(count, timeout);
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
     * Closes the listener, closes every connection (upstream sockets reset, streams closed) and
     * waits for every copy thread to end. Idempotent. The mixnet client stays open.
     */
    @Override
    public void close() {
        engine.close(listener::close);
    }

    private void acceptLoop() {
        while (true) {
            MixnetStream stream;
            try {
                stream = listener.accept();
            } catch (IOException e) {
                if (!engine.isClosed()) {
                    // The listener ended with its client (closed, or its transport failed), whose cause
                    // was logged where it happened.
                    engine.log.warn("tunnel server: stopped accepting: its mixnet client's listener has ended");
                    engine.log.debug("tunnel server: the listener's end", e);
                }
                return;
            }
            Connection connection = engine.admit();
            if (connection == null) {
                stream.close();
                engine.log.debug("tunnel server: refused {}: over the limit of {} connections or closing",
                        stream.id(), engine.config.maxConnections());
                continue;
            }
            connection.attach(stream);
            connection.startSetup("connect", () -> connect(connection, stream));
        }
    }

    /**
     * The setup thread: waits for the stream's first bytes (unless connecting on accept),
     * connects upstream, writes them there first, then starts the copies.
     */
    private void connect(Connection connection, MixnetStream stream) {
        TunnelConfig config = engine.config;
        byte[] first = null;
        int n = 0;
        if (!config.connectOnAccept()) {
            first = new byte[config.bufferSize()];
            stream.setReadTimeout(config.firstByteTimeout());
            n = connection.awaitFirstBytes(stream.getInputStream(), first, TunnelFailure.STREAM_FAILED);
            if (n == 0) {
                return; // ended: silent, failed, or closed without a byte
            }
        }
        Socket socket = new Socket();
        String label = "conn#" + connection.number + " -> " + TunnelEngine.hostPort(upstream);
        connection.attach(socket, label);
        try {
            if (upstream.isUnresolved()) {
                throw new java.net.UnknownHostException(upstream.getHostString());
            }
            socket.connect(upstream, (int) TunnelEngine.millis(config.connectTimeout()));
        } catch (ConnectException e) {
            connection.fail(TunnelFailure.UPSTREAM_REFUSED, e);
            return;
        } catch (SocketTimeoutException e) {
            connection.fail(TunnelFailure.UPSTREAM_CONNECT_TIMEOUT, e);
            return;
        } catch (IOException e) {
            connection.fail(TunnelFailure.UPSTREAM_UNREACHABLE, e);
            return;
        }
        connection.attach(socket, label + " (local port " + socket.getLocalPort() + ")");
        OutputStream out;
        try {
            out = socket.getOutputStream();
        } catch (IOException e) {
            connection.fail(TunnelFailure.TCP_FAILED, e);
            return;
        }
        if (n > 0 && !connection.forwardFirstBytes(first, n, out, TunnelFailure.TCP_FAILED, engine.mixnetToTcpBytes)) {
            return;
        }
        connection.startCopying();
    }
}
