package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Usage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Prices real calls with the bundled genai-prices snapshot (47df840a, 2026-08-21). Every rate quoted in a comment
 * was read from {@code genai-prices-v2-data_slim.json}; every expected value is that arithmetic, to the nano-dollar.
 */
class BundledCatalogTest {

    private static final PriceCatalog CATALOG = PriceCatalog.bundled();
    private static final long SNAPSHOT_DAY = millis("2026-08-21T12:00:00Z");

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static PricedModel find(String provider, String model) {
        return CATALOG.find(provider, model).orElseThrow(() -> new AssertionError(provider + "/" + model));
    }

    private static long cost(String provider, String model, Usage usage, long epochMillis) {
        return find(provider, model).priceAt(epochMillis).costNanos(usage);
    }

    @Test
    void sourceNamesTheSnapshot() {
        assertThat(CATALOG.source()).isEqualTo("genai-prices 47df840a (2026-08-21)");
        assertThat(PriceCatalog.bundled()).isSameAs(CATALOG);
    }

    @Test
    void openAiReasoningModelWithCachedAndReasoningTokens() {
        // openai o4-mini: input $1.10, cache_read $0.275, output $4.40 per M; no output_reasoning_mtok, so reasoning
        // is billed as output. 1000 input × 1.10 + 2000 cached × 0.275 + 300 output × 4.40 + 700 reasoning × 4.40
        // = 1100 + 550 + 1320 + 3080 = 6050 USD/M = 0.006050 USD
        Usage usage = Usage.of(1000, 2000, 0, 300, 700);
        assertThat(cost("openai", "o4-mini", usage, SNAPSHOT_DAY)).isEqualTo(6_050_000L);
    }

    @Test
    void openAiGpt4oWithCachedTokens() {
        // openai gpt-4o: input $2.50, cache_read $1.25, output $10 per M.
        // 1000 input × 2.50 + 200 cached × 1.25 + 150 output × 10 = 2500 + 250 + 1500 = 4250 USD/M = 0.004250 USD
        assertThat(cost("openai", "gpt-4o-2024-08-06", Usage.of(1000, 200, 0, 150, 0), SNAPSHOT_DAY))
                .isEqualTo(4_250_000L);
    }

    @Test
    void anthropicWithCacheWriteAndCacheRead() {
        // anthropic claude-sonnet-4-0 (matched by starts_with "claude-sonnet-4-2025"): input $3, cache_write $3.75,
        // cache_read $0.30, output $15 per M. 500 input × 3 + 10000 read × 0.30 + 2000 write × 3.75 + 800 out × 15
        // = 1500 + 3000 + 7500 + 12000 = 24000 USD/M = 0.024 USD
        PricedModel sonnet = find("anthropic", "claude-sonnet-4-20250514");
        assertThat(sonnet.modelId()).isEqualTo("claude-sonnet-4-0");
        assertThat(sonnet.priceAt(SNAPSHOT_DAY).costNanos(Usage.of(500, 10_000, 2_000, 800, 0)))
                .isEqualTo(24_000_000L);
    }

    @Test
    void geminiWithThoughtsBelowTheTier() {
        // google gemini-2.5-pro: input {base 1.25, >200000: 2.50}, cache_read {0.125, 0.25}, output {10, 15}; no
        // reasoning rate, so thoughts are billed as output. Prompt 10000 ≤ 200000, base rates:
        // 10000 input × 1.25 + (2000 output + 3000 thoughts) × 10 = 12500 + 50000 = 62500 USD/M = 0.0625 USD
        assertThat(cost("google", "gemini-2.5-pro", Usage.of(10_000, 0, 0, 2_000, 3_000), SNAPSHOT_DAY))
                .isEqualTo(62_500_000L);
    }

    @Test
    void geminiWithThoughtsAboveTheTier() {
        // same model, prompt 250000 input + 50000 cached = 300000 > 200000: tier rates for all kinds, output too:
        // 250000 × 2.50 + 50000 × 0.25 + (2000 + 3000) × 15 = 625000 + 12500 + 75000 = 712500 USD/M = 0.7125 USD
        assertThat(cost("google", "gemini-2.5-pro", Usage.of(250_000, 50_000, 0, 2_000, 3_000), SNAPSHOT_DAY))
                .isEqualTo(712_500_000L);
        // the threshold itself is still base: 200000 × 1.25 = 250000 USD/M = 0.25 USD
        assertThat(cost("google", "gemini-2.5-pro", Usage.of(200_000, 0), SNAPSHOT_DAY)).isEqualTo(250_000_000L);
    }

