package dev.mixnetstreams.tunnel;

/** Why a tunnelled connection failed or was refused; {@link TunnelStats} counts each. */
public enum TunnelFailure {
    /**
     * The limit on concurrent connections was reached and nothing could make room: the new
     * connection (tunnel client) or stream was closed at once.
     */
    OVER_LIMIT("over the connection limit"),
    /**
     * The limit on concurrent connections was reached when a new stream came in, and this
     * connection was the longest idle: it was closed to make room (tunnel server).
     */
    EVICTED_IDLE("evicted as the longest idle at the connection limit"),
    /**
     * Nothing arrived from the accepted side within {@link TunnelConfig#firstByteTimeout()} (the
     * stream on a tunnel server, the local TCP connection on a tunnel client): the connection was
     * closed without connecting onward.
     */
    FIRST_BYTE_TIMEOUT("no first byte within the first-byte timeout"),
    /** The upstream refused the connection (tunnel server). */
    UPSTREAM_REFUSED("upstream refused the connection"),
    /** Connecting to the upstream took longer than the connect timeout (tunnel server). */
    UPSTREAM_CONNECT_TIMEOUT("upstream connect timed out"),
    /** Connecting to the upstream failed otherwise: unreachable, unresolved (tunnel server). */
    UPSTREAM_UNREACHABLE("upstream unreachable"),
    /** The stream could not be opened (tunnel client): the mixnet client is closed or its transport failed. */
    STREAM_OPEN_FAILED("stream could not be opened"),
    /**
     * The tunnel server did not answer the stream within {@link TunnelConfig#establishTimeout()}
     * (tunnel client): nobody serves that address, or its nym-client is away. The local
     * connection was reset.
     */
    NOT_ESTABLISHED("the tunnel server did not answer within the establish timeout"),
    /** Reading or writing the stream failed: data lost, stream reset or reaped, mixnet client closed. */
    STREAM_FAILED("stream failed"),
    /** Reading or writing the TCP connection failed: reset by the peer, broken pipe. */
    TCP_FAILED("TCP connection failed"),
    /** Nothing moved either way for longer than the idle timeout. */
    IDLE_TIMEOUT("idle timeout");

    private final String description;

    TunnelFailure(String description) {
        this.description = description;
    }

    /**
     * Returns a short description for logs and summaries.
     *
     * @return the description, e.g. "upstream refused the connection"
     */
    public String description() {
        return description;
    }
}
