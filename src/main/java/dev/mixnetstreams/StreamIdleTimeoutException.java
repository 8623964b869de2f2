package dev.mixnetstreams;

import java.io.IOException;

/**
 * The stream carried no traffic either way for the client's idle timeout ({@link MixnetClient.Builder#streamIdleTimeout(java.time.Duration)}) and the client closed it: its reader gets what was received, then this, never a silent end of stream; writes throw it.
 */
public class StreamIdleTimeoutException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, for logs
     */
    public StreamIdleTimeoutException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause, or for one more call that fails for the same reason.
     *
     * @param message what happened, for logs
     * @param cause the cause, or the original exception
     */
    public StreamIdleTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
