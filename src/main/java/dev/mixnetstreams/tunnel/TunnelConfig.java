package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.internal.ArgumentChecks;
import java.time.Duration;

/**
 * Settings of a tunnel end, checked when made. Start from {@link #defaults()} and change what
 * differs:
 * <pre>{@code
 * TunnelConfig config = TunnelConfig.defaults().withMaxConnections(64).withIdleTimeout(Duration.ofMinutes(10));
 * }</pre>
 *
 * <p><b>When a connection goes onward.</b> By default a tunnel end waits for the first bytes of
 * the side it accepted (the stream's on a tunnel server, the local application's on a tunnel
 * client) before it connects onward (a tunnel server to its upstream, a tunnel client opens its
 * stream), and writes those bytes onward first. A stream that sends nothing never costs the
 * upstream a connection, and is closed after {@link #firstByteTimeout()}. Protocols in which the
 * server speaks first (SMTP, FTP, MySQL, SSH banners) need {@link #withConnectOnAccept(boolean)
 * connectOnAccept} on both tunnel ends; see there for what that exposes.
 *
 * @param maxConnections connections served at once. At the limit a tunnel server makes room for
 *     a new stream by closing its longest-idle connection ({@link TunnelFailure#EVICTED_IDLE}); a
 *     tunnel client, whose connections come from local applications, refuses the new connection
 *     at once ({@link TunnelFailure#OVER_LIMIT})
 * @param connectTimeout how long a tunnel server waits for its upstream to accept a connection
 *     (unused by a tunnel client); at least 1 ms, at most {@link Integer#MAX_VALUE} ms
 * @param idleTimeout a connection on which nothing moved either way for this long is closed and
 *     counted as {@link TunnelFailure#IDLE_TIMEOUT}; {@link Duration#ZERO} for no limit, else at
 *     least 1 ms and at most {@link Integer#MAX_VALUE} ms (a socket read timeout)
 * @param bufferSize bytes copied at once in each direction of each connection; each read from TCP
 *     becomes one stream write (one Data frame) of at most this size
 * @param connectOnAccept {@code false} (the default): connect onward only when the first bytes
 *     arrive; {@code true}: connect onward as soon as a connection is accepted
 * @param firstByteTimeout with {@code connectOnAccept} off, how long a new connection may stay
 *     silent before it is closed and counted as {@link TunnelFailure#FIRST_BYTE_TIMEOUT}; at least
 *     1 ms, at most {@link Integer#MAX_VALUE} ms
 */
