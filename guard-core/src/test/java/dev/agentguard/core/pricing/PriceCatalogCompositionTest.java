package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Usage;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Overrides, layering and the lookup cache. */
class PriceCatalogCompositionTest {

    private static final ModelPrice CHEAP = ModelPrice.builder().input(new BigDecimal("0.10"))
            .output(new BigDecimal("0.40")).cacheRead(new BigDecimal("0.01")).cacheWrite(new BigDecimal("0.125"))
            .build();

    @Test
    void overridesWinOverTheBundledCatalogForTheirExactNamesOnly() {
        PriceCatalog catalog = PriceCatalog.bundled().withOverrides(Map.of("GPT-4o", CHEAP, "my-vllm-llama", CHEAP));

        PricedModel overridden = catalog.find("openai", "gpt-4o").orElseThrow();
        assertThat(overridden.provider()).isEqualTo("custom");
        assertThat(overridden.modelId()).isEqualTo("GPT-4o");
        assertThat(overridden.source()).isEqualTo("overrides(2)");
        // 1,000,000 input × $0.10 + 1,000,000 output × $0.40 = 0.50 USD (the bundled gpt-4o would be 12.50 USD)
        assertThat(overridden.priceAt(0).costNanos(Usage.of(1_000_000, 1_000_000))).isEqualTo(500_000_000L);

        // the provider does not matter, and names are exact: a dated gpt-4o still comes from the feed
        assertThat(catalog.find(null, "my-vllm-llama").orElseThrow().priceAt(0)).isEqualTo(CHEAP);
        assertThat(catalog.find("openai", "gpt-4o-2024-08-06").orElseThrow().provider()).isEqualTo("openai");
        assertThat(catalog.find("openai", "gpt-4o-mini").orElseThrow().source())
                .isEqualTo("genai-prices 47df840a (2026-08-21)");
        assertThat(catalog.source()).isEqualTo("overrides(2) > genai-prices 47df840a (2026-08-21)");
    }

    @Test
    void unknownModelIsEmptyInEveryLayer() {
        PriceCatalog catalog = PriceCatalog.bundled().withOverrides(Map.of("my-vllm-llama", CHEAP));
        assertThat(catalog.find("openai", "no-such-model")).isEmpty();
        assertThat(catalog.find(null, "no-such-model")).isEmpty();
    }

    @Test
    void overridesRejectNamesThatCollideIgnoringCaseAndMissingPrices() {
        assertThatThrownBy(() -> PriceCatalog.bundled().withOverrides(Map.of("Llama", CHEAP, "llama", CHEAP)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name the same model");
        assertThatThrownBy(() -> PriceCatalog.bundled().withOverrides(Map.of(" ", CHEAP)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be blank");
        HashMap<String, ModelPrice> nullPrice = new HashMap<>();
        nullPrice.put("llama", null);
        assertThatThrownBy(() -> PriceCatalog.bundled().withOverrides(nullPrice))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"llama\" has no price");
    }

    @Test
    void layersAreAskedInOrderAndTheFirstHitWins() {
        PriceCatalog first = fixed("first", "shared-model", "only-first");
        PriceCatalog second = fixed("second", "shared-model", "only-second");
        PriceCatalog both = first.orElse(second);
        assertThat(both.find(null, "shared-model").orElseThrow().provider()).isEqualTo("first");
        assertThat(both.find(null, "only-second").orElseThrow().provider()).isEqualTo("second");
        assertThat(both.find(null, "nowhere")).isEmpty();
        assertThat(PriceCatalog.layered(List.of(second, first)).find(null, "shared-model").orElseThrow().provider())
                .isEqualTo("second");
        assertThatThrownBy(() -> PriceCatalog.layered(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lookupsAreCachedFoundOrNot() {
        AtomicInteger calls = new AtomicInteger();
        PriceCatalog counting = new PriceCatalog() {
            @Override
            public Optional<PricedModel> find(String provider, String model) {
                calls.incrementAndGet();
                return model.equals("known") ? Optional.of(PricedModel.of("p", "known", CHEAP)) : Optional.empty();
            }

            @Override
            public String source() {
                return "counting";
            }
        };
        PriceCatalog cached = new CachedPriceCatalog(counting);
        Optional<PricedModel> first = cached.find("p", "known");
        for (int i = 0; i < 100; i++) {
            assertThat(cached.find("p", "known")).isSameAs(first);
            assertThat(cached.find("p", "unknown")).isEmpty();
            assertThat(cached.find(null, "unknown")).isEmpty();
        }
        assertThat(calls).hasValue(3);
        assertThat(cached.source()).isEqualTo("counting");
    }

    @Test
    void catalogsFromTheFactoriesAreCached() {
        assertThat(PriceCatalog.bundled()).isInstanceOf(CachedPriceCatalog.class);
        assertThat(PriceCatalog.bundled().withOverrides(Map.of())).isInstanceOf(CachedPriceCatalog.class);
        assertThat(PriceCatalog.bundled().find("openai", "gpt-4o"))
                .isSameAs(PriceCatalog.bundled().find("openai", "gpt-4o"));
    }

    @Test
    void modelNameIsRequired() {
        assertThatThrownBy(() -> PriceCatalog.bundled().find("openai", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("model");
    }

    private static PriceCatalog fixed(String provider, String... models) {
        return new PriceCatalog() {
            @Override
            public Optional<PricedModel> find(String p, String model) {
                return List.of(models).contains(model) ? Optional.of(PricedModel.of(provider, model, CHEAP))
                        : Optional.empty();
            }

            @Override
            public String source() {
                return provider;
            }
        };
    }
}
