package dev.mixnetstreams.cli;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * {@code HOST:PORT} both ways, the one form the CLI reads and prints: an IPv6 address in brackets
 * ({@code [::1]:9000}), so that every address it prints can be given back to {@code --listen} or
 * {@code --upstream}.
 */
final class HostPort {

    private HostPort() {
    }

    /**
     * Parses {@code HOST:PORT} or {@code [IPv6]:PORT}; port 0 only where allowed (listening).
     *
     * @param what the option, for messages
     * @param text what was given
     * @param portZeroAllowed whether port 0 (any free port) is accepted
     * @return the address, resolved
     * @throws UsageException if it is not of that form, or the host is unknown
     */
    static InetSocketAddress parse(String what, String text, boolean portZeroAllowed) throws UsageException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException(what + ": expected HOST:PORT: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new UsageException(what + ": write an IPv6 address in brackets, [ADDRESS]:PORT: " + text);
        }
        int port = (int) Args.parseNumber(what + " port", text.substring(colon + 1), portZeroAllowed ? 0 : 1, 65_535);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UsageException(what + ": unknown host: " + host);
        }
        return address;
    }

    /**
     * Formats an address as {@code HOST:PORT}: a host name as given, an IPv4 address in dotted
     * form, an IPv6 address in its shortest form (RFC 5952) in brackets, e.g. {@code [::1]:39731}.
     *
     * @param address the address
     * @return the text, which {@link #parse} reads back
     */
    static String format(InetSocketAddress address) {
        String host = address.getHostString();
        if (host.indexOf(':') >= 0 && address.getAddress() instanceof Inet6Address v6) {
            host = shortest(v6);
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** RFC 5952: lowercase hex, no leading zeros, the longest run (the first of equals) of two or more zero groups as "::". */
    private static String shortest(Inet6Address address) {
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is written as 0
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        String full = address.getHostAddress();
        int scope = full.indexOf('%');
        return scope < 0 ? sb.toString() : sb.append(full, scope, full.length()).toString();
    }
}
