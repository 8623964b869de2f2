package dev.mixnetstreams;

import java.util.Arrays;
import java.util.Objects;

/** The 16-byte tag under which a receiver can reply to an anonymous sender. */
public final class SenderTag {

    /** Length of a sender tag in bytes. */
    public static final int LENGTH = 16;

    private final byte[] bytes;

    private SenderTag(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Creates a tag from its 16 bytes.
     *
     * @param bytes exactly 16 bytes, copied
     * @return the tag
     * @throws IllegalArgumentException if the length is not 16
     */
    public static SenderTag fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a sender tag is 16 bytes, got " + bytes.length);
        }
        return new SenderTag(bytes.clone());
    }

    /**
     * Returns a copy of the tag's 16 bytes.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SenderTag t && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
