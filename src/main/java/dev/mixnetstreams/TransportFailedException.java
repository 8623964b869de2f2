package dev.mixnetstreams;

import java.io.IOException;

/**
 * The client's transport failed (its connection to the mixnet client was lost; see {@link MixnetTransport#onFailure}): every stream, accept and message wait of the client throws it, after handing out what was received before.
 * A transport that reconnects ({@link MixnetTransport#addConnectionListener}) fails only the streams open when its connection was lost with it.
 */
public class TransportFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, for logs
     */
    public TransportFailedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause, or for one more call that fails for the same reason.
     *
     * @param message what happened, for logs
     * @param cause the cause, or the original exception
     */
    public TransportFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
