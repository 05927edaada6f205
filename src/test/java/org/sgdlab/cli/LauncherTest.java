package org.sgdlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./sgdlab} launcher on a machine without a JDK or Maven: it installs both with apt-get (here a
 * stub that records its arguments and installs nothing) unless {@code SGDLAB_NO_INSTALL=1}, and fails with
 * exit code 2 and a message naming the packages when they are still missing.
 */
class LauncherTest {

    private static final List<String> TOOLS = List.of("bash", "env", "id", "dirname", "readlink", "sed", "head", "cat",
            "find", "git", "mkdir", "flock", "basename", "tr", "grep");

    @TempDir
    Path tmp;
    private Path bin;
    private Path aptLog;

    @BeforeEach
    void stubMachine() throws IOException {
        Path launcher = Path.of("sgdlab").toAbsolutePath();
        Assumptions.assumeTrue(Files.isExecutable(launcher), "launcher not found at " + launcher);
        bin = Files.createDirectory(tmp.resolve("bin"));
        for (String t : TOOLS) {
            Path real = which(t);
            Assumptions.assumeTrue(real != null, t + " not installed");
            Files.createSymbolicLink(bin.resolve(t), real);
        }
        aptLog = tmp.resolve("apt.log");
        Path apt = bin.resolve("apt-get");
        Files.writeString(apt, "#!" + which("bash") + "\necho \"apt-get $*\" >> " + aptLog + "\n");
        assertTrue(apt.toFile().setExecutable(true));
        // when the tests run as a normal user the launcher goes through sudo: a stub that just runs the command
        Path sudo = bin.resolve("sudo");
        Files.writeString(sudo, "#!" + which("bash") + "\nexec \"$@\"\n");
        assertTrue(sudo.toFile().setExecutable(true));
    }

    private static Path which(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private record Out(int code, String err) {
    }

    private Out launch(Map<String, String> env, String... args) throws Exception {
        return launchScript("sgdlab", env, args);
    }

    private Out launchScript(String script, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(bin.resolve("bash").toString(), script));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("SGDLAB_JVM_DIR", tmp.resolve("no-jdks").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        return new Out(p.exitValue(), err);
    }

    @Test
    void installsJdkAndMavenWithAptWhenMissing() throws Exception {
        Out o = launch(Map.of(), "test");
        assertEquals(List.of("apt-get update -qq", "apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven"),
                Files.readAllLines(aptLog));
        // the stub installed nothing, so the launcher still finds no JDK and says so
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("installing the Debian packages openjdk-17-jdk-headless maven"), o.err());
        assertTrue(o.err().contains("no JDK >= 17 found"), o.err());
    }

    @Test
    void noInstallFailsWithThePackagesToInstall() throws Exception {
        Out o = launch(Map.of("SGDLAB_NO_INSTALL", "1"), "info");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("install the Debian packages openjdk-17-jdk-headless maven"), o.err());
        assertFalse(Files.exists(aptLog));
    }

    @Test
    void aBadJavaHomeIsNamedAndNothingIsInstalled() throws Exception {
        Out o = launch(Map.of("SGDLAB_JAVA_HOME", tmp.toString()), "info");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("SGDLAB_JAVA_HOME=" + tmp + " is not a JDK >= 17"), o.err());
        assertFalse(Files.exists(aptLog));
    }

    /**
     * The JVM flags, recorded by a stub JDK on a copy of the launcher whose jar is up to date (so nothing is
     * built): ParallelGC with a fixed young generation by default; a collector or heap size given in
     * SGDLAB_JAVA_OPTS replaces them (two collectors would stop the JVM).
     */
    @Test
    void jvmFlagsFixTheYoungGenerationUnlessTheUserChoosesTheHeap() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.copy(Path.of("sgdlab"), root.resolve("sgdlab"));
        Path jdk = Files.createDirectories(tmp.resolve("jdk/bin"));
        Files.writeString(jdk.getParent().resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        Path argsLog = tmp.resolve("java-args.log");
        for (String tool : List.of("java", "javac")) {
            Path t = jdk.resolve(tool);
            Files.writeString(t, "#!" + which("bash") + "\necho \"$*\" > " + argsLog + "\n");
            assertTrue(t.toFile().setExecutable(true));
        }
        Files.createDirectories(root.resolve("target/lib"));
        Files.writeString(root.resolve("target/sgdlab.jar"), "");
        Files.writeString(root.resolve("target/.build-jdk"), jdk.getParent().toString() + "\n");
        String script = root.resolve("sgdlab").toString();
        Map<String, String> home = Map.of("SGDLAB_JAVA_HOME", jdk.getParent().toString());

        assertEquals(0, launchScript(script, home, "info").code());
        String args = Files.readString(argsLog);
        assertTrue(args.contains("-XX:+UseParallelGC") && args.matches("(?s).*-Xmn[0-9]+m .*"), args);
        assertTrue(args.contains("--add-modules jdk.incubator.vector") && args.contains("org.sgdlab.cli.Main info"), args);

        Map<String, String> serial = new java.util.HashMap<>(home);
        serial.put("SGDLAB_JAVA_OPTS", "-XX:+UseSerialGC");
        assertEquals(0, launchScript(script, serial, "info").code());
        args = Files.readString(argsLog);
        assertTrue(args.contains("-XX:+UseSerialGC") && !args.contains("ParallelGC") && !args.contains("-Xmn"), args);

        Map<String, String> other = new java.util.HashMap<>(home);
        other.put("SGDLAB_JAVA_OPTS", "-XX:+UseCompressedOops -XX:+PrintGCDetails");
        assertEquals(0, launchScript(script, other, "info").code());
        args = Files.readString(argsLog);
        assertTrue(args.contains("-XX:+UseParallelGC") && args.contains("-Xmn") && args.contains("-XX:+PrintGCDetails"),
                "flags that merely mention GC keep the defaults: " + args);

        Map<String, String> heap = new java.util.HashMap<>(home);
        heap.put("SGDLAB_JAVA_OPTS", "-Xmx2g");
        assertEquals(0, launchScript(script, heap, "info").code());
        args = Files.readString(argsLog);
        assertTrue(args.contains("-XX:+UseParallelGC") && args.contains("-Xmx2g") && !args.contains("-Xmn"), args);
    }
}
