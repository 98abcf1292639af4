package dev.agentguard.core.redact;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Removes secrets and personal data from text before any sink sees it: tool arguments, reasons, error messages.
 * What it finds is replaced by {@code [REDACTED:<label>]}, e.g. {@code [REDACTED:email]}.
 *
 * <p>{@link #redact(String)} works on free text with regular expressions whose boundaries keep look-alikes
 * alone (order numbers, UUIDs, dates, IP addresses, versions); card candidates must also pass the Luhn check and
 * carry a card network's prefix. {@link #redactArguments(String)} parses JSON arguments with Jackson, redacts
 * every string (and integer) value and every value under a sensitive key ({@code password}, {@code apiKey}…),
 * and writes the JSON back, so that redacted arguments stay valid JSON; arguments that are not JSON are redacted
 * as text.
 *
 * <p>The classes to apply are selectable ({@link RedactionClass}); custom patterns (label and regular
 * expression) are added with {@link Builder#pattern(String, String)} and run before the built-in ones. Nothing
 * this class throws or prints ever contains the text it was given.
 *
 * <p><b>Linear time, whatever the input.</b> Every expression, built-in or custom, runs on RE2/J, which does not
 * backtrack: a search costs time linear in the text and never overflows the stack, so no text (a prompt injection
 * can make a model write anything into tool arguments) can crash the thread that redacts or stall it. A custom
 * pattern that RE2 cannot run (look-around, back-references) is refused when the redactor is built. A text longer
 * than {@value #MAX_TEXT_CHARS} characters is cut there first (at a separator, so that no secret is cut in two),
 * and the cut is marked {@code [TRUNCATED:<n> chars]}; JSON arguments are cut value by value.
 *
 * <p>Cost: each rule first checks a cheap necessary condition (a marker substring, enough digits) and runs its
 * expression only when that holds, so plain text costs a few scans of its length. Immutable and thread-safe.
 */
public final class Redactor {

    /** The longest text redacted whole; a longer one is cut to this many characters first. */
    public static final int MAX_TEXT_CHARS = 64 * 1024;
    /** How far back from the cut a separator is looked for, so that no secret is cut in two. */
    private static final int CUT_LOOKBACK = 1024;
    /** Arguments longer than this are not parsed as JSON but redacted (and cut) as text. */
    private static final int MAX_JSON_CHARS = 4 * MAX_TEXT_CHARS;

    private static final String PREFIX = "[REDACTED:";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION) // a duplicate key could hide a value from us
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // numbers are written back as they came
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(200).maxNumberLength(1_000).maxStringLength(5_000_000).build());
    }

    private static final Redactor ALL = builder().build();
    private static final Redactor NONE = builder().classes(EnumSet.noneOf(RedactionClass.class)).build();

    private final Set<RedactionClass> classes;
    private final Map<String, Pattern> custom;
    private final Map<String, String> customRegexes;
    private final List<TextRule> rules;
    private final boolean sensitiveKeys;
    private final String placeholderSecret;

    private Redactor(Builder b) {
        this.classes = Collections.unmodifiableSet(EnumSet.copyOf(b.classes));
        this.custom = Collections.unmodifiableMap(new LinkedHashMap<>(b.custom));
        Map<String, String> regexes = new LinkedHashMap<>();
        custom.forEach((label, pattern) -> regexes.put(label, pattern.pattern()));
        this.customRegexes = Collections.unmodifiableMap(regexes);
        List<TextRule> r = new ArrayList<>();
        custom.forEach((label, pattern) -> r.add(TextRule.custom(label, pattern)));
        for (RedactionClass c : RedactionClass.values()) {
            if (classes.contains(c)) {
                r.addAll(TextRule.builtIn(c));
            }
        }
        this.rules = List.copyOf(r);
        this.sensitiveKeys = classes.contains(RedactionClass.SECRETS);
        this.placeholderSecret = placeholder(RedactionClass.SECRETS.label());
    }

    /** @return a redactor with every built-in class and no custom pattern */
    public static Redactor all() {
        return ALL;
    }

    /** @return a redactor that leaves every text as it is (for tests and for sinks that must see raw text) */
    public static Redactor none() {
        return NONE;
    }

    /** @return a builder; every built-in class is selected until {@link Builder#classes} says otherwise */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param label a class label or custom pattern name
     * @return the replacement text, {@code [REDACTED:<label>]}
     */
    public static String placeholder(String label) {
        return PREFIX + label + ']';
    }

    /** @return the built-in classes applied */
    public Set<RedactionClass> classes() {
        return classes;
    }

    /** @return the custom patterns' regular expressions, by label, in the order they run */
    public Map<String, String> customPatterns() {
        return customRegexes;
    }

    /** @return true if this redactor changes nothing */
    public boolean isNoop() {
        return rules.isEmpty();
    }

    /**
     * Redacts free text.
     *
     * @param text the text, or null
     * @return the text with every match replaced, the same instance when nothing matched; null for null
     */
    public String redact(String text) {
        if (text == null || text.isEmpty() || rules.isEmpty()) {
            return text;
        }
        String in = cut(text);
        Probe probe = new Probe(in);
        String out = in;
        for (TextRule rule : rules) {
            out = rule.apply(out, probe);
        }
        return out;
    }

    /**
     * Cuts a text longer than {@link #MAX_TEXT_CHARS} at the last separator before that length (a character that
     * no secret is made of), and marks the cut.
     */
    static String cut(String text) {
        if (text.length() <= MAX_TEXT_CHARS) {
            return text;
        }
        int at = MAX_TEXT_CHARS;
        for (int i = MAX_TEXT_CHARS; i > MAX_TEXT_CHARS - CUT_LOOKBACK; i--) {
            char c = text.charAt(i - 1);
            if (Character.isWhitespace(c) || c == ',' || c == ';' || c == '"' || c == '\'' || c == '<'
                    || c == '>' || c == '(' || c == ')' || c == '{' || c == '}' || c == '[' || c == ']') {
                at = i;
                break;
            }
        }
        if (Character.isHighSurrogate(text.charAt(at - 1))) {
            at--;
        }
        return text.substring(0, at) + "[TRUNCATED:" + (text.length() - at) + " chars]";
    }

    /**
     * Redacts tool arguments. A JSON object or array is parsed and written back with its string values, its
     * integer values, its keys and every value under a sensitive key redacted, so that the result is valid JSON
     * again (compact, or the input itself when nothing was redacted). Anything else is redacted as text.
     *
     * @param arguments the arguments as the model sent them, or null
     * @return the redacted arguments; null for null
     */
    public String redactArguments(String arguments) {
        if (arguments == null || rules.isEmpty()) {
            return arguments;
        }
        if (arguments.length() <= MAX_JSON_CHARS && looksLikeJson(arguments)) {
            Probe probe = new Probe(arguments);
            // Values and keys of JSON without escapes are substrings of its text: if no rule can match the text,
            // none can match any of them, and parsing is saved.
            if (!probe.backslash && custom.isEmpty() && !mayMatch(arguments, probe)
                    && !(sensitiveKeys && TextRule.mayHoldCredentialWord(arguments))) {
                return arguments;
            }
            try {
                JsonNode tree = JSON.readTree(arguments);
                boolean[] changed = new boolean[1];
                JsonNode redacted = redactNode(tree, false, changed);
                return changed[0] ? JSON.writeValueAsString(redacted) : arguments;
            } catch (JsonProcessingException | RuntimeException notJson) {
                // not JSON after all (or too deep, or a duplicate key): redact it as text below
            }
        }
        return redact(arguments);
    }

    private boolean mayMatch(String text, Probe probe) {
        for (TextRule rule : rules) {
            if (rule.mayMatch(text, probe)) {
                return true;
            }
        }
        return false;
    }

    private static boolean looksLikeJson(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private JsonNode redactNode(JsonNode node, boolean sensitive, boolean[] changed) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String key = field.getKey();
                String newKey = redact(key);
                if (!newKey.equals(key)) {
                    changed[0] = true;
                    String unique = newKey;
                    for (int n = 2; out.has(unique); n++) {
                        unique = newKey + '#' + n; // two keys redacted alike must not overwrite each other
                    }
                    newKey = unique;
                }
                boolean hides = sensitive || (sensitiveKeys && isSensitiveKey(key));
                out.set(newKey, redactNode(field.getValue(), hides, changed));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode element : node) {
                out.add(redactNode(element, sensitive, changed));
            }
            return out;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            if (sensitive && !text.isEmpty()) {
                changed[0] = true;
                return TextNode.valueOf(placeholderSecret);
            }
            String redacted = redact(text);
            if (!redacted.equals(text)) {
                changed[0] = true;
                return TextNode.valueOf(redacted);
            }
            return node;
        }
        if (node.isNumber()) {
            if (sensitive) {
                changed[0] = true;
                return TextNode.valueOf(placeholderSecret);
            }
            String digits = wholeNumberText(node); // a card or phone number sent as a JSON number
            if (digits != null) {
                String redacted = redact(digits);
                if (!redacted.equals(digits)) {
                    changed[0] = true;
                    return TextNode.valueOf(redacted);
                }
            }
        }
        return node;
    }

    /** @return the digits of a whole number however it was written (1E15, 4111.0), or null for a fraction */
    private static String wholeNumberText(JsonNode number) {
        if (number.isIntegralNumber()) {
            return number.asText();
        }
        try {
            java.math.BigDecimal d = number.decimalValue();
            if (d.signum() == 0 || d.stripTrailingZeros().scale() > 0 || d.precision() - d.scale() > 40) {
                return null;
            }
            return d.toBigIntegerExact().toString();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /**
     * Whether the value of a field with this name is a credential whatever it looks like: names containing
     * {@code password}, {@code passwd}, {@code passphrase}, {@code passcode} or {@code secret}, ending in
     * {@code token}, {@code apiKey}, {@code accessKey}, {@code privateKey}, {@code pwd}, {@code credential(s)},
     * {@code authorization} or {@code cookie(s)} (so {@code Set-Cookie}), or whose last word is {@code pass} or
     * {@code pin} ({@code user_pass}, {@code cardPin}); in any case and with any {@code _ - .} separators.
     * {@code maxTokens} and {@code spin} are not.
     *
     * @param key a field name
     * @return true if the field's value is to be hidden
     */
    public static boolean isSensitiveKey(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        int lastWord = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '_' && c != '-' && c != '.' && c != ' ') {
                if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(key.charAt(i - 1))) {
                    lastWord = sb.length(); // camelCase: a new word
                }
                sb.append(Character.toLowerCase(c));
            } else {
                lastWord = sb.length();
            }
        }
        String k = sb.toString();
        String last = k.substring(Math.min(lastWord, k.length()));
        return k.contains("password") || k.contains("passwd") || k.contains("passphrase") || k.contains("passcode")
                || k.contains("secret") || k.endsWith("token") || k.endsWith("apikey") || k.endsWith("accesskey")
                || k.endsWith("privatekey") || k.endsWith("pwd") || k.endsWith("credential")
                || k.endsWith("credentials") || k.endsWith("authorization") || k.endsWith("cookie")
                || k.endsWith("cookies") || last.equals("pass") || last.equals("pin");
    }

    /** @return the classes and custom pattern labels, never any text */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Redactor[");
        boolean first = true;
        for (RedactionClass c : classes) {
            sb.append(first ? "" : ", ").append(c.id());
            first = false;
        }
        for (String label : custom.keySet()) {
            sb.append(first ? "" : ", ").append("custom:").append(label);
            first = false;
        }
        return sb.append(']').toString();
    }

    /** What the rules' cheap pre-checks read, computed in one pass over a text. */
    static final class Probe {
        /** The most digits in one run where digits may be parted by up to two of {@code " .-()+/"}. */
        final int digitRun;
        final boolean at;
        final boolean plus;
        final boolean colonOrEquals;
        final boolean backslash;
        /** Some run of {@code [A-Za-z0-9/+]} is exactly 40 characters long (an AWS secret key's shape). */
        final boolean base64Run40;
        /** Two capitals then two digits occur (how an IBAN starts). */
        final boolean ibanStart;

        Probe(String text) {
            int best = 0;
            int run = 0;
            int gap = 0;
            boolean a = false;
            boolean p = false;
            boolean ce = false;
            boolean bs = false;
            boolean b40 = false;
            boolean iban = false;
            int b64 = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '/'
                        || c == '+') {
                    b64++;
                } else {
                    b40 |= b64 == 40;
                    b64 = 0;
                }
                if (c >= 'A' && c <= 'Z' && i + 3 < text.length() && isUpper(text.charAt(i + 1))
                        && isDigit(text.charAt(i + 2)) && isDigit(text.charAt(i + 3))) {
                    iban = true;
                }
                if (c >= '0' && c <= '9') {
                    run++;
                    gap = 0;
                    if (run > best) {
                        best = run;
                    }
                    continue;
                }
                switch (c) {
                    case '@':
                        a = true;
                        break;
                    case '+':
                        p = true;
                        break;
                    case ':':
                    case '=':
                        ce = true;
                        break;
                    case '\\':
                        bs = true;
                        break;
                    default:
                        break;
                }
                if ((c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '+' || c == '/') && ++gap <= 2) {
                    continue;
                }
                run = 0;
                gap = 0;
            }
            this.digitRun = best;
            this.at = a;
            this.plus = p;
            this.colonOrEquals = ce;
            this.backslash = bs;
            this.base64Run40 = b40 || b64 == 40;
            this.ibanStart = iban;
        }

        private static boolean isUpper(char c) {
            return c >= 'A' && c <= 'Z';
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    /** Builds a {@link Redactor}. */
    public static final class Builder {
        private Set<RedactionClass> classes = EnumSet.allOf(RedactionClass.class);
        private final Map<String, Pattern> custom = new LinkedHashMap<>();

        private Builder() {
        }

        /** @param classes the built-in classes to apply (replaces the selection) @return this */
        public Builder classes(Collection<RedactionClass> classes) {
            Objects.requireNonNull(classes, "classes");
            this.classes = classes.isEmpty() ? EnumSet.noneOf(RedactionClass.class) : EnumSet.copyOf(classes);
            return this;
        }

        /** @param classes the built-in classes to apply (replaces the selection) @return this */
        public Builder classes(RedactionClass... classes) {
            return classes(List.of(classes));
        }

        /**
         * Adds a custom pattern; every match is replaced by {@code [REDACTED:<label>]}. The expression is RE2
         * syntax (that of Java without look-around, back-references and possessive quantifiers), so that it runs
         * in linear time on any text.
         *
         * @param label a lower-case name such as {@code order-token} ({@code [a-z0-9][a-z0-9_-]*})
         * @param regex a regular expression
         * @return this
         * @throws IllegalArgumentException naming the label (and the expression) if either is invalid, the
         *     expression matches the empty string or uses what a linear-time engine cannot run
         */
        public Builder pattern(String label, String regex) {
            Objects.requireNonNull(regex, "regex");
            if (label == null || !label.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new IllegalArgumentException("redaction pattern label must match [a-z0-9][a-z0-9_-]*, was \""
                        + label + "\"");
            }
            Pattern pattern;
            try {
                pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("redaction pattern \"" + label + "\": not a regular expression"
                        + " that runs in linear time (RE2 syntax: no look-around, back-references or possessive"
                        + " quantifiers): " + regex + " (" + e.getDescription() + ")", e);
            }
            if (pattern.matcher("").matches()) {
                throw new IllegalArgumentException("redaction pattern \"" + label + "\" matches the empty string: "
                        + regex);
            }
            custom.put(label, pattern);
            return this;
        }

        /** @return the redactor */
        public Redactor build() {
            return new Redactor(this);
        }
    }
}
