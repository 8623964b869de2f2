package dev.mixnetstreams;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Nym address: client identity key (32 bytes) ‖ client encryption key (32) ‖ gateway identity
 * key (32). Text form {@code <identity>.<encryption>@<gateway>}, each part base58.
 */
public final class Recipient {

    /** Length of an address in bytes. */
    public static final int LENGTH = 96;

    private final byte[] bytes;

    private Recipient(byte[] bytes) {
        this.bytes = bytes;
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
     * Returns a copy of the address's 96 bytes.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Recipient r && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
