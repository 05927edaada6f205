package org.sgdlab.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * OpenBLAS through the Foreign Function API. Downcalls are "critical" with heap access, so the
 * {@code double[]} of a tensor is passed to {@code cblas_dgemm} without any copy (JDK >= 22).
 * Loaded reflectively by {@link BlasLoader}; compiled only when the build JDK is >= 22.
 */
record FfmBlas(MethodHandle gemm, MethodHandle getThreads, MethodHandle setThreads, String detail) implements Blas {

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    /** Binds cblas_dgemm and the thread controls of the OpenBLAS at {@code library}, then self-tests. */
    static FfmBlas open(Path library, String origin) throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup(library, Arena.global());
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE;
        var p = ValueLayout.ADDRESS;
        MethodHandle gemm = linker.downcallHandle(find(lib, "cblas_dgemm"),
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, d, p, i, p, i, d, p, i),
                Linker.Option.critical(true));
        MethodHandle getThreads = linker.downcallHandle(find(lib, "openblas_get_num_threads"), FunctionDescriptor.of(i));
        MethodHandle setThreads = linker.downcallHandle(find(lib, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(i));
        String threadsProp = System.getProperty("sgdlab.blas.threads");
        if (threadsProp != null) {
            setThreads.invokeExact(Integer.parseInt(threadsProp.trim()));
        }
        String core = "?";
        String config = "?";
        try {
            MethodHandle coreName = linker.downcallHandle(find(lib, "openblas_get_corename"), FunctionDescriptor.of(p));
            MethodHandle cfg = linker.downcallHandle(find(lib, "openblas_get_config"), FunctionDescriptor.of(p));
            core = ((MemorySegment) coreName.invokeExact()).reinterpret(256).getString(0);
            config = ((MemorySegment) cfg.invokeExact()).reinterpret(512).getString(0);
        } catch (Throwable ignored) {
            // informational only
        }
        // OpenBLAS reads OPENBLAS_CORETYPE when it loads; say so, since the kernels can differ by ~1.7x
        String forced = System.getenv("OPENBLAS_CORETYPE");
        if (forced != null && !forced.isBlank()) {
            core += " (environment has OPENBLAS_CORETYPE=" + forced.trim() + ")";
        }
        int threads = (int) getThreads.invokeExact();
        FfmBlas blas = new FfmBlas(gemm, getThreads, setThreads,
                "OpenBLAS (" + origin + ") " + config.trim() + ", core " + core + ", " + threads + " threads, " + library);
        blas.selfTest();
        return blas;
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("symbol " + name + " not found"));
    }

    /** Refuse a library whose dgemm gives a wrong 2x2 product (a mismatched ABI, say). */
    private void selfTest() {
        double[] a = {1, 2, 3, 4};
        double[] b = {5, 6, 7, 8};
        double[] c = new double[4];
        dgemm(false, true, 2, 2, 2, 1.0, a, 0, 2, b, 0, 2, 0.0, c, 0, 2);
        if (c[0] != 17 || c[1] != 23 || c[2] != 39 || c[3] != 53) {
            throw new IllegalStateException("dgemm self-test failed: " + java.util.Arrays.toString(c));
        }
    }

    @Override
    public String name() {
        return "openblas-native";
    }

    @Override
    public int threads() {
        try {
            return (int) getThreads.invokeExact();
        } catch (Throwable t) {
            return -1;
        }
    }

    @Override
    public void setThreads(int n) {
        try {
            setThreads.invokeExact(Math.max(1, n));
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        try {
            gemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    seg(a, aOff), Math.max(1, lda), seg(b, bOff), Math.max(1, ldb), beta, seg(c, cOff), Math.max(1, ldc));
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_dgemm failed", t);
        }
    }

    private static MemorySegment seg(double[] x, int off) {
        MemorySegment s = MemorySegment.ofArray(x);
        return off == 0 ? s : s.asSlice(off * 8L);
    }
}
