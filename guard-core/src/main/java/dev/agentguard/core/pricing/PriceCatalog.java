package dev.agentguard.core.pricing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the price of a model by provider and model name.
 *
 * <p>A model that no catalog knows is {@linkplain Optional#empty() not found}, never priced at $0: the guard then
 * applies its {@code unknownModel} policy and records the call as unpriced.
 *
 * <p>Where catalogs come from:
 * <ul>
 *   <li>{@link #bundled()}: the genai-prices v2 feed shipped in this jar (see {@link #source()} for its
 *       snapshot), resolved with genai-prices' match rules, provider fallbacks, tiers and conditional prices;</li>
 *   <li>{@link #fromGenaiPrices(Path)}: a newer copy of that feed;</li>
 *   <li>{@link #fromLiteLlm(Path)}: LiteLLM's {@code model_prices_and_context_window.json};</li>
 *   <li>{@link #withOverrides(Map)}: exact model names priced by the user, in front of another catalog;
 *       {@link #orElse(PriceCatalog)} and {@link #layered(List)} stack catalogs, first hit wins.</li>
 * </ul>
 * The catalogs returned by these methods remember their lookups in a bounded cache, found or not, because the
 * same model is priced on every call. Implementations must be thread-safe.
 */
public interface PriceCatalog {

    /**
     * Finds a model's prices.
     *
     * @param provider the provider id, e.g. {@code openai}, {@code anthropic}, {@code google}, {@code azure}; or
     *     null when unknown, in which case the catalog guesses the provider from the model name (genai-prices'
     *     {@code model_match}), which not every provider supports
     * @param model the model name as sent to the provider, e.g. {@code gpt-4o-mini-2024-07-18}
     * @return the priced model, or empty if the catalog does not know it
     */
    Optional<PricedModel> find(String provider, String model);

    /** @return where the prices come from, e.g. {@code genai-prices 47df840a (2026-08-21)} */
    String source();

    /**
     * Returns a catalog in which these exact model names, compared ignoring case and whatever the provider, take
     * precedence over this catalog.
     *
     * @param overrides model name to its price
     * @return the combined catalog
     * @throws IllegalArgumentException if a name is blank, a price null, or two names differ only in case
     */
    default PriceCatalog withOverrides(Map<String, ModelPrice> overrides) {
        return layered(List.of(new OverridePriceCatalog(overrides), this));
    }

    /**
     * @param next the catalog to ask when this one does not know a model
     * @return the combined catalog
     */
    default PriceCatalog orElse(PriceCatalog next) {
        return layered(List.of(this, next));
    }

    /**
     * @param catalogs the catalogs to ask, in order; the first that knows a model prices it
     * @return the combined catalog, whose source lists theirs joined by {@code " > "}
     */
    static PriceCatalog layered(List<? extends PriceCatalog> catalogs) {
        return new CachedPriceCatalog(new LayeredPriceCatalog(catalogs));
    }

    /**
     * Returns the bundled genai-prices snapshot, parsed on first use and shared afterwards.
     *
     * @return the bundled catalog
     */
    static PriceCatalog bundled() {
        return BundledCatalog.get();
    }

    /**
     * Loads a copy of the genai-prices v2 feed ({@code data_slim.json} or {@code data.json}).
     *
     * @param file the feed
     * @return the catalog; its source is {@code genai-prices <file>}
     * @throws PriceFeedException if the file is not a valid feed (the message names the JSON path)
     * @throws UncheckedIOException if the file cannot be read
     */
    static PriceCatalog fromGenaiPrices(Path file) {
        String source = "genai-prices " + file;
        try (InputStream in = Files.newInputStream(file)) {
            return fromGenaiPrices(in, source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price feed " + source, e);
        }
    }

    /**
     * Loads a copy of the genai-prices v2 feed from a stream, which is read to its end but not closed.
     *
     * @param in the feed
     * @param sourceName a name for {@link #source()} and error messages
     * @return the catalog
     * @throws PriceFeedException if the stream does not hold a valid feed
     */
    static PriceCatalog fromGenaiPrices(InputStream in, String sourceName) {
        return new CachedPriceCatalog(new GenaiPricesCatalog(GenaiPricesParser.parse(in, sourceName), sourceName));
    }

    /**
     * Loads LiteLLM's {@code model_prices_and_context_window.json}.
     *
     * @param file the price file
     * @return the catalog; its source is {@code litellm <file>}
     * @throws PriceFeedException if the file is not valid (the message names the JSON path)
     * @throws UncheckedIOException if the file cannot be read
     */
    static PriceCatalog fromLiteLlm(Path file) {
        String source = "litellm " + file;
        try (InputStream in = Files.newInputStream(file)) {
            return fromLiteLlm(in, source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price feed " + source, e);
        }
    }

    /**
     * Loads LiteLLM's {@code model_prices_and_context_window.json} from a stream, which is read but not closed.
     *
     * @param in the price file
     * @param sourceName a name for {@link #source()} and error messages
     * @return the catalog
     * @throws PriceFeedException if the stream does not hold a valid file
     */
    static PriceCatalog fromLiteLlm(InputStream in, String sourceName) {
        return new CachedPriceCatalog(new LiteLlmCatalog(LiteLlmParser.parse(in, sourceName), sourceName));
    }
}
