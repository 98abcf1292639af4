package dev.agentguard.policy;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A policy that cannot be loaded: every problem found in it, each naming its file, line, column and key path.
 * Whatever the input (a typo, binary garbage, an empty file, a YAML bomb, a file of many megabytes), this is the
 * only exception the policy loaders throw for it. A policy is applied whole or not at all.
 *
 * <p>The message holds one problem per line, in file order, for example:
 * <pre>
 * support.yaml:14:13 budgets[0].window: expected a duration like 10m or PT10M, got "ten minutes"
 * support.yaml:22:5 caps.toolCallPerTurn: unknown key; did you mean toolCallsPerTurn?
 * </pre>
 */
public final class PolicyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * One problem of a policy file.
     *
     * @param source the file (as given) or the stream's name
     * @param line 1-based line where the offending key or value starts
     * @param column 1-based column
     * @param path the key path, e.g. {@code budgets[0].window}; empty for the file as a whole
     * @param message what is wrong and what was expected
     */
    public record Problem(String source, int line, int column, String path, String message) {

        /** Checks the components. */
        public Problem {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(message, "message");
        }

        /** @return {@code source:line:column path: message} */
        @Override
        public String toString() {
            return source + ":" + line + ":" + column + (path.isEmpty() ? "" : " " + path) + ": " + message;
        }
    }

    private final transient List<Problem> problems;

    /**
     * @param problems the problems, at least one, in the order to report them
     */
    public PolicyException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a PolicyException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** @return the problems, in file order */
    public List<Problem> problems() {
        return problems;
    }
}