public record TunnelConfig(int maxConnections, Duration connectTimeout, Duration idleTimeout, int bufferSize,
                           boolean connectOnAccept, Duration firstByteTimeout) {

    /** Default limit on concurrent connections: 256. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** Default upstream connect timeout: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Default idle timeout: 5 minutes. Long enough for the pauses of interactive use and for
     * keep-alive connections, which web servers and clients close sooner themselves; short enough
     * that a connection whose peer went away without a word gives its slot back in minutes, not
     * never. Protocols that stay quiet longer (an idle SSH session without keep-alives) need a
     * longer timeout or {@link Duration#ZERO}. The streams' own idle timeout applies as well.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Default copy buffer per direction: 32 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = 32 * 1024;
    /** Largest copy buffer allowed: 1 MiB, the streams' default largest frame payload. */
    public static final int MAX_BUFFER_SIZE = 1 << 20;
    /** Default: connect onward only when the first bytes arrive. */
    public static final boolean DEFAULT_CONNECT_ON_ACCEPT = false;
    /**
     * Default first-byte timeout: 30 seconds. A client-speaks-first protocol sends at once (the
     * mixnet's latency comes on top, a few seconds at most); a stream that says nothing for this
     * long is closed, so holding a slot costs an attacker a message every 30 seconds at least.
     */
    public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Checks the settings.
     *
     * @param maxConnections at least 1
     * @param connectTimeout 1 ms to {@link Integer#MAX_VALUE} ms
     * @param idleTimeout zero (no limit), or 1 ms to {@link Integer#MAX_VALUE} ms
     * @param bufferSize 1 to {@link #MAX_BUFFER_SIZE}
     * @param connectOnAccept whether to connect onward at once instead of at the first bytes
     * @param firstByteTimeout 1 ms to {@link Integer#MAX_VALUE} ms
     * @throws NullPointerException if a duration is {@code null}
     * @throws IllegalArgumentException if a value is out of range
     */
    public TunnelConfig {
        ArgumentChecks.positive(maxConnections, "maxConnections");
        socketMillis(ArgumentChecks.positive(connectTimeout, "connectTimeout"), "connectTimeout");
        if (!ArgumentChecks.zeroOrPositive(idleTimeout, "idleTimeout").isZero()) {
            socketMillis(idleTimeout, "idleTimeout");
        }
        ArgumentChecks.inRange(bufferSize, 1, MAX_BUFFER_SIZE, "bufferSize");
        socketMillis(ArgumentChecks.positive(firstByteTimeout, "firstByteTimeout"), "firstByteTimeout");
    }

    /**
     * A timeout that becomes a socket's int milliseconds ({@link java.net.Socket#setSoTimeout},
     * {@link java.net.Socket#connect(java.net.SocketAddress, int)}), where 0 would mean "forever".
     */
    private static void socketMillis(Duration timeout, String name) {
        ArgumentChecks.inRange(timeout.toMillis(), 1, Integer.MAX_VALUE, name + " in milliseconds");
    }

    /**
     * Returns the default settings.
     *
     * @return {@value #DEFAULT_MAX_CONNECTIONS} connections, a 10 s connect timeout, a 5 min idle
     *     timeout, 32 KiB buffers, connecting onward at the first bytes with a 30 s first-byte
     *     timeout
     */
    public static TunnelConfig defaults() {
        return new TunnelConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_BUFFER_SIZE, DEFAULT_CONNECT_ON_ACCEPT, DEFAULT_FIRST_BYTE_TIMEOUT);
    }

    /**
     * Returns these settings with another connection limit.
     *
     * @param max at least 1
     * @return the new settings
     */
    public TunnelConfig withMaxConnections(int max) {
        return new TunnelConfig(max, connectTimeout, idleTimeout, bufferSize, connectOnAccept, firstByteTimeout);
    }

    /**
     * Returns these settings with another upstream connect timeout.
     *
     * @param timeout 1 ms to {@link Integer#MAX_VALUE} ms
     * @return the new settings
     */
    public TunnelConfig withConnectTimeout(Duration timeout) {
        return new TunnelConfig(maxConnections, timeout, idleTimeout, bufferSize, connectOnAccept, firstByteTimeout);
    }

    /**
     * Returns these settings with another idle timeout.
     *
     * @param timeout zero for none, else 1 ms to {@link Integer#MAX_VALUE} ms
     * @return the new settings
     */
    public TunnelConfig withIdleTimeout(Duration timeout) {
        return new TunnelConfig(maxConnections, connectTimeout, timeout, bufferSize, connectOnAccept, firstByteTimeout);
    }

    /**
     * Returns these settings with another copy buffer size.
     *
     * @param size 1 to {@link #MAX_BUFFER_SIZE}
     * @return the new settings
     */
    public TunnelConfig withBufferSize(int size) {
        return new TunnelConfig(maxConnections, connectTimeout, idleTimeout, size, connectOnAccept, firstByteTimeout);
    }

    /**
     * Returns these settings connecting onward as soon as a connection is accepted ({@code true}),
     * or only when its first bytes arrive ({@code false}, the default).
     *
     * <p>Turn it on, on both tunnel ends, for protocols in which the server speaks first (SMTP,
     * FTP, MySQL): otherwise neither side ever sends and the connection is closed after the
     * first-byte timeout. What it exposes: on a tunnel server every stream opened to it, even one
     * that never sends a byte, then costs the upstream a TCP connection at once, and holds it
     * until the idle timeout or until it is evicted as the longest idle by newer streams at the
     * connection limit. Anyone who knows the tunnel server's Nym address can so keep up to
     * {@link #maxConnections()} idle connections open to the upstream, paying one Open message
     * per connection per idle timeout.
     *
     * @param connect whether to connect onward at once
     * @return the new settings
     */
    public TunnelConfig withConnectOnAccept(boolean connect) {
        return new TunnelConfig(maxConnections, connectTimeout, idleTimeout, bufferSize, connect, firstByteTimeout);
    }

    /**
     * Returns these settings with another first-byte timeout (used only while
     * {@link #connectOnAccept()} is off).
     *
     * @param timeout 1 ms to {@link Integer#MAX_VALUE} ms
     * @return the new settings
     */
    public TunnelConfig withFirstByteTimeout(Duration timeout) {
        return new TunnelConfig(maxConnections, connectTimeout, idleTimeout, bufferSize, connectOnAccept, timeout);
    }
}
