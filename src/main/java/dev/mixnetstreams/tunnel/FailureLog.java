package dev.mixnetstreams.tunnel;

import java.time.Duration;
import java.util.EnumMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a tunnel end logs its connections' failures, so that many failing alike (every connection
 * while its nym-client is away, or while the upstream is down) do not flood the log: the first
 * failure of a cause is logged at warn, then at most one per {@link #WARNING_INTERVAL} for that
 * cause, each with the number of like failures since the one before, which are logged at debug.
 * Every failure is counted in {@link TunnelStats} all the same.
 *
 * <p>Thread-safe: {@link #lock} guards the per-cause state; nothing is logged under it.
 */
final class FailureLog {

    /** At most one warning per cause per 10 s. */
    static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);

    private final TunnelEnvironment environment;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: per cause, when it was last warned of (the environment's clock). */
    private final EnumMap<TunnelFailure, Long> lastWarning = new EnumMap<>(TunnelFailure.class);
    /** Guarded by {@link #lock}: per cause, failures logged at debug since its last warning. */
    private final EnumMap<TunnelFailure, Long> sinceWarning = new EnumMap<>(TunnelFailure.class);

    FailureLog(TunnelEnvironment environment) {
        this.environment = environment;
    }

    /**
     * Logs one connection's failure: at warn, unless its cause was warned of less than {@link
     * #WARNING_INTERVAL} ago (then at debug, counted into the next warning).
     *
     * @param label the connection, as logs name it
     * @param cause why it failed
     * @param error the error, if any
     */
    void failed(String label, TunnelFailure cause, Throwable error) {
        long now = environment.nanoClock().getAsLong();
        long alike;
        lock.lock();
        try {
            Long last = lastWarning.get(cause);
            if (last != null && now - last < WARNING_INTERVAL.toNanos()) {
                sinceWarning.merge(cause, 1L, Long::sum);
                alike = -1;
            } else {
                lastWarning.put(cause, now);
                Long since = sinceWarning.remove(cause);
                alike = since == null ? 0 : since;
            }
        } finally {
            lock.unlock();
        }
        if (alike < 0) {
            environment.log().debug("{}: {}: {}", label, cause.description(), String.valueOf(error));
        } else if (alike == 0) {
            environment.log().warn("{}: {}: {}", label, cause.description(), String.valueOf(error));
        } else {
            environment.log().warn("{}: {}: {} ({} more connection(s) failed so since the last such warning, logged at"
                    + " debug)", label, cause.description(), String.valueOf(error), alike);
        }
    }
}
