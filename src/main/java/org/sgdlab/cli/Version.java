package org.sgdlab.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sgdlab.tensor.Blas;
import org.sgdlab.tensor.BlasLoader;
import org.sgdlab.tensor.Parallel;
import picocli.CommandLine;

/** Version and platform facts recorded with every run and printed by {@code info}. */
public final class Version {

    private Version() {
    }

    /** The sgdlab version (jar manifest; "dev" when run from classes). */
    public static String version() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** The git commit the launcher passed in ({@code -Dsgdlab.git}), or "unknown". */
    public static String git() {
        return System.getProperty("sgdlab.git", "unknown");
    }

    /** The facts of {@code info --json}, in a stable order. */
    public static Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        Blas blas = Blas.get();
        m.put("version", version());
        m.put("git", git());
        m.put("java", System.getProperty("java.version"));
        m.put("java_vendor", System.getProperty("java.vendor"));
        m.put("java_home", System.getProperty("java.home"));
        m.put("blas", blas.name());
        m.put("blas_detail", blas.detail());
        m.put("blas_threads", blas.threads());
        if (!BlasLoader.fallbackReason().isEmpty()) {
            m.put("blas_fallback_reason", BlasLoader.fallbackReason());
        }
        m.put("threads", Parallel.threads());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        return m;
    }

    /** picocli's --version. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sgdlab " + version() + " (git " + git() + ")"};
        }
    }
}
