package dev.agentguard.core.pricing;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A catalog over LiteLLM's {@code model_prices_and_context_window.json}, whose keys are exact model names, some
 * prefixed with their provider ({@code azure/gpt-4o}, {@code gemini/gemini-2.5-pro}).
 *
 * <p>Keys are compared ignoring case, in this order: {@code provider/model} when a provider is given; then
 * {@code model} itself; then, for a name {@code x/model}, the bare {@code model}. There are no match rules: a dated
 * or aliased name needs its own key, as in LiteLLM. The entry's {@code litellm_provider} is not checked against the
 * provider asked for.
 */
final class LiteLlmCatalog implements PriceCatalog {

    private final Map<String, PricedModel> byKey;
    private final String source;

    LiteLlmCatalog(Map<String, PricedModel> byKey, String source) {
        this.byKey = Map.copyOf(byKey);
        this.source = source;
    }

    @Override
    public Optional<PricedModel> find(String provider, String model) {
        Objects.requireNonNull(model, "model");
        String name = model.toLowerCase(Locale.ROOT);
        PricedModel found = null;
        if (provider != null) {
            found = byKey.get(provider.toLowerCase(Locale.ROOT).strip() + "/" + name);
        }
        if (found == null) {
            found = byKey.get(name);
        }
        int slash = name.indexOf('/');
        if (found == null && slash >= 0) {
            found = byKey.get(name.substring(slash + 1));
        }
        return Optional.ofNullable(found);
    }

    @Override
    public String source() {
        return source;
    }

    int size() {
        return byKey.size();
    }
}
