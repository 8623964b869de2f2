package dev.mixnetstreams.internal;

import dev.mixnetstreams.ClientClosedException;
import dev.mixnetstreams.PeerUnresponsiveException;
import dev.mixnetstreams.StreamIdleTimeoutException;
import dev.mixnetstreams.StreamResetException;
import dev.mixnetstreams.TransportFailedException;
import java.io.IOException;

/** How the reason a stream ended is thrown again, by every read or write that meets it. */
public final class Failures {

    private Failures() {
    }

    /**
     * Returns a new exception for one more call that fails because of {@code cause}: of the same
     * type when it is one of the library's typed failures (so callers can tell the causes apart),
     * else a plain {@link IOException}, with the same message and {@code cause} as its cause.
     *
     * @param cause why the stream ended
     * @return the exception to throw now
     */
    public static IOException again(IOException cause) {
        return switch (cause) {
            case StreamResetException reset -> new StreamResetException(reset);
            case PeerUnresponsiveException e -> new PeerUnresponsiveException(e.getMessage(), e);
            case StreamIdleTimeoutException e -> new StreamIdleTimeoutException(e.getMessage(), e);
            case TransportFailedException e -> new TransportFailedException(e.getMessage(), e);
            case ClientClosedException e -> new ClientClosedException(e.getMessage(), e);
            default -> new IOException(cause.getMessage(), cause);
        };
    }
}
