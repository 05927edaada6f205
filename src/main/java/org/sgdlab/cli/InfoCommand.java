package org.sgdlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
            facts.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-22s %s%n", k, v));
            coreTypeHint(System.getenv("OPENBLAS_CORETYPE"), cpuFlags()).ifPresent(System.out::println);
        }
        return 0;
    }

    /** OpenBLAS's kernel sets for AVX-512 (its core names). */
    private static final String[] AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids"};

    /**
     * A note when {@code OPENBLAS_CORETYPE} holds OpenBLAS to kernels older than the CPU: the CPU lists
     * {@code avx512f} but the variable names a core without AVX-512. Empty otherwise.
     */
    static Optional<String> coreTypeHint(String coreType, String cpuFlags) {
        if (coreType == null || coreType.isBlank() || cpuFlags == null
                || !(" " + cpuFlags + " ").contains(" avx512f ")) {
            return Optional.empty();
        }
        String core = coreType.trim().toLowerCase(Locale.ROOT);
        for (String c : AVX512_CORES) {
            if (core.equals(c)) {
                return Optional.empty();
            }
        }
        return Optional.of("note: OPENBLAS_CORETYPE=" + coreType.trim() + " holds OpenBLAS to kernels without AVX-512,"
                + " which this CPU has; run without it (env -u OPENBLAS_CORETYPE ./sgdlab ...) for OpenBLAS's own"
                + " choice (see docs/benchmarks.md)");
    }

    /** The first "flags" line of /proc/cpuinfo, or null where there is none. */
    private static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    return colon < 0 ? null : line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: no note
        }
        return null;
    }
}
