import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the JDK that runs it: pom.xml runs it in source-file mode with the {@code java} of the
 * JDK maven-toolchains-plugin selected, whatever JDK Maven itself runs on.
 *
 * <p>Writes into the directory given as its argument: {@code java-home}, that JDK's home on one
 * line, where the {@code mixnet-streams} launcher finds a JDK 21+ when the default {@code java} is
 * older; and {@code jdk.properties}, which the build reads back, so that the {@code Build-Jdk-Spec}
 * of its jars names that JDK rather than the one Maven runs on.
 */
public final class RecordJdk {

    private RecordJdk() {
    }

    /**
     * Writes the two files.
     *
     * @param args the directory to write into
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: java RecordJdk.java DIRECTORY");
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        Files.writeString(dir.resolve("java-home"), System.getProperty("java.home") + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("jdk.properties"),
                "selected.jdk.spec=" + System.getProperty("java.specification.version") + "\n", StandardCharsets.UTF_8);
    }
}
