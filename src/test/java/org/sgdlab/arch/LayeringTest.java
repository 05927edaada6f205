package org.sgdlab.arch;

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

/**
 * The layers of ARCHITECTURE.md: each package imports only packages above it in this list.
 * ({@code bench} is sgdlab's own addition, between {@code studies} and {@code cli}; see docs/decisions.md.)
 */
class LayeringTest {

    static final List<String> ORDER = List.of("tensor", "autodiff", "nn", "optim", "data", "linalg", "diagnostics",
            "experiment", "report", "studies", "bench", "cli");

    private static final Pattern REF = Pattern.compile("\\borg\\.sgdlab\\.([a-z0-9_]+)\\b");

    @Test
    void everyPackageImportsOnlyPackagesAboveIt() throws IOException {
        Path root = Path.of("src/main");
        List<String> violations = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 10, "no sources found under " + root.toAbsolutePath());
        for (Path f : files) {
            String pkg = packageOf(f);
            int level = ORDER.indexOf(pkg);
            if (level < 0) {
                violations.add(f + ": package org.sgdlab." + pkg + " is not in the layer list " + ORDER);
                continue;
            }
            String code = stripComments(Files.readString(f));
            Matcher m = REF.matcher(code);
            while (m.find()) {
                String used = m.group(1);
                int ul = ORDER.indexOf(used);
                if (ul > level) {
                    violations.add(f + ": " + pkg + " uses org.sgdlab." + used + ", which is below it");
                }
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    @Test
    void theCheckSeesAViolation() {
        String code = stripComments("package org.sgdlab.tensor;\nimport org.sgdlab.cli.Main; // x\n/* org.sgdlab.report */");
        Matcher m = REF.matcher(code);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        assertTrue(found.contains("cli") && !found.contains("report"), found.toString());
    }

    private static String packageOf(Path f) {
        Path rel = f.getParent();
        List<String> parts = new ArrayList<>();
        for (Path p : rel) {
            parts.add(p.toString());
        }
        int i = parts.indexOf("sgdlab");
        return i >= 0 && i + 1 < parts.size() ? parts.get(i + 1) : "";
    }

    static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }
}
