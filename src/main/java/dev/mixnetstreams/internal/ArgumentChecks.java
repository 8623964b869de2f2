package dev.mixnetstreams.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks every setting of the library goes through, so that each is validated once, where it
 * is set, with one message format: {@code "<name> must be <condition>, got <value>"}.
 */
public final class ArgumentChecks {

    /**
     * The longest timeout or interval any setting accepts: 100 years (36,500 days). Longer ones
     * are refused where they are set, because deadlines are computed as {@code System.nanoTime()
     * + timeout} and must not overflow; nothing real waits longer.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(36_500);

    private ArgumentChecks() {
    }

    /**
     * Checks a count or size is positive.
     *
     * @param value the value
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException if it is zero or negative
     */
    public static long positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    /**
     * Checks a count or size is at least {@code minimum}.
     *
     * @param value the value
     * @param minimum the least value allowed
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException if it is less than {@code minimum}
     */
    public static long atLeast(long value, long minimum, String name) {
        if (value < minimum) {
            throw new IllegalArgumentException(name + " must be at least " + minimum + ", got " + value);
        }
        return value;
    }

    /**
     * Checks an int count or size is positive.
     *
     * @param value the value
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException if it is zero or negative
     */
    public static int positive(int value, String name) {
        return (int) positive((long) value, name);
    }

    /**
     * Checks a count is not negative.
     *
     * @param value the value
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException if it is negative
     */
    public static int notNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    /**
     * Checks a value lies in a closed range.
     *
     * @param value the value
     * @param min the smallest allowed
     * @param max the largest allowed
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException if it lies outside {@code [min, max]}
     */
    public static long inRange(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /**
     * Checks a probability.
     *
     * @param value the value
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws IllegalArgumentException if it is NaN or outside {@code [0, 1]}
     */
    public static double probability(double value, String name) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, got " + value);
        }
        return value;
    }

    /**
     * Checks a timeout or interval that must be positive and at most {@link #MAX_DURATION}.
     *
     * @param value the duration
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws NullPointerException if it is {@code null}
     * @throws IllegalArgumentException if it is zero, negative or longer than {@link #MAX_DURATION}
     */
    public static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return atMostMax(value, name);
    }

    /**
     * Checks a timeout or interval where {@link Duration#ZERO} means "none": not negative and at
     * most {@link #MAX_DURATION}.
     *
     * @param value the duration
     * @param name the setting's name, for the message
     * @return {@code value}
     * @throws NullPointerException if it is {@code null}
     * @throws IllegalArgumentException if it is negative or longer than {@link #MAX_DURATION}
     */
    public static Duration zeroOrPositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return atMostMax(value, name);
    }

    private static Duration atMostMax(Duration value, String name) {
        if (value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_DURATION.toDays()
                    + " days, got " + value);
        }
        return value;
    }
}
