package org.sgdlab.studies;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick variant of catapult-gd (STUDIES.md §3.4): P1-A with nu in {0.8, 1.5}, P1-B with net seed 0 and k in {0, 2}. */
class CatapultGdStudyTest {

    @Test
    void quickVariantPassesEveryGateAndWritesItsRecord(@TempDir Path dir) throws Exception {
        CatapultStudyChecks.Run r = CatapultStudyChecks.quick(new CatapultGdStudy(), dir, 0);
        CatapultStudyChecks.checkSummary(r, "catapult-gd", List.of("CA1", "CA2", "CA3", "CB1", "CB2", "CB3", "CB4"));
        CatapultStudyChecks.assertGatesPass(r);
    }
}
