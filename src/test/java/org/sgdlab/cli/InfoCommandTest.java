package org.sgdlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The note {@code info} prints when OPENBLAS_CORETYPE keeps OpenBLAS from the CPU's AVX-512 kernels. */
class InfoCommandTest {

    private static final String AVX512 = "fpu sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl";
    private static final String AVX2 = "fpu sse2 avx avx2 fma";

    @Test
    void notesAnOlderCoreForcedOnAnAvx512Cpu() {
        Optional<String> hint = InfoCommand.coreTypeHint("Haswell", AVX512);
        assertTrue(hint.isPresent());
        assertTrue(hint.get().contains("OPENBLAS_CORETYPE=Haswell") && hint.get().contains("env -u OPENBLAS_CORETYPE"),
                hint.get());
        assertTrue(InfoCommand.coreTypeHint(" zen ", AVX512).isPresent());
    }

    @Test
    void saysNothingOtherwise() {
        assertEquals(Optional.empty(), InfoCommand.coreTypeHint(null, AVX512), "variable unset");
        assertEquals(Optional.empty(), InfoCommand.coreTypeHint("", AVX512), "variable empty");
        assertEquals(Optional.empty(), InfoCommand.coreTypeHint("SkylakeX", AVX512), "already AVX-512");
        assertEquals(Optional.empty(), InfoCommand.coreTypeHint("COOPERLAKE", AVX512), "already AVX-512");
        assertEquals(Optional.empty(), InfoCommand.coreTypeHint("Haswell", AVX2), "the CPU has no AVX-512");
        assertEquals(Optional.empty(), InfoCommand.coreTypeHint("Haswell", "fpu avx512fp16x"), "a flag that only starts alike");
        assertEquals(Optional.empty(), InfoCommand.coreTypeHint("Haswell", null), "no /proc/cpuinfo");
    }
}
