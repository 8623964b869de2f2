package dev.mixnetstreams.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * Base58 with the Bitcoin alphabet, as Nym uses it for keys, addresses and sender tags.
 *
 * <p>Every leading zero byte is written as a leading {@code '1'} and every leading {@code '1'}
 * reads back as a zero byte, so encoding and decoding are exact inverses for any byte array
 * (including the empty one, which is the empty string).
 *
 * <p>The algorithm is the plain quadratic base conversion; it is meant for short inputs such as
 * 16- or 32-byte keys, not for bulk data.
 */
public final class Base58 {

    /** The Bitcoin base58 alphabet: no {@code 0}, {@code O}, {@code I} or {@code l}. */
    public static final String ALPHABET =
            "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static final char[] DIGITS = ALPHABET.toCharArray();
    private static final int[] INDEXES = new int[128];

    static {
        Arrays.fill(INDEXES, -1);
        for (int i = 0; i < DIGITS.length; i++) {
            INDEXES[DIGITS[i]] = i;
        }
    }

    private Base58() {}

    /**
     * Encodes bytes as base58.
     *
     * @param input the bytes, not changed
     * @return the base58 text; one {@code '1'} per leading zero byte
     */
    public static String encode(byte[] input) {
        Objects.requireNonNull(input, "input");
        int zeros = 0;
        while (zeros < input.length && input[zeros] == 0) {
            zeros++;
        }
        // log(256) / log(58) < 1.37: enough digits for the rest of the number.
        char[] out = new char[zeros + (input.length - zeros) * 137 / 100 + 1];
        byte[] digits = new byte[out.length]; // base58 digits, little-endian
        int used = 0;
        for (int i = zeros; i < input.length; i++) {
            int carry = input[i] & 0xFF;
            for (int j = 0; j < used; j++) {
                carry += (digits[j] & 0xFF) << 8;
                digits[j] = (byte) (carry % 58);
                carry /= 58;
            }
            while (carry > 0) {
                digits[used++] = (byte) (carry % 58);
                carry /= 58;
            }
        }
        int pos = 0;
        for (int i = 0; i < zeros; i++) {
            out[pos++] = '1';
        }
        for (int j = used - 1; j >= 0; j--) {
            out[pos++] = DIGITS[digits[j]];
        }
        return new String(out, 0, pos);
    }

    /**
     * Decodes base58 text.
     *
     * @param text the base58 text; the empty string decodes to no bytes
     * @return the bytes; one zero byte per leading {@code '1'}
     * @throws IllegalArgumentException if the text is {@code null} or holds a character outside
     *     the alphabet (the message names the character and its index)
     */
    public static byte[] decode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("base58: text is null");
        }
        int zeros = 0;
        while (zeros < text.length() && text.charAt(zeros) == '1') {
            zeros++;
        }
        // log(58) / log(256) < 0.733: enough bytes for the rest of the number.
        byte[] bytes = new byte[(text.length() - zeros) * 733 / 1000 + 1]; // little-endian
        int used = 0;
        for (int i = zeros; i < text.length(); i++) {
            char c = text.charAt(i);
            int digit = c < 128 ? INDEXES[c] : -1;
            if (digit < 0) {
                throw new IllegalArgumentException(
                        "base58: invalid character " + describe(c) + " at index " + i);
            }
            int carry = digit;
            for (int j = 0; j < used; j++) {
                carry += (bytes[j] & 0xFF) * 58;
                bytes[j] = (byte) carry;
                carry >>>= 8;
            }
            while (carry > 0) {
                bytes[used++] = (byte) carry;
                carry >>>= 8;
            }
        }
        byte[] out = new byte[zeros + used];
        for (int j = 0; j < used; j++) {
            out[zeros + j] = bytes[used - 1 - j];
        }
        return out;
    }

    /**
     * Decodes base58 text that must hold exactly {@code length} bytes.
     *
     * @param text the base58 text
     * @param length the required number of bytes
     * @param what what the text is, for error messages (for example {@code "identity key"})
     * @return the bytes
     * @throws IllegalArgumentException if the text is {@code null} or empty, holds a character
     *     outside the alphabet, or decodes to another number of bytes; the message starts with
     *     {@code what}
     */
    public static byte[] decode(String text, int length, String what) {
        if (text == null) {
            throw new IllegalArgumentException(what + ": null");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + ": empty, expected base58 of " + length + " bytes");
        }
        // Any base58 text of `length` bytes has at most length * 1.366 + 1 characters: refuse longer
        // text before the quadratic decoding.
        if (text.length() > length * 138 / 100 + 1) {
            throw new IllegalArgumentException(what + ": expected base58 of " + length
                    + " bytes, got " + text.length() + " characters, too long");
        }
        byte[] bytes;
        try {
            bytes = decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage() + " in '" + text + "'", e);
        }
        if (bytes.length != length) {
            throw new IllegalArgumentException(
                    what + ": expected " + length + " bytes, '" + text + "' decodes to " + bytes.length);
        }
        return bytes;
    }

    private static String describe(char c) {
        if (c >= 0x21 && c < 0x7F) {
            return "'" + c + "'";
        }
        return String.format("U+%04X", (int) c);
    }
}
