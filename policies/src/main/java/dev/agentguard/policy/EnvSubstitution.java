package dev.agentguard.policy;

import java.math.BigDecimal;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} in scalar values, as a shell would expand them: the default
 * applies when the variable is unset or empty; {@code $${} writes a literal {@code ${}. Keys are never
 * substituted. Substitution happens on the parsed value, not the file's text, so that a variable cannot change
 * the structure of the file and locations stay those of the file.
 */
final class EnvSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");

    private EnvSubstitution() {
    }

    /** Thrown for a reference that cannot be expanded; the reader turns it into a located problem. */
    static final class BadReference extends Exception {
        private static final long serialVersionUID = 1L;

        BadReference(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param text a scalar's text
     * @return true if it holds a reference (or an escaped one)
     */
    static boolean mentions(String text) {
        return text.contains("${");
    }

    /**
     * Expands the references in a text.
     *
     * @param text the scalar's text
     * @param env looks a variable up; null when unset
     * @return the expanded text
     * @throws BadReference for a malformed reference or an unset variable without a default
     */
    static String expand(String text, Function<String, String> env) throws BadReference {
        return expand(text, env, (name, value) -> { });
    }

    /**
     * Expands the references in a text, telling which variables gave which values (so that messages can show
     * {@code ${NAME}} instead of a value that may be a secret).
     *
     * @param text the scalar's text
     * @param env looks a variable up; null when unset
     * @param used receives each variable's name and the value taken from the environment (not defaults)
     * @return the expanded text
     * @throws BadReference for a malformed reference or an unset variable without a default
     */
    static String expand(String text, Function<String, String> env,
            java.util.function.BiConsumer<String, String> used) throws BadReference {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (!text.startsWith("${", i)) {
                out.append(text.charAt(i++));
                continue;
            }
            int end = text.indexOf('}', i + 2);
            if (end < 0) {
                throw new BadReference("unterminated ${ in " + Node.excerpt(text) + " (write $${ for a literal ${)");
            }
            String body = text.substring(i + 2, end);
            int sep = body.indexOf(":-");
            String name = sep < 0 ? body : body.substring(0, sep);
            if (!NAME.matcher(name).matches()) {
                throw new BadReference(Node.excerpt("${" + body + "}") + " is not a variable reference: expected ${NAME} or"
                        + " ${NAME:-default}");
            }
            String value = env.apply(name);
            if (value != null && !value.isEmpty()) {
                used.accept(name, value);
            }
            if (value == null || value.isEmpty()) {
                if (sep < 0) {
                    throw new BadReference("environment variable " + name + " is not set (give a default with ${"
                            + name + ":-default})");
                }
                value = body.substring(sep + 2);
            }
            out.append(value);
            i = end + 1;
        }
        return out.toString();
    }

    /**
     * Types an expanded value as a plain YAML scalar would be typed, so that {@code costUsd: ${BUDGET}} is a number
     * when BUDGET is {@code 2.00}.
     *
     * @param at the scalar's mark
     * @param path its key path
     * @param text the expanded text
     * @param written the text before expansion, which messages show
     * @return the scalar
     */
    static Node.ScalarNode retype(Mark at, String path, String text, String written) {
        String t = text.trim();
        try {
            if (INT.matcher(t).matches()) {
                return new Node.ScalarNode(at, path, Node.Kind.INT, t, new BigDecimal(t), written);
            }
            if (FLOAT.matcher(t).matches() && t.chars().anyMatch(Character::isDigit)) {
                return new Node.ScalarNode(at, path, Node.Kind.FLOAT, t, new BigDecimal(t), written);
            }
        } catch (NumberFormatException e) {
            return new Node.ScalarNode(at, path, Node.Kind.STRING, text, null, written); // an exponent out of range
        }
        if (t.equals("true") || t.equals("false")) {
            return new Node.ScalarNode(at, path, Node.Kind.BOOL, t, null, written);
        }
        if (t.equals("null") || t.equals("~")) {
            return new Node.ScalarNode(at, path, Node.Kind.NULL, t, null, written);
        }
        return new Node.ScalarNode(at, path, Node.Kind.STRING, text, null, written);
    }
}
