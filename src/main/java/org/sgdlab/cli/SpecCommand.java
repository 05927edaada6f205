package org.sgdlab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sgdlab.experiment.Spec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sgdlab spec}: the annotated example, or the validation of a spec. */
@Command(name = "spec", mixinStandardHelpOptions = true,
        description = "Print the annotated example spec (--example) or validate a spec and print it resolved (--check).")
final class SpecCommand implements Callable<Integer> {

    @Option(names = "--example", description = "Print an annotated example with every field and its default.")
    boolean example;

    @Option(names = "--check", paramLabel = "SPEC", description = "Validate a spec and print it with defaults filled in.")
    Path check;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field (with --check).")
    List<String> sets = new ArrayList<>();

    static String example() throws IOException {
        try (InputStream in = Spec.class.getResourceAsStream("/org/sgdlab/experiment/example-spec.yaml")) {
            if (in == null) {
                throw new IOException("example-spec.yaml missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (check != null) {
            System.out.print(Spec.load(check, sets).yaml());
            return 0;
        }
        if (!example) {
            throw new IllegalArgumentException("spec: give --example or --check SPEC");
        }
        System.out.print(example());
        return 0;
    }
}
