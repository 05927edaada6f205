package org.sgdlab.bench;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Peak heap of a workload, measured as the smallest maximum heap ({@code -Xmx}, serial collector,
 * 8 MB young generation) under which a child JVM runs it, minus the same for an empty workload.
 * Bisection to a relative precision; each probe is a fresh JVM.
 */
final class MemoryMeter {

    private MemoryMeter() {
    }

    /** Smallest heap in MB (to {@code precision}) under which {@code id} runs; -1 if not even at {@code hiMb}. */
    static double minHeapMb(String id, double precision, int hiMb) throws IOException, InterruptedException {
        int lo = 16;
        int hi = hiMb;
        if (!runs(id, hi)) {
            return -1;
        }
        while (hi - lo > Math.max(2, precision * hi)) {
            int mid = (lo + hi) / 2;
            if (runs(id, mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private static boolean runs(String id, int mb) throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-Xmn8m", "-Xmx" + mb + "m", "-cp", System.getProperty("java.class.path")));
        for (String p : new String[] {"sgdlab.blas", "sgdlab.threads", "sgdlab.blas.threads"}) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add(MemProbe.class.getName());
        cmd.add(id);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
