package dev.mixnetstreams.tunnel;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of a tunnel end's counters. The counters are read one after the other, so while
 * connections are moving a snapshot may be slightly inconsistent.
 *
 * @param activeConnections connections being served now (set up, copying or closing)
 * @param totalConnections connections admitted since the start (those refused over the limit are
 *     not admitted; they are counted in {@code failures} as {@link TunnelFailure#OVER_LIMIT}; those
 *     evicted to make room were admitted, and are counted as {@link TunnelFailure#EVICTED_IDLE})
 * @param tcpToMixnetBytes bytes read from TCP and written to streams (the local applications'
 *     bytes on a tunnel client, the upstream's on a tunnel server)
 * @param mixnetToTcpBytes bytes read from streams and written to TCP
 * @param failures failed or refused connections by cause; every cause is present, most are 0
 */
public record TunnelStats(long activeConnections, long totalConnections, long tcpToMixnetBytes,
                          long mixnetToTcpBytes, Map<TunnelFailure, Long> failures) {

    /**
     * Checks and copies the values.
     *
     * @param activeConnections connections being served now
     * @param totalConnections connections admitted since the start
     * @param tcpToMixnetBytes bytes from TCP to streams
     * @param mixnetToTcpBytes bytes from streams to TCP
     * @param failures failures by cause; copied, missing causes count 0
     */
    public TunnelStats {
        EnumMap<TunnelFailure, Long> copy = new EnumMap<>(TunnelFailure.class);
        for (TunnelFailure cause : TunnelFailure.values()) {
            copy.put(cause, failures.getOrDefault(cause, 0L));
        }
        failures = Collections.unmodifiableMap(copy);
    }

    /**
     * Returns how many connections failed for one cause.
     *
     * @param cause the cause
     * @return the count
     */
    public long failures(TunnelFailure cause) {
        return failures.get(cause);
    }

    /**
     * Returns how many connections failed or were refused, whatever the cause.
     *
     * @return the sum over every cause
     */
    public long failuresTotal() {
        long sum = 0;
        for (long n : failures.values()) {
            sum += n;
        }
        return sum;
    }

    /**
     * Returns a one-line summary, e.g.
     * {@code connections=3 active=0 tcp->mixnet=120 mixnet->tcp=5242880 failures=1 (upstream_refused=1)}.
     *
     * @return the summary
     */
    public String summary() {
        StringBuilder sb = new StringBuilder()
                .append("connections=").append(totalConnections)
                .append(" active=").append(activeConnections)
                .append(" tcp->mixnet=").append(tcpToMixnetBytes)
                .append(" mixnet->tcp=").append(mixnetToTcpBytes)
                .append(" failures=").append(failuresTotal());
        String sep = " (";
        for (Map.Entry<TunnelFailure, Long> e : failures.entrySet()) {
            if (e.getValue() > 0) {
                sb.append(sep).append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append('=').append(e.getValue());
                sep = ", ";
            }
        }
        if (!" (".equals(sep)) {
            sb.append(')');
        }
        return sb.toString();
    }
}
