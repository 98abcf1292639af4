package dev.agentguard.core.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses the genai-prices v2 feed ({@code prices/new_data/v2/data_slim.json}; its schema is
 * {@code data_slim.schema.json}) into providers, match rules and prices.
 *
 * <p>Only what pricing by canonical usage needs is read: provider {@code id}, {@code provider_match},
 * {@code model_match}, {@code fallback_model_providers}; model {@code id}, {@code match}, {@code prices}; and in a
 * price the keys {@code input_mtok}, {@code cache_read_mtok}, {@code cache_write_mtok}, {@code output_mtok},
 * {@code output_reasoning_mtok} (each a number or {@code {base, tiers}}) and {@code requests_kcount}. Other keys
 * (names, extractors, audio/image/video/web-search rates, ...) are ignored, so a newer feed that adds fields still
 * loads. A price without {@code input_mtok} (none in the bundled feed) leaves its model <em>unpriced</em>: the
 * model still claims its names, so they are not mispriced by a broader rule further down, but a lookup of them
 * finds nothing.
 */
final class GenaiPricesParser {

    private static final Map<String, TokenKind> TOKEN_RATES = Map.of(
            "input_mtok", TokenKind.INPUT,
            "cache_read_mtok", TokenKind.CACHE_READ,
            "cache_write_mtok", TokenKind.CACHE_WRITE,
            "output_mtok", TokenKind.OUTPUT,
            "output_reasoning_mtok", TokenKind.REASONING);

    private final FeedReader feed;

    private GenaiPricesParser(String source) {
        this.feed = new FeedReader(source);
    }

    static List<GenaiPricesCatalog.Provider> parse(InputStream in, String source) {
        GenaiPricesParser parser = new GenaiPricesParser(source);
        return parser.providers(parser.feed.parse(in));
    }

