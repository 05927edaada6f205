package org.sgdlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sgdlab info}: version, Java, and the BLAS in use. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the sgdlab version, the Java runtime and which BLAS is in use.")
final class InfoCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> facts = Version.facts();
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(facts));
        } else {
            facts.forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "%-22s %s%n", k, v));
        }
        return 0;
    }
}
