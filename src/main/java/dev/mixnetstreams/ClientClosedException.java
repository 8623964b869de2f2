package dev.mixnetstreams;

import java.io.IOException;

/**
 * The client was closed ({@link MixnetClient#close()}): every read, write, accept and message wait of its streams, its listener and message mode throws it from then on.
 */
public class ClientClosedException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, for logs
     */
    public ClientClosedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause, or for one more call that fails for the same reason.
     *
     * @param message what happened, for logs
     * @param cause the cause, or the original exception
     */
    public ClientClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
