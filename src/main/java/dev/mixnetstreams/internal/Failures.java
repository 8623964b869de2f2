package dev.mixnetstreams.internal;

import dev.mixnetstreams.PeerUnresponsiveException;
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
        if (cause instanceof PeerUnresponsiveException) {
            return new PeerUnresponsiveException(cause.getMessage(), cause);
        }
        return new IOException(cause.getMessage(), cause);
    }
}
