package dev.agentguard.core.pricing;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Usage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The rates of one model at one point in time, and the exact cost of a call at those rates.
 *
 * <h2>What a call costs</h2>
 * With the disjoint buckets of {@link Usage} and {@code p} = input + cacheRead + cacheWrite (the prompt total):
 * <pre>
 * cost = input × rate(INPUT, p) + cacheRead × rate(CACHE_READ, p) + cacheWrite × rate(CACHE_WRITE, p)
 *      + output × rate(OUTPUT, p) + reasoning × rate(REASONING, p) + perRequest
 * </pre>
 * A count of {@link Usage#UNKNOWN} contributes nothing. This is genai-prices' {@code ModelPrice.calc_price}
 * ({@code packages/python/genai_prices/types.py} at 47df840a) rewritten for already-split buckets:
 * <ul>
 *   <li>genai-prices prices the most specific priced unit and leaves the rest in its parent
 *       ({@code decompose.compute_leaf_values}); so a model without a cache-read (or cache-write) rate bills those
 *       tokens at the input rate, and one without a reasoning rate bills reasoning at the output rate. A model
 *       without an output rate (an embedding model) bills output at zero.</li>
 *   <li>A tier is chosen by the prompt total {@code p} for <em>every</em> kind, output and reasoning included
 *       ({@code calc_unit_price} is passed {@code usage.input_tokens}, which in genai-prices includes cache reads and
 *       writes). It applies when {@code p} is strictly above the tier's start, to all tokens of the kind.</li>
 *   <li>{@code requests_kcount} is USD per thousand requests, so one call adds a thousandth of it.</li>
 * </ul>
 * Audio, image, video, web-search, citation and one-hour cache-write rates of the feed are out of scope: the
 * canonical usage has no bucket for them. Cache writes are billed at the default (five-minute) write rate.
 *
 * <h2>Exactness</h2>
 * Each rate is held as a whole number of pico-dollars (10<sup>-12</sup> USD) per token, i.e. USD per million
 * tokens shifted by six places and rounded half-up; the feed's float artefacts such as {@code 0.18000000000000002}
 * are thereby rounded at a resolution of 10<sup>-6</sup> USD per million tokens. A cost is the exact sum of
 * tokens × pico-rate in {@code long} arithmetic, rounded half-up once, at the end, to nano-dollars. No
 * {@code double} and no {@code BigDecimal} is used by {@link #costNanos} or {@link #worstCaseNanos}, and neither
 * allocates.
 *
 * <p>Instances are immutable, thread-safe and compare by the rates they bill.
 */
public final class ModelPrice {

    private final Map<TokenKind, Rate> own;
    private final Rate input;
    private final Rate cacheRead;
    private final Rate cacheWrite;
    private final Rate output;
    private final Rate reasoning;
    private final BigDecimal perRequestUsdPerThousand;
    private final long perRequestPico;

    private ModelPrice(Map<TokenKind, Rate> own, BigDecimal perRequestUsdPerThousand, long perRequestPico) {
        this.own = own;
        // the fallbacks of genai-prices' leaf decomposition, resolved once so the hot path only multiplies
        this.input = own.get(TokenKind.INPUT);
        this.cacheRead = own.getOrDefault(TokenKind.CACHE_READ, input);
        this.cacheWrite = own.getOrDefault(TokenKind.CACHE_WRITE, input);
        this.output = own.getOrDefault(TokenKind.OUTPUT, Rate.ZERO);
        this.reasoning = own.getOrDefault(TokenKind.REASONING, output);
        this.perRequestUsdPerThousand = perRequestUsdPerThousand;
        this.perRequestPico = perRequestPico;
    }

    /** @return a builder for a model price; {@code input} is required, every other rate optional */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the exact cost of one call.
     *
     * @param usage the call's usage; unknown counts contribute nothing
     * @return the cost in nano-dollars, rounded half-up once
     * @throws ArithmeticException if the cost does not fit in a {@code long} of pico-dollars (over $9 million)
     */
    public long costNanos(Usage usage) {
        long prompt = usage.promptTokens();
        long pico = perRequestPico;
        pico = Math.addExact(pico, Math.multiplyExact(known(usage.input()), input.picoAt(prompt)));
        pico = Math.addExact(pico, Math.multiplyExact(known(usage.cacheRead()), cacheRead.picoAt(prompt)));
        pico = Math.addExact(pico, Math.multiplyExact(known(usage.cacheWrite()), cacheWrite.picoAt(prompt)));
        pico = Math.addExact(pico, Math.multiplyExact(known(usage.output()), output.picoAt(prompt)));
        pico = Math.addExact(pico, Math.multiplyExact(known(usage.reasoning()), reasoning.picoAt(prompt)));
        return picosToNanos(pico);
    }

    /**
     * Returns the exact cost of one call as {@link Money}.
     *
     * @param usage the call's usage; unknown counts contribute nothing
     * @return the cost, see {@link #costNanos(Usage)}
     */
    public Money cost(Usage usage) {
        return Money.ofNanos(costNanos(usage));
    }

    /**
     * Returns the most a call can cost with this many prompt tokens and this output cap: the amount to reserve
     * before the call.
     *
     * <p>Every prompt token is priced at the highest prompt-side rate (input, cache read, cache write) and every
     * generated token at the higher of the output and reasoning rates, each taken over all tiers that a prompt of
     * at most {@code promptTokens} can select (normally the tier of {@code promptTokens} itself; scanning them all
     * keeps the bound true if a tier is ever cheaper than the one below it); the per-request price is added.
     * Hence {@code worstCaseNanos(p, m) >= costNanos(u)} for every usage {@code u} with prompt total {@code <= p}
     * and output + reasoning {@code <= m}.
     *
     * @param promptTokens prompt tokens of the call (counted or estimated)
     * @param maxOutputTokens the output cap, reasoning included
     * @return the bound in nano-dollars, or {@link Long#MAX_VALUE} if it does not fit
     * @throws IllegalArgumentException if a count is negative
     */
    public long worstCaseNanos(long promptTokens, long maxOutputTokens) {
        if (promptTokens < 0 || maxOutputTokens < 0) {
            throw new IllegalArgumentException("promptTokens and maxOutputTokens must be >= 0, were "
                    + promptTokens + " and " + maxOutputTokens);
        }
        long promptRate = Math.max(input.maxPicoUpTo(promptTokens),
                Math.max(cacheRead.maxPicoUpTo(promptTokens), cacheWrite.maxPicoUpTo(promptTokens)));
        long outputRate = Math.max(output.maxPicoUpTo(promptTokens), reasoning.maxPicoUpTo(promptTokens));
        long pico = saturatedAdd(saturatedMultiply(promptTokens, promptRate),
                saturatedAdd(saturatedMultiply(maxOutputTokens, outputRate), perRequestPico));
        return pico == Long.MAX_VALUE ? Long.MAX_VALUE : picosToNanos(pico);
    }

    /**
     * Returns the rate billed for one kind of token, after the fallbacks described above (a cache read without its
     * own rate shows the input rate, reasoning without its own rate shows the output rate).
     *
     * @param kind the kind of token
     * @param promptTokens the call's prompt total, which selects the tier
     * @return USD per million tokens as given to the builder (before rounding to pico-dollars)
     */
    public BigDecimal usdPerMtok(TokenKind kind, long promptTokens) {
        return effective(kind).usdAt(promptTokens);
    }

    /**
     * @param kind the kind of token
     * @return true if the model has a rate of its own for this kind, false if it falls back to another rate
     */
    public boolean hasOwnRate(TokenKind kind) {
        return own.containsKey(kind);
    }

    /** @return true if some rate changes with the prompt total */
    public boolean isTiered() {
        return own.values().stream().anyMatch(Rate::isTiered);
    }

    /** @return the price of one call in USD per thousand requests, zero if calls are not billed as such */
    public BigDecimal perRequestUsdPerThousand() {
        return perRequestUsdPerThousand == null ? BigDecimal.ZERO : perRequestUsdPerThousand;
    }

    private Rate effective(TokenKind kind) {
        switch (kind) {
            case INPUT: return input;
            case CACHE_READ: return cacheRead;
            case CACHE_WRITE: return cacheWrite;
            case OUTPUT: return output;
            case REASONING: return reasoning;
            default: throw new AssertionError(kind);
        }
    }

    private static long known(long count) {
        return count < 0 ? 0 : count;
    }

    /** Rounds half-up; written without {@code + 500} so that it cannot overflow near {@code Long.MAX_VALUE}. */
    private static long picosToNanos(long pico) {
        return pico / 1000 + (pico % 1000 >= 500 ? 1 : 0);
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ModelPrice)) {
            return false;
        }
        ModelPrice m = (ModelPrice) o;
        return own.equals(m.own) && perRequestPico == m.perRequestPico;
    }

    @Override
    public int hashCode() {
        return 31 * own.hashCode() + Long.hashCode(perRequestPico);
    }

    /** @return the rates in USD per million tokens, e.g. {@code ModelPrice{input=$2.5, cacheRead=$1.25, output=$10}} */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ModelPrice{");
        String sep = "";
        for (Map.Entry<TokenKind, Rate> e : own.entrySet()) {
            s.append(sep).append(e.getKey().property()).append('=').append(e.getValue());
            sep = ", ";
        }
        if (perRequestUsdPerThousand != null) {
            s.append(sep).append("perRequest=$")
                    .append(perRequestUsdPerThousand.stripTrailingZeros().toPlainString()).append("/k");
        }
        return s.append('}').toString();
    }

    /**
     * Builds a {@link ModelPrice}. Rates are USD per million tokens, as price lists quote them. Everything is
     * checked once, in {@link #build()}, whose messages name the property and the bad value.
     */
    public static final class Builder {

        private final Map<TokenKind, BigDecimal> base = new EnumMap<>(TokenKind.class);
        private final Map<TokenKind, List<TierSpec>> tiers = new EnumMap<>(TokenKind.class);
        private BigDecimal perRequest;
        private boolean perRequestSet;

        private Builder() {
        }

        /**
         * @param usdPerMtok USD per million uncached input tokens (required)
         * @return this builder
         */
        public Builder input(BigDecimal usdPerMtok) {
            return rate(TokenKind.INPUT, usdPerMtok);
        }

        /**
         * @param usdPerMtok USD per million output tokens; without it, output is not billed
         * @return this builder
         */
        public Builder output(BigDecimal usdPerMtok) {
            return rate(TokenKind.OUTPUT, usdPerMtok);
        }

        /**
         * @param usdPerMtok USD per million tokens read from the prompt cache; without it, the input rate applies
         * @return this builder
         */
        public Builder cacheRead(BigDecimal usdPerMtok) {
            return rate(TokenKind.CACHE_READ, usdPerMtok);
        }

        /**
         * @param usdPerMtok USD per million tokens written to the prompt cache; without it, the input rate applies
         * @return this builder
         */
        public Builder cacheWrite(BigDecimal usdPerMtok) {
            return rate(TokenKind.CACHE_WRITE, usdPerMtok);
        }

        /**
         * @param usdPerMtok USD per million reasoning tokens; without it, the output rate applies
         * @return this builder
         */
        public Builder reasoning(BigDecimal usdPerMtok) {
            return rate(TokenKind.REASONING, usdPerMtok);
        }

        /**
         * Sets the base rate of one kind of token (the rate below the first tier).
         *
         * @param kind the kind of token
         * @param usdPerMtok USD per million tokens
         * @return this builder
         */
        public Builder rate(TokenKind kind, BigDecimal usdPerMtok) {
            base.put(Objects.requireNonNull(kind, "kind"), usdPerMtok);
            return this;
        }

        /**
         * Adds a tier: when a call's prompt total (input + cacheRead + cacheWrite) is strictly greater than
         * {@code startPromptTokens}, all tokens of this kind are billed at {@code usdPerMtok} (the highest such tier
         * wins). This is genai-prices' {@code {"base": .., "tiers": [{"start": .., "price": ..}]}}.
         *
         * @param kind the kind of token; it needs a base rate too
         * @param startPromptTokens the prompt total above which the tier applies
         * @param usdPerMtok USD per million tokens
         * @return this builder
         */
        public Builder tier(TokenKind kind, long startPromptTokens, BigDecimal usdPerMtok) {
            tiers.computeIfAbsent(Objects.requireNonNull(kind, "kind"), k -> new ArrayList<>())
                    .add(new TierSpec(startPromptTokens, usdPerMtok));
            return this;
        }

        /**
         * @param usdPerThousandRequests USD per thousand calls (genai-prices {@code requests_kcount}); one call is
         *     billed a thousandth of it
         * @return this builder
         */
        public Builder perRequest(BigDecimal usdPerThousandRequests) {
            this.perRequest = usdPerThousandRequests;
            this.perRequestSet = true;
            return this;
        }

        /**
         * @return the price
         * @throws IllegalArgumentException if {@code input} is missing, a rate is null, negative or too large, a
         *     tier has a negative or repeated start or belongs to a kind without a base rate, or reasoning is priced
         *     without output
         */
        public ModelPrice build() {
            if (!base.containsKey(TokenKind.INPUT)) {
                throw new IllegalArgumentException(
                        "modelPrice.input is required (use input(BigDecimal.ZERO) for a model whose input is free)");
            }
            if (base.containsKey(TokenKind.REASONING) && !base.containsKey(TokenKind.OUTPUT)) {
                // genai-prices' validate_ancestor_coverage: reasoning is a kind of output
                throw new IllegalArgumentException("modelPrice.reasoning is set but modelPrice.output is not; "
                        + "reasoning tokens are output tokens, so a model that bills them must bill output");
            }
            for (TokenKind kind : tiers.keySet()) {
                if (!base.containsKey(kind)) {
                    throw new IllegalArgumentException("modelPrice." + kind.property()
                            + " has tiers but no base rate; set " + kind.property() + "(..) too");
                }
            }
            Map<TokenKind, Rate> rates = new EnumMap<>(TokenKind.class);
            for (Map.Entry<TokenKind, BigDecimal> e : base.entrySet()) {
                rates.put(e.getKey(), buildRate(e.getKey(), e.getValue()));
            }
            long perRequestPico = 0;
            if (perRequestSet) {
                perRequestPico = Rate.picosPerRequest("perRequest", perRequest);
            }
            return new ModelPrice(rates, perRequestSet ? perRequest : null, perRequestPico);
        }

        private Rate buildRate(TokenKind kind, BigDecimal baseUsd) {
            String property = kind.property();
            TreeMap<Long, BigDecimal> sorted = new TreeMap<>();
            for (TierSpec tier : tiers.getOrDefault(kind, List.of())) {
                if (tier.start < 0) {
                    throw new IllegalArgumentException(
                            "modelPrice." + property + " tier start must be >= 0 prompt tokens, was " + tier.start);
                }
                if (tier.usdPerMtok == null) {
                    throw new IllegalArgumentException("modelPrice." + property + " tier above " + tier.start
                            + " prompt tokens must not be null");
                }
                if (sorted.put(tier.start, tier.usdPerMtok) != null) {
                    throw new IllegalArgumentException(
                            "modelPrice." + property + " has two tiers starting at " + tier.start + " prompt tokens");
                }
            }
            return Rate.of(property, baseUsd, sorted);
        }

        private record TierSpec(long start, BigDecimal usdPerMtok) {
        }
    }
}
