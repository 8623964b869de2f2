package dev.mixnetstreams;

import java.io.IOException;
import java.util.Objects;

/**
 * The stream was reset: by its peer (a peer of this library sent a RESET frame) or here (a limit
 * was exceeded, frames could not be delivered, or the application aborted it). Reads and writes
 * throw it from then on; a {@linkplain ResetReason#STOP_SENDING stop-sending} reset fails only the
 * writes, and reads deliver what the peer sent before its end.
 */
public class StreamResetException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why. */
    private final ResetReason reason;
    /** Whether the peer reset the stream (else this end did). */
    private final boolean byPeer;

    /**
     * Creates the exception.
     *
     * @param reason why the stream was reset
     * @param byPeer whether the peer reset it (else this end did)
     * @param message what happened, for logs
     */
    public StreamResetException(ResetReason reason, boolean byPeer, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.byPeer = byPeer;
    }

    /**
     * Creates the exception for one more call that fails for the same reason.
     *
     * @param original the original exception
     */
    public StreamResetException(StreamResetException original) {
        super(original.getMessage(), original);
        this.reason = original.reason;
        this.byPeer = original.byPeer;
    }

    /**
     * Returns why the stream was reset.
     *
     * @return the reason
     */
    public ResetReason reason() {
        return reason;
    }

    /**
     * Returns whether the peer reset the stream.
     *
     * @return {@code true} if the peer sent the reset, {@code false} if this end reset it
     */
    public boolean byPeer() {
        return byPeer;
    }
}
