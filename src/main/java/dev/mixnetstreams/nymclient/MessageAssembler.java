package dev.mixnetstreams.nymclient;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Puts together a binary WebSocket message that arrives in parts, up to a limit: a message larger
 * than the limit is not kept (its parts are skipped as they come) and is reported as such when its
 * last part arrives. A message that arrives whole is copied once, straight from its buffer.
 *
 * <p>Not thread-safe: the WebSocket's listener, which the JDK calls one callback at a time, owns
 * it.
 */
final class MessageAssembler {

    private static final byte[] NOTHING = new byte[0];

    private final int maxBytes;
    /** The parts so far, in {@code [0, length)}; grows by doubling up to {@link #maxBytes}. */
    private byte[] parts = NOTHING;
    private int length;
    /** The message in progress exceeds {@link #maxBytes}: its parts are skipped. */
    private boolean tooLarge;

    MessageAssembler(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Adds a part that is not the last. */
    void add(ByteBuffer part) {
        int n = part.remaining();
        if (tooLarge || n > maxBytes - length) {
            tooLarge = true;
            return;
        }
        if (parts.length - length < n) {
            int capacity = (int) Math.min(maxBytes, Math.max(length + (long) n, parts.length * 2L));
            parts = Arrays.copyOf(parts, capacity);
        }
        part.get(parts, length, n);
        length += n;
    }

    /**
     * Adds the last part and returns the whole message; the assembler is then ready for the next.
     *
     * @return the message, or {@code null} if it exceeds the limit
     */
    byte[] finish(ByteBuffer lastPart) {
        if (length == 0 && !tooLarge) { // the whole message in one part
            if (lastPart.remaining() > maxBytes) {
                return null;
            }
            byte[] whole = new byte[lastPart.remaining()];
            lastPart.get(whole);
            return whole;
        }
        add(lastPart);
        byte[] whole = tooLarge ? null : Arrays.copyOf(parts, length);
        parts = NOTHING;
        length = 0;
        tooLarge = false;
        return whole;
    }
}
