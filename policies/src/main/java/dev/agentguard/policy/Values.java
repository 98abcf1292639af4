package dev.agentguard.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts YAML values to the types the core builders take: text, whole numbers, exact decimals, durations,
 * percentages and choices. These are conversions, not validation: whether a number is in range is for the
 * builders to say (except where the YAML form has its own rule, noted on the method).
 */
final class Values {

    private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h|d)");
    private static final Pattern PERCENT = Pattern.compile("([0-9]{1,9})%");
    private static final Pattern DECIMAL_PERCENT = Pattern.compile("[0-9]*\\.[0-9]+%");

    private Values() {
    }

    /** A conversion of one value. */
    @FunctionalInterface
    interface Converter<T> {
        /**
         * @param node a value that is present (not null)
         * @return the converted value
         * @throws BadValue if the value has the wrong type or form
         */
        T convert(Node node) throws BadValue;
    }

    private static Node.ScalarNode scalar(Node n, String expected) throws BadValue {
        if (n instanceof Node.ScalarNode) {
            return (Node.ScalarNode) n;
        }
        throw new BadValue(n, "expected " + expected + ", got " + n.describe());
    }

    /**
     * Text: a string, or a plain number written where text is expected (a model called {@code 1106}).
     *
     * @param n the value
     * @return the text
     * @throws BadValue for a mapping, list, boolean or null
     */
    static String text(Node n) throws BadValue {
        Node.ScalarNode s = scalar(n, "text");
        switch (s.kind()) {
            case STRING:
            case INT:
            case FLOAT:
                return s.text();
            default:
                throw new BadValue(n, "expected text, got " + s.describe());
        }
    }

    /**
     * @param n the value
     * @param what what the number counts, for the message
     * @return a whole number
     * @throws BadValue if it is not a plain whole number or does not fit
     */
    static long wholeNumber(Node n, String what) throws BadValue {
        Node.ScalarNode s = scalar(n, "a whole number of " + what);
        if (s.kind() == Node.Kind.INT && s.number() != null) {
            try {
                return s.number().longValueExact();
            } catch (ArithmeticException e) {
                throw new BadValue(n, "expected a whole number of " + what + ", got " + s.text() + ", which is too large");
            }
        }
        if (s.kind() == Node.Kind.STRING && s.text().trim().matches("-?[0-9]+")) {
            throw new BadValue(n, "expected a whole number of " + what + ", got the text " + s.describe()
                    + " (remove the quotes)");
        }
        throw new BadValue(n, "expected a whole number of " + what + ", got " + s.describe());
    }

    /**
     * A whole number that fits an {@code int}.
     *
     * @param n the value
     * @param what what the number counts
     * @return the number
     * @throws BadValue if it is not a whole number or does not fit
     */
    static int intNumber(Node n, String what) throws BadValue {
        long v = wholeNumber(n, what);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new BadValue(n, "expected a whole number of " + what + " up to " + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v;
    }

    /**
     * A count of at least 1. In YAML a cap that is absent is no cap, so 0, which the builders read as "no cap",
     * would only be a confusing second way of saying it (or a mistaken "never"); it is refused here.
     *
     * @param n the value
     * @param what what the number counts
     * @return the number
     * @throws BadValue if it is not a whole number of at least 1
     */
    static int positiveCount(Node n, String what) throws BadValue {
        int v = intNumber(n, what);
        if (v < 1) {
            throw new BadValue(n, "must be at least 1, was " + v + " (leave the key out for no limit)");
        }
        return v;
    }

    /**
     * An exact decimal number, never read through a {@code double}.
     *
     * @param n the value
     * @param what what the number is
     * @return the number
     * @throws BadValue if it is not a plain number
     */
    static BigDecimal decimal(Node n, String what) throws BadValue {
        Node.ScalarNode s = scalar(n, "a number (" + what + ")");
        if ((s.kind() == Node.Kind.INT || s.kind() == Node.Kind.FLOAT) && s.number() != null) {
            return s.number();
        }
        if (s.kind() == Node.Kind.STRING && s.text().trim().matches("-?[0-9]*\\.?[0-9]+")) {
            throw new BadValue(n, "expected a number (" + what + "), got the text " + s.describe()
                    + " (remove the quotes)");
        }
        throw new BadValue(n, "expected a number (" + what + "), got " + s.describe());
    }

    /**
     * A duration: {@code 500ms}, {@code 10s}, {@code 10m}, {@code 1h}, {@code 1d}, or ISO-8601 such as {@code PT10M}.
     * Whether it may be zero or negative is for the builders to say.
     *
     * @param n the value
     * @return the duration
     * @throws BadValue for anything else
     */
    static Duration duration(Node n) throws BadValue {
        Node.ScalarNode s = scalar(n, "a duration like 10m or PT10M");
        String text = s.text().trim();
        if (s.kind() == Node.Kind.STRING) {
            Matcher m = SHORT_DURATION.matcher(text);
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms":
                        return Duration.ofMillis(amount);
                    case "s":
                        return Duration.ofSeconds(amount);
                    case "m":
                        return Duration.ofMinutes(amount);
                    case "h":
                        return Duration.ofHours(amount);
                    default:
                        return Duration.ofDays(amount);
                }
            }
            String upper = text.toUpperCase(Locale.ROOT);
            if (upper.startsWith("P") || upper.startsWith("-P")) {
                try {
                    return Duration.parse(upper);
                } catch (DateTimeParseException | ArithmeticException e) {
                    throw new BadValue(n, "expected a duration like 10m or PT10M, got " + s.describe()
                            + ", which is not an ISO-8601 duration");
                }
            }
        }
        if (s.kind() == Node.Kind.INT) {
            throw new BadValue(n, "expected a duration like 10m or PT10M, got " + s.text() + " (a number needs a unit:"
                    + " " + s.text() + "s, " + s.text() + "m...)");
        }
        throw new BadValue(n, "expected a duration like 10m or PT10M, got " + s.describe());
    }

    /**
     * A whole percentage such as {@code 80%}. The range is for the builders to check.
     *
     * @param n the value
     * @return the percentage
     * @throws BadValue for anything else
     */
    static int percent(Node n) throws BadValue {
        Node.ScalarNode s = scalar(n, "a percentage like 80%");
        String text = s.text().trim();
        if (s.kind() == Node.Kind.STRING) {
            Matcher m = PERCENT.matcher(text);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
            if (DECIMAL_PERCENT.matcher(text).matches()) {
                throw new BadValue(n, "expected a whole percentage like 80%, got " + s.describe());
            }
        }
        if (s.kind() == Node.Kind.INT || s.kind() == Node.Kind.FLOAT) {
            throw new BadValue(n, "expected a percentage like 80%, got " + s.text() + " (add the % sign)");
        }
        throw new BadValue(n, "expected a percentage like 80%, got " + s.describe());
    }

    /**
     * @param n the value
     * @param choices the allowed words and what each stands for
     * @param <T> the type of the choices
     * @return the choice
     * @throws BadValue naming the allowed words, with a suggestion when one is close
     */
    static <T> T choice(Node n, Map<String, T> choices) throws BadValue {
        String expected = String.join(" | ", choices.keySet());
        Node.ScalarNode s = scalar(n, "one of " + expected);
        T v = s.kind() == Node.Kind.STRING ? choices.get(s.text().trim()) : null;
        if (v != null) {
            return v;
        }
        String hint = s.kind() == Node.Kind.STRING ? Suggestions.closest(s.text().trim(), choices.keySet()) : null;
        throw new BadValue(n, "expected " + expected + ", got " + s.describe()
                + (hint == null ? "" : "; did you mean " + hint + "?"));
    }

    /**
     * @param n the value
     * @param each converts one item
     * @param problems where the bad items are reported
     * @param <T> the item type
     * @return the items that converted (bad ones are reported and left out)
     * @throws BadValue if the value is not a list
     */
    static <T> List<T> list(Node n, Converter<T> each, Problems problems) throws BadValue {
        if (!(n instanceof Node.ListNode)) {
            throw new BadValue(n, "expected a list such as [a, b], got " + n.describe());
        }
        List<T> out = new ArrayList<>();
        for (Node item : ((Node.ListNode) n).items()) {
            try {
                out.add(each.convert(item));
            } catch (BadValue e) {
                problems.add(e.at(), e.getMessage());
            }
        }
        return out;
    }
}
