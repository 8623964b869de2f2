package dev.mixnetstreams.tunnel;

import dev.mixnetstreams.internal.ArgumentChecks;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a tunnel end: immutable, made by a {@link Builder} that checks each setting where
 * it is set. {@link #defaults()} is what most need; change what differs:
 * <pre>{@code
 * TunnelConfig config = TunnelConfig.builder().maxConnections(64).idleTimeout(Duration.ofMinutes(10)).build();
 * }</pre>
 *
 * <p><b>When a connection goes onward.</b> By default a tunnel end waits for the first bytes of
 * the side it accepted (the stream's on a tunnel server, the local application's on a tunnel
 * client) before it connects onward (a tunnel server to its upstream, a tunnel client opens its
 * stream), and writes those bytes onward first. A stream that sends nothing never costs the
 * upstream a connection, and is closed after {@link #firstByteTimeout()}. Protocols in which the
 * server speaks first (SMTP, FTP, MySQL, SSH banners) need {@link Builder#connectOnAccept(boolean)
 * connectOnAccept} on both tunnel ends; see there for what that exposes.
 */
public final class TunnelConfig {

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
     * Default establish timeout: 30 seconds. A round trip through the mixnet takes a few seconds;
     * a tunnel server that has not answered a new stream in 30 is not there (a wrong address, or
     * its nym-client is down), and the local connection is reset instead of hanging.
     */
    public static final Duration DEFAULT_ESTABLISH_TIMEOUT = Duration.ofSeconds(30);

    private static final TunnelConfig DEFAULTS = new Builder().build();

    private final int maxConnections;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final int bufferSize;
    private final boolean connectOnAccept;
    private final Duration firstByteTimeout;
    private final Duration establishTimeout;

    private TunnelConfig(Builder b) {
        this.maxConnections = b.maxConnections;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.bufferSize = b.bufferSize;
        this.connectOnAccept = b.connectOnAccept;
        this.firstByteTimeout = b.firstByteTimeout;
        this.establishTimeout = b.establishTimeout;
    }

    /**
     * Returns the default settings.
     *
     * @return {@value #DEFAULT_MAX_CONNECTIONS} connections, a 10 s connect timeout, a 5 min idle
     *     timeout, 32 KiB buffers, connecting onward at the first bytes with a 30 s first-byte
     *     timeout, a 30 s establish timeout
     */
    public static TunnelConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Starts configuring a tunnel end, from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns how many connections are served at once. At the limit a tunnel server makes room for
     * a new stream by closing its longest-idle connection ({@link TunnelFailure#EVICTED_IDLE}); a
     * tunnel client, whose connections come from local applications, refuses the new connection
     * at once ({@link TunnelFailure#OVER_LIMIT}).
     *
     * @return at least 1
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Returns how long a tunnel server waits for its upstream to accept a connection (unused by a
     * tunnel client).
     *
     * @return 1 ms to {@link Integer#MAX_VALUE} ms
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * Returns how long a connection may stay without anything moving either way before it is
     * closed and counted as {@link TunnelFailure#IDLE_TIMEOUT}.
     *
     * @return {@link Duration#ZERO} for no limit, else 1 ms to {@link Integer#MAX_VALUE} ms (a
     *     socket read timeout)
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * Returns how many bytes are copied at once in each direction of each connection; each read
     * from TCP becomes one stream write (one Data frame) of at most this size.
     *
     * @return 1 to {@link #MAX_BUFFER_SIZE}
     */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Returns whether a tunnel end connects onward as soon as a connection is accepted, rather
     * than when its first bytes arrive (see {@link Builder#connectOnAccept(boolean)}).
     *
     * @return {@code false} by default
     */
    public boolean connectOnAccept() {
        return connectOnAccept;
    }

    /**
     * Returns how long, with {@link #connectOnAccept()} off, a new connection may stay silent
     * before it is closed and counted as {@link TunnelFailure#FIRST_BYTE_TIMEOUT}.
     *
     * @return 1 ms to {@link Integer#MAX_VALUE} ms
     */
    public Duration firstByteTimeout() {
        return firstByteTimeout;
    }

    /**
     * Returns how long a tunnel client waits for the tunnel server to answer a stream it opened
     * (its OpenAck, or any frame: {@link dev.mixnetstreams.MixnetStream#awaitEstablished}) before
     * it resets the local connection and counts {@link TunnelFailure#NOT_ESTABLISHED}; bytes are
     * copied meanwhile. Unused by a tunnel server.
     *
     * @return {@link Duration#ZERO} for no wait, else positive
     */
    public Duration establishTimeout() {
        return establishTimeout;
    }

    /**
     * Compares the settings.
     *
     * @param o another object
     * @return whether {@code o} is a {@code TunnelConfig} with the same settings
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof TunnelConfig c && c.maxConnections == maxConnections
                && c.connectTimeout.equals(connectTimeout) && c.idleTimeout.equals(idleTimeout)
                && c.bufferSize == bufferSize && c.connectOnAccept == connectOnAccept
                && c.firstByteTimeout.equals(firstByteTimeout) && c.establishTimeout.equals(establishTimeout);
    }

    /**
     * Hashes the settings.
     *
     * @return a hash consistent with {@link #equals}
     */
    @Override
    public int hashCode() {
        return Objects.hash(maxConnections, connectTimeout, idleTimeout, bufferSize, connectOnAccept, firstByteTimeout,
                establishTimeout);
    }

    /**
     * Describes the settings.
     *
     * @return for example {@code TunnelConfig[maxConnections=256, connectTimeout=PT10S, ...]}
     */
    @Override
    public String toString() {
        return "TunnelConfig[maxConnections=" + maxConnections + ", connectTimeout=" + connectTimeout
                + ", idleTimeout=" + idleTimeout + ", bufferSize=" + bufferSize + ", connectOnAccept="
                + connectOnAccept + ", firstByteTimeout=" + firstByteTimeout + ", establishTimeout=" + establishTimeout
                + "]";
    }

    /**
     * A timeout that becomes a socket's int milliseconds ({@link java.net.Socket#setSoTimeout},
     * {@link java.net.Socket#connect(java.net.SocketAddress, int)}), where 0 would mean "forever".
     */
    private static Duration socketMillis(Duration timeout, String name) {
        ArgumentChecks.inRange(timeout.toMillis(), 1, Integer.MAX_VALUE, name + " in milliseconds");
        return timeout;
    }

    /**
     * Configures a {@link TunnelConfig}, starting from the defaults. Each setting is checked where
     * it is set, so {@link #build()} cannot fail; a refused setting leaves the builder as it was.
     */
    public static final class Builder {

        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private boolean connectOnAccept = DEFAULT_CONNECT_ON_ACCEPT;
        private Duration firstByteTimeout = DEFAULT_FIRST_BYTE_TIMEOUT;
        private Duration establishTimeout = DEFAULT_ESTABLISH_TIMEOUT;

        private Builder() {
        }

        /**
         * Sets how many connections are served at once (see {@link TunnelConfig#maxConnections()}).
         * Default {@value TunnelConfig#DEFAULT_MAX_CONNECTIONS}.
         *
         * @param max at least 1
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder maxConnections(int max) {
            this.maxConnections = ArgumentChecks.positive(max, "maxConnections");
            return this;
        }

        /**
         * Sets how long a tunnel server waits for its upstream to accept a connection. Default 10 s.
         *
         * @param timeout 1 ms to {@link Integer#MAX_VALUE} ms
         * @return this builder
         * @throws NullPointerException if it is {@code null}
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = socketMillis(ArgumentChecks.positive(timeout, "connectTimeout"), "connectTimeout");
            return this;
        }

        /**
         * Sets how long a connection may stay without anything moving either way. Default 5 min.
         *
         * @param timeout {@link Duration#ZERO} for no limit, else 1 ms to {@link Integer#MAX_VALUE} ms
         * @return this builder
         * @throws NullPointerException if it is {@code null}
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder idleTimeout(Duration timeout) {
            if (!ArgumentChecks.zeroOrPositive(timeout, "idleTimeout").isZero()) {
                socketMillis(timeout, "idleTimeout");
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Sets how many bytes are copied at once in each direction of each connection. Default 32 KiB.
         *
         * @param size 1 to {@link TunnelConfig#MAX_BUFFER_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder bufferSize(int size) {
            this.bufferSize = (int) ArgumentChecks.inRange(size, 1, MAX_BUFFER_SIZE, "bufferSize");
            return this;
        }

        /**
         * Sets whether to connect onward as soon as a connection is accepted ({@code true}), or
         * only when its first bytes arrive ({@code false}, the default).
         *
         * <p>Turn it on, on both tunnel ends, for protocols in which the server speaks first (SMTP,
         * FTP, MySQL): otherwise neither side ever sends and the connection is closed after the
         * first-byte timeout. What it exposes: on a tunnel server every stream opened to it, even
         * one that never sends a byte, then costs the upstream a TCP connection at once, and holds
         * it until the idle timeout or until it is evicted as the longest idle by newer streams at
         * the connection limit. Anyone who knows the tunnel server's Nym address can so keep up to
         * {@link TunnelConfig#maxConnections()} idle connections open to the upstream, paying one
         * Open message per connection per idle timeout.
         *
         * @param connect whether to connect onward at once
         * @return this builder
         */
        public Builder connectOnAccept(boolean connect) {
            this.connectOnAccept = connect;
            return this;
        }

        /**
         * Sets how long a new connection may stay silent before it is closed (used only while
         * {@link #connectOnAccept(boolean) connectOnAccept} is off). Default 30 s.
         *
         * @param timeout 1 ms to {@link Integer#MAX_VALUE} ms
         * @return this builder
         * @throws NullPointerException if it is {@code null}
         * @throws IllegalArgumentException if it is out of range
         */
        public Builder firstByteTimeout(Duration timeout) {
            this.firstByteTimeout = socketMillis(ArgumentChecks.positive(timeout, "firstByteTimeout"), "firstByteTimeout");
            return this;
        }

        /**
         * Sets how long a tunnel client waits for the tunnel server to answer a stream it opened
         * (see {@link TunnelConfig#establishTimeout()}). Default 30 s.
         *
         * @param timeout {@link Duration#ZERO} for no wait, else positive, at most 100 years
         * @return this builder
         * @throws NullPointerException if it is {@code null}
         * @throws IllegalArgumentException if it is negative or longer than 100 years
         */
        public Builder establishTimeout(Duration timeout) {
            this.establishTimeout = ArgumentChecks.zeroOrPositive(timeout, "establishTimeout");
            return this;
        }

        /**
         * Creates the settings.
         *
         * @return immutable settings
         */
        public TunnelConfig build() {
            return new TunnelConfig(this);
        }
    }
}
