package dev.mixnetstreams.bench;

import java.util.ArrayDeque;
import java.util.TreeMap;

/**
 * A faithful port of the reference implementation's per-stream reorder buffer, for comparison only
 * (it has the flaws the project's {@code ReorderBuffer} fixes: a second copy of a buffered sequence
 * number replaces the first, skip-ahead silently loses data, no byte budget, no wrap-around).
 *
 * <p>Sequence numbers are keyed in a sorted map; {@code next} starts at 0. An insert below
 * {@code next} is dropped; otherwise the message is put in the map, and if more than 256 are
 * buffered, {@code next} jumps to the lowest buffered one; then every message from {@code next}
 * on that is present is moved, in order, to the delivered queue.
 */
public final class ReferenceReorderBuffer {

    /** The reference's limit on buffered out-of-order messages. */
    public static final int MAX_BUFFERED = 256;

    private final TreeMap<Long, byte[]> buffer = new TreeMap<>();
    private final ArrayDeque<byte[]> delivered = new ArrayDeque<>();
    private long next;

    /** Creates an empty buffer expecting sequence number 0. */
    public ReferenceReorderBuffer() {
    }

    /**
     * Inserts one message, delivering what becomes contiguous.
     *
     * @param seq its sequence number
     * @param data its payload
     */
    public void insert(long seq, byte[] data) {
        if (seq < next) {
            return;                                   // duplicate or late: dropped
        }
        buffer.put(seq, data);                        // a second copy replaces the first
        if (buffer.size() > MAX_BUFFERED) {
            next = buffer.firstKey();                 // skip-ahead
        }
        byte[] ready;
        while ((ready = buffer.remove(next)) != null) {
            delivered.addLast(ready);
            next++;
        }
    }

    /**
     * Returns the next delivered payload.
     *
     * @return the payload, or {@code null} if none is ready
     */
    public byte[] poll() {
        return delivered.pollFirst();
    }
}
