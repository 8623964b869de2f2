package dev.mixnetstreams;

import dev.mixnetstreams.internal.Base58;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A Nym address: client identity key (32 bytes) ‖ client encryption key (32) ‖ gateway identity
 * key (32). Text form {@code <identity>.<encryption>@<gateway>}, each part base58 (Bitcoin
 * alphabet) of exactly 32 bytes.
 *
 * <p>Instances are immutable; every accessor returns a fresh copy.
 */
public final class Recipient {

    /** Length of an address in bytes. */
    public static final int LENGTH = 96;

    /** Length of each of the three keys in an address, in bytes. */
    public static final int KEY_LENGTH = 32;

    private final byte[] bytes;
    /** {@code Arrays.hashCode(bytes)}, computed once: transports look addresses up per message. */
    private final int hash;

    /** The text form, computed on first use (racy but benign: Strings are immutable). */
    private String text;

    private Recipient(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /**
     * Creates an address from its 96 bytes.
     *
     * @param bytes exactly 96 bytes, copied
     * @return the address
     * @throws IllegalArgumentException if the length is not 96
     */
    public static Recipient fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a Nym address is 96 bytes, got " + bytes.length);
        }
        return new Recipient(bytes.clone());
    }

    /**
     * Parses the text form {@code <identity>.<encryption>@<gateway>}. The text must be exactly
     * that: no surrounding whitespace, one {@code '.'} before one {@code '@'}, and each of the
     * three parts base58 of exactly 32 bytes.
     *
     * @param text the address text
     * @return the address
     * @throws IllegalArgumentException if the text is {@code null} or not such an address; the
     *     message says what is wrong (a missing separator, a bad character and its position, or a
     *     part of the wrong length)
     */
    public static Recipient parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Nym address: null");
        }
        int at = text.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException(
                    "Nym address: missing '@' before the gateway key in '" + text + "'"
                            + " (expected <identity>.<encryption>@<gateway>)");
        }
        if (text.indexOf('@', at + 1) >= 0) {
            throw new IllegalArgumentException("Nym address: more than one '@' in '" + text + "'");
        }
        int dot = text.indexOf('.');
        if (dot < 0 || dot > at) {
            throw new IllegalArgumentException(
                    "Nym address: missing '.' between the identity and encryption keys in '" + text + "'"
                            + " (expected <identity>.<encryption>@<gateway>)");
        }
        if (text.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException("Nym address: more than one '.' in '" + text + "'");
        }
        byte[] identity = part(text.substring(0, dot), "identity key", 0);
        byte[] encryption = part(text.substring(dot + 1, at), "encryption key", dot + 1);
        byte[] gateway = part(text.substring(at + 1), "gateway identity key", at + 1);
        byte[] bytes = new byte[LENGTH];
        System.arraycopy(identity, 0, bytes, 0, KEY_LENGTH);
        System.arraycopy(encryption, 0, bytes, KEY_LENGTH, KEY_LENGTH);
        System.arraycopy(gateway, 0, bytes, 2 * KEY_LENGTH, KEY_LENGTH);
        Recipient r = new Recipient(bytes);
        r.text = text;
        return r;
    }

    private static byte[] part(String part, String what, int offset) {
        try {
            return Base58.decode(part, KEY_LENGTH, what);
        } catch (IllegalArgumentException e) {
            String where = offset == 0 ? "" : " (part starts at index " + offset + " of the address)";
            throw new IllegalArgumentException("Nym address: " + e.getMessage() + where, e);
        }
    }

    /**
     * Creates a random, well-formed address (for simulations and tests; the keys are random
     * bytes, not real key pairs).
     *
     * @param random where the 96 bytes come from
     * @return a new address
     */
    public static Recipient random(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        byte[] bytes = new byte[LENGTH];
        random.nextBytes(bytes);
        return new Recipient(bytes);
    }

    /**
     * Returns a copy of the address's 96 bytes.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /**
     * Returns a copy of the client identity key, the first 32 bytes.
     *
     * @return the identity key
     */
    public byte[] identityKey() {
        return Arrays.copyOfRange(bytes, 0, KEY_LENGTH);
    }

    /**
     * Returns a copy of the client encryption key, the middle 32 bytes.
     *
     * @return the encryption key
     */
    public byte[] encryptionKey() {
        return Arrays.copyOfRange(bytes, KEY_LENGTH, 2 * KEY_LENGTH);
    }

    /**
     * Returns a copy of the gateway identity key, the last 32 bytes.
     *
     * @return the gateway's identity key
     */
    public byte[] gatewayIdentityKey() {
        return Arrays.copyOfRange(bytes, 2 * KEY_LENGTH, LENGTH);
    }

    /**
     * Returns the text form {@code <identity>.<encryption>@<gateway>}, which {@link #parse}
     * reads back.
     *
     * @return the address text
     */
    @Override
    public String toString() {
        String s = text;
        if (s == null) {
            s = Base58.encode(identityKey()) + "." + Base58.encode(encryptionKey()) + "@"
                    + Base58.encode(gatewayIdentityKey());
            text = s;
        }
        return s;
    }

    /**
     * Compares the 96 bytes.
     *
     * @param o another object
     * @return whether {@code o} is an address with the same bytes
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Recipient r && r.hash == hash && Arrays.equals(bytes, r.bytes);
    }

    /**
     * Hashes the 96 bytes.
     *
     * @return a hash consistent with {@link #equals}
     */
    @Override
    public int hashCode() {
        return hash;
    }
}
