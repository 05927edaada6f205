package org.sgdlab.experiment;

import java.util.Locale;

/** The state of a run as recorded in {@code summary.json}. */
public enum Status {
    RUNNING, COMPLETED, DIVERGED, FAILED;

    /** The lower-case name used in files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
