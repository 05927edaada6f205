package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** nn may use only org.sgdlab.tensor and org.sgdlab.autodiff (ARCHITECTURE.md, layers). */
class NnDependenciesTest {

    private static final Pattern SGDLAB = Pattern.compile("org\\.sgdlab\\.([a-z]+)");

    @Test
    void nnImportsOnlyTensorAndAutodiff() throws IOException {
        Path dir = Path.of("src", "main", "java", "org", "sgdlab", "nn");
        List<String> bad = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!p.toString().endsWith(".java")) {
                    continue;
                }
                files++;
                for (String line : Files.readAllLines(p)) {
                    if (!line.startsWith("import")) {
                        continue;
                    }
                    Matcher m = SGDLAB.matcher(line);
                    if (m.find() && !m.group(1).equals("tensor") && !m.group(1).equals("autodiff")) {
                        bad.add(p.getFileName() + ": " + line.trim());
                    }
                }
            }
        }
        assertTrue(files > 10, "found only " + files + " source files in " + dir.toAbsolutePath());
        assertTrue(bad.isEmpty(), "nn must import only org.sgdlab.tensor and org.sgdlab.autodiff: " + bad);
    }
}
