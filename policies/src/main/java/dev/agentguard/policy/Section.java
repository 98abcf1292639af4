package dev.agentguard.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of a policy being bound: reports its unknown keys on creation (with a suggestion), converts the
 * values of its known keys, and turns a core builder's {@link IllegalArgumentException} into a problem located at
 * the key the message names. A value that fails to convert is reported and read as absent, so that binding goes on
 * and every problem of the file is found in one pass.
 */
final class Section {

    private final Node.MapNode node;
    private final Problems problems;

    private Section(Node.MapNode node, Problems problems) {
        this.node = node;
        this.problems = problems;
    }

    /**
     * @param value the section's value
     * @param name the section's name in {@link PolicyKeys}
     * @param problems where problems go
     * @return the section, or null (reported) when the value is not a mapping
     */
    static Section of(Node value, String name, Problems problems) {
        if (!(value instanceof Node.MapNode)) {
            problems.add(value, "expected a mapping of " + describe(name) + " keys, got " + value.describe());
            return null;
        }
        Section s = new Section((Node.MapNode) value, problems);
        s.checkKeys(PolicyKeys.of(name));
        return s;
    }

    private static String describe(String name) {
        if (name.isEmpty()) {
            return "policy";
        }
        return name.replace("[]", "").replace(".*", "");
    }

    private void checkKeys(List<String> known) {
        for (Node.Entry e : node.entries().values()) {
            if (known.contains(e.key())) {
                continue;
            }
            String path = Node.child(node.path(), e.key());
            if (e.key().equals("<<")) {
                problems.add(e.keyMark(), path, "YAML merge keys (<<) are not supported; share settings with extends:");
                continue;
            }
            String hint = Suggestions.closest(e.key(), known);
            if (hint != null) {
                problems.add(e.keyMark(), path, "unknown key; did you mean " + hint + "?");
                continue;
            }
            List<String> elsewhere = PolicyKeys.sectionsWith(e.key());
            problems.add(e.keyMark(), path, "unknown key" + (elsewhere.isEmpty() ? "" : " here: " + e.key()
                    + " belongs in " + String.join(" or ", elsewhere)) + "; expected one of " + String.join(", ", known));
        }
    }

    /** @return the mapping */
    Node.MapNode node() {
        return node;
    }

    /**
     * @param key a key of this section
     * @return its value, or null when absent or written as null
     */
    Node get(String key) {
        Node v = node.get(key);
        if (v instanceof Node.ScalarNode && (((Node.ScalarNode) v).kind() == Node.Kind.NULL
                || ((Node.ScalarNode) v).kind() == Node.Kind.BROKEN)) {
            return null;
        }
        return v;
    }

    /**
     * @param key a key of this section
     * @param converter its conversion
     * @param <T> the converted type
     * @return the converted value, or null when absent or (reported) bad
     */
    <T> T value(String key, Values.Converter<T> converter) {
        Node v = get(key);
        if (v == null) {
            return null;
        }
        try {
            return converter.convert(v);
        } catch (BadValue e) {
            problems.add(e.at(), e.getMessage());
            return null;
        }
    }

    /**
     * Converts a value and hands it to a builder setter when present and good.
     *
     * @param key a key of this section
     * @param converter its conversion
     * @param setter receives the value
     * @param <T> the converted type
     */
    <T> void set(String key, Values.Converter<T> converter, Consumer<T> setter) {
        T v = value(key, converter);
        if (v != null) {
            apply(() -> setter.accept(v));
        }
    }

    /**
     * @param key a key of this section
     * @return its value, reporting it as missing when absent
     */
    Node require(String key) {
        Node v = get(key);
        Node raw = node.get(key);
        if (v == null && !(raw instanceof Node.ScalarNode && ((Node.ScalarNode) raw).kind() == Node.Kind.BROKEN)) {
            problems.add(node, key + " is required");
        }
        return v;
    }

