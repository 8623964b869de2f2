package dev.mixnetstreams;

import java.security.SecureRandom;

/**
 * The identifier of one stream: an unsigned 64-bit number chosen at random by the opener.
 *
 * <p>Printed as {@code StreamId(0x%016x)}, like the reference implementation; parsed and printed
 * as unsigned.
 *
 * @param value the identifier's 64 bits, read as an unsigned number
 */
public record StreamId(long value) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Returns a new identifier drawn from a {@link SecureRandom}.
     *
     * @return a random stream identifier
     */
    public static StreamId random() {
        return new StreamId(RANDOM.nextLong());
    }

    /**
     * Parses an unsigned hexadecimal identifier, with or without a {@code 0x} prefix, or the
     * {@link #toString()} form {@code StreamId(0x…)}.
     *
     * @param text one to sixteen hexadecimal digits, optionally prefixed
     * @return the identifier
     * @throws IllegalArgumentException if the text is not such a number
     */
    public static StreamId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("stream id: null");
        }
        String s = text.strip();
        if (s.startsWith("StreamId(") && s.endsWith(")")) {
            s = s.substring("StreamId(".length(), s.length() - 1);
        }
        if (s.startsWith("0x") || s.startsWith("0X")) {
            s = s.substring(2);
        }
        if (s.isEmpty() || s.length() > 16) {
            throw new IllegalArgumentException("stream id: expected 1 to 16 hex digits, got '" + text + "'");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("stream id: not hexadecimal: '" + text + "'");
            }
        }
        return new StreamId(Long.parseUnsignedLong(s, 16));
    }

    /**
     * Returns the reference's display form, {@code StreamId(0x%016x)}.
     *
     * @return for example {@code StreamId(0x0011223344556677)}
     */
    @Override
    public String toString() {
        return String.format("StreamId(0x%016x)", value);
    }
}
