package dev.agentguard.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * The {@code agent-guard} command: {@code verify}, {@code report}, {@code replay} and {@code doctor}.
 *
 * <p>Exit status, the same for every command: {@value #OK} when all is fine, {@value #FINDINGS} when something was
 * found (a broken chain, unreadable records, decisions that a candidate policy changes, a setup problem), and
 * {@value #USAGE} on bad usage (an unknown option, a missing argument) or input that cannot be read.
 *
 * <p>{@link #execute} runs a command line without exiting, with its output, error stream and environment given;
 * {@link #main} is the process entry point.
 */
public final class AgentGuardCli {

    /** Exit status: all is fine. */
    public static final int OK = 0;
    /** Exit status: something was found (tampering, errors, setup problems). */
    public static final int FINDINGS = 1;
    /** Exit status: bad usage, or input that cannot be read. */
    public static final int USAGE = 2;

    private AgentGuardCli() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        // the guard-core classes log through SLF4J; the command line prints what it finds itself
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(args, out, err, System.getenv()::get));
    }

    /**
     * Runs a command line without exiting.
     *
     * @param args the arguments
     * @param out where results go
     * @param err where usage errors and problems reading input go
     * @param environment where environment variables are looked up
     * @return the exit status: {@link #OK}, {@link #FINDINGS} or {@link #USAGE}
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, Function<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        CommandLine cli = commandLine(environment);
        cli.setOut(out).setErr(err);
        int status = cli.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /**
     * @param environment where environment variables are looked up
     * @return the configured picocli command line (exit codes and error handling set)
     */
    static CommandLine commandLine(Function<String, String> environment) {
        CommandLine cli = new CommandLine(new RootCommand(environment));
        cli.setExitCodeExceptionMapper(e -> USAGE);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof UsageException || e instanceof UncheckedIOException
                    || e instanceof java.io.IOException) {
                Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
                err.println("agent-guard " + commandLine.getCommandName() + ": " + describe(cause));
                return USAGE;
            }
            throw e;
        });
        return cli;
    }

    private static String describe(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file: " + e.getMessage();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "cannot read: " + e.getMessage() + " (permission denied)";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** An argument that picocli accepts but the command cannot use (a file that does not exist, say): exit 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AgentGuardCli.class.getPackage().getImplementationVersion();
            return new String[] {"agent-guard " + (v == null ? "(development build)" : v)};
        }
    }

    /** @return an unmodifiable view of a map as an environment, for tests and embedding */
    static Function<String, String> environment(Map<String, String> variables) {
        return Map.copyOf(variables)::get;
    }
}
