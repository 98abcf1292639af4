package dev.agentguard.core.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;

/**
 * One token rate, possibly tiered, in pico-dollars (10<sup>-12</sup> USD) per token.
 *
 * <p>Tiers follow genai-prices' {@code TieredPrices} ({@code packages/python/genai_prices/types.py},
 * {@code calc_unit_price}): a tier with start {@code s} applies when the call's prompt total is <em>strictly
 * greater</em> than {@code s}, the highest such tier wins, and its rate applies to <em>all</em> tokens of the kind
 * (a cliff, not a progressive schedule). Lookups scan at most a handful of tiers and allocate nothing.
 */
final class Rate {

    private static final long[] NONE = new long[0];

    /** The rate of a kind that is not billed at all (a model with no output rate, e.g. an embedding model). */
    static final Rate ZERO = new Rate(BigDecimal.ZERO, 0, new BigDecimal[0], NONE, NONE);

    private final BigDecimal baseUsdPerMtok;
    private final long basePico;
    private final BigDecimal[] tierUsdPerMtok;
    private final long[] tierStarts;
    private final long[] tierPicos;

    private Rate(BigDecimal baseUsdPerMtok, long basePico, BigDecimal[] tierUsdPerMtok, long[] tierStarts,
            long[] tierPicos) {
        this.baseUsdPerMtok = baseUsdPerMtok;
        this.basePico = basePico;
        this.tierUsdPerMtok = tierUsdPerMtok;
        this.tierStarts = tierStarts;
        this.tierPicos = tierPicos;
    }

    /**
     * @param property the rate's name for error messages
     * @param base the base rate in USD per million tokens
     * @param tiers tier start (prompt tokens) to USD per million tokens, ascending
     */
    static Rate of(String property, BigDecimal base, NavigableMap<Long, BigDecimal> tiers) {
        long[] starts = new long[tiers.size()];
        long[] picos = new long[tiers.size()];
        BigDecimal[] usd = new BigDecimal[tiers.size()];
        int i = 0;
        for (Map.Entry<Long, BigDecimal> tier : tiers.entrySet()) {
            starts[i] = tier.getKey();
            usd[i] = tier.getValue();
            picos[i] = picosPerToken(property + " tier above " + tier.getKey() + " prompt tokens", tier.getValue());
            i++;
        }
        return new Rate(base, picosPerToken(property, base), usd, starts, picos);
    }

    /**
     * Converts USD per million tokens to whole pico-dollars per token (a shift by six decimal places).
     *
     * <p>The resolution is therefore 10<sup>-6</sup> USD per million tokens: the feed's binary-float artefacts such as
     * {@code 0.18000000000000002} round half-up to {@code 0.18} (180,000 pico-dollars per token), and no real price
     * has more than six decimals per million tokens.
     */
    static long picosPerToken(String property, BigDecimal usdPerMtok) {
        return exactPicos(property, usdPerMtok, 6, "USD per million tokens");
    }

    /** Converts USD per thousand requests to whole pico-dollars per request (a shift by nine decimal places). */
    static long picosPerRequest(String property, BigDecimal usdPerThousand) {
        return exactPicos(property, usdPerThousand, 9, "USD per thousand requests");
    }

    private static long exactPicos(String property, BigDecimal usd, int shift, String unit) {
        if (usd == null) {
            throw new IllegalArgumentException("modelPrice." + property + " must not be null");
        }
        if (usd.signum() < 0) {
            throw new IllegalArgumentException(
                    "modelPrice." + property + " must be >= 0 " + unit + ", was " + usd.toPlainString());
        }
        try {
            return usd.movePointRight(shift).setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "modelPrice." + property + " is too large: " + usd.toPlainString() + " " + unit, e);
        }
    }

    /** @return the pico-dollars per token billed when the call's prompt total is {@code promptTokens} */
    long picoAt(long promptTokens) {
        for (int i = tierStarts.length - 1; i >= 0; i--) {
            if (promptTokens > tierStarts[i]) {
                return tierPicos[i];
            }
        }
        return basePico;
    }

    /**
     * @return the highest pico-dollars per token billed for any prompt total from 0 to {@code promptTokens}; a tier
     *     may be cheaper than the base (a volume discount), so the tier at {@code promptTokens} is not always the
     *     maximum
     */
    long maxPicoUpTo(long promptTokens) {
        long max = basePico;
        for (int i = 0; i < tierStarts.length && tierStarts[i] < promptTokens; i++) {
            max = Math.max(max, tierPicos[i]);
        }
        return max;
    }

    /** @return the rate in USD per million tokens at {@code promptTokens}, as given to the builder */
    BigDecimal usdAt(long promptTokens) {
        for (int i = tierStarts.length - 1; i >= 0; i--) {
            if (promptTokens > tierStarts[i]) {
                return tierUsdPerMtok[i];
            }
        }
        return baseUsdPerMtok;
    }

    boolean isTiered() {
        return tierStarts.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Rate)) {
            return false;
        }
        Rate r = (Rate) o;
        return basePico == r.basePico && Arrays.equals(tierStarts, r.tierStarts) && Arrays.equals(tierPicos, r.tierPicos);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(basePico) + Arrays.hashCode(tierStarts)) + Arrays.hashCode(tierPicos);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("$").append(baseUsdPerMtok.stripTrailingZeros().toPlainString());
        for (int i = 0; i < tierStarts.length; i++) {
            s.append(", >").append(tierStarts[i]).append(": $")
                    .append(tierUsdPerMtok[i].stripTrailingZeros().toPlainString());
        }
        return s.toString();
    }
}
