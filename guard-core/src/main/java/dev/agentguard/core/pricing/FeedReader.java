package dev.agentguard.core.pricing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/**
 * Reads a price feed as a JSON tree and checks its shape, turning every problem into a {@link PriceFeedException}
 * that names the feed and the JSON path, so that no parser ever trips over a missing node with a
 * {@code NullPointerException}.
 *
 * <p>Numbers are read as {@link BigDecimal} ({@code USE_BIG_DECIMAL_FOR_FLOATS}): a price never passes through a
 * {@code double}, so {@code 0.075} stays exactly {@code 0.075}.
 */
final class FeedReader {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String source;

    FeedReader(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    JsonNode parse(InputStream in) {
        try {
            JsonNode root = JSON.readTree(in);
            if (root == null || root.isMissingNode()) {
                throw fail("$", "the document is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new PriceFeedException(source, "$", "not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price feed " + source, e);
        }
    }

    PriceFeedException fail(String path, String problem) {
        return new PriceFeedException(source, path, problem, null);
    }

    PriceFeedException fail(String path, String problem, Throwable cause) {
        return new PriceFeedException(source, path, problem, cause);
    }

    JsonNode object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw fail(path, "expected an object, found " + describe(node));
        }
        return node;
    }

    JsonNode array(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw fail(path, "expected an array, found " + describe(node));
        }
        return node;
    }

    /** @return the member, which must be present and not null */
    JsonNode required(JsonNode object, String field, String path) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw fail(path + "." + field, "is required");
        }
        return value;
    }

    /** @return the member, or null when it is absent or JSON {@code null} */
    JsonNode optional(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value;
    }

    String text(JsonNode node, String path) {
        if (node == null || !node.isTextual()) {
            throw fail(path, "expected a string, found " + describe(node));
        }
        return node.textValue();
    }

    /** @return a non-negative number, exactly as written */
    BigDecimal price(JsonNode node, String path) {
        if (node == null || !node.isNumber()) {
            throw fail(path, "expected a non-negative number, found " + describe(node));
        }
        return nonNegative(node.decimalValue(), path);
    }

    BigDecimal nonNegative(BigDecimal value, String path) {
        if (value.signum() < 0) {
            throw fail(path, "expected a non-negative number, found " + value.toPlainString());
        }
        return value;
    }

    long count(JsonNode node, String path) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw fail(path, "expected a whole number >= 0, found " + describe(node));
        }
        return node.longValue();
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String text = node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    /** @return {@code path.field}, or {@code path["field"]} when the name is not a plain identifier */
    static String member(String path, String field) {
        return field.matches("[A-Za-z_][A-Za-z0-9_]*") ? path + "." + field
                : path + "[\"" + field.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }
}
