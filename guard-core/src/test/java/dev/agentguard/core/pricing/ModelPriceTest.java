package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Usage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class ModelPriceTest {

    private static BigDecimal usd(String value) {
        return new BigDecimal(value);
    }

    /** $2.50 in, $1.25 cached, $3.75 cache write, $10 out, $12 reasoning, per million tokens. */
    private static ModelPrice full() {
        return ModelPrice.builder().input(usd("2.50")).cacheRead(usd("1.25")).cacheWrite(usd("3.75"))
                .output(usd("10")).reasoning(usd("12")).build();
    }

    @Test
    void billsEveryBucketAtItsOwnRate() {
        // 1000 input × $2.50/M = 0.0025; 200 cache read × $1.25/M = 0.00025; 100 cache write × $3.75/M = 0.000375;
        // 300 output × $10/M = 0.003; 50 reasoning × $12/M = 0.0006; total 0.006725 USD
        Usage usage = Usage.of(1000, 200, 100, 300, 50);
        assertThat(full().costNanos(usage)).isEqualTo(6_725_000L);
        assertThat(full().cost(usage)).isEqualTo(Money.usd("0.006725"));
    }

    @Test
    void unknownCountsCostNothing() {
        // only the 1000 input tokens are known: 1000 × $2.50/M = 0.0025 USD
        Usage usage = Usage.of(1000, Usage.UNKNOWN, Usage.UNKNOWN, Usage.UNKNOWN, Usage.UNKNOWN);
        assertThat(full().costNanos(usage)).isEqualTo(2_500_000L);
        assertThat(full().costNanos(Usage.NONE)).isZero();
    }

    @Test
    void missingCacheRatesFallBackToInputAndReasoningToOutput() {
        ModelPrice price = ModelPrice.builder().input(usd("2")).output(usd("8")).build();
        // (100 input + 200 cache read + 300 cache write) × $2/M = 0.0012; (40 output + 60 reasoning) × $8/M = 0.0008
        assertThat(price.costNanos(Usage.of(100, 200, 300, 40, 60))).isEqualTo(2_000_000L);
        assertThat(price.usdPerMtok(TokenKind.CACHE_READ, 0)).isEqualByComparingTo("2");
        assertThat(price.usdPerMtok(TokenKind.REASONING, 0)).isEqualByComparingTo("8");
        assertThat(price.hasOwnRate(TokenKind.CACHE_READ)).isFalse();
        assertThat(price.hasOwnRate(TokenKind.OUTPUT)).isTrue();
    }

    @Test
    void withoutAnOutputRateOutputIsNotBilled() {
        ModelPrice embedding = ModelPrice.builder().input(usd("0.02")).build();
        // 1,000,000 input × $0.02/M = 0.02 USD; the 500 output and 10 reasoning tokens are free
        assertThat(embedding.costNanos(Usage.of(1_000_000, 0, 0, 500, 10))).isEqualTo(20_000_000L);
    }

    @Test
    void roundsTheFeedsFloatArtefactsAtAMillionthOfADollarPerMillionTokens() {
        ModelPrice artefact = ModelPrice.builder().input(usd("0.18000000000000002")).build();
        ModelPrice clean = ModelPrice.builder().input(usd("0.18")).build();
        assertThat(artefact).isEqualTo(clean);
        // 1,000,000 × 180,000 pico-dollars = 0.18 USD exactly
        assertThat(artefact.costNanos(Usage.of(1_000_000, 0))).isEqualTo(180_000_000L);

        // 0.08333333333333334 USD/M → 83,333 pico per token; 3 tokens = 249,999 pico → 250 nano (half-up, once)
        ModelPrice twelfth = ModelPrice.builder().input(usd("0.08333333333333334")).build();
        assertThat(twelfth.costNanos(Usage.of(3, 0))).isEqualTo(250L);
    }

    @Test
    void roundsHalfUpOnceAtTheEnd() {
        // $0.0005/M = 500 pico per token: one token is half a nano-dollar → 1
        assertThat(ModelPrice.builder().input(usd("0.0005")).build().costNanos(Usage.of(1, 0))).isEqualTo(1L);
        // $0.000499/M = 499 pico per token → 0
        assertThat(ModelPrice.builder().input(usd("0.000499")).build().costNanos(Usage.of(1, 0))).isZero();
        // two buckets of 300 pico each: 600 pico → 1 nano (rounding each bucket first would give 0)
        ModelPrice split = ModelPrice.builder().input(usd("0.0003")).output(usd("0.0003")).build();
        assertThat(split.costNanos(Usage.of(1, 1))).isEqualTo(1L);
    }

    @Test
    void tierAppliesWhenThePromptTotalIsStrictlyAboveItsStartToAllTokensOfTheKind() {
        ModelPrice price = ModelPrice.builder()
                .input(usd("1.25")).tier(TokenKind.INPUT, 200_000, usd("2.50"))
                .output(usd("10")).tier(TokenKind.OUTPUT, 200_000, usd("15"))
                .build();
        // prompt total exactly 200,000 (150,000 input + 50,000 cache read at the input rate) stays on the base rate:
        // 200,000 × $1.25/M = 0.25; 1,000 output × $10/M = 0.01; total 0.26 USD
        assertThat(price.costNanos(Usage.of(150_000, 50_000, 0, 1_000, 0))).isEqualTo(260_000_000L);
        // one more cached token crosses the tier, and output follows the prompt's tier:
        // 200,001 × $2.50/M = 0.5000025; 1,000 output × $15/M = 0.015; total 0.5150025 USD
        assertThat(price.costNanos(Usage.of(150_000, 50_001, 0, 1_000, 0))).isEqualTo(515_002_500L);
        assertThat(price.isTiered()).isTrue();
        assertThat(price.usdPerMtok(TokenKind.OUTPUT, 200_001)).isEqualByComparingTo("15");
    }

    @Test
    void highestCrossedTierWins() {
        ModelPrice price = ModelPrice.builder().input(usd("1"))
                .tier(TokenKind.INPUT, 300_000, usd("4")).tier(TokenKind.INPUT, 100_000, usd("2")).build();
        // 100,000 × $1/M = 0.1; 100,001 × $2/M = 0.200002; 300,001 × $4/M = 1.200004
        assertThat(price.costNanos(Usage.of(100_000, 0))).isEqualTo(100_000_000L);
        assertThat(price.costNanos(Usage.of(100_001, 0))).isEqualTo(200_002_000L);
        assertThat(price.costNanos(Usage.of(300_001, 0))).isEqualTo(1_200_004_000L);
    }

    @Test
    void perRequestPriceIsAThousandthOfTheKcountRate() {
        ModelPrice sonar = ModelPrice.builder().input(usd("1")).output(usd("1")).perRequest(usd("12")).build();
        // $12 per thousand requests = 0.012 per call; 1000 input + 1000 output × $1/M = 0.002; total 0.014 USD
        assertThat(sonar.costNanos(Usage.of(1000, 1000))).isEqualTo(14_000_000L);
        assertThat(sonar.costNanos(Usage.NONE)).isEqualTo(12_000_000L);
        assertThat(sonar.perRequestUsdPerThousand()).isEqualByComparingTo("12");
    }

    @Test
    void worstCasePricesThePromptAtTheHighestPromptRateAndOutputAtTheHigherOutputRate() {
        // prompt: max($2.50, $1.25, $3.75) = $3.75/M × 10,000 = 0.0375; output: max($10, $12) × 1,000 = 0.012
        assertThat(full().worstCaseNanos(10_000, 1_000)).isEqualTo(49_500_000L);
        assertThat(full().worstCaseNanos(0, 0)).isZero();
    }

    @Test
    void worstCaseTakesTheTierOfThePromptAndCoversCheaperTiers() {
        ModelPrice rising = ModelPrice.builder().input(usd("1")).tier(TokenKind.INPUT, 100, usd("2"))
                .output(usd("10")).tier(TokenKind.OUTPUT, 100, usd("20")).build();
        // 101 prompt tokens reach the tier: 101 × $2/M = 0.000202; 10 output × $20/M = 0.0002; total 0.000402 USD
        assertThat(rising.worstCaseNanos(101, 10)).isEqualTo(402_000L);
        // 100 prompt tokens cannot: 100 × $1/M + 10 × $10/M = 0.0002 USD
        assertThat(rising.worstCaseNanos(100, 10)).isEqualTo(200_000L);

        ModelPrice discount = ModelPrice.builder().input(usd("2")).tier(TokenKind.INPUT, 100, usd("1")).build();
        // a 100-token prompt pays $2/M, more than a 150-token one at $1/M: the bound keeps the base rate
        // 150 × $2/M = 0.0003 USD ≥ 100 × $2/M = 0.0002 USD
        assertThat(discount.worstCaseNanos(150, 0)).isEqualTo(300_000L);
        assertThat(discount.costNanos(Usage.of(100, 0))).isLessThanOrEqualTo(discount.worstCaseNanos(150, 0));
    }

    @Test
    void worstCaseSaturatesInsteadOfOverflowing() {
        assertThat(full().worstCaseNanos(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> full().worstCaseNanos(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void exactCostOverflowIsAnError() {
        assertThatThrownBy(() -> full().costNanos(Usage.of(Long.MAX_VALUE / 2, 0)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void builderNamesThePropertyAndTheBadValue() {
        assertThatThrownBy(() -> ModelPrice.builder().output(usd("1")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelPrice.input is required");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1")).cacheRead(usd("-0.5")).build())
                .hasMessageContaining("modelPrice.cacheRead must be >= 0").hasMessageContaining("-0.5");
        assertThatThrownBy(() -> ModelPrice.builder().input(null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelPrice.input must not be null");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1")).reasoning(usd("3")).build())
                .hasMessageContaining("modelPrice.reasoning is set but modelPrice.output is not");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1"))
                .tier(TokenKind.CACHE_WRITE, 10, usd("2")).build())
                .hasMessageContaining("modelPrice.cacheWrite has tiers but no base rate");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1"))
                .tier(TokenKind.INPUT, 10, usd("2")).tier(TokenKind.INPUT, 10, usd("3")).build())
                .hasMessageContaining("modelPrice.input has two tiers starting at 10");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1")).tier(TokenKind.INPUT, -5, usd("2")).build())
                .hasMessageContaining("modelPrice.input tier start must be >= 0").hasMessageContaining("-5");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1")).tier(TokenKind.INPUT, 5, usd("-2")).build())
                .hasMessageContaining("modelPrice.input tier above 5 prompt tokens must be >= 0");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1e20")).build())
                .hasMessageContaining("modelPrice.input is too large");
        assertThatThrownBy(() -> ModelPrice.builder().input(usd("1")).perRequest(usd("-1")).build())
                .hasMessageContaining("modelPrice.perRequest must be >= 0 USD per thousand requests, was -1");
    }

    @Test
    void comparesByBilledRatesAndPrintsThem() {
        ModelPrice a = ModelPrice.builder().input(usd("2.5")).output(usd("10")).build();
        ModelPrice b = ModelPrice.builder().input(usd("2.50")).output(usd("10.000")).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(ModelPrice.builder().input(usd("2.5")).build());
        assertThat(ModelPrice.builder().input(usd("3")).tier(TokenKind.INPUT, 200_000, usd("6")).perRequest(usd("5"))
                .build()).hasToString("ModelPrice{input=$3, >200000: $6, perRequest=$5/k}");
    }
}
