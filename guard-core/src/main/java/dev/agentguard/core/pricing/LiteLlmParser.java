package dev.agentguard.core.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses LiteLLM's {@code model_prices_and_context_window.json} (repository BerriAI/litellm): an object whose keys
 * are model names, possibly {@code provider/model}, and whose values carry USD <em>per token</em>.
 *
 * <p>Read per entry: {@code input_cost_per_token}, {@code output_cost_per_token},
 * {@code cache_read_input_token_cost}, {@code cache_creation_input_token_cost},
 * {@code output_cost_per_reasoning_token}, {@code litellm_provider}, and the long-context variants
 * {@code <field>_above_<N>k_tokens} / {@code <field>_above_<N>_tokens}. The {@code sample_spec} entry and entries
 * without {@code input_cost_per_token} (image, audio, per-second or per-character models) are skipped. A JSON
 * {@code null} counts as absent; a number may also be written as a string, as LiteLLM itself accepts.
 *
 * <p>Long-context prices follow LiteLLM's {@code _get_token_base_cost}
 * ({@code litellm/litellm_core_utils/llm_cost_calc/utils.py}): only the {@code input_cost_per_token_above_*} keys
 * define thresholds; when the prompt total is above the highest one crossed, every kind switches to that
 * threshold's rate, and a kind without its own {@code _above_} rate keeps its base rate. xAI thresholds are
 * inclusive in LiteLLM ({@code >=}), expressed here as a tier starting one token lower. Each threshold becomes a
 * tier of {@link ModelPrice}, which compares the same prompt total. Where LiteLLM differs from the genai-prices
 * semantics of {@link ModelPrice}, the latter wins: a missing cache rate bills cache tokens at the input rate
 * (LiteLLM bills them at $0), and an {@code _above_} cache rate without a base cache rate is ignored. Not read:
 * service tiers ({@code _priority}, {@code _flex}, {@code _batches}), {@code tiered_pricing} range tables,
 * off-peak and dated pricing, one-hour cache writes, per-request, per-image, audio and search prices.
 */
final class LiteLlmParser {

    static final String SAMPLE_SPEC = "sample_spec";

    private static final Pattern THRESHOLD = Pattern.compile("input_cost_per_token_above_(\\d+)(k?)_tokens");

    private static final Map<TokenKind, String> FIELDS = Map.of(
            TokenKind.INPUT, "input_cost_per_token",
            TokenKind.OUTPUT, "output_cost_per_token",
            TokenKind.CACHE_READ, "cache_read_input_token_cost",
            TokenKind.CACHE_WRITE, "cache_creation_input_token_cost",
            TokenKind.REASONING, "output_cost_per_reasoning_token");

    /** Kinds that LiteLLM switches at a threshold; reasoning keeps its single rate. */
    private static final List<TokenKind> TIERED = List.of(
            TokenKind.INPUT, TokenKind.OUTPUT, TokenKind.CACHE_READ, TokenKind.CACHE_WRITE);

    private final FeedReader feed;

    private LiteLlmParser(String source) {
        this.feed = new FeedReader(source);
    }

    /** @return lower-cased model key to priced model; of two keys differing only in case, the first wins */
    static Map<String, PricedModel> parse(InputStream in, String source) {
        LiteLlmParser parser = new LiteLlmParser(source);
        return parser.models(parser.feed.parse(in));
    }

    private Map<String, PricedModel> models(JsonNode root) {
        feed.object(root, "$");
        Map<String, PricedModel> models = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String key = entry.getKey();
            if (key.equals(SAMPLE_SPEC)) {
                continue;
            }
            String path = FeedReader.member("$", key);
            JsonNode node = feed.object(entry.getValue(), path);
            if (feed.optional(node, FIELDS.get(TokenKind.INPUT)) == null) {
                continue;
            }
            String provider = provider(node, key, path);
            ModelPrice price = price(node, provider, path);
            models.putIfAbsent(key.toLowerCase(Locale.ROOT), new PricedModel(provider, key, feed.source(),
                    List.of(new ConditionalPrice(null, price))));
        }
        return models;
    }

    private String provider(JsonNode node, String key, String path) {
        JsonNode provider = feed.optional(node, "litellm_provider");
        if (provider != null) {
            return feed.text(provider, path + ".litellm_provider");
        }
        int slash = key.indexOf('/');
        return slash > 0 ? key.substring(0, slash) : "litellm";
    }

    private ModelPrice price(JsonNode node, String provider, String path) {
        ModelPrice.Builder builder = ModelPrice.builder();
        Map<TokenKind, BigDecimal> base = new EnumMap<>(TokenKind.class);
        for (Map.Entry<TokenKind, String> field : FIELDS.entrySet()) {
            BigDecimal rate = perTokenAsPerMtok(node, field.getValue(), path);
            if (rate != null) {
                base.put(field.getKey(), rate);
                builder.rate(field.getKey(), rate);
            }
        }
        boolean inclusive = provider.equalsIgnoreCase("xai");
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            Matcher threshold = THRESHOLD.matcher(member.getKey());
            if (!threshold.matches() || member.getValue().isNull()) {
                continue;
            }
            long tokens = Long.parseLong(threshold.group(1)) * (threshold.group(2).isEmpty() ? 1 : 1000);
            long start = inclusive ? Math.max(0, tokens - 1) : tokens;
            String suffix = "_above_" + threshold.group(1) + threshold.group(2) + "_tokens";
            for (TokenKind kind : TIERED) {
                BigDecimal kindBase = base.get(kind);
                if (kindBase == null) {
                    continue;
                }
                BigDecimal above = perTokenAsPerMtok(node, FIELDS.get(kind) + suffix, path);
                builder.tier(kind, start, above != null ? above : kindBase);
            }
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw feed.fail(path, e.getMessage(), e);
        }
    }

    /** @return the field's USD per token as USD per million tokens (exact), or null if absent */
    private BigDecimal perTokenAsPerMtok(JsonNode node, String field, String path) {
        JsonNode value = feed.optional(node, field);
        if (value == null) {
            return null;
        }
        String fieldPath = path + "." + field;
        if (value.isTextual()) {
            try {
                return feed.nonNegative(new BigDecimal(value.textValue().trim()), fieldPath).movePointRight(6);
            } catch (NumberFormatException e) {
                throw feed.fail(fieldPath, "expected a non-negative number, found " + FeedReader.describe(value), e);
            }
        }
        return feed.price(value, fieldPath).movePointRight(6);
    }
}
