package dev.mixnetstreams.nymclient;

import java.util.Objects;

/**
 * The result of decoding: either a value or the reason it is malformed, with a detail for logs.
 *
 * @param <T> {@link NymRequest} or {@link NymResponse}
 * @param value the decoded value, or {@code null} if malformed
 * @param malformed why the input is malformed, or {@code null} if it decoded
 * @param detail what exactly is wrong (empty when it decoded)
 */
public record Decoded<T>(T value, Malformed malformed, String detail) {

    /**
     * Checks that exactly one of value and reason is present.
     *
     * @param value the value or null
     * @param malformed the reason or null
     * @param detail not null
     */
    public Decoded {
        if ((value == null) == (malformed == null)) {
            throw new IllegalArgumentException("exactly one of value and malformed");
        }
        Objects.requireNonNull(detail, "detail");
    }

    static <T> Decoded<T> ok(T value) {
        return new Decoded<>(value, null, "");
    }

    static <T> Decoded<T> bad(Malformed why, String detail) {
        return new Decoded<>(null, why, detail);
    }

    /**
     * Returns whether the input decoded.
     *
     * @return {@code true} if {@link #value()} is present
     */
    public boolean isOk() {
        return value != null;
    }
}
