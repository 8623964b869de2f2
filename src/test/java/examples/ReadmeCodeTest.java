package examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md's Java is code that compiles and runs: its "Use it" example is, imports and all, the
 * file src/examples/java/examples/EchoOnSimulatedMixnet.java (which ExamplesTest runs), and every
 * other Java block of it appears, line for line, in an example or in ReadmeExampleTest.
 */
class ReadmeCodeTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "."));

    /** The Java blocks of README.md, each as its lines. */
    private static List<List<String>> javaBlocks() throws IOException {
        List<List<String>> blocks = new ArrayList<>();
        List<String> block = null;
        for (String line : Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8)) {
            if (block == null && line.equals("```java")) {
                block = new ArrayList<>();
            } else if (block != null && line.equals("```")) {
                blocks.add(block);
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        return blocks;
    }

    /** The lines that are not blank, stripped: what must match, whatever the indentation. */
    private static List<String> code(List<String> lines) {
        return lines.stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    @Test
    void theUseItExampleIsTheExampleFileFromItsImportsOn() throws IOException {
        String file = Files.readString(ROOT.resolve("src/examples/java/examples/EchoOnSimulatedMixnet.java"));
        String fromImports = file.substring(file.indexOf("import "));
        assertEquals(fromImports, String.join("\n", javaBlocks().get(0)) + "\n",
                "README.md's first Java block differs from EchoOnSimulatedMixnet.java (after its package line)");
    }

    @Test
    void everyJavaBlockIsCodeThatIsCompiled() throws IOException {
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> examples = Files.walk(ROOT.resolve("src/examples/java"))) {
            for (Path p : examples.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.add(code(Files.readAllLines(p, StandardCharsets.UTF_8)));
            }
        }
        sources.add(code(Files.readAllLines(
                ROOT.resolve("src/test/java/dev/mixnetstreams/ReadmeExampleTest.java"), StandardCharsets.UTF_8)));
        List<List<String>> blocks = javaBlocks();
        assertFalse(blocks.isEmpty());
        for (List<String> block : blocks) {
            List<String> wanted = code(block);
            assertTrue(sources.stream().anyMatch(source -> Collections.indexOfSubList(source, wanted) >= 0),
                    "this Java block of README.md is in no example and not in ReadmeExampleTest:\n"
                            + String.join("\n", block));
        }
    }
}
