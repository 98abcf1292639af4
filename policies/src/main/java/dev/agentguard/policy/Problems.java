package dev.agentguard.policy;

import dev.agentguard.policy.PolicyException.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects the problems of a load so that they are reported all at once, each once (a base file shared by several
 * agents would otherwise repeat its problems), in file order.
 */
final class Problems {

    /**
     * Past this many, a load stops collecting (one more line says so): a file of garbage does not need a
     * million-line message.
     */
    static final int MAX = 100;

    /** Values substituted from the environment, by the reference that stands for them in messages. */
    private static final int MIN_HIDDEN = 4;

    private final Set<Problem> problems = new LinkedHashSet<>();
    private final Map<String, String> hidden = new java.util.TreeMap<>(
            Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
    private final Map<String, Integer> sourceOrder = new HashMap<>();

    /**
     * @param at where the problem is
     * @param path its key path
     * @param message what is wrong
     */
    void add(Mark at, String path, String message) {
        message = hideValues(message);
        sourceOrder.putIfAbsent(at.source(), sourceOrder.size());
        if (problems.size() < MAX) {
            problems.add(new Problem(at.source(), at.line(), at.column(), path, message));
        } else if (problems.size() == MAX) {
            problems.add(new Problem(at.source(), at.line(), at.column(), path, "more problems follow from here;"
                    + " only the first " + MAX + " are reported"));
        }
    }

    /**
     * @param node the offending value; a {@link Node.Kind#BROKEN} one was reported when it was read, and is not
     *     reported again
     * @param message what is wrong with it
     */
    void add(Node node, String message) {
        if (node instanceof Node.ScalarNode && ((Node.ScalarNode) node).kind() == Node.Kind.BROKEN) {
            return;
        }
        add(node.mark(), node.path(), message);
    }

    /**
     * Remembers a value that came from the environment, so that no message shows it: wherever it occurs, the
     * message shows the reference instead ({@code ${OPENAI_API_KEY}}). Values shorter than four characters are
     * left (they would garble messages, and are no secret worth the name).
     *
     * @param value the variable's value
     * @param reference how the policy wrote it, e.g. {@code ${OPENAI_API_KEY}}
     */
    void hide(String value, String reference) {
        if (value.length() >= MIN_HIDDEN) {
            hidden.put(value, reference);
        }
    }

    private String hideValues(String message) {
        String out = message;
        for (Map.Entry<String, String> h : hidden.entrySet()) {
            if (out.contains(h.getKey())) {
                out = out.replace(h.getKey(), h.getValue());
            }
        }
        return out;
    }

    /** @return true if nothing was reported */
    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** @return how many were reported */
    int size() {
        return problems.size();
    }

    /** @throws PolicyException holding every problem, if there is one */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw exception();
        }
    }

    /** @return the exception holding every problem, in order of source, line and column */
    PolicyException exception() {
        List<Problem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.<Problem>comparingInt(p -> sourceOrder.getOrDefault(p.source(), 0))
                .thenComparingInt(Problem::line).thenComparingInt(Problem::column));
        return new PolicyException(sorted);
    }
}