    @Test
    void datedAliasPricesAsItsModel() {
        PricedModel mini = find("openai", "gpt-4o-mini-2024-07-18");
        assertThat(mini.modelId()).isEqualTo("gpt-4o-mini");
        assertThat(mini.provider()).isEqualTo("openai");
        // gpt-4o-mini: input $0.15, cache_read $0.075, output $0.60 per M.
        // 1000 × 0.15 + 1000 × 0.075 + 100 × 0.60 = 150 + 75 + 60 = 285 USD/M = 0.000285 USD
        assertThat(mini.priceAt(SNAPSHOT_DAY).costNanos(Usage.of(1000, 1000, 0, 100, 0))).isEqualTo(285_000L);
    }

    @Test
    void findsTheProviderFromTheModelNameWhenNoneIsGiven() {
        // openai's model_match: starts_with "gpt-" or regex ^o[134]; anthropic's: contains "claude"
        assertThat(find(null, "gpt-4o-mini").provider()).isEqualTo("openai");
        assertThat(find(null, "o3-mini").provider()).isEqualTo("openai");
        PricedModel haiku = find(null, "claude-3-5-haiku-20241022");
        assertThat(haiku.provider()).isEqualTo("anthropic");
        assertThat(haiku.modelId()).isEqualTo("claude-3-5-haiku-latest");
        // no provider's model_match claims a bare llama name, and genai-prices does not search every provider
        assertThat(CATALOG.find(null, "llama-3.1-8b")).isEmpty();
    }

    @Test
    void providerIsMatchedByIdThenByProviderMatchIgnoringCaseAndSpaces() {
        assertThat(find(" OpenAI ", "GPT-4O-MINI").modelId()).isEqualTo("gpt-4o-mini");
        assertThat(find("vertex_ai", "gemini-2.5-pro").provider()).isEqualTo("google"); // contains "vertex"
        assertThat(find("xai", "grok-4").provider()).isEqualTo("x-ai");                  // equals "xai"
        assertThat(find("amazon-bedrock", "anthropic.claude-3-haiku-20240307-v1:0").provider()).isEqualTo("aws");
        assertThat(CATALOG.find("no-such-provider", "gpt-4o")).isEmpty();
    }

    @Test
    void fallsBackToTheProvidersOfTheModelWhenTheServingProviderLacksIt() {
        // azure lists no gpt-4o; its fallback_model_providers are [openai, anthropic]
        PricedModel azure = find("azure", "gpt-4o");
        assertThat(azure.provider()).isEqualTo("azure");
        assertThat(azure.modelId()).isEqualTo("gpt-4o");
        // openai gpt-4o rates: 1000 input × 2.50 + 100 output × 10 = 3500 USD/M = 0.0035 USD
        assertThat(azure.priceAt(SNAPSHOT_DAY).costNanos(Usage.of(1000, 100))).isEqualTo(3_500_000L);

        // google lists no claude-haiku-4-5; it falls back to anthropic: input $1, cache_write $1.25,
        // cache_read $0.10, output $5 per M. 2000 × 1 + 8000 × 0.10 + 2000 × 1.25 + 500 × 5
        // = 2000 + 800 + 2500 + 2500 = 7800 USD/M = 0.0078 USD
        PricedModel vertexClaude = find("google", "claude-haiku-4-5@20251001");
        assertThat(vertexClaude.provider()).isEqualTo("google");
        assertThat(vertexClaude.priceAt(SNAPSHOT_DAY).costNanos(Usage.of(2000, 8000, 2000, 500, 0)))
                .isEqualTo(7_800_000L);

        // aws has no fallback providers, so an OpenAI name is unknown there
        assertThat(CATALOG.find("bedrock", "gpt-4o")).isEmpty();
    }

    @Test
    void litellmProviderTakesTheProviderFromTheModelPrefix() {
        PricedModel haiku = find("litellm", "anthropic/claude-3-5-haiku");
        assertThat(haiku.provider()).isEqualTo("anthropic");
        assertThat(haiku.modelId()).isEqualTo("claude-3-5-haiku-latest");
    }

