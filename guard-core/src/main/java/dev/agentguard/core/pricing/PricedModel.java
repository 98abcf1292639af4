package dev.agentguard.core.pricing;

import java.util.List;
import java.util.Objects;

/**
 * The result of a catalog lookup: which catalog entry a model name resolved to, and its prices over time.
 *
 * <p>Most models have one price. Some have conditional prices (genai-prices {@code ConditionalPrice}): a price that
 * starts on a date, or an off-peak price for part of each day. {@link #priceAt(long)} picks the one that applies
 * at a moment, the way genai-prices' {@code ModelInfo.get_prices} does: the <em>last</em> price whose constraint
 * holds wins, and if none holds, the first one applies.
 *
 * <p>Instances are immutable and thread-safe; {@code priceAt} allocates nothing.
 */
public final class PricedModel {

    private final String provider;
    private final String modelId;
    private final String source;
    private final ConditionalPrice[] prices;

    PricedModel(String provider, String modelId, String source, List<ConditionalPrice> prices) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.source = Objects.requireNonNull(source, "source");
        if (prices.isEmpty()) {
            throw new IllegalArgumentException("a priced model needs at least one price: " + provider + "/" + modelId);
        }
        this.prices = prices.toArray(new ConditionalPrice[0]);
    }

    /**
     * Returns a model with one price at all times, for catalogs built in code.
     *
     * @param provider the provider id
     * @param modelId the model id
     * @param price the price
     * @return the priced model; its {@link #source()} is {@code "custom"}
     */
    public static PricedModel of(String provider, String modelId, ModelPrice price) {
        return new PricedModel(provider, modelId, "custom", List.of(new ConditionalPrice(null, price)));
    }

    /**
     * @return the provider the lookup resolved to, e.g. {@code openai}; when genai-prices found the model through
     *     the provider's {@code fallback_model_providers} (Azure serving an OpenAI model), this is still the provider
     *     asked for, as in genai-prices; for {@linkplain PriceCatalog#withOverrides overrides} it is {@code custom}
     */
    public String provider() {
        return provider;
    }

    /** @return the catalog's id of the model, e.g. {@code gpt-4o-mini} for {@code gpt-4o-mini-2024-07-18} */
    public String modelId() {
        return modelId;
    }

    /** @return the {@linkplain PriceCatalog#source() source} of the catalog that priced it */
    public String source() {
        return source;
    }

    /**
     * Returns the price that applies at a moment.
     *
     * @param epochMillis the time of the call, milliseconds since the epoch (constraints are read in UTC)
     * @return the last price whose constraint holds at that moment, or the first price if none holds
     */
    public ModelPrice priceAt(long epochMillis) {
        for (int i = prices.length - 1; i > 0; i--) {
            if (prices[i].activeAt(epochMillis)) {
                return prices[i].price();
            }
        }
        return prices[0].price();
    }

    /** @return true if the price depends on the time of the call */
    public boolean isTimeDependent() {
        return prices.length > 1;
    }

    @Override
    public String toString() {
        return provider + "/" + modelId + " (" + source + ")";
    }
}
