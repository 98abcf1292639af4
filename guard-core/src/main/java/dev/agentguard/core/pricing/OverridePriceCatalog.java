package dev.agentguard.core.pricing;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Prices for exact model names given by the user (the policy's {@code pricing:} section): the name is compared
 * case-insensitively and the provider is ignored, because an override names the deployment the user calls,
 * whoever serves it. The result's provider is {@code custom}.
 */
final class OverridePriceCatalog implements PriceCatalog {

    static final String PROVIDER = "custom";

    private final Map<String, Optional<PricedModel>> byName;
    private final String source;

    OverridePriceCatalog(Map<String, ModelPrice> overrides) {
        Objects.requireNonNull(overrides, "overrides");
        this.source = "overrides(" + overrides.size() + ")";
        Map<String, String> spelled = new HashMap<>();
        Map<String, Optional<PricedModel>> models = new HashMap<>();
        for (Map.Entry<String, ModelPrice> e : overrides.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("pricing override model name must not be blank, was \"" + name + "\"");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("pricing override for \"" + name + "\" has no price");
            }
            String key = name.toLowerCase(Locale.ROOT);
            String previous = spelled.put(key, name);
            if (previous != null) {
                throw new IllegalArgumentException("pricing overrides \"" + previous + "\" and \"" + name
                        + "\" name the same model (names are compared ignoring case)");
            }
            models.put(key, Optional.of(new PricedModel(PROVIDER, name, source,
                    List.of(new ConditionalPrice(null, e.getValue())))));
        }
        this.byName = Map.copyOf(models);
    }

    @Override
    public Optional<PricedModel> find(String provider, String model) {
        Objects.requireNonNull(model, "model");
        return byName.getOrDefault(model.toLowerCase(Locale.ROOT), Optional.empty());
    }

    @Override
    public String source() {
        return source;
    }
}
