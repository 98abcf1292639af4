package dev.agentguard.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
     * @return a 64-bit fingerprint of the tool and its canonical arguments (the first bytes of a SHA-256)
     */
    static long fingerprint(String tool, String arguments) {
        return hash(tool + '\u0000' + canonical(arguments));
    }

    /**
     * @param text any text
     * @return its 64-bit fingerprint (the first bytes of a SHA-256)
     */
    static long hash(String text) {
        MessageDigest sha256 = SHA256.get(); // digest() resets it for the next use
        byte[] digest = sha256.digest(text.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(digest).getLong();
    }

    /** One digest per thread: looking SHA-256 up among the security providers costs more than hashing arguments. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

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
