package org.sgdlab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sgdlab} command line. Exit codes: 0 ok, 1 failure, 2 bad input. */
@Command(name = "sgdlab", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "A laboratory for the training dynamics of (stochastic) gradient descent.",
        subcommands = {DemoCommand.class, StudyCommand.class, RunCommand.class, ResumeCommand.class, SweepCommand.class, CollectCommand.class,
            ReportCommand.class, DiagnoseCommand.class, SpecCommand.class, InfoCommand.class, BenchCommand.class},
        footer = {"", "Also (handled by the ./sgdlab launcher):",
            "  test      Run the test suite (Maven + JUnit) on the same JDK."})
public final class Main implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (no System.exit; for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                cmd.getErr().println("sgdlab: " + ex.getMessage());
                return 2;
            }
            if (isMissingFile(ex)) {
                cmd.getErr().println("sgdlab: " + fileMessage(ex));
                return 2;
            }
            cmd.getErr().println("sgdlab: " + ex);
            ex.printStackTrace(cmd.getErr());
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("sgdlab: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 2;
        });
        return cl.execute(args);
    }

    /** A file named on the command line or in a spec that does not exist or cannot be read: the user's to fix. */
    static boolean isMissingFile(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.NoSuchFileException || t instanceof java.nio.file.AccessDeniedException
                    || t instanceof java.io.FileNotFoundException) {
                return true;
            }
        }
        return false;
    }

    /** The message of a missing-file error: the exception's own, or for a bare NIO exception (whose message is only the path) what happened to which file. */
    static String fileMessage(Throwable ex) {
        if (ex instanceof java.nio.file.NoSuchFileException f) {
            return "file not found: " + f.getFile();
        }
        if (ex instanceof java.nio.file.AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        return ex.getMessage();
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
