package dev.agentguard.core.pricing;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A catalog over the genai-prices v2 feed, resolving a provider and a model name the way genai-prices does
 * ({@code packages/python/genai_prices/data_snapshot.py}: {@code find_provider_model}, {@code find_provider},
 * {@code find_provider_by_id}; {@code types.py}: {@code Provider.find_model}; at 47df840a):
 * <ol>
 *   <li>The model name is lower-cased.</li>
 *   <li>Given a provider, it is lower-cased and trimmed and matched first against provider ids (equality), then
 *       against each provider's {@code provider_match}, in feed order. As a special case, provider {@code litellm}
 *       with a model {@code x/name}, where {@code x} is a known provider, means provider {@code x} and model
 *       {@code name}; an unknown provider is not found, except {@code litellm}, which falls through to step 3.</li>
 *   <li>Without a provider, the first provider whose {@code model_match} matches the model name is taken; providers
 *       without {@code model_match} are never chosen this way.</li>
 *   <li>In that provider, the first model whose {@code match} matches the name wins. If none does, the providers in
 *       its {@code fallback_model_providers} are searched in order, one step deep (e.g. Azure falls back to OpenAI
 *       and Anthropic, Google to Anthropic).</li>
 * </ol>
 * There is no search across all providers: a name that the chosen provider (and its fallbacks) does not know is
 * not found, as in genai-prices. Pass the provider whenever it is known.
 *
 * <p>This class does not cache; {@link PriceCatalog} wraps it in a {@link CachedPriceCatalog}.
 */
final class GenaiPricesCatalog implements PriceCatalog {

    private static final String LITELLM = "litellm";

    private final List<Provider> providers;
    private final String source;

    GenaiPricesCatalog(List<Provider> providers, String source) {
        this.providers = List.copyOf(providers);
        this.source = source;
    }

    @Override
    public Optional<PricedModel> find(String provider, String model) {
        Objects.requireNonNull(model, "model");
        String ref = model.toLowerCase(Locale.ROOT);
        Provider found = null;
        if (provider != null) {
            String id = provider.toLowerCase(Locale.ROOT).strip();
            int slash = ref.indexOf('/');
            if (id.equals(LITELLM) && slash >= 0) {
                String prefix = ref.substring(0, slash);
                if (!prefix.isEmpty() && providerById(prefix) != null) {
                    id = prefix;
                    ref = ref.substring(slash + 1);
                }
            }
            found = providerById(id);
            if (found == null && !id.equals(LITELLM)) {
                return Optional.empty();
            }
        }
        if (found == null) {
            found = providerByModel(ref);
            if (found == null) {
                return Optional.empty();
            }
        }
        Model match = found.findModel(ref);
        if (match == null) {
            match = findInFallbacks(found, ref);
        }
        if (match == null || match.prices().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PricedModel(found.id(), match.id(), source, match.prices()));
    }

    @Override
    public String source() {
        return source;
    }

    List<Provider> providers() {
        return providers;
    }

    private Provider providerById(String id) {
        for (Provider p : providers) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        for (Provider p : providers) {
            if (p.providerMatch() != null && p.providerMatch().matches(id)) {
                return p;
            }
        }
        return null;
    }

    private Provider providerByModel(String ref) {
        for (Provider p : providers) {
            if (p.modelMatch() != null && p.modelMatch().matches(ref)) {
                return p;
            }
        }
        return null;
    }

    private Model findInFallbacks(Provider provider, String ref) {
        for (String fallbackId : provider.fallbackIds()) {
            for (Provider p : providers) {
                if (p.id().equals(fallbackId)) {
                    // only the first provider with that id, and no further fallback: one step, as genai-prices
                    Model match = p.findModel(ref);
                    if (match != null) {
                        return match;
                    }
                    break;
                }
            }
        }
        return null;
    }

    /** A provider of the feed. */
    record Provider(String id, MatchClause providerMatch, MatchClause modelMatch, List<String> fallbackIds,
            List<Model> models) {

        Provider {
            fallbackIds = List.copyOf(fallbackIds);
            models = List.copyOf(models);
        }

        Model findModel(String ref) {
            for (Model m : models) {
                if (m.match().matches(ref)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** A model of the feed; {@code prices} is empty when the feed gives it no input rate (unpriced). */
    record Model(String id, MatchClause match, List<ConditionalPrice> prices) {

        Model {
            prices = List.copyOf(prices);
        }
    }
}
