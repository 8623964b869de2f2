package dev.mixnetstreams;

import java.io.IOException;

/**
 * The stream's peer stopped answering: it showed that it speaks keepalive (it sent an OpenAck, a
 * Ping or a Pong), then let {@link MixnetClient.Builder#keepaliveInterval(java.time.Duration)}
 * pass without any frame and left three Pings that actually went out unanswered. Reads (after the
 * bytes already received) and writes of the stream throw it from then on; the stream does not
 * come back, even if the peer speaks again.
 */
public class PeerUnresponsiveException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was seen, for logs
     */
    public PeerUnresponsiveException(String message) {
        super(message);
    }

    /**
     * Creates the exception for one more call that fails for the same reason.
     *
     * @param message the original's message
     * @param cause the original exception
     */
    public PeerUnresponsiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
