package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.MixnetListener;
import dev.mixnetstreams.MixnetStream;
import java.io.Closeable;
import java.io.IOException;
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
 * <p>Each direction is a blocking copy on its own virtual thread; half-close is carried through
 * as by {@link TunnelClient}. If the upstream cannot be reached (refused, timed out after
 * {@link TunnelConfig#connectTimeout()}, unreachable) the stream is closed at once, so the tunnel
 * client's local application reads end of stream, and the cause is counted. Streams beyond
 * {@link TunnelConfig#maxConnections()} are closed as soon as they are accepted. A failure of the
 * stream resets the upstream connection.
 *
 * <p>The tunnel server owns the listener and closes it; it does not own the mixnet client.
 */
public final class TunnelServer implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelServer.class);

    private final MixnetListener listener;
    private final InetSocketAddress upstream;
    private final TunnelEngine engine;

    private TunnelServer(MixnetListener listener, InetSocketAddress upstream, TunnelConfig config) {
        this.listener = listener;
        this.upstream = upstream;
        this.engine = new TunnelEngine(config, LOG, "tunnel-server-");
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
        TunnelServer tunnel = new TunnelServer(listener, upstream, config);
        tunnel.engine.spawn("accept", tunnel::acceptLoop);
        LOG.debug("tunnel server forwarding to {}", upstream);
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
                    LOG.warn("tunnel server: stopped accepting: {}", e.toString());
                }
                return;
            }
            Connection connection = engine.admit();
            if (connection == null) {
                stream.close();
                LOG.debug("tunnel server: refused {}: over the limit of {} connections or closing",
                        stream.id(), engine.config.maxConnections());
                continue;
            }
            connection.attach(stream, "conn#" + connection.number + " " + stream.id());
            engine.spawn("conn-" + connection.number + "-connect", () -> connect(connection, stream));
        }
    }

    private void connect(Connection connection, MixnetStream stream) {
        Socket socket = new Socket();
        String label = "conn#" + connection.number + " " + stream.id() + " -> " + upstream.getHostString() + ":" + upstream.getPort();
        connection.attach(socket, label);
        try {
            if (upstream.isUnresolved()) {
                throw new java.net.UnknownHostException(upstream.getHostString());
            }
            socket.connect(upstream, (int) TunnelEngine.millis(engine.config.connectTimeout()));
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
        connection.startCopying();
    }
}
