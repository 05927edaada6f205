package org.sgdlab.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Chooses the {@link Blas} of this process.
 *
 * <p>Selection ({@code -Dsgdlab.blas} or environment {@code SGDLAB_BLAS}):
 * <ul>
 *   <li>{@code auto} (default): the OpenBLAS bundled in the Maven artifact
 *       {@code org.bytedeco:openblas:linux-x86_64} (extracted once to a cache directory), then the
 *       system's OpenBLAS, then pure Java;</li>
 *   <li>{@code bundled}, {@code system}, or a path to a {@code libopenblas.so}: that library or fail
 *       over to Java with the reason recorded;</li>
 *   <li>{@code java}: pure Java.</li>
 * </ul>
 * The native path needs a JVM >= 22 (Foreign Function API with heap access); on 17-21 the Java
 * backend is used and {@link #fallbackReason()} says why.
 */
public final class BlasLoader {

    static final Blas INSTANCE;
    private static final String REASON;

    private static final String BUNDLE_DIR = "org/bytedeco/openblas/linux-x86_64/";
    private static final String[] BUNDLE_FILES = {
        "libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0"};
    private static final String[] SYSTEM_PATHS = {
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
        "/usr/lib64/libopenblas.so.0",
        "/usr/lib/libopenblas.so.0"};

    static {
        List<String> why = new ArrayList<>();
        Blas chosen = choose(why);
        INSTANCE = chosen;
        REASON = String.join("; ", why);
    }

    private BlasLoader() {
    }

    /** Why the native library was not used (empty when it is). */
    public static String fallbackReason() {
        return REASON;
    }

    private static Blas choose(List<String> why) {
        String sel = System.getProperty("sgdlab.blas", System.getenv().getOrDefault("SGDLAB_BLAS", "auto"))
                .trim().toLowerCase(Locale.ROOT);
        if (sel.equals("java")) {
            why.add("pure Java requested (sgdlab.blas=java)");
            return new JavaBlas();
        }
        if (Runtime.version().feature() < 22) {
            why.add("JVM " + Runtime.version().feature() + " < 22 has no Foreign Function API with heap access;"
                    + " run on a newer JDK (./sgdlab picks the newest installed)");
            return new JavaBlas();
        }
        List<Path> candidates = new ArrayList<>();
        switch (sel) {
            case "auto" -> {
                addBundled(candidates, why);
                addSystem(candidates);
            }
            case "bundled" -> addBundled(candidates, why);
            case "system" -> addSystem(candidates);
            default -> candidates.add(Path.of(sel));
        }
        if (candidates.isEmpty()) {
            why.add("no OpenBLAS library found (looked for the bundled one and " + String.join(", ", SYSTEM_PATHS) + ")");
        }
        for (Path p : candidates) {
            try {
                Class<?> c = Class.forName("org.sgdlab.tensor.FfmBlas");
                String origin = p.toString().contains("sgdlab" + java.io.File.separator + "openblas") ? "bundled" : "system";
                java.lang.reflect.Method open = c.getDeclaredMethod("open", Path.class, String.class);
                open.setAccessible(true);
                return (Blas) open.invoke(null, p, origin);
            } catch (ClassNotFoundException e) {
                why.add("this build has no Foreign Function backend (built with a JDK < 22)");
                break;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                why.add("cannot load " + p + ": " + cause);
            }
        }
        return new JavaBlas();
    }

    private static void addSystem(List<Path> out) {
        for (String s : SYSTEM_PATHS) {
            Path p = Path.of(s);
            if (Files.isReadable(p)) {
                out.add(p);
            }
        }
    }

    private static void addBundled(List<Path> out, List<String> why) {
        ClassLoader cl = BlasLoader.class.getClassLoader();
        if (cl.getResource(BUNDLE_DIR + "libopenblas.so.0") == null) {
            why.add("bundled OpenBLAS natives (org.bytedeco:openblas:linux-x86_64) not on the classpath");
            return;
        }
        String version = "unknown";
        try (InputStream in = cl.getResourceAsStream("META-INF/maven/org.bytedeco/openblas/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version);
            }
        } catch (IOException ignored) {
            // version stays unknown; the cache directory is still keyed by file sizes below
        }
        Path dir = cacheDir().resolve("openblas-" + version);
        try {
            Files.createDirectories(dir);
            for (String f : BUNDLE_FILES) {
                Path target = dir.resolve(f);
                if (Files.isRegularFile(target)) {
                    continue;
                }
                Path tmp = Files.createTempFile(dir, f, ".part");
                try (InputStream in = cl.getResourceAsStream(BUNDLE_DIR + f)) {
                    if (in == null) {
                        throw new IOException("resource " + BUNDLE_DIR + f + " missing");
                    }
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    Files.deleteIfExists(tmp);
                    if (!Files.isRegularFile(target)) {
                        throw e;
                    }
                }
            }
            out.add(dir.resolve("libopenblas.so.0"));
        } catch (IOException e) {
            why.add("cannot extract bundled OpenBLAS to " + dir + ": " + e.getMessage());
        }
    }

    /** {@code $SGDLAB_CACHE}, else {@code $XDG_CACHE_HOME/sgdlab}, else {@code ~/.cache/sgdlab}. */
    static Path cacheDir() {
        String env = System.getenv("SGDLAB_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "sgdlab");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "sgdlab");
    }
}
