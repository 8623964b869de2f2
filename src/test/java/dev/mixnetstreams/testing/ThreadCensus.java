package dev.mixnetstreams.testing;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the live threads of the JVM by name, virtual threads included (which {@link
 * Thread#getAllStackTraces()} leaves out), from the JDK's thread dump. For leak checks: the same
 * work done 5 times and 50 times must leave the same threads.
 */
public final class ThreadCensus {

    private static final Pattern NAME = Pattern.compile("\"name\": \"([^\"]*)\"");
    /** Digits in a name (numbered threads: {@code mixnet-router-12}) count as one kind. */
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private ThreadCensus() {
    }

    /**
     * Returns how many live threads there are of each kind: the name with its numbers replaced by
     * {@code N} ({@code mixnet-router-N}, {@code HttpClient-N-Worker-N}).
     *
     * @return kind to count, sorted by kind
     */
    public static Map<String, Integer> byKind() {
        try {
            Path dir = Files.createTempDirectory("census");
            Path file = dir.resolve("threads.json");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                Map<String, Integer> kinds = new TreeMap<>();
                Matcher m = NAME.matcher(Files.readString(file));
                while (m.find()) {
                    kinds.merge(NUMBER.matcher(m.group(1)).replaceAll("N"), 1, Integer::sum);
                }
                return kinds;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns how many live threads have a name starting with one of the prefixes.
     *
     * @param census a census from {@link #byKind()}
     * @param prefixes name prefixes, such as {@code "nym-client-"}
     * @return the count
     */
    public static int count(Map<String, Integer> census, String... prefixes) {
        int n = 0;
        for (Map.Entry<String, Integer> e : census.entrySet()) {
            for (String prefix : prefixes) {
                if (e.getKey().startsWith(prefix)) {
                    n += e.getValue();
                    break;
                }
            }
        }
        return n;
    }
}
