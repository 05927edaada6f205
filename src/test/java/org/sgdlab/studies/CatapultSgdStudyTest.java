package org.sgdlab.studies;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick variant of catapult-sgd (STUDIES.md §4.4): P1-C with net seed 0 and b in {5, 10, 50, 500}, P1-D on the
 * first 100 steps (250 when fewer than 5 peaks), P1-E from the b = 10 run.
 */
class CatapultSgdStudyTest {

    @Test
    void quickVariantPassesEveryGateAndWritesItsRecord(@TempDir Path dir) throws Exception {
        CatapultStudyChecks.Run r = CatapultStudyChecks.quick(new CatapultSgdStudy(), dir, 0);
        CatapultStudyChecks.checkSummary(r, "catapult-sgd",
                List.of("CC1", "CC2", "CC3", "CC4", "CC5", "CD1", "CD2", "CD3", "P1-E"));
        CatapultStudyChecks.assertGatesPass(r);
    }
}
