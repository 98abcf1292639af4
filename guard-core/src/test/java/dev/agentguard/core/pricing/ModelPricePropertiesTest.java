package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** Randomised checks of {@link ModelPrice} over real models of the bundled feed and a few made-up edge cases. */
class ModelPricePropertiesTest {

    private static final long SNAPSHOT_DAY = Instant.parse("2026-08-21T12:00:00Z").toEpochMilli();
    private static final long OFF_PEAK = Instant.parse("2026-08-21T20:00:00Z").toEpochMilli();
    private static final long BEFORE_MARCH_2026 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

    @Provide
    Arbitrary<ModelPrice> prices() {
        PriceCatalog bundled = PriceCatalog.bundled();
        List<ModelPrice> prices = new ArrayList<>();
        for (String[] model : new String[][] {
                {"google", "gemini-2.5-pro"}, {"anthropic", "claude-sonnet-4-5"}, {"openai", "gpt-4o"},
                {"openai", "o4-mini"}, {"perplexity", "sonar"}, {"perplexity", "sonar-deep-research"},
                {"openai", "gpt-5.4"}, {"minimax", "minimax-m3"}}) {
            prices.add(bundled.find(model[0], model[1]).orElseThrow().priceAt(SNAPSHOT_DAY));
        }
        prices.add(bundled.find("deepseek", "deepseek-chat").orElseThrow().priceAt(OFF_PEAK));
        prices.add(bundled.find("anthropic", "claude-opus-4-6").orElseThrow().priceAt(BEFORE_MARCH_2026));
        // made up: a volume discount above 100k, and a reasoning rate below the output rate
        prices.add(ModelPrice.builder().input(new BigDecimal("3")).tier(TokenKind.INPUT, 100_000, new BigDecimal("1"))
                .cacheWrite(new BigDecimal("4")).tier(TokenKind.CACHE_WRITE, 50_000, new BigDecimal("0.5"))
                .output(new BigDecimal("9")).tier(TokenKind.OUTPUT, 100_000, new BigDecimal("2"))
                .reasoning(new BigDecimal("0.7")).perRequest(new BigDecimal("0.3")).build());
        prices.add(ModelPrice.builder().input(new BigDecimal("0.08333333333333334")).build());
        return Arbitraries.of(prices);
    }

    @Provide
    Arbitrary<Usage> usages() {
        Arbitrary<Long> prompt = Arbitraries.longs().between(-1, 400_000).edgeCases(c -> c.includeOnly(-1L, 0L));
        Arbitrary<Long> generated = Arbitraries.longs().between(-1, 100_000).edgeCases(c -> c.includeOnly(-1L, 0L));
        return Combinators.combine(prompt, prompt, prompt, generated, generated).as(Usage::of);
    }

    @Property(tries = 3000)
    void worstCaseIsNeverBelowTheCostOfACallWithinItsLimits(@ForAll("prices") ModelPrice price,
            @ForAll("usages") Usage usage, @ForAll @LongRange(max = 300_000) long sparePrompt,
            @ForAll @LongRange(max = 50_000) long spareOutput) {
        long promptTokens = usage.promptTokens() + sparePrompt;
        long maxOutputTokens = usage.completionTokens() + spareOutput;
        assertThat(price.worstCaseNanos(promptTokens, maxOutputTokens)).isGreaterThanOrEqualTo(price.costNanos(usage));
    }

    @Property(tries = 3000)
    void costEqualsADecimalReferenceRoundedOnce(@ForAll("prices") ModelPrice price, @ForAll("usages") Usage usage) {
        long prompt = usage.promptTokens();
        BigDecimal usdPerMtokTimesTokens = term(price, TokenKind.INPUT, prompt, usage.input())
                .add(term(price, TokenKind.CACHE_READ, prompt, usage.cacheRead()))
                .add(term(price, TokenKind.CACHE_WRITE, prompt, usage.cacheWrite()))
                .add(term(price, TokenKind.OUTPUT, prompt, usage.output()))
                .add(term(price, TokenKind.REASONING, prompt, usage.reasoning()));
        BigDecimal usd = usdPerMtokTimesTokens.movePointLeft(6)
                .add(price.perRequestUsdPerThousand().movePointLeft(3));
        long expected = usd.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
        assertThat(price.costNanos(usage)).isEqualTo(expected);
    }

    /** tokens × the rate rounded to the documented resolution of 10^-6 USD per million tokens. */
    private static BigDecimal term(ModelPrice price, TokenKind kind, long prompt, long tokens) {
        BigDecimal rate = price.usdPerMtok(kind, prompt).setScale(6, RoundingMode.HALF_UP);
        return rate.multiply(BigDecimal.valueOf(Math.max(0, tokens)));
    }
}
