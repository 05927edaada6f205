package org.sgdlab.experiment;

import java.util.List;

/**
 * A spec that does not validate: every problem found, each naming the field path, the value and
 * what is allowed (e.g. {@code optimizer.name: 'adamw' is not one of [gd, sgd, heavy-ball, polyak,
 * nesterov]}). The CLI prints them all and exits with code 2.
 */
public final class SpecException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public SpecException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, one per entry. */
    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        StringBuilder sb = new StringBuilder("the spec has ").append(problems.size())
                .append(problems.size() == 1 ? " problem:" : " problems:");
        for (String p : problems) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }
}