    private List<GenaiPricesCatalog.Provider> providers(JsonNode root) {
        feed.array(root, "$");
        List<GenaiPricesCatalog.Provider> providers = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            providers.add(provider(root.get(i), FeedReader.index("$", i)));
        }
        return providers;
    }

    private GenaiPricesCatalog.Provider provider(JsonNode node, String path) {
        feed.object(node, path);
        String id = feed.text(feed.required(node, "id", path), path + ".id");
        MatchClause providerMatch = optionalClause(node, "provider_match", path);
        MatchClause modelMatch = optionalClause(node, "model_match", path);
        List<String> fallbacks = new ArrayList<>();
        JsonNode fallbackNode = feed.optional(node, "fallback_model_providers");
        if (fallbackNode != null) {
            String fallbackPath = path + ".fallback_model_providers";
            feed.array(fallbackNode, fallbackPath);
            for (int i = 0; i < fallbackNode.size(); i++) {
                fallbacks.add(feed.text(fallbackNode.get(i), FeedReader.index(fallbackPath, i)));
            }
        }
        String modelsPath = path + ".models";
        JsonNode modelsNode = feed.array(feed.required(node, "models", path), modelsPath);
        List<GenaiPricesCatalog.Model> models = new ArrayList<>();
        for (int i = 0; i < modelsNode.size(); i++) {
            models.add(model(modelsNode.get(i), FeedReader.index(modelsPath, i)));
        }
        return new GenaiPricesCatalog.Provider(id, providerMatch, modelMatch, fallbacks, models);
    }

    private GenaiPricesCatalog.Model model(JsonNode node, String path) {
        feed.object(node, path);
        String id = feed.text(feed.required(node, "id", path), path + ".id");
        MatchClause match = clause(feed.required(node, "match", path), path + ".match");
        String pricesPath = path + ".prices";
        JsonNode pricesNode = feed.required(node, "prices", path);
        List<ConditionalPrice> prices = new ArrayList<>();
        if (pricesNode.isArray()) {
            if (pricesNode.isEmpty()) {
                throw feed.fail(pricesPath, "expected at least one conditional price, found []");
            }
            for (int i = 0; i < pricesNode.size(); i++) {
                String itemPath = FeedReader.index(pricesPath, i);
                JsonNode item = feed.object(pricesNode.get(i), itemPath);
                JsonNode constraintNode = feed.optional(item, "constraint");
                PriceConstraint constraint = constraintNode == null ? null
                        : constraint(constraintNode, itemPath + ".constraint");
                ModelPrice price = price(feed.required(item, "prices", itemPath), itemPath + ".prices");
                if (price == null) {
                    return new GenaiPricesCatalog.Model(id, match, List.of());
                }
                prices.add(new ConditionalPrice(constraint, price));
            }
        } else {
            ModelPrice price = price(pricesNode, pricesPath);
            if (price != null) {
                prices.add(new ConditionalPrice(null, price));
            }
        }
        return new GenaiPricesCatalog.Model(id, match, prices);
    }

    /** @return the price, or null if it has no input rate (see the class comment) */
    private ModelPrice price(JsonNode node, String path) {
        feed.object(node, path);
        if (feed.optional(node, "input_mtok") == null) {
            return null;
        }
        ModelPrice.Builder builder = ModelPrice.builder();
        for (Map.Entry<String, TokenKind> rate : TOKEN_RATES.entrySet()) {
            JsonNode value = feed.optional(node, rate.getKey());
            if (value != null) {
                tokenRate(builder, rate.getValue(), value, path + "." + rate.getKey());
            }
        }
        JsonNode requests = feed.optional(node, "requests_kcount");
        if (requests != null) {
            builder.perRequest(feed.price(requests, path + ".requests_kcount"));
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw feed.fail(path, e.getMessage(), e);
        }
    }

    /** A number, or genai-prices' {@code TieredPrices}: {@code {"base": 3, "tiers": [{"start": 200000, "price": 6}]}}. */
    private void tokenRate(ModelPrice.Builder builder, TokenKind kind, JsonNode node, String path) {
        if (node.isNumber()) {
            builder.rate(kind, feed.price(node, path));
            return;
        }
        if (!node.isObject()) {
            throw feed.fail(path, "expected a non-negative number or {\"base\": .., \"tiers\": [..]}, found "
                    + FeedReader.describe(node));
        }
        builder.rate(kind, feed.price(feed.required(node, "base", path), path + ".base"));
        String tiersPath = path + ".tiers";
        JsonNode tiers = feed.array(feed.required(node, "tiers", path), tiersPath);
        for (int i = 0; i < tiers.size(); i++) {
            String tierPath = FeedReader.index(tiersPath, i);
            JsonNode tier = feed.object(tiers.get(i), tierPath);
            long start = feed.count(feed.required(tier, "start", tierPath), tierPath + ".start");
            BigDecimal price = feed.price(feed.required(tier, "price", tierPath), tierPath + ".price");
            builder.tier(kind, start, price);
        }
    }

    private PriceConstraint constraint(JsonNode node, String path) {
        feed.object(node, path);
        JsonNode date = feed.optional(node, "start_date");
        if (date != null) {
            String text = feed.text(date, path + ".start_date");
            try {
                return PriceConstraint.StartDate.of(LocalDate.parse(text));
            } catch (DateTimeParseException e) {
                throw feed.fail(path + ".start_date", "expected a date such as 2025-06-10, found \"" + text + "\"", e);
            }
        }
        JsonNode start = feed.optional(node, "start_time");
        JsonNode end = feed.optional(node, "end_time");
        if (start != null && end != null) {
            return new PriceConstraint.TimeOfDay(utcMilliOfDay(start, path + ".start_time"),
                    utcMilliOfDay(end, path + ".end_time"));
        }
        throw feed.fail(path, "expected {\"start_date\": ..} or {\"start_time\": .., \"end_time\": ..}, found "
                + FeedReader.describe(node));
    }

    /** A time such as {@code 00:30:00Z} or {@code 08:30:00+08:00}, as milliseconds of the UTC day; no offset is UTC. */
    private long utcMilliOfDay(JsonNode node, String path) {
        String text = feed.text(node, path);
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_TIME.parseBest(text, OffsetTime::from, LocalTime::from);
            LocalTime utc = parsed instanceof OffsetTime
                    ? ((OffsetTime) parsed).withOffsetSameInstant(ZoneOffset.UTC).toLocalTime()
                    : (LocalTime) parsed;
            return utc.toNanoOfDay() / 1_000_000;
        } catch (DateTimeParseException e) {
            throw feed.fail(path, "expected a time such as 00:30:00Z, found \"" + text + "\"", e);
        }
    }

    private MatchClause optionalClause(JsonNode node, String field, String path) {
        JsonNode value = feed.optional(node, field);
        return value == null ? null : clause(value, path + "." + field);
    }

    private MatchClause clause(JsonNode node, String path) {
        feed.object(node, path);
        if (node.size() != 1) {
            throw feed.fail(path, "expected one of equals, starts_with, ends_with, contains, regex, or, and; found "
                    + FeedReader.describe(node));
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
        Map.Entry<String, JsonNode> only = fields.next();
        String kind = only.getKey();
        JsonNode value = only.getValue();
        String valuePath = path + "." + kind;
        switch (kind) {
            case "equals":
                return new MatchClause.Equals(feed.text(value, valuePath));
            case "starts_with":
                return new MatchClause.StartsWith(feed.text(value, valuePath));
            case "ends_with":
                return new MatchClause.EndsWith(feed.text(value, valuePath));
            case "contains":
                return new MatchClause.Contains(feed.text(value, valuePath));
            case "regex":
                String regex = feed.text(value, valuePath);
                try {
                    return new MatchClause.Regex(Pattern.compile(regex));
                } catch (PatternSyntaxException e) {
                    throw feed.fail(valuePath, "invalid regular expression \"" + regex + "\": " + e.getDescription(), e);
                }
            case "or":
                return new MatchClause.Or(clauses(value, valuePath));
            case "and":
                return new MatchClause.And(clauses(value, valuePath));
            default:
                throw feed.fail(path, "unknown match clause \"" + kind
                        + "\"; expected equals, starts_with, ends_with, contains, regex, or, and");
        }
    }

    private List<MatchClause> clauses(JsonNode node, String path) {
        feed.array(node, path);
        List<MatchClause> clauses = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            clauses.add(clause(node.get(i), FeedReader.index(path, i)));
        }
        return clauses;
    }
}
