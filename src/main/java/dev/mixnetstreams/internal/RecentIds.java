package dev.mixnetstreams.internal;

/**
 * A bounded record of recently closed stream ids, oldest first, each with the time it was added:
 * what lets a client tell late frames of a closed stream from early frames of a new one, and refuse
 * a replayed Open, without keeping the closed stream itself. About 24 bytes an id (a ring of ids
 * and times, and an open-addressing index into it); when full, the oldest id is forgotten first.
 *
 * <p>Not thread-safe: one owner (the client's router) uses it.
 */
public final class RecentIds {

    private static final int INITIAL_CAPACITY = 16;

    private final int maxIds;
    /** The ring: ids and the times they were added, oldest at {@link #head}. */
    private long[] ids;
    private long[] addedNanos;
    private int head;
    private int size;
    /** Open addressing with linear probing: ring slot + 1 of the id hashed here, 0 if free. */
    private int[] index;

    /**
     * Creates an empty record.
     *
     * @param maxIds ids kept at most (at least 1); adding one more forgets the oldest
     * @throws IllegalArgumentException if {@code maxIds} is below 1
     */
    public RecentIds(int maxIds) {
        this.maxIds = ArgumentChecks.positive(maxIds, "maxIds");
        allocate(Math.min(maxIds, INITIAL_CAPACITY));
    }

    /**
     * Returns whether an id is recorded.
     *
     * @param id the id
     * @return {@code true} if it was added and is neither expired nor forgotten
     */
    public boolean contains(long id) {
        return find(id) >= 0;
    }

    /**
     * Records an id, forgetting the oldest if the record is full. An id already recorded is left
     * as it is.
     *
     * @param id the id
     * @param nanos when, on the {@link System#nanoTime()} clock
     */
    public void add(long id, long nanos) {
        if (contains(id)) {
            return;
        }
        if (size == ids.length) {
            if (ids.length < maxIds) {
                grow();
            } else {
                removeOldest();
            }
        }
        int slot = (head + size) % ids.length;
        ids[slot] = id;
        addedNanos[slot] = nanos;
        size++;
        int i = home(id);
        while (index[i] != 0) {
            i = (i + 1) & (index.length - 1);
        }
        index[i] = slot + 1;
    }

    /**
     * Forgets every id added more than {@code maxAgeNanos} before {@code now}.
     *
     * @param now the time now, on the {@link System#nanoTime()} clock
     * @param maxAgeNanos how long an id is kept
     */
    public void expire(long now, long maxAgeNanos) {
        while (size > 0 && now - addedNanos[head] > maxAgeNanos) {
            removeOldest();
        }
    }

    /**
     * Returns how many ids are recorded.
     *
     * @return the count, at most the {@code maxIds} given at construction
     */
    public int size() {
        return size;
    }

    private void allocate(int capacity) {
        ids = new long[capacity];
        addedNanos = new long[capacity];
        index = new int[Integer.highestOneBit(capacity) << 2]; // at most half full
    }

    private void grow() {
        long[] oldIds = ids;
        long[] oldTimes = addedNanos;
        int oldHead = head;
        int count = size;
        allocate(Math.min(maxIds, oldIds.length * 2));
        head = 0;
        size = 0;
        for (int k = 0; k < count; k++) {
            int from = (oldHead + k) % oldIds.length;
            add(oldIds[from], oldTimes[from]);
        }
    }

    private void removeOldest() {
        int at = find(ids[head]);
        deleteAt(at);
        head = (head + 1) % ids.length;
        size--;
    }

    /** The index position holding {@code id}, or -1. */
    private int find(long id) {
        int mask = index.length - 1;
        for (int i = home(id); index[i] != 0; i = (i + 1) & mask) {
            if (ids[index[i] - 1] == id) {
                return i;
            }
        }
        return -1;
    }

    /** Removes an index entry, shifting back the entries of its probe run that would be cut off. */
    private void deleteAt(int hole) {
        int mask = index.length - 1;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (index[j] == 0) {
                break;
            }
            int want = home(ids[index[j] - 1]);
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            boolean homeBetween = hole <= j ? hole < want && want <= j : hole < want || want <= j;
            if (!homeBetween) {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
    }

    private int home(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & (index.length - 1);
    }
}
