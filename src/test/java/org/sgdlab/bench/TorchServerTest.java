package org.sgdlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line protocol between {@code bench engine --compare-torch} and {@code torch_reference.py --serve},
 * against a stand-in server (plain Python, no PyTorch) that answers with known numbers.
 */
class TorchServerTest {

    @TempDir
    Path tmp;

    private Path script(String body) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3");
        Path p = tmp.resolve("server.py");
        Files.writeString(p, body);
        return p;
    }

    @Test
    void requestsAreAnsweredInOrderAndTheServerQuitsOnClose() throws Exception {
        // the stand-in answers "time ID BUDGET MIN WARMUP" with median = budget * 1000 + min repeats
        Path p = script("""
                import json, sys
                print(json.dumps({"torch": "9.9-fake", "threads": 2, "ready": True}), flush=True)
                for line in sys.stdin:
                    f = line.split()
                    if f[0] == "quit":
                        break
                    if f[1] == "bad":
                        print(json.dumps({"error": "unknown workload bad"}), flush=True)
                        continue
                    print(json.dumps({"id": f[1], "median_ms": float(f[2]) * 1000 + int(f[3]), "min_ms": 0, "repeats": 1}), flush=True)
                open(sys.argv[0] + ".quit", "w").write("bye")
                """);
        EngineReport.TorchServer ts = EngineReport.TorchServer.start(p);
        assertEquals("9.9-fake", ts.version);
        assertEquals(803.0, ts.time("mlp_hvp", 0.8, 3, 5), 0.0);
        assertEquals(402.0, ts.time("sgd_step_small", 0.4, 2, 1), 0.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ts.time("bad", 1, 1, 1));
        assertTrue(e.getMessage().contains("unknown workload bad"), e.getMessage());
        ts.close();
        assertEquals("bye", Files.readString(Path.of(p + ".quit")));
    }

    @Test
    void aServerThatCannotStartIsReportedWithWhatToInstall() throws Exception {
        Path p = script("import sys\nsys.exit(3)\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineReport.TorchServer.start(p));
        assertTrue(e.getMessage().contains("did not start") && e.getMessage().contains("python3-torch"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineReport.TorchServer.start(tmp.resolve("missing.py")));
    }

    @Test
    void aServerThatDiesMidRunIsReportedWithItsExitCode() throws Exception {
        Path p = script("""
                import json, sys
                print(json.dumps({"torch": "x", "threads": 2, "ready": True}), flush=True)
                sys.stdin.readline()
                sys.exit(5)
                """);
        EngineReport.TorchServer ts = EngineReport.TorchServer.start(p);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ts.time("mlp_fwd_bwd", 1, 1, 1));
        assertTrue(e.getMessage().contains("exit 5"), e.getMessage());
        ts.close();
    }
}
