package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Which BLAS the process uses and how it is chosen. The process-wide choice is made once (static
 * initialiser of {@link BlasLoader}); the selection function itself is exercised through
 * reflection with the property set and restored, so no JVM restart is needed.
 */
class BlasSelectionTest {

    /** The selection the test JVM was started with ({@code -Dsgdlab.blas}, else {@code SGDLAB_BLAS}, else auto). */
    static String requested() {
        return System.getProperty("sgdlab.blas", System.getenv().getOrDefault("SGDLAB_BLAS", "auto"))
                .trim().toLowerCase(Locale.ROOT);
    }

    @Test
    void nativeOpenBlasIsReportedOnJdk22AndNewer() {
        assumeTrue(Runtime.version().feature() >= 22, "the native backend needs the FFM API of JDK >= 22");
        assumeTrue(requested().equals("auto") || requested().equals("bundled"),
                "this JVM was started with sgdlab.blas=" + requested());
        Blas b = Blas.get();
        assertEquals("openblas-native", b.name(), "fallback reason: " + BlasLoader.fallbackReason());
        assertEquals("", BlasLoader.fallbackReason());
        assertTrue(b.detail().contains("OpenBLAS"), b.detail());
        assertTrue(b.threads() >= 1, "threads " + b.threads());
    }

    @Test
    void javaIsReportedWithAReasonWhenNativeIsNotUsed() {
        Blas b = Blas.get();
        assertTrue(b.name().equals("openblas-native") || b.name().equals("java"), b.name());
        if (b.name().equals("java")) {
            assertTrue(!BlasLoader.fallbackReason().isEmpty(), "a Java fallback must say why");
            assertTrue(b.detail().contains("pure-Java"), b.detail());
        }
        assertEquals(Parallel.threads(), new JavaBlas().threads());
    }

    /** Calls the private selection function with {@code sgdlab.blas} temporarily set to {@code value}. */
    static Blas chooseWith(String value, List<String> why) throws Exception {
        Method choose = BlasLoader.class.getDeclaredMethod("choose", List.class);
        choose.setAccessible(true);
        String old = System.getProperty("sgdlab.blas");
        System.setProperty("sgdlab.blas", value);
        try {
            return (Blas) choose.invoke(null, why);
        } finally {
            if (old == null) {
                System.clearProperty("sgdlab.blas");
            } else {
                System.setProperty("sgdlab.blas", old);
            }
        }
    }

    @Test
    void propertyJavaSelectsJavaBlas() throws Exception {
        for (String v : new String[] {"java", " JAVA ", "Java"}) {
            List<String> why = new ArrayList<>();
            Blas b = chooseWith(v, why);
            assertInstanceOf(JavaBlas.class, b, "sgdlab.blas='" + v + "'");
            assertEquals("java", b.name());
            assertEquals(List.of("pure Java requested (sgdlab.blas=java)"), why);
        }
    }

    @Test
    void unloadableLibraryPathFallsBackToJavaWithTheReason() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "below 22 the path is never tried");
        List<String> why = new ArrayList<>();
        Blas b = chooseWith("/nonexistent/libopenblas.so.0", why);
        assertInstanceOf(JavaBlas.class, b);
        assertTrue(String.join("; ", why).contains("cannot load /nonexistent/libopenblas.so.0"), why.toString());
    }

    @Test
    void detailSaysWhenTheEnvironmentChoosesOpenBlasKernels() {
        assumeTrue(Blas.get().name().equals("openblas-native"), "only the native backend has kernels to choose");
        String env = System.getenv("OPENBLAS_CORETYPE");
        String detail = Blas.get().detail();
        if (env == null || env.isBlank()) {
            assertTrue(!detail.contains("OPENBLAS_CORETYPE"), detail);
        } else {
            assertTrue(detail.contains("(environment has OPENBLAS_CORETYPE=" + env.trim() + ")"), detail);
        }
    }

    /** A child JVM with OPENBLAS_CORETYPE=Prescott (SSE3 kernels: any x86-64 runs them) reports that core and why. */
    @Test
    void forcedCoreTypeIsReportedByInfo() throws Exception {
        assumeTrue(Blas.get().name().equals("openblas-native"), "only the native backend has kernels to choose");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "org.sgdlab.cli.Main", "info", "--json");
        pb.environment().put("OPENBLAS_CORETYPE", "Prescott");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("core Prescott (environment has OPENBLAS_CORETYPE=Prescott)"), out);
    }

    @Test
    void autoSelectsNativeOnJdk22AndNewer() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the native backend needs the FFM API of JDK >= 22");
        List<String> why = new ArrayList<>();
        Blas b = chooseWith("auto", why);
        assertEquals("openblas-native", b.name(), why.toString());
        assertTrue(why.isEmpty(), why.toString());
    }
}
