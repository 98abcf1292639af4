package dev.agentguard.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The reference for {@link CanonicalArguments}: the tree-based canonical form it replaced (parse into a JSON tree,
 * write it back with sorted keys), kept to check that the streaming one writes the same text.
 *
 * <p>Tool arguments in canonical form, so that two calls the model means the same compare equal: JSON objects with
 * their keys sorted, no whitespace, and numbers in one form ({@code 1}, {@code 1.0} and {@code 1e0} are all
 * {@code 1}). Arguments that are not JSON compare as their trimmed text.
 */
final class TreeCanonicalArguments {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        // Arguments come from a model: bound what one call may cost to canonicalise.
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(200).maxNumberLength(1_000).maxStringLength(5_000_000).build());
    }

    private TreeCanonicalArguments() {
    }

    /**
     * @param arguments the raw arguments
     * @return the canonical JSON text, or the trimmed text when it is not JSON
     */
    static String canonical(String arguments) {
        String trimmed = arguments == null ? "" : arguments.trim();
        if (trimmed.isEmpty()) {
            return "";
        }
        try {
            JsonNode node = JSON.readTree(trimmed);
            StringBuilder sb = new StringBuilder(trimmed.length());
            write(node, sb);
            return sb.toString();
        } catch (JsonProcessingException | RuntimeException e) {
            return trimmed;
        }
    }

    /**
     * @param tool the tool name
     * @param arguments the raw arguments
     * @return the fingerprint as {@link CanonicalArguments#hash} defines it, of the tool, a separator and the
     *     canonical arguments: what {@link CanonicalArguments#fingerprint} gives for arguments that are not JSON
     *     (JSON arguments are hashed from their tokens)
     */
    static long fingerprint(String tool, String arguments) {
        List<Long> units = units(tool);
        units.add(1L << 33);
        units.addAll(units(canonical(arguments)));
        return fold(units);
    }

    /**
     * @param text any text
     * @return its fingerprint, computed from the definition: the text cut into 32-bit units (two characters, the
     *     first in the low half; an odd last character with bit 32 set), folded by FNV-1a, then murmur3's fmix64
     */
    static long hash(String text) {
        return fold(units(text));
    }

    private static List<Long> units(String text) {
        List<Long> units = new ArrayList<>();
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i += 2) {
            units.add(i + 1 < chars.length ? (long) chars[i] + 65_536L * chars[i + 1] : chars[i] + (1L << 32));
        }
        return units;
    }

    private static long fold(List<Long> units) {
        long h = 0xcbf29ce484222325L;
        for (long u : units) {
            h = (h ^ u) * 0x100000001b3L;
        }
        h = (h ^ h >>> 33) * 0xff51afd7ed558ccdL;
        h = (h ^ h >>> 33) * 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    /**
     * Appends a JSON string literal, escaped exactly as Jackson's generator escapes it ({@code TextNode.toString()}),
     * without building a generator per string.
     */
    static void appendQuoted(String text, StringBuilder sb) {
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(text, sb);
        sb.append('"');
    }

    private static void write(JsonNode node, StringBuilder sb) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            names.sort(null);
            sb.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendQuoted(names.get(i), sb);
                sb.append(':');
                write(node.get(names.get(i)), sb);
            }
            sb.append('}');
        } else if (node.isArray()) {
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(node.get(i), sb);
            }
            sb.append(']');
        } else if (node.isNumber()) {
            sb.append(node.decimalValue().stripTrailingZeros().toString());
        } else if (node.isTextual()) {
            appendQuoted(node.textValue(), sb);
        } else if (node.isBoolean() || node.isNull()) {
            sb.append(node.asText()); // true, false, null
        } else {
            sb.append(node.toString());
        }
    }
}
