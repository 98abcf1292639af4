package dev.agentguard.policy;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A YAML value read from a policy file, with where it starts and its key path in its own file
 * ({@code budgets[0].window}). The tree is immutable; an alias shares the node of its anchor.
 */
sealed interface Node permits Node.MapNode, Node.ListNode, Node.ScalarNode {

    /** @return where the value starts */
    Mark mark();

    /** @return the key path of the value in its file; empty for the root */
    String path();

    /** @return how many values this one stands for, children and aliases expanded (saturating) */
    long weight();

    /** @return what a message calls this kind of value, e.g. {@code a mapping} */
    String describe();

    /** The longest excerpt of bad input a message quotes. */
    int EXCERPT = 40;

    /**
     * @param text a value as read
     * @return at most {@link #EXCERPT} characters of it on one line, redacted (a message never echoes a secret
     *     or a file that was not meant to be shown)
     */
    static String abbreviate(String text) {
        String oneLine = dev.agentguard.core.redact.Redactor.all().redact(text).replace("\n", "\\n")
                .replace("\r", "\\r").replace("\t", "\\t");
        return oneLine.length() <= EXCERPT ? oneLine : oneLine.substring(0, EXCERPT - 3) + "...";
    }

    /**
     * @param text a value as read
     * @return a short, redacted excerpt in quotes
     */
    static String excerpt(String text) {
        return "\"" + abbreviate(text) + "\"";
    }

    /** Keys that print bare in a key path; others are quoted in brackets. */
    Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    /**
     * @param parent a key path
     * @param key a key under it
     * @return the child's key path, e.g. {@code caps.perTool} or {@code pricing["gpt-4.1"]}
     */
    static String child(String parent, String key) {
        if (!PLAIN_KEY.matcher(key).matches()) {
            return parent + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
        }
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /**
     * @param parent a key path
     * @param index an index in the list at that path
     * @return the item's key path, e.g. {@code budgets[0]}
     */
    static String item(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** One key of a mapping: the key text, where the key starts, and its value. */
    record Entry(String key, Mark keyMark, Node value) {
    }

    /** A YAML mapping; keys keep their order. */
    record MapNode(Mark mark, String path, Map<String, Entry> entries, long weight) implements Node {

        public MapNode {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        /** @param key a key @return its value, or null when absent */
        Node get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value();
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** A YAML sequence. */
    record ListNode(Mark mark, String path, List<Node> items, long weight) implements Node {

        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** How a scalar was typed by the YAML parser (plain numbers and booleans are typed; quoted text is a string). */
    enum Kind {
        /** Text. */
        STRING,
        /** A whole number. */
        INT,
        /** A decimal number (or {@code .inf}, {@code .nan}: then {@link ScalarNode#number()} is null). */
        FLOAT,
        /** {@code true} or {@code false}. */
        BOOL,
        /** {@code null}, {@code ~} or nothing. */
        NULL,
        /** Anything else, e.g. a {@code !!binary} value. */
        OTHER,
        /**
         * A value already reported as bad while it was read (an unset environment variable): read as absent, and
         * never reported again.
         */
        BROKEN
    }

    /**
     * A YAML scalar: its text as written (after environment substitution) and, for numbers, the exact value.
     *
     * @param number the exact value of an INT or FLOAT, never parsed through a double; otherwise null
     * @param written the text as the file wrote it when {@code ${NAME}} was substituted in it, else null: what
     *     messages show, so that they never show a value from the environment
     */
    record ScalarNode(Mark mark, String path, Kind kind, String text, BigDecimal number, String written)
            implements Node {

        ScalarNode(Mark mark, String path, Kind kind, String text, BigDecimal number) {
            this(mark, path, kind, text, number, null);
        }

        @Override
        public long weight() {
            return 1;
        }

        @Override
        public String describe() {
            if (written != null) {
                return "\"" + abbreviate(written) + "\"";
            }
            switch (kind) {
                case STRING:
                    return "\"" + abbreviate(text) + "\"";
                case NULL:
                    return "nothing (null)";
                case OTHER:
                case BROKEN:
                    return "a value of another type";
                default:
                    return abbreviate(text);
            }
        }

        private static String abbreviate(String text) {
            return Node.abbreviate(text);
        }
    }
}
