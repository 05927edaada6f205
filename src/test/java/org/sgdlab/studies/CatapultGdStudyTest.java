package org.sgdlab.studies;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick variant of catapult-gd (STUDIES.md §3.4): P1-A with nu in {0.8, 1.5}, P1-B with net seed 0 and k in {0, 2}. */
class CatapultGdStudyTest {

    /**
     * Gates that fail at base seed 0 after debugging (fix-catapult), with the evidence: a calibration question of
     * the spec, not a bug (bench/crosscheck/catapult_p1a.py reproduces sgdlab's trajectory to ~1e-13).
     */
    static final Map<String, String> KNOWN_FAILING = Map.of(
            "catapult-gd.CA2", "chi_5 <= 1.1 fails (4.54; seeds 1, 2: 1.74, 1.60; all other parts pass): under Q10.3's chi"
                    + " the reference run's own NumPy draw gives chi_5 = 2.70, and its quoted chi values (1.00, 1.97, 1.04)"
                    + " are max_{t <= t_end} L_rest,s(t) / L_rest,s(0) instead");

    @Test
    void quickVariantWritesItsRecordAndEveryGateButTheKnownFailuresPasses(@TempDir Path dir) throws Exception {
        CatapultStudyChecks.Run r = CatapultStudyChecks.quick(new CatapultGdStudy(), dir, 0, true, null);
        CatapultStudyChecks.checkSummary(r, "catapult-gd", List.of("CA1", "CA2", "CA3", "CB1", "CB2", "CB3", "CB4"));
        CatapultStudyChecks.assertGatesPassExcept(r, KNOWN_FAILING);
        // the milestone controllers' learning-rate changes (Stateful) come back with the replayed runs
        StudyReplay.assertReplaysTheSameRecord(new CatapultGdStudy(), dir);
    }
}
