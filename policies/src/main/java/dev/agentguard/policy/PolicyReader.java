package dev.agentguard.policy;

import dev.agentguard.policy.PolicyException.Problem;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads and validates policy files; {@link Policies} uses one with the process environment. Make your own to
 * substitute {@code ${NAME}} from somewhere else (a test's map, a secrets store). Immutable and thread-safe; each
 * read is independent.
 *
 * <p>Every method throws {@link PolicyException}, and only that, for any input that is not a valid policy: the
 * message lists all of its problems, each with file, line, column and key path.
 */
public final class PolicyReader {

    private static final PolicyReader SYSTEM = new PolicyReader(System::getenv);

    private final Function<String, String> env;
    private final List<Path> extendsFrom;

    private PolicyReader(Function<String, String> env) {
        this(env, List.of());
    }

    private PolicyReader(Function<String, String> env, List<Path> extendsFrom) {
        this.env = env;
        this.extendsFrom = extendsFrom;
    }

    /**
     * A policy's {@code extends} reaches the files below the directory of the policy it loads (and the bundled
     * presets), so that a policy cannot make the loader read, or echo in a message, a file elsewhere
     * ({@code extends: ../../etc/passwd}). This allows another directory tree as well, such as a shared one.
     *
     * @param directory a directory whose files (and those below it) policies may extend
     * @return a reader like this one that also allows that tree
     */
    public PolicyReader allowExtendsFrom(Path directory) {
        Objects.requireNonNull(directory, "directory");
        List<Path> roots = new java.util.ArrayList<>(extendsFrom);
        roots.add(directory);
        return new PolicyReader(env, List.copyOf(roots));
    }

    private PolicyComposer composer() {
        return new PolicyComposer(env, extendsFrom);
    }

    /** @return a reader that substitutes {@code ${NAME}} from the process environment */
    public static PolicyReader systemEnvironment() {
        return SYSTEM;
    }

    /**
     * @param env looks a variable up by name; returns null when unset
     * @return a reader that substitutes {@code ${NAME}} from {@code env}
     */
    public static PolicyReader withEnvironment(Function<String, String> env) {
        return new PolicyReader(Objects.requireNonNull(env, "env"));
    }

    /**
     * @param env the variables
     * @return a reader that substitutes {@code ${NAME}} from {@code env}
     */
    public static PolicyReader withEnvironment(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        return new PolicyReader(copy::get);
    }

    /**
     * Reads a single-agent policy file.
     *
     * @param file the file; {@code extends} paths in it are relative to its directory
     * @return the validated policy
     * @throws PolicyException listing every problem of the file (and of the files it extends)
     */
    public Policy parse(Path file) {
        Objects.requireNonNull(file, "file");
        return guarded(file.toString(), () -> composer().policy(file, null));
    }

    /**
     * Reads one agent of a file with {@code agents:}; it inherits the file's top-level settings.
     *
     * @param file the file
     * @param agent the agent's name (its key under {@code agents})
     * @return the validated policy of that agent
     * @throws PolicyException listing every problem of the file, or if it has no such agent
     */
    public Policy parse(Path file, String agent) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(agent, "agent");
        return guarded(file.toString(), () -> composer().policy(file, agent));
    }

    /**
     * Reads a single-agent policy from a stream, which is read (up to 1 MiB and one byte) but not closed.
     *
     * @param in the policy
     * @param sourceName the name that problems carry, e.g. {@code support.yaml}; the policy's default name is
     *     derived from it. {@code extends} paths are relative to the working directory.
     * @return the validated policy
     * @throws PolicyException listing every problem
     */
    public Policy parse(InputStream in, String sourceName) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        return guarded(sourceName, () -> composer().policy(in, sourceName, null));
    }

    /**
     * Reads the agents of a multi-agent policy: a file with {@code agents:} (or without, as a set of one), or a
     * directory whose {@code *.yaml} and {@code *.yml} files are each a policy (files whose name starts with
     * {@code _} are skipped: use them as bases for {@code extends}).
     *
     * @param fileOrDirectory the file or directory
     * @return every agent, validated
     * @throws PolicyException listing every problem of every file
     */
    public PolicySet parseAgents(Path fileOrDirectory) {
        Objects.requireNonNull(fileOrDirectory, "fileOrDirectory");
        return guarded(fileOrDirectory.toString(), () -> composer().agents(fileOrDirectory));
    }

    /**
     * Reads the agents of a multi-agent policy from a stream, which is read but not closed.
     *
     * @param in the policy
     * @param sourceName the name that problems carry
     * @return every agent, validated
     * @throws PolicyException listing every problem
     */
    public PolicySet parseAgents(InputStream in, String sourceName) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        return guarded(sourceName, () -> composer().agents(in, sourceName));
    }

    /**
     * Runs a read so that only {@link PolicyException} leaves it. Anything else would be a bug in this module;
     * it is still reported as a problem of the file, naming the exception, rather than escaping as something the
     * caller does not expect from a policy loader.
     */
    private static <T> T guarded(String source, Supplier<T> read) {
        try {
            return read.get();
        } catch (PolicyException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new PolicyException(List.of(new Problem(source, 1, 1, "", "internal error while reading the"
                    + " policy (please report it): " + e)));
        }
    }
}
