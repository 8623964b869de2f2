package dev.mixnetstreams;

import dev.mixnetstreams.internal.Base58;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The 16-byte tag under which a receiver can reply to an anonymous sender. Text form: base58
 * (Bitcoin alphabet) of the 16 bytes.
 *
 * <p>Instances are immutable; {@link #toBytes()} returns a fresh copy.
 */
public final class SenderTag {

    /** Length of a sender tag in bytes. */
    public static final int LENGTH = 16;

    private final byte[] bytes;
    /** {@code Arrays.hashCode(bytes)}, computed once: replies are routed by tag per message. */
    private final int hash;

    private SenderTag(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
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
     * Parses the base58 text form.
     *
     * @param text base58 of exactly 16 bytes, with no surrounding whitespace
     * @return the tag
     * @throws IllegalArgumentException if the text is {@code null}, empty, holds a character
     *     outside the base58 alphabet (the message names it and its index) or does not decode to
     *     16 bytes
     */
    public static SenderTag parse(String text) {
        return new SenderTag(Base58.decode(text, LENGTH, "sender tag"));
    }

    /**
     * Creates a random tag.
     *
     * @param random where the 16 bytes come from
     * @return a new tag
     */
    public static SenderTag random(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        byte[] bytes = new byte[LENGTH];
        random.nextBytes(bytes);
        return new SenderTag(bytes);
    }

    /**
     * Returns a copy of the tag's 16 bytes.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /**
     * Returns the base58 text form, which {@link #parse} reads back.
     *
     * @return for example {@code zXExeyvPEHUk9rjXTu78T} for sixteen 0x08 bytes
     */
    @Override
    public String toString() {
        return Base58.encode(bytes);
    }

    /**
     * Compares the 16 bytes.
     *
     * @param o another object
     * @return whether {@code o} is a tag with the same bytes
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof SenderTag t && t.hash == hash && Arrays.equals(bytes, t.bytes);
    }

    /**
     * Hashes the 16 bytes.
     *
     * @return a hash consistent with {@link #equals}
     */
    @Override
    public int hashCode() {
        return hash;
    }
}
