package dev.mixnetstreams.tunnel;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a tunnel end, checked when made. Start from {@link #defaults()} and change what
 * differs:
 * <pre>{@code
 * TunnelConfig config = TunnelConfig.defaults().withMaxConnections(64).withIdleTimeout(Duration.ofMinutes(5));
 * }</pre>
 *
 * @param maxConnections connections served at once; one more is refused at once (its TCP
 *     connection or stream is closed) and counted as {@link TunnelFailure#OVER_LIMIT}
 * @param connectTimeout how long a tunnel server waits for its upstream to accept a connection
 *     (unused by a tunnel client); positive, at most {@link Integer#MAX_VALUE} ms
 * @param idleTimeout a connection on which nothing moved either way for this long is closed and
 *     counted as {@link TunnelFailure#IDLE_TIMEOUT}; {@link Duration#ZERO} for no limit
 * @param bufferSize bytes copied at once in each direction of each connection; each read from TCP
 *     becomes one stream write (one Data frame) of at most this size
 */
public record TunnelConfig(int maxConnections, Duration connectTimeout, Duration idleTimeout, int bufferSize) {

    /** Default limit on concurrent connections: 256. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** Default upstream connect timeout: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default idle timeout: none ({@link Duration#ZERO}); the streams' own idle timeout still applies. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ZERO;
    /** Default copy buffer per direction: 32 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = 32 * 1024;
    /** Largest copy buffer allowed: 1 MiB, the streams' default largest frame payload. */
    public static final int MAX_BUFFER_SIZE = 1 << 20;

    /**
     * Checks the settings.
     *
     * @param maxConnections at least 1
     * @param connectTimeout positive, at most {@link Integer#MAX_VALUE} ms
     * @param idleTimeout zero (no limit) or at least 1 ms
     * @param bufferSize 1 to {@link #MAX_BUFFER_SIZE}
     * @throws IllegalArgumentException if a value is out of range
     */
    public TunnelConfig {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        }
        if (connectTimeout.toMillis() < 1 || connectTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("connectTimeout must be between 1 ms and " + Integer.MAX_VALUE + " ms: " + connectTimeout);
        }
        if (idleTimeout.isNegative() || (!idleTimeout.isZero() && idleTimeout.toMillis() < 1)
                || idleTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("idleTimeout must be zero or between 1 ms and " + Integer.MAX_VALUE + " ms: " + idleTimeout);
        }
        if (bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException("bufferSize must be between 1 and " + MAX_BUFFER_SIZE + ": " + bufferSize);
        }
    }

    /**
     * Returns the default settings.
     *
     * @return {@value #DEFAULT_MAX_CONNECTIONS} connections, a 10 s connect timeout, no idle
     *     timeout, 32 KiB buffers
     */
    public static TunnelConfig defaults() {
        return new TunnelConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_BUFFER_SIZE);
    }

    /**
     * Returns these settings with another connection limit.
     *
     * @param max at least 1
     * @return the new settings
     */
    public TunnelConfig withMaxConnections(int max) {
        return new TunnelConfig(max, connectTimeout, idleTimeout, bufferSize);
    }

    /**
     * Returns these settings with another upstream connect timeout.
     *
     * @param timeout positive
     * @return the new settings
     */
    public TunnelConfig withConnectTimeout(Duration timeout) {
        return new TunnelConfig(maxConnections, timeout, idleTimeout, bufferSize);
    }

    /**
     * Returns these settings with another idle timeout.
     *
     * @param timeout zero for none, else at least 1 ms
     * @return the new settings
     */
    public TunnelConfig withIdleTimeout(Duration timeout) {
        return new TunnelConfig(maxConnections, connectTimeout, timeout, bufferSize);
    }

    /**
     * Returns these settings with another copy buffer size.
     *
     * @param size 1 to {@link #MAX_BUFFER_SIZE}
     * @return the new settings
     */
    public TunnelConfig withBufferSize(int size) {
        return new TunnelConfig(maxConnections, connectTimeout, idleTimeout, size);
    }
}
