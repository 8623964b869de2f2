package dev.mixnetstreams.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests write the figures of their runs (heap series, soak lines, statistics): one file per
 * test class under {@code target/test-figures}, so that the build's output stays quiet. The
 * directory is the system property {@value #DIRECTORY_PROPERTY}, which pom.xml sets.
 */
public final class Figures {

    /** The system property naming the directory of the figure files. */
    public static final String DIRECTORY_PROPERTY = "mixnet.test.figures";

    private Figures() {
    }

    /**
     * Opens the figure file of a test class, {@code <directory>/<simple name>.txt}, emptied first:
     * it holds the figures of the latest run. Lines are flushed as they are printed.
     *
     * @param testClass the test class writing figures
     * @return a stream writing to the file; left open for the rest of the run
     */
    public static PrintStream of(Class<?> testClass) {
        Path dir = Path.of(System.getProperty(DIRECTORY_PROPERTY, "target/test-figures"));
        try {
            Files.createDirectories(dir);
            OutputStream file = Files.newOutputStream(dir.resolve(testClass.getSimpleName() + ".txt"));
            return new PrintStream(file, true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the figure file of " + testClass.getName(), e);
        }
    }
}
