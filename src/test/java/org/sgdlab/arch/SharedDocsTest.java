package org.sgdlab.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * docs/science and docs/design hold the project's specification (definitions, studies, architecture) so that
 * a clone is self-contained. Where the team's shared folder ({@code ../shared}, next to the repository) is
 * present, the copies must equal it byte for byte.
 */
class SharedDocsTest {

    static final List<String> DOCS = List.of("science/QUANTITIES.md", "science/STUDIES.md", "design/ARCHITECTURE.md");

    @Test
    void theSpecificationIsInTheRepositoryAndEqualsTheSharedCopy() throws Exception {
        for (String d : DOCS) {
            assertTrue(Files.size(Path.of("docs").resolve(d)) > 1000, "docs/" + d);
        }
        Path shared = Path.of("..", "shared");
        Assumptions.assumeTrue(Files.isDirectory(shared), "no ../shared next to this checkout");
        for (String d : DOCS) {
            assertEquals(-1, Files.mismatch(Path.of("docs").resolve(d), shared.resolve(d)),
                    "docs/" + d + " differs from ../shared/" + d + ": copy it again");
        }
    }
}
