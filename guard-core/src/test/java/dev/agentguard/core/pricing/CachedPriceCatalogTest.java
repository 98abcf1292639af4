package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cache in front of every catalog, front table included: the answer a lookup gets is the delegate's. */
class CachedPriceCatalogTest {

    private final List<String> asked = new ArrayList<>();
    private final Map<String, Optional<PricedModel>> answers = new HashMap<>();
    /** One answer per provider and name, the same object each time; "none" has no price. */
    private final PriceCatalog delegate = new PriceCatalog() {
        @Override
        public Optional<PricedModel> find(String provider, String model) {
            asked.add(provider + "/" + model);
            return answers.computeIfAbsent(provider + "/" + model, k -> model.equals("none") ? Optional.empty()
                    : Optional.of(PricedModel.of(provider == null ? "any" : provider, model,
                            ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())));
        }

        @Override
        public String source() {
            return "test";
        }
    };
    private final CachedPriceCatalog catalog = new CachedPriceCatalog(delegate);

    @Test
    void repeatedLookupsAskTheDelegateOnceAndGetItsAnswer() {
        for (int i = 0; i < 5; i++) {
            assertThat(catalog.find("openai", "gpt-4o")).isSameAs(answers.get("openai/gpt-4o"));
            assertThat(catalog.find(null, "none")).isEmpty();
        }
        assertThat(asked).containsExactly("openai/gpt-4o", "null/none");
    }

    /** "Aa" and "BB" have the same hash, so they share a slot of the front table; each keeps its own answer. */
    @Test
    void namesThatShareAFrontSlotKeepTheirOwnAnswers() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        for (int i = 0; i < 3; i++) {
            assertThat(catalog.find(null, "Aa").orElseThrow().modelId()).isEqualTo("Aa");
            assertThat(catalog.find(null, "BB").orElseThrow().modelId()).isEqualTo("BB");
        }
    }

    @Test
    void theSameNameUnderAnotherProviderIsAnotherAnswer() {
        for (int i = 0; i < 3; i++) {
            assertThat(catalog.find("openai", "gpt-4o")).isSameAs(answers.get("openai/gpt-4o"));
            assertThat(catalog.find("azure", "gpt-4o")).isSameAs(answers.get("azure/gpt-4o"));
            assertThat(catalog.find(null, "gpt-4o")).isSameAs(answers.get("null/gpt-4o"));
        }
        assertThat(answers.get("openai/gpt-4o")).isNotSameAs(answers.get("azure/gpt-4o"));
    }
}
