package org.sgdlab.studies;

/**
 * A built-in reproduction of one paper's phenomenon (STUDIES.md): it runs its experiments, measures
 * them the way the paper does, and returns a verdict per claim with the numbers behind it.
 */
public interface Study {

    /** The command-line name, e.g. {@code eos}. */
    String name();

    /** The seed paper, e.g. {@code Cohen et al. 2021, arXiv 2103.00065}. */
    String paper();

    /** The claim in one line. */
    String claim();

    /** Measured wall time of the quick variant on the reference 2-core machine (e.g. "35 s"). */
    String quickRuntime();

    /** Measured (or estimated, marked so) wall time of the full variant. */
    String fullRuntime();

    /**
     * Whether the study trains on the data set chosen with {@code --data} (eos and eoss); the others have their
     * data fixed by their papers, so the command line refuses {@code --data} for them and their summary does not
     * record one.
     */
    default boolean usesData() {
        return false;
    }

    /** Runs the study (quick or full per the context) and returns its verdicts, figures and runs. */
    StudyResult run(StudyContext ctx);
}