    /**
     * Runs a builder call, reporting its {@link IllegalArgumentException} at the key its message names.
     *
     * @param call the call
     * @return true if it did not throw
     */
    boolean apply(Runnable call) {
        return build(() -> {
            call.run();
            return Boolean.TRUE;
        }) != null;
    }

    /**
     * Runs a builder's {@code build()}, reporting its {@link IllegalArgumentException} at the key its message
     * names.
     *
     * @param build the call
     * @param <T> what it builds
     * @return what it built, or null (reported)
     */
    <T> T build(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            report(node, e.getMessage());
            return null;
        }
    }

    /**
     * Reports a builder's message at the value of the key it names under {@code within}, or at {@code within}.
     *
     * @param within the mapping whose keys the message may name
     * @param message the builder's message
     * @param problems where the problem goes
     */
    static void report(Node within, String message, Problems problems) {
        problems.add(locate(within, message == null ? "invalid value" : message), message == null ? "invalid value"
                : message);
    }

    private void report(Node within, String message) {
        report(within, message, problems);
    }

    private static final Pattern QUOTED = Pattern.compile("'[^']*'");

    /**
     * Finds the value that a builder's message is about: the key under {@code within} whose path (relative, such as
     * {@code promptTokens.max}) occurs first in the message, the longest on a tie; quoted names in the message are
     * ignored, so that a budget called {@code limit} does not mislead. A located mapping of one key is followed to
     * that key's value; a located list to the one item whose text the message quotes.
     *
     * @param within the mapping
     * @param message the message
     * @return the node to report at
     */
    static Node locate(Node within, String message) {
        if (!(within instanceof Node.MapNode)) {
            return within;
        }
        String text = QUOTED.matcher(message).replaceAll("''");
        List<Map.Entry<String, Node>> candidates = new ArrayList<>();
        collect((Node.MapNode) within, "", 0, candidates);
        candidates.sort(Comparator.comparingInt((Map.Entry<String, Node> c) -> -c.getKey().length()));
        Node best = null;
        int bestIndex = Integer.MAX_VALUE;
        for (Map.Entry<String, Node> c : candidates) {
            Matcher m = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(c.getKey()) + "(?![A-Za-z0-9_])")
                    .matcher(text);
            if (m.find() && m.start() < bestIndex) {
                bestIndex = m.start();
                best = c.getValue();
            }
        }
        if (best == null) {
            return within;
        }
        return refine(best, message);
    }

    private static void collect(Node.MapNode map, String prefix, int depth, List<Map.Entry<String, Node>> out) {
        for (Node.Entry e : map.entries().values()) {
            String rel = prefix.isEmpty() ? e.key() : prefix + "." + e.key();
            out.add(Map.entry(rel, e.value()));
            if (depth < 2 && e.value() instanceof Node.MapNode) {
                collect((Node.MapNode) e.value(), rel, depth + 1, out);
            }
        }
    }

    private static Node refine(Node found, String message) {
        if (found instanceof Node.MapNode && ((Node.MapNode) found).entries().size() == 1) {
            return ((Node.MapNode) found).entries().values().iterator().next().value();
        }
        if (found instanceof Node.ListNode) {
            Node match = null;
            String matchText = null;
            for (Node item : ((Node.ListNode) found).items()) {
                if (!(item instanceof Node.ScalarNode)) {
                    continue;
                }
                String t = ((Node.ScalarNode) item).text();
                Matcher m = Pattern.compile("(?<![A-Za-z0-9_.%-])" + Pattern.quote(t) + "(?![A-Za-z0-9_.%-])")
                        .matcher(message);
                if (!t.isEmpty() && m.find()) {
                    if (match != null && !t.equals(matchText)) {
                        return found; // the message quotes several items: the list as a whole
                    }
                    match = item; // the same text twice: the later one is the repeat
                    matchText = t;
                }
            }
            return match != null ? match : found;
        }
        return found;
    }
}
