package dev.agentguard.core.pricing;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** Asks each catalog in turn; the first one that knows the model wins. */
final class LayeredPriceCatalog implements PriceCatalog {

    private final List<PriceCatalog> layers;

    LayeredPriceCatalog(List<? extends PriceCatalog> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a layered catalog needs at least one catalog");
        }
        layers.forEach(layer -> Objects.requireNonNull(layer, "catalog layer"));
        this.layers = List.copyOf(layers);
    }

    @Override
    public Optional<PricedModel> find(String provider, String model) {
        for (PriceCatalog layer : layers) {
            Optional<PricedModel> found = layer.find(provider, model);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** @return the layers' sources, first first, e.g. {@code overrides(2) > genai-prices 47df840a (2026-08-21)} */
    @Override
    public String source() {
        return layers.stream().map(PriceCatalog::source).collect(Collectors.joining(" > "));
    }
}
