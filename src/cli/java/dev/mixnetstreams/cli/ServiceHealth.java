package dev.mixnetstreams.cli;

import dev.mixnetstreams.MixnetClient;
import dev.mixnetstreams.MixnetTransport;
import dev.mixnetstreams.nymclient.NymClientTransport;
import dev.mixnetstreams.nymclient.NymResponse;
import dev.mixnetstreams.tunnel.TunnelStats;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The health of a tunnel service ({@code tunnel-server}, {@code tunnel-client}), for its periodic
 * summary and its last line: how long it has run, whether its nym-client is connected and how
 * often it came back, its connections and open streams, and the last error (a lost connection to
 * nym-client, or an Error nym-client answered) with how long ago it came.
 *
 * <p>Thread-safe: the parts are set once, before the service runs, and read by whoever prints;
 * the last error is an atomic reference, written by the transport's threads.
 */
final class ServiceHealth implements MixnetTransport.ConnectionListener {

    /** An error and when it came ({@link System#nanoTime()}). */
    private record Problem(String message, long atNanos) {
    }

    private final long startedNanos = System.nanoTime();
    private final AtomicReference<Problem> lastError = new AtomicReference<>();
    /** Set once by {@link #attach}, before the service runs. */
    private volatile NymClientTransport transport;
    /** Set once by {@link #attach}, before the service runs. */
    private volatile MixnetClient client;
    /** Set once by {@link #tunnel}, before the service runs. */
    private volatile Supplier<TunnelStats> tunnel;

    /** The nym-client transport and the mixnet client the service runs on. */
    void attach(NymClientTransport nymTransport, MixnetClient mixnetClient) {
        this.transport = nymTransport;
        this.client = mixnetClient;
    }

    /** Where the service's tunnel counters come from. */
    void tunnel(Supplier<TunnelStats> stats) {
        this.tunnel = stats;
    }

    @Override
    public void connectionLost(IOException cause) {
        record(cause.getMessage());
    }

    @Override
    public void connectionRestored() {
        // counted by the transport
    }

    /** nym-client answered with an Error (the transport logs it). */
    void nymError(NymResponse.Error error) {
        record("nym-client answered with an error, " + NymResponse.Error.kindName(error.kind()) + ": " + error.message());
    }

    private void record(String message) {
        lastError.set(new Problem(message, System.nanoTime()));
    }

    /** The nym-client transport the service runs on ({@code null} before {@link #attach}). */
    NymClientTransport transport() {
        return transport;
    }

    /**
     * Returns whether the service's nym-client is connected now.
     *
     * @return {@code false} while the transport reconnects, and once it failed
     */
    boolean nymClientConnected() {
        NymClientTransport t = transport;
        return t != null && t.isConnected();
    }

    /**
     * Returns the health in one line, e.g. {@code up 2h03m; nym-client connected, 3 reconnections;
     * connections=12 active=1 tcp->mixnet=2048 mixnet->tcp=1048576 failures=2 (stream_failed=2);
     * open streams=1; last error 41m12s ago: nym-client at ws://127.0.0.1:1977 closed the
     * connection (status 1006)}.
     *
     * @return the summary
     */
    String summary() {
        long now = System.nanoTime();
        StringBuilder sb = new StringBuilder("up ").append(compact(Duration.ofNanos(now - startedNanos)));
        NymClientTransport t = transport;
        if (t != null) {
            sb.append("; nym-client ");
            Optional<Duration> away = t.disconnectedFor();
            if (t.isConnected()) {
                sb.append("connected");
            } else if (t.failure().isPresent()) {
                sb.append("gone");
            } else if (away.isPresent()) {
                sb.append("away for ").append(compact(away.get())).append(", reconnecting");
            } else {
                sb.append("closed");
            }
            long reconnections = t.stats().reconnections();
            sb.append(", ").append(reconnections).append(reconnections == 1 ? " reconnection" : " reconnections");
        }
        Supplier<TunnelStats> stats = tunnel;
        if (stats != null) {
            sb.append("; ").append(stats.get().summary());
        }
        MixnetClient c = client;
        if (c != null) {
            sb.append("; open streams=").append(c.stats().openStreams());
        }
        Problem last = lastError.get();
        sb.append("; last error ");
        if (last == null) {
            sb.append("none");
        } else {
            sb.append(compact(Duration.ofNanos(now - last.atNanos()))).append(" ago: ").append(last.message());
        }
        return sb.toString();
    }

    /** A duration in the largest two units: {@code 0s}, {@code 42s}, {@code 4m12s}, {@code 2h03m}, {@code 3d04h}. */
    static String compact(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h" + String.format(Locale.ROOT, "%02d", s % 3600 / 60) + "m";
        }
        return s / 86_400 + "d" + String.format(Locale.ROOT, "%02d", s % 86_400 / 3600) + "h";
    }
}
