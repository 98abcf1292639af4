package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Usage;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loads {@code litellm-sample.json}, a small file in LiteLLM's {@code model_prices_and_context_window.json} format
 * (field names as in BerriAI/litellm); rates there are USD per token, quoted below per million.
 */
class LiteLlmCatalogTest {

    private static Path file;
    private static PriceCatalog catalog;

    @BeforeAll
    static void load() throws URISyntaxException {
        file = Path.of(LiteLlmCatalogTest.class.getResource("litellm-sample.json").toURI());
        catalog = PriceCatalog.fromLiteLlm(file);
    }

    private static long cost(String provider, String model, Usage usage) {
        return catalog.find(provider, model).orElseThrow().priceAt(0).costNanos(usage);
    }

    @Test
    void sourceNamesTheFile() {
        assertThat(catalog.source()).isEqualTo("litellm " + file);
        assertThat(catalog.find(null, "gpt-4o").orElseThrow().source()).isEqualTo("litellm " + file);
    }

    @Test
    void anthropicModelWithCacheWriteAndRead() {
        PricedModel sonnet = catalog.find("anthropic", "claude-sonnet-4-5").orElseThrow();
        assertThat(sonnet.provider()).isEqualTo("anthropic");
        assertThat(sonnet.modelId()).isEqualTo("claude-sonnet-4-5");
        // input 3e-06, cache_creation 3.75e-06, cache_read 3e-07, output 1.5e-05 USD/token = $3, $3.75, $0.30, $15
        // per M. 1000 × 3 + 20000 × 0.30 + 4000 × 3.75 + 500 × 15 = 3000 + 6000 + 15000 + 7500 = 31500 USD/M
        // = 0.0315 USD
        assertThat(sonnet.priceAt(0).costNanos(Usage.of(1000, 20_000, 4_000, 500, 0))).isEqualTo(31_500_000L);
    }

    @Test
    void aboveThresholdRatesApplyToEveryKindOnceThePromptCrossesIt() {
        // prompt 180000 + 20000 + 5000 = 205000 > 200k: input $6, cache_read $0.60, cache_creation $7.50,
        // output $22.50 per M. 180000 × 6 + 20000 × 0.60 + 5000 × 7.50 + 1000 × 22.50
        // = 1080000 + 12000 + 37500 + 22500 = 1152000 USD/M = 1.152 USD
        assertThat(cost("anthropic", "claude-sonnet-4-5", Usage.of(180_000, 20_000, 5_000, 1_000, 0)))
                .isEqualTo(1_152_000_000L);
    }

    @Test
    void reasoningRateFromOutputCostPerReasoningToken() {
        // input 1.5e-07, cache_read 3.75e-08, output 6e-07, reasoning 3.5e-06 USD/token = $0.15, $0.0375, $0.60,
        // $3.50 per M. 1000 × 0.15 + 2000 × 0.0375 + 500 × 0.60 + 1500 × 3.50 = 150 + 75 + 300 + 5250
        // = 5775 USD/M = 0.005775 USD
        assertThat(cost("gemini", "gemini-2.5-flash-preview-04-17", Usage.of(1000, 2000, 0, 500, 1500)))
                .isEqualTo(5_775_000L);
    }

    @Test
    void looksUpProviderSlashModelThenModelThenTheNameWithoutItsPrefix() {
        assertThat(catalog.find("azure", "gpt-4o").orElseThrow().modelId()).isEqualTo("azure/gpt-4o");
        assertThat(catalog.find("openai", "GPT-4o").orElseThrow().modelId()).isEqualTo("gpt-4o");
        assertThat(catalog.find(null, "azure/gpt-4o").orElseThrow().provider()).isEqualTo("azure");
        assertThat(catalog.find(null, "openai/gpt-4o").orElseThrow().modelId()).isEqualTo("gpt-4o");
        assertThat(catalog.find(null, "gemini-2.5-flash-preview-04-17")).isEmpty();
        // gpt-4o: 1000 × $2.50 + 1000 cached × $1.25 + 100 × $10 = 2500 + 1250 + 1000 = 4750 USD/M = 0.00475 USD;
        // the _batches and _priority service-tier rates are ignored
        assertThat(cost("openai", "gpt-4o", Usage.of(1000, 1000, 0, 100, 0))).isEqualTo(4_750_000L);
    }

    @Test
    void xaiThresholdsAreInclusive() {
        // LiteLLM bills xAI's higher tier from the threshold itself (>=): 128000 × $6 + 100 × $30 = 768000 + 3000
        // = 771000 USD/M = 0.771 USD; one token less stays on base: 127999 × $3 + 100 × $15 = 383997 + 1500
        // = 385497 USD/M = 0.385497 USD
        assertThat(cost("xai", "grok-4", Usage.of(128_000, 100))).isEqualTo(771_000_000L);
        assertThat(cost("xai", "grok-4", Usage.of(127_999, 100))).isEqualTo(385_497_000L);
    }

    @Test
    void aKindWithoutARateAtTheCrossedThresholdKeepsItsBaseRate() {
        // thresholds 128k and 256k; output has an _above_ rate only at 128k ($20), so above 256k it is back at $10
        // (LiteLLM switches every kind to the highest crossed threshold, falling back to the base rate).
        // 300000 × $4 + 1000 × $10 = 1200000 + 10000 = 1210000 USD/M = 1.21 USD
        assertThat(cost("example", "two-thresholds", Usage.of(300_000, 1000))).isEqualTo(1_210_000_000L);
        // 200000 × $2 + 1000 × $20 = 400000 + 20000 = 420000 USD/M = 0.42 USD
        assertThat(cost("example", "two-thresholds", Usage.of(200_000, 1000))).isEqualTo(420_000_000L);
    }

    @Test
    void numbersWrittenAsStringsAndNullRatesAreAccepted() {
        // input "2.7e-07" = $0.27, cache_read $0.07, output $1.10 per M; cache_creation null so cache writes are
        // billed at the input rate. 1000 × 0.27 + 1000 × 0.07 + 1000 × 0.27 + 1000 × 1.10 = 1710 USD/M
        // = 0.00171 USD
        assertThat(cost("deepseek", "deepseek-chat", Usage.of(1000, 1000, 1000, 1000, 0))).isEqualTo(1_710_000L);
    }

    @Test
    void skipsTheSampleSpecAndEntriesWithoutTokenPrices() {
        assertThat(catalog.find(null, LiteLlmParser.SAMPLE_SPEC)).isEmpty();
        assertThat(catalog.find("openai", "dall-e-3")).isEmpty();
        // the embedding model has a token price: 1,000,000 × $0.02 = 0.02 USD
        assertThat(cost("openai", "text-embedding-3-small", Usage.of(1_000_000, 0))).isEqualTo(20_000_000L);
    }
}
