package dev.agentguard.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one policy file into a {@link Node} tree with the line and column of every key and value, reporting
 * problems instead of throwing.
 *
 * <p>Jackson's YAML parser is used as a stream of tokens rather than bound to classes, for three reasons: every
 * value keeps its location; a repeated key is reported with both places instead of stopping the read; and aliases
 * are under our control. Jackson does not expand aliases: it hands over the anchor's name, and this reader shares
 * the anchored node, counting the values it stands for, so that a "billion laughs" file is refused after
 * {@value #MAX_VALUES} values instead of exhausting memory or time.
 *
 * <p>Limits, each reported as a problem: {@value #MAX_BYTES} bytes (also SnakeYAML's code-point limit),
 * {@value #MAX_DEPTH} levels of nesting, {@value #MAX_VALUES} values with aliases expanded, one YAML document.
 */
final class YamlReader {

    /** The largest policy file: far above any real policy, far below what would hurt. */
    static final int MAX_BYTES = 1 << 20;
    /** The deepest nesting; a policy needs five levels. */
    static final int MAX_DEPTH = 32;
    /** The most values a file may stand for, aliases expanded. */
    static final long MAX_VALUES = 100_000;

    private static final YAMLFactory FACTORY = factory();

    private static YAMLFactory factory() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_BYTES);
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(MAX_DEPTH + 2);
        options.setAllowDuplicateKeys(true); // repeated keys are reported by this reader, with both locations
        options.setAllowRecursiveKeys(false);
        YAMLFactory f = YAMLFactory.builder()
                .loaderOptions(options)
                // yes/no/on/off stay text: "mode: on" should not become the boolean true
                .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // "key:" with nothing after it
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH + 2)
                        .maxDocumentLength(MAX_BYTES)
                        .maxStringLength(MAX_BYTES)
                        .maxNameLength(10_000)
                        .maxNumberLength(100)
                        .build())
                .build();
        return f;
    }

    /** Stops a read at a problem after which nothing else in the file can be trusted. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort() {
            super(null, null, false, false);
        }
    }

    private final String source;
    private final Function<String, String> env;
    private final Problems problems;
    private final Map<String, Node> anchors = new HashMap<>();
    private long values;
    private YAMLParser parser;

    private YamlReader(String source, Function<String, String> env, Problems problems) {
        this.source = source;
        this.env = env;
        this.problems = problems;
    }

    /**
     * Reads a file's bytes.
     *
     * @param bytes the file, at most {@value #MAX_BYTES} bytes (the caller checks)
     * @param source the name that problems carry
     * @param env looks environment variables up for {@code ${NAME}} substitution
     * @param problems where problems go
     * @return the root value, or null when the file has none or could not be read (problems say why)
     */
    static Node read(byte[] bytes, String source, Function<String, String> env, Problems problems) {
        return new YamlReader(source, env, problems).read(bytes);
    }

    private Node read(byte[] bytes) {
        String text = decode(bytes);
        if (text == null) {
            return null;
        }
        try (YAMLParser p = FACTORY.createParser(text)) {
            parser = p;
            JsonToken first = p.nextToken();
            if (first == null) {
                problems.add(new dev.agentguard.policy.Mark(source, 1, 1), "", "the file is empty: a policy"
                        + " starts with version: 1");
                return null;
            }
            Node root = value("", 0);
            JsonToken next = p.nextToken();
            if (next != null) {
                problems.add(mark(p.currentTokenLocation()), "", "a policy file holds one YAML document, but"
                        + " another one starts here (remove the second --- or split the file)");
            }
            return root;
        } catch (Abort e) {
            return null;
        } catch (JsonProcessingException e) {
            problems.add(locationOf(e), "", describe(e));
            return null;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // SnakeYAML and the decoders throw unchecked exceptions for some malformed input
            problems.add(locationOf(e), "", describe(e));
            return null;
        }
    }

    /**
     * Decodes the bytes as YAML requires: UTF-8, or UTF-16 or UTF-32 announced by a byte order mark. Done here
     * rather than by the parser so that a bad byte is reported as such, with its offset.
     *
     * @return the text, or null (reported) when the bytes are not valid in their encoding
     */
    private String decode(byte[] bytes) {
        Charset charset = StandardCharsets.UTF_8;
        int skip = 0;
        if (startsWith(bytes, 0x00, 0x00, 0xFE, 0xFF) || startsWith(bytes, 0xFF, 0xFE, 0x00, 0x00)) {
            charset = Charset.forName(bytes[0] == 0 ? "UTF-32BE" : "UTF-32LE");
            skip = 4;
        } else if (startsWith(bytes, 0xFE, 0xFF) || startsWith(bytes, 0xFF, 0xFE)) {
            charset = bytes[0] == (byte) 0xFE ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_16LE;
            skip = 2;
        } else if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
            skip = 3;
        }
        CharsetDecoder decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, skip, bytes.length - skip);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            problems.add(new dev.agentguard.policy.Mark(source, 1, 1), "", "the file is not valid "
                    + charset.name() + " (a bad byte near offset " + in.position() + "); a policy is UTF-8 text");
            return null;
        }
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads the value at the current token, which is not null. */
    private Node value(String path, int depth) throws IOException {
        YAMLParser p = parser;
        JsonToken t = p.currentToken();
        dev.agentguard.policy.Mark at = mark(p.currentTokenLocation());
        if (depth > MAX_DEPTH) {
            problems.add(at, path, "nested more than " + MAX_DEPTH + " levels deep; a policy needs a handful");
            throw new Abort();
        }
        if (p.isCurrentAlias()) {
            String name = p.getText();
            Node target = anchors.get(name);
            if (target == null) {
                problems.add(at, path, "alias *" + name + " refers to no anchor &" + name + " defined before it");
                throw new Abort();
            }
            count(at, path, target.weight());
            return target;
        }
        String anchor = p.getObjectId(); // the anchor (&name) of the value, if any
        Node node;
        switch (t) {
            case START_OBJECT:
                node = mapping(at, path, depth);
                break;
            case START_ARRAY:
                node = sequence(at, path, depth);
                break;
            default:
                node = scalar(t, at, path);
                count(at, path, 1);
                break;
        }
        if (anchor != null) {
            anchors.put(anchor, node);
        }
        return node;
    }

    private Node mapping(dev.agentguard.policy.Mark at, String path, int depth) throws IOException {
        count(at, path, 1);
        Map<String, Node.Entry> entries = new LinkedHashMap<>();
        long weight = 1;
        JsonToken t;
        while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            dev.agentguard.policy.Mark keyMark = mark(parser.currentTokenLocation());
            String childPath = Node.child(path, key);
            parser.nextToken();
            Node value = value(childPath, depth + 1);
            Node.Entry first = entries.get(key);
            if (first != null) {
                problems.add(keyMark, childPath, "repeated key; it is first set at line " + first.keyMark().line()
                        + ", column " + first.keyMark().column());
                continue;
            }
            entries.put(key, new Node.Entry(key, keyMark, value));
            weight = saturatedAdd(weight, value.weight());
        }
        if (t != JsonToken.END_OBJECT) {
            problems.add(at, path, "unexpected " + t + " in a mapping");
            throw new Abort();
        }
        return new Node.MapNode(at, path, entries, weight);
    }

    private Node sequence(dev.agentguard.policy.Mark at, String path, int depth) throws IOException {
        count(at, path, 1);
        List<Node> items = new ArrayList<>();
        long weight = 1;
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                problems.add(at, path, "the list is not closed");
                throw new Abort();
            }
            Node item = value(Node.item(path, items.size()), depth + 1);
            items.add(item);
            weight = saturatedAdd(weight, item.weight());
        }
        return new Node.ListNode(at, path, items, weight);
    }

    private Node scalar(JsonToken t, dev.agentguard.policy.Mark at, String path) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: {
                String text = parser.getText();
                BigDecimal number;
                try {
                    // exact: Jackson parses the decimal text itself; money never goes through a double
                    number = parser.getDecimalValue();
                } catch (IOException | NumberFormatException e) {
                    number = null; // .inf, .nan
                }
                return new Node.ScalarNode(at, path, t == JsonToken.VALUE_NUMBER_INT ? Node.Kind.INT : Node.Kind.FLOAT,
                        text, number);
            }
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new Node.ScalarNode(at, path, Node.Kind.BOOL, parser.getText(), null);
            case VALUE_NULL:
                return new Node.ScalarNode(at, path, Node.Kind.NULL, "null", null);
            case VALUE_STRING: {
                String text = parser.getText();
                if (EnvSubstitution.mentions(text)) {
                    try {
                        return EnvSubstitution.retype(at, path, EnvSubstitution.expand(text, env,
                                (name, value) -> problems.hide(value, "${" + name + "}")), text);
                    } catch (EnvSubstitution.BadReference e) {
                        problems.add(at, path, e.getMessage());
                        return new Node.ScalarNode(at, path, Node.Kind.BROKEN, text, null);
                    }
                }
                return new Node.ScalarNode(at, path, Node.Kind.STRING, text, null);
            }
            default:
                return new Node.ScalarNode(at, path, Node.Kind.OTHER, String.valueOf(parser.getText()), null);
        }
    }

    /** Counts values as they are read (an alias counts as everything its anchor holds). */
    private void count(dev.agentguard.policy.Mark at, String path, long n) {
        values = saturatedAdd(values, n);
        if (values > MAX_VALUES) {
            problems.add(at, path, "the file stands for more than " + MAX_VALUES + " values once its aliases are"
                    + " expanded; a policy is far smaller (a YAML bomb?)");
            throw new Abort();
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private dev.agentguard.policy.Mark mark(JsonLocation l) {
        return new dev.agentguard.policy.Mark(source, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    private dev.agentguard.policy.Mark locationOf(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException) {
                Mark m = ((MarkedYAMLException) c).getProblemMark();
                if (m == null) {
                    m = ((MarkedYAMLException) c).getContextMark();
                }
                if (m != null) {
                    return new dev.agentguard.policy.Mark(source, m.getLine() + 1, m.getColumn() + 1);
                }
            }
            if (c instanceof JsonProcessingException && ((JsonProcessingException) c).getLocation() != null
                    && ((JsonProcessingException) c).getLocation().getLineNr() > 0) {
                return mark(((JsonProcessingException) c).getLocation());
            }
        }
        if (parser != null) {
            try {
                return mark(parser.currentLocation());
            } catch (RuntimeException ignored) {
                // fall through to the start of the file
            }
        }
        return new dev.agentguard.policy.Mark(source, 1, 1);
    }

    /** @return a one-line description of why the YAML could not be read */
    private static String describe(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "not valid YAML: nested too deeply";
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException) {
                MarkedYAMLException m = (MarkedYAMLException) c;
                String what = m.getProblem() != null ? m.getProblem() : m.getContext();
                return "not valid YAML: " + dev.agentguard.core.redact.Redactor.all().redact(oneLine(what));
            }
        }
        String text = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage()
                : e.getMessage();
        if (text == null) {
            text = e.getClass().getSimpleName();
        }
        if (text.startsWith("Expected a field name")) {
            return "not valid YAML for a policy: keys must be plain text, not lists or mappings";
        }
        if (text.contains("exceeds the limit") || text.contains("exceeds the maximum")) {
            return "the file is larger or deeper than a policy may be (" + oneLine(text) + ")";
        }
        return "not valid YAML: " + oneLine(text);
    }

    private static String oneLine(String text) {
        String t = text.replaceAll("\\s+", " ").trim();
        return t.length() <= 200 ? t : t.substring(0, 197) + "...";
    }
}
