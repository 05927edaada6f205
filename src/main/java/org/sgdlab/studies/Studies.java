package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The built-in studies by name, in the order of STUDIES.md. */
public final class Studies {

    private static final List<Supplier<Study>> ALL = new ArrayList<>();

    static {
        // each study registers here when it lands
        ALL.add(CatapultGdStudy::new);
        ALL.add(CatapultSgdStudy::new);
    }

    private Studies() {
    }

    /** Fresh instances of every study. */
    public static List<Study> all() {
        List<Study> out = new ArrayList<>();
        for (Supplier<Study> s : ALL) {
            out.add(s.get());
        }
        return out;
    }

    /** Names in order. */
    public static List<String> names() {
        return all().stream().map(Study::name).toList();
    }

    /** The study called {@code name}; unknown names fail listing the known ones. */
    public static Study byName(String name) {
        for (Study s : all()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown study '" + name + "'; known: " + String.join(", ", names()));
    }
}
