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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
 * <p>Cost: each rule first checks a cheap necessary condition (a marker substring, enough digits) and runs its
 * expression only when that holds, so plain text costs a few scans of its length. Immutable and thread-safe.
 */
public final class Redactor {

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
    private final List<TextRule> rules;
    private final boolean sensitiveKeys;
    private final String placeholderSecret;

    private Redactor(Builder b) {
        this.classes = Collections.unmodifiableSet(EnumSet.copyOf(b.classes));
        this.custom = Collections.unmodifiableMap(new LinkedHashMap<>(b.custom));
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

    /** @return the custom patterns, by label, in the order they run */
    public Map<String, Pattern> customPatterns() {
        return custom;
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
        Probe probe = new Probe(text);
        String out = text;
        for (TextRule rule : rules) {
            out = rule.apply(out, probe);
        }
        return out;
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
        if (looksLikeJson(arguments)) {
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
            if (node.isIntegralNumber()) { // a card or phone number sent as a JSON number
                String text = node.asText();
                String redacted = redact(text);
                if (!redacted.equals(text)) {
                    changed[0] = true;
                    return TextNode.valueOf(redacted);
                }
            }
        }
        return node;
    }

    /**
     * Whether the value of a field with this name is a credential whatever it looks like: names containing
     * {@code password}, {@code passwd}, {@code passphrase} or {@code secret}, or ending in {@code token},
     * {@code apiKey}, {@code accessKey}, {@code privateKey}, {@code pwd}, {@code credential(s)} or
     * {@code authorization}, in any case and with any {@code _ - .} separators. {@code maxTokens} is not one.
     *
     * @param key a field name
     * @return true if the field's value is to be hidden
     */
    public static boolean isSensitiveKey(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != '_' && c != '-' && c != '.' && c != ' ') {
                sb.append(Character.toLowerCase(c));
            }
        }
        String k = sb.toString();
        return k.contains("password") || k.contains("passwd") || k.contains("passphrase") || k.contains("secret")
                || k.endsWith("token") || k.endsWith("apikey") || k.endsWith("accesskey") || k.endsWith("privatekey")
                || k.endsWith("pwd") || k.endsWith("credential") || k.endsWith("credentials")
                || k.endsWith("authorization");
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

        Probe(String text) {
            int best = 0;
            int run = 0;
            int gap = 0;
            boolean a = false;
            boolean p = false;
            boolean ce = false;
            boolean bs = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
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
         * Adds a custom pattern; every match is replaced by {@code [REDACTED:<label>]}.
         *
         * @param label a lower-case name such as {@code order-token} ({@code [a-z0-9][a-z0-9_-]*})
         * @param regex a Java regular expression
         * @return this
         * @throws IllegalArgumentException naming the label (and the expression) if either is invalid
         */
        public Builder pattern(String label, String regex) {
            Objects.requireNonNull(regex, "regex");
            try {
                return pattern(label, Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("redaction pattern \"" + label + "\": not a regular expression: "
                        + regex + " (" + e.getDescription() + " at index " + e.getIndex() + ")", e);
            }
        }

        /**
         * @param label a lower-case name such as {@code order-token}
         * @param pattern the pattern
         * @return this
         * @throws IllegalArgumentException if the label is invalid or the pattern matches the empty string
         */
        public Builder pattern(String label, Pattern pattern) {
            Objects.requireNonNull(pattern, "pattern");
            if (label == null || !label.matches("[a-z0-9][a-z0-9_-]*")) {
                throw new IllegalArgumentException("redaction pattern label must match [a-z0-9][a-z0-9_-]*, was \""
                        + label + "\"");
            }
            if (pattern.matcher("").matches()) {
                throw new IllegalArgumentException("redaction pattern \"" + label + "\" matches the empty string: "
                        + pattern.pattern());
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
