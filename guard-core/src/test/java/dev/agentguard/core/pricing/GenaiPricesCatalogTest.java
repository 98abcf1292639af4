package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Usage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Lookup and parsing rules of the genai-prices feed, on small feeds written for the purpose. */
class GenaiPricesCatalogTest {

    private static PriceCatalog feed(String json) {
        return PriceCatalog.fromGenaiPrices(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test");
    }

    // The JSON below is written with ' for " to keep it readable.
    private static final PriceCatalog CATALOG = feed((""
            + "[{'id': 'alpha', 'name': 'Alpha', 'api_pattern': 'x', 'model_match': {'starts_with': 'al-'},"
            + "  'provider_match': {'contains': 'alph'}, 'fallback_model_providers': ['beta'],"
            + "  'models': ["
            + "    {'id': 'al-image', 'match': {'equals': 'al-1-image'}, 'prices': {'output_image_mtok': 30}},"
            + "    {'id': 'al-1', 'match': {'starts_with': 'al-1'}, 'prices': {'input_mtok': 1, 'output_mtok': 2}},"
            + "    {'id': 'al-1-shadowed', 'match': {'equals': 'al-1-x'}, 'prices': {'input_mtok': 9}}]},"
            + " {'id': 'beta', 'name': 'Beta', 'api_pattern': 'x', 'fallback_model_providers': ['gamma'],"
            + "  'models': [{'id': 'be-1', 'match': {'equals': 'be-1'}, 'prices': {'input_mtok': 3}}]},"
            + " {'id': 'gamma', 'name': 'Gamma', 'api_pattern': 'x', 'model_match': {'starts_with': 'ga-'},"
            + "  'models': [{'id': 'ga-1', 'match': {'equals': 'ga-1'}, 'prices': ["
            + "    {'prices': {'input_mtok': 1}},"
            + "    {'constraint': {'start_time': '08:30:00+08:00', 'end_time': '10:00:00+08:00'},"
            + "     'prices': {'input_mtok': 2}}]}]}]").replace('\'', '"'));

    @Test
    void firstMatchingModelWinsInFeedOrder() {
        PricedModel model = CATALOG.find("alpha", "al-1-x").orElseThrow();
        assertThat(model.modelId()).isEqualTo("al-1");
        assertThat(model.source()).isEqualTo("test");
    }

    @Test
    void aModelWithoutAnInputRateClaimsItsNamesButIsUnpriced() {
        // al-1-image would otherwise fall to al-1's starts_with "al-1" and be priced as a text model
        assertThat(CATALOG.find("alpha", "al-1-image")).isEmpty();
    }

    @Test
    void providerWithoutModelMatchIsNeverGuessed() {
        assertThat(CATALOG.find(null, "be-1")).isEmpty();
        assertThat(CATALOG.find("beta", "be-1")).isPresent();
        assertThat(CATALOG.find(null, "al-1").orElseThrow().provider()).isEqualTo("alpha");
    }

    @Test
    void providerMatchIsTriedAfterExactIds() {
        assertThat(CATALOG.find("ALPHA-cloud", "al-1").orElseThrow().provider()).isEqualTo("alpha");
    }

    @Test
    void fallbackProvidersAreOneStepDeep() {
        PricedModel viaFallback = CATALOG.find("alpha", "be-1").orElseThrow();
        assertThat(viaFallback.provider()).isEqualTo("alpha");
        assertThat(viaFallback.modelId()).isEqualTo("be-1");
        // beta falls back to gamma, but alpha's fallback to beta does not continue to gamma
        assertThat(CATALOG.find("beta", "ga-1")).isPresent();
        assertThat(CATALOG.find("alpha", "ga-1")).isEmpty();
    }

    @Test
    void timeOfDayWithAnOffsetIsConvertedToUtc() {
        PricedModel ga = CATALOG.find(null, "ga-1").orElseThrow();
        Usage million = Usage.of(1_000_000, 0);
        // 08:30-10:00 +08:00 is 00:30-02:00 UTC: inside, $2 per M → 2 USD; outside, the first price $1 → 1 USD
        assertThat(ga.priceAt(Instant.parse("2026-01-01T01:00:00Z").toEpochMilli()).costNanos(million))
                .isEqualTo(2_000_000_000L);
        assertThat(ga.priceAt(Instant.parse("2026-01-01T09:00:00Z").toEpochMilli()).costNanos(million))
                .isEqualTo(1_000_000_000L);
    }

    @Test
    void ignoresKeysItDoesNotPrice() {
        PriceCatalog catalog = feed(("[{'id': 'p', 'name': 'P', 'api_pattern': 'x', 'extractors': [{'root': 'usage'}],"
                + " 'models': [{'id': 'm', 'name': 'M', 'match': {'equals': 'm'}, 'context_window': 8000,"
                + "  'prices': {'input_mtok': 1, 'input_audio_mtok': 40, 'web_searches_kcount': 10}}]}]")
                .replace('\'', '"'));
        // 1000 input × $1/M = 0.001 USD; audio and web-search rates are out of scope
        assertThat(catalog.find("p", "m").orElseThrow().priceAt(0).costNanos(Usage.of(1000, 0)))
                .isEqualTo(1_000_000L);
    }
}