    @Test
    void startDatePriceAppliesFromMidnightUtcOfItsDay() {
        PricedModel o3 = find("openai", "o3-2025-04-16");
        assertThat(o3.isTimeDependent()).isTrue();
        Usage usage = Usage.of(1000, 1000);
        // before 2025-06-10: input $10, output $40 per M: 1000 × 10 + 1000 × 40 = 50000 USD/M = 0.05 USD
        assertThat(o3.priceAt(millis("2025-06-09T23:59:59.999Z")).costNanos(usage)).isEqualTo(50_000_000L);
        // from 2025-06-10 (start_date): input $2, output $8: 1000 × 2 + 1000 × 8 = 10000 USD/M = 0.01 USD
        assertThat(o3.priceAt(millis("2025-06-10T00:00:00Z")).costNanos(usage)).isEqualTo(10_000_000L);
    }

    @Test
    void startDateCanEndATieredPrice() {
        PricedModel opus = find("anthropic", "claude-opus-4-6");
        Usage usage = Usage.of(250_000, 1000);
        // before 2026-03-13: input {5, >200000: 10}, output {25, >200000: 37.5}; prompt 250000 is above the tier:
        // 250000 × 10 + 1000 × 37.5 = 2537500 USD/M = 2.5375 USD
        assertThat(opus.priceAt(millis("2026-03-12T23:00:00Z")).costNanos(usage)).isEqualTo(2_537_500_000L);
        // from 2026-03-13: flat input $5, output $25: 250000 × 5 + 1000 × 25 = 1275000 USD/M = 1.275 USD
        assertThat(opus.priceAt(millis("2026-03-13T00:00:00Z")).costNanos(usage)).isEqualTo(1_275_000_000L);
    }

    @Test
    void timeOfDayPriceAppliesInsideItsUtcWindowAndTheFirstPriceOutside() {
        PricedModel deepseek = find(null, "deepseek-chat");
        Usage usage = Usage.of(1000, 400, 0, 1000, 0);
        // 00:30-16:30 UTC: input $0.27, cache_read $0.07, output $1.10 per M:
        // 1000 × 0.27 + 400 × 0.07 + 1000 × 1.10 = 270 + 28 + 1100 = 1398 USD/M = 0.001398 USD
        assertThat(deepseek.priceAt(millis("2026-08-21T12:00:00Z")).costNanos(usage)).isEqualTo(1_398_000L);
        assertThat(deepseek.priceAt(millis("2026-08-21T00:30:00Z")).costNanos(usage)).isEqualTo(1_398_000L);
        // outside (no constraint holds, so the first price): input $0.135, cache_read $0.035, output $0.55:
        // 1000 × 0.135 + 400 × 0.035 + 1000 × 0.55 = 135 + 14 + 550 = 699 USD/M = 0.000699 USD
        assertThat(deepseek.priceAt(millis("2026-08-21T20:00:00Z")).costNanos(usage)).isEqualTo(699_000L);
        assertThat(deepseek.priceAt(millis("2026-08-21T16:30:00Z")).costNanos(usage)).isEqualTo(699_000L);
        assertThat(deepseek.priceAt(millis("2026-08-21T00:29:59.999Z")).costNanos(usage)).isEqualTo(699_000L);
    }

    @Test
    void perRequestAndReasoningRatesFromTheFeed() {
        // perplexity sonar: input $1, output $1 per M, requests_kcount $12 (0.012 per call):
        // 1000 × 1 + 1000 × 1 = 2000 USD/M = 0.002; + 0.012 = 0.014 USD
        assertThat(cost("perplexity", "sonar", Usage.of(1000, 1000), SNAPSHOT_DAY)).isEqualTo(14_000_000L);
        // perplexity sonar-deep-research: input $2, output $8, output_reasoning $3 per M:
        // 1000 × 2 + 1000 × 8 + 2000 × 3 = 2000 + 8000 + 6000 = 16000 USD/M = 0.016 USD
        assertThat(cost("perplexity", "sonar-deep-research", Usage.of(1000, 0, 0, 1000, 2000), SNAPSHOT_DAY))
                .isEqualTo(16_000_000L);
    }

    @Test
    void unknownModelIsEmptyNeverFree() {
        assertThat(CATALOG.find("openai", "gpt-nonexistent-9")).isEmpty();
        assertThat(CATALOG.find(null, "my-local-llama")).isEmpty();
    }

    @Test
    void worstCaseCoversTheCallItReservesFor() {
        ModelPrice sonnet = find("anthropic", "claude-sonnet-4-20250514").priceAt(SNAPSHOT_DAY);
        // highest prompt rate is cache_write $3.75, output $15 per M: 20000 × 3.75 + 1024 × 15 = 75000 + 15360
        // = 90360 USD/M = 0.09036 USD
        assertThat(sonnet.worstCaseNanos(20_000, 1024)).isEqualTo(90_360_000L);
    }
}
