package dev.mixnetstreams.tunnel;

/** Why a tunnelled connection failed or was refused; {@link TunnelStats} counts each. */
public enum TunnelFailure {
    /** The limit on concurrent connections was reached: the new connection or stream was closed at once. */
    OVER_LIMIT("over the connection limit"),
    /** The upstream refused the connection (tunnel server). */
    UPSTREAM_REFUSED("upstream refused the connection"),
    /** Connecting to the upstream took longer than the connect timeout (tunnel server). */
    UPSTREAM_CONNECT_TIMEOUT("upstream connect timed out"),
    /** Connecting to the upstream failed otherwise: unreachable, unresolved (tunnel server). */
    UPSTREAM_UNREACHABLE("upstream unreachable"),
    /** The stream could not be opened (tunnel client): the mixnet client is closed or its transport failed. */
    STREAM_OPEN_FAILED("stream could not be opened"),
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
