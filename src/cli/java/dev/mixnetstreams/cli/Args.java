package dev.mixnetstreams.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} options and {@code --flag} switches after a command, checked against the
 * names the command knows.
 */
final class Args {

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flagsGiven = new HashSet<>();

    Args(List<String> args, Set<String> known) throws UsageException {
        this(args, known, Set.of());
    }

    Args(List<String> args, Set<String> known, Set<String> flags) throws UsageException {
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (!name.startsWith("--")) {
                throw new UsageException("unexpected argument: " + name);
            }
            String key = name.substring(2);
            if (flags.contains(key)) {
                if (!flagsGiven.add(key)) {
                    throw new UsageException("option given twice: " + name);
                }
                continue;
            }
            if (!known.contains(key)) {
                throw new UsageException("unknown option: " + name);
            }
            if (i + 1 >= args.size()) {
                throw new UsageException("missing value after " + name);
            }
            if (values.put(key, args.get(++i)) != null) {
                throw new UsageException("option given twice: " + name);
            }
        }
    }

    /** Whether the switch {@code --name} was given. */
    boolean flag(String name) {
        return flagsGiven.contains(name);
    }

    /** Whether the option {@code --name} was given a value. */
    boolean has(String name) {
        return values.containsKey(name);
    }

    /** A positive, finite decimal number. */
    double positive(String name, double fallback) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        double d;
        try {
            d = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": not a number: " + value);
        }
        if (!(d > 0 && d < Double.POSITIVE_INFINITY)) {
            throw new UsageException("--" + name + ": must be positive: " + value);
        }
        return d;
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException("missing --" + name);
        }
        return value;
    }

    long number(String name, long fallback, long min, long max) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        return parseNumber("--" + name, value, min, max);
    }

    static long parseNumber(String what, String value, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(what + ": not a whole number: " + value);
        }
        if (n < min || n > max) {
            throw new UsageException(what + ": must be between " + min + " and " + max + ": " + value);
        }
        return n;
    }

    boolean bool(String name, boolean fallback) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new UsageException("--" + name + ": expected true or false: " + value);
        };
    }

    double probability(String name, double fallback) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        double p;
        try {
            p = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": not a number: " + value);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new UsageException("--" + name + ": must be between 0 and 1: " + value);
        }
        return p;
    }

    /** A range {@code A-B} of milliseconds, A ≤ B. */
    Duration[] millisRange(String name, long fallbackMin, long fallbackMax) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            return new Duration[] {Duration.ofMillis(fallbackMin), Duration.ofMillis(fallbackMax)};
        }
        int dash = value.indexOf('-');
        long a;
        long b;
        if (dash < 0) {
            a = parseNumber("--" + name, value, 0, 3_600_000);
            b = a;
        } else {
            a = parseNumber("--" + name, value.substring(0, dash), 0, 3_600_000);
            b = parseNumber("--" + name, value.substring(dash + 1), 0, 3_600_000);
        }
        if (a > b) {
            throw new UsageException("--" + name + ": the range must be A-B with A <= B: " + value);
        }
        return new Duration[] {Duration.ofMillis(a), Duration.ofMillis(b)};
    }

    /**
     * Checks a nym-client URL ({@code --nym}): {@code ws://HOST:PORT} or {@code wss://HOST:PORT}.
     * Anything else, a malformed URL, another scheme or no port, is a usage error naming that form.
     */
    static URI nymUrl(String text) throws UsageException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equalsIgnoreCase("ws") || uri.getScheme().equalsIgnoreCase("wss"))) {
            throw new UsageException("--nym: expected the nym-client's URL, ws://HOST:PORT (or wss://HOST:PORT), got " + text);
        }
        if (uri.getPort() < 0) {
            throw new UsageException("--nym: give the port too, ws://HOST:PORT (nym-client listens on 1977 by default), got "
                    + text);
        }
        return uri;
    }

    static byte[] hex(String what, String text) throws UsageException {
        String s = text.strip();
        if (s.startsWith("0x") || s.startsWith("0X")) {
            s = s.substring(2);
        }
        s = s.replace("|", "");
        if (s.length() % 2 != 0) {
            throw new UsageException(what + ": odd number of hex digits");
        }
        byte[] bytes = new byte[s.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new UsageException(what + ": not hexadecimal at character " + (2 * i + (hi < 0 ? 0 : 1)) + ": " + text);
            }
            bytes[i] = (byte) (hi << 4 | lo);
        }
        return bytes;
    }

    static String hex(byte[] bytes, int offset, int length) {
        StringBuilder sb = new StringBuilder(length * 2);
        for (int i = offset; i < offset + length; i++) {
            sb.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return sb.toString();
    }
}
