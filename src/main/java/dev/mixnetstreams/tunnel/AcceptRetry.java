package dev.mixnetstreams.tunnel;

import java.io.IOException;
import java.time.Duration;

/**
 * What a tunnel client's accept loop does after a failed accept (the process's file-descriptor
 * limit reached, say), so that a failure that persists neither spins nor floods the log.
 *
 * <p>It pauses before the next attempt: {@link #FIRST_PAUSE} after a failure, doubling after each
 * further failure up to {@link #MAX_PAUSE}, and back to {@link #FIRST_PAUSE} once an accept
 * succeeds. It logs the first failure at warn, then at most one line per
 * {@link #WARNING_INTERVAL}, each with the number of failures not logged since the line before.
 * Confined to the accept thread.
 */
final class AcceptRetry {

    /** The pause after a first failure: 10 ms. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    /** The longest pause between attempts: 1 s. */
    static final Duration MAX_PAUSE = Duration.ofSeconds(1);
    /** At most one warning per 10 s while accepting fails. */
    static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);

    private final TunnelEnvironment environment;
    /** The pause after the next failure; confined to the accept thread. */
    private Duration nextPause = FIRST_PAUSE;
    /** Whether a warning was logged yet; confined to the accept thread. */
    private boolean warned;
    /** When the last warning was logged, on the environment's clock; confined to the accept thread. */
    private long lastWarningNanos;
    /** Failures since the last warning that were not logged; confined to the accept thread. */
    private long notLogged;

    AcceptRetry(TunnelEnvironment environment) {
        this.environment = environment;
    }

    /**
     * After a failed accept: logs it unless a warning was logged less than
     * {@link #WARNING_INTERVAL} ago (then counts it), and pauses.
     *
     * @throws InterruptedException if the pause was interrupted (the tunnel is closing)
     */
    void failed(IOException error) throws InterruptedException {
        long now = environment.nanoClock().getAsLong();
        if (!warned) {
            warned = true;
            lastWarningNanos = now;
            environment.log().warn("tunnel client: accept failed: {}; retrying with pauses of {} ms up to {} ms, "
                    + "and at most one warning per {} s while it fails", error.toString(), FIRST_PAUSE.toMillis(),
                    MAX_PAUSE.toMillis(), WARNING_INTERVAL.toSeconds());
        } else if (now - lastWarningNanos >= WARNING_INTERVAL.toNanos()) {
            lastWarningNanos = now;
            environment.log().warn("tunnel client: accept failed: {} ({} more failures not logged since the last warning)",
                    error.toString(), notLogged);
            notLogged = 0;
        } else {
            notLogged++;
        }
        Duration pause = nextPause;
        nextPause = nextPause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : nextPause.multipliedBy(2);
        environment.pause().pause(pause);
    }

    /** After an accept that succeeded: the next failure pauses {@link #FIRST_PAUSE} again. */
    void succeeded() {
        nextPause = FIRST_PAUSE;
    }

    /** Failures since the last warning that were not logged. */
    long notLogged() {
        return notLogged;
    }
}
