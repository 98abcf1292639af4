package dev.agentguard.core;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.telemetry.TelemetryConfig;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.pricing.PriceCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The policy of a {@link Guard}: its name and mode, how unknown models are priced, the reservation default and
 * the budgets. Built by {@link #builder()}, validated once in {@link Builder#build()} with messages that name the
 * property and the bad value; immutable. The YAML policy layer builds its guards through this same builder.
 *
 * <p>Runtime collaborators (time sources, the ledger, listeners) are not policy: they are given to
 * {@link Guard#builder(GuardConfig)}.
 */
public final class GuardConfig {

    /** Output tokens reserved for a request that sets no cap, unless configured. */
    public static final long DEFAULT_MAX_OUTPUT_TOKENS = 1024;
    /** How long a reservation may stay open unless the policy says otherwise. */
    public static final Duration DEFAULT_RESERVATION_LEASE = Duration.ofMinutes(10);

    private final String name;
    private final Mode mode;
    private final UnknownModelPolicy unknownModel;
    private final long defaultMaxOutputTokens;
    private final List<Budget> budgets;
    private final PriceCatalog priceCatalog;
    private final Map<String, ModelPrice> prices;
    private final Map<String, Money> toolPrices;
    private final Map<String, Long> toolMaxUnits;
    private final TelemetryConfig telemetry;
    private final TokenEstimator tokenEstimator;
    private final TokenCounting tokenCounting;
    private final Caps caps;
    private final LoopRules loops;
    private final List<String> ladder;
    private final HealthRules health;
    private final OnCancel onCancel;
    private final Duration reservationLease;

    private GuardConfig(Builder b) {
        this.onCancel = b.onCancel;
        this.reservationLease = b.reservationLease;
        this.name = b.name;
        this.mode = b.mode;
        this.unknownModel = b.unknownModel;
        this.defaultMaxOutputTokens = b.defaultMaxOutputTokens;
        this.budgets = Collections.unmodifiableList(new ArrayList<>(b.budgets));
        this.priceCatalog = b.priceCatalog;
        this.prices = Collections.unmodifiableMap(new LinkedHashMap<>(b.prices));
        this.toolPrices = Collections.unmodifiableMap(new LinkedHashMap<>(b.toolPrices));
        this.toolMaxUnits = Collections.unmodifiableMap(new LinkedHashMap<>(b.toolMaxUnits));
        this.telemetry = b.telemetry;
        this.tokenEstimator = b.tokenEstimator;
        this.tokenCounting = b.tokenCounting;
        this.caps = b.caps;
        this.loops = b.loops;
        this.ladder = List.copyOf(b.ladder);
        this.health = b.health;
    }

    /** @return a builder with the defaults: enforce, unknown models blocked, 1024 output tokens, no budgets */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the policy name, carried by every decision as {@code guard} */
    public String name() {
        return name;
    }

    /** @return enforce or shadow */
    public Mode mode() {
        return mode;
    }

    /** @return what happens to calls to models without a price */
    public UnknownModelPolicy unknownModel() {
        return unknownModel;
    }

    /** @return output tokens reserved for a request that sets no cap */
    public long defaultMaxOutputTokens() {
        return defaultMaxOutputTokens;
    }

    /** @return the budgets in evaluation order */
    public List<Budget> budgets() {
        return budgets;
    }

    /** @return the base price catalog; null means the bundled genai-prices snapshot */
    public PriceCatalog priceCatalog() {
        return priceCatalog;
    }

    /**
     * @return the price of one call of a tool, by exact tool name; a tool not listed costs nothing. Cost budgets
     *     count priced tool calls: reserved before the tool runs, charged whether it returns or throws.
     */
    public Map<String, Money> toolPrices() {
        return toolPrices;
    }

    /**
     * @return for the tools priced per unit they report (pages, seconds), the most units one call reserves, by tool
     *     name; their {@link #toolPrices()} entry is the price of one unit. A tool not in it is priced per call
     */
    public Map<String, Long> toolMaxUnits() {
        return toolMaxUnits;
    }

    /** @return per-model prices that add to or override the catalog, by model name */
    public Map<String, ModelPrice> prices() {
        return prices;
    }

    /** @return how live telemetry is kept */
    public TelemetryConfig telemetry() {
        return telemetry;
    }

    /** @return how prompts without a token count are sized */
    public TokenEstimator tokenEstimator() {
        return tokenEstimator;
    }

    /** @return whether an adapter sizes prompts with the model's tokenizer or with {@link #tokenEstimator()} */
    public TokenCounting tokenCounting() {
        return tokenCounting;
    }

    /** @return the iteration caps and the prompt-size limit */
    public Caps caps() {
        return caps;
    }

    /** @return the loop rules */
    public LoopRules loops() {
        return loops;
    }

    /** @return the downgrade ladder, most capable model first; empty when none */
    public List<String> ladder() {
        return ladder;
    }

    /** @return the model health rules */
    public HealthRules health() {
        return health;
    }

    /** @return what a call that ends without reported usage (cancelled, failed, timed out) is charged */
    public OnCancel onCancel() {
        return onCancel;
    }

    /**
     * @return how long a reservation may stay open: past it, the call is charged its worst case and a decision
     *     {@value Guard#RULE_RESERVATION_EXPIRED} is recorded
     */
    public Duration reservationLease() {
        return reservationLease;
    }

    /** @return a builder that starts from this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.onCancel = onCancel;
        b.reservationLease = reservationLease;
        b.name = name;
        b.mode = mode;
        b.unknownModel = unknownModel;
        b.defaultMaxOutputTokens = defaultMaxOutputTokens;
        b.budgets.addAll(budgets);
        b.priceCatalog = priceCatalog;
        b.prices.putAll(prices);
        b.toolPrices.putAll(toolPrices);
        b.toolMaxUnits.putAll(toolMaxUnits);
        b.telemetry = telemetry;
        b.tokenEstimator = tokenEstimator;
        b.tokenCounting = tokenCounting;
        b.caps = caps;
        b.loops = loops;
        b.ladder.addAll(ladder);
        b.health = health;
        return b;
    }

    @Override
    public String toString() {
        return "GuardConfig{" + name + ", " + mode.id() + ", unknownModel " + unknownModel + ", " + budgets.size()
                + " budgets}";
    }

    /** Builds a {@link GuardConfig}. */
    public static final class Builder {
        private String name = "default";
        private Mode mode = Mode.ENFORCE;
        private UnknownModelPolicy unknownModel = UnknownModelPolicy.block();
        private long defaultMaxOutputTokens = DEFAULT_MAX_OUTPUT_TOKENS;
        private final List<Budget> budgets = new ArrayList<>();
        private PriceCatalog priceCatalog;
        private final Map<String, ModelPrice> prices = new LinkedHashMap<>();
        private final Map<String, Money> toolPrices = new LinkedHashMap<>();
        private final Map<String, Long> toolMaxUnits = new LinkedHashMap<>();
        private TelemetryConfig telemetry = TelemetryConfig.defaults();
        private TokenEstimator tokenEstimator = TokenEstimator.conservative();
        private TokenCounting tokenCounting = TokenCounting.AUTO;
        private Caps caps = Caps.NONE;
        private LoopRules loops = LoopRules.NONE;
        private final List<String> ladder = new ArrayList<>();
        private HealthRules health = HealthRules.NONE;
        private OnCancel onCancel = OnCancel.WORST_CASE;
        private Duration reservationLease = DEFAULT_RESERVATION_LEASE;

        private Builder() {
        }

        /**
         * @param onCancel what a call that ends without reported usage is charged; default
         *     {@link OnCancel#WORST_CASE}
         * @return this
         */
        public Builder onCancel(OnCancel onCancel) {
            this.onCancel = onCancel;
            return this;
        }

        /**
         * @param lease how long a reservation may stay open before it is charged its worst case, from 1 second to
         *     30 days; default 10 minutes. Longer than the slowest call you expect, stream included.
         * @return this
         */
        public Builder reservationLease(Duration lease) {
            this.reservationLease = lease;
            return this;
        }

        /** @param caps iteration caps and the prompt-size limit @return this */
        public Builder caps(Caps caps) {
            this.caps = caps;
            return this;
        }

        /** @param loops loop rules @return this */
        public Builder loops(LoopRules loops) {
            this.loops = loops;
            return this;
        }

        /**
         * @param models the downgrade ladder, most capable first: a downgrade moves a call down it
         * @return this
         */
        public Builder ladder(List<String> models) {
            this.ladder.clear();
            this.ladder.addAll(models);
            return this;
        }

        /** @param health model health rules (they need a ladder) @return this */
        public Builder health(HealthRules health) {
            this.health = health;
            return this;
        }

        /** @param name the policy name @return this */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** @param mode enforce (default) or shadow @return this */
        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /** @param policy what happens to calls to unpriced models; default block @return this */
        public Builder unknownModel(UnknownModelPolicy policy) {
            this.unknownModel = policy;
            return this;
        }

        /** @param tokens output tokens reserved for a request that sets no cap; default 1024 @return this */
        public Builder defaultMaxOutputTokens(long tokens) {
            this.defaultMaxOutputTokens = tokens;
            return this;
        }

        /** @param budget a budget, evaluated after those added before it @return this */
        public Builder budget(Budget budget) {
            this.budgets.add(Objects.requireNonNull(budget, "budget"));
            return this;
        }

        /** @param budgets budgets, in evaluation order @return this */
        public Builder budgets(List<Budget> budgets) {
            budgets.forEach(this::budget);
            return this;
        }

        /** @param catalog the base price catalog; default: the bundled genai-prices snapshot @return this */
        public Builder priceCatalog(PriceCatalog catalog) {
            this.priceCatalog = catalog;
            return this;
        }

        /**
         * @param model a model name, matched exactly (ignoring case)
         * @param price its price, overriding the catalog
         * @return this
         */
        public Builder price(String model, ModelPrice price) {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("pricing: a model name is required");
            }
            this.prices.put(model, Objects.requireNonNull(price, "price of " + model));
            return this;
        }

        /**
         * @param tool a tool name, matched exactly
         * @param perCall what one call of it costs, counted by cost budgets
         * @return this
         */
        public Builder toolPrice(String tool, Money perCall) {
            if (tool == null || tool.isBlank()) {
                throw new IllegalArgumentException("tools: a tool name is required");
            }
            Objects.requireNonNull(perCall, "price of tool " + tool);
            if (perCall.nanos() < 0) {
                throw new IllegalArgumentException("tools." + tool + ".costUsd must be >= 0, was " + perCall);
            }
            if (perCall.nanos() > Guard.MAX_CHARGE) {
                throw new IllegalArgumentException("tools." + tool + ".costUsd is more than one call can be charged ("
                        + Money.ofNanos(Guard.MAX_CHARGE) + "), was " + perCall);
            }
            this.toolPrices.put(tool, perCall);
            this.toolMaxUnits.remove(tool);
            return this;
        }

        /**
         * Prices a tool per unit it reports (pages read, seconds run): a call reserves {@code maxUnits} units before
         * the tool runs and is charged the units it reports ({@link Admission#complete(long)}); a call that reports
         * none, or throws, is charged what it reserved.
         *
         * @param tool a tool name, matched exactly
         * @param perUnit what one unit costs, counted by cost budgets
         * @param maxUnits the most units one call reserves, at least 1
         * @return this
         */
        public Builder toolPrice(String tool, Money perUnit, long maxUnits) {
            if (maxUnits < 1) {
                throw new IllegalArgumentException("tools." + tool + ".maxUnits must be at least 1, was " + maxUnits);
            }
            toolPrice(tool, perUnit);
            if (perUnit.nanos() > Guard.MAX_CHARGE / maxUnits) {
                this.toolPrices.remove(tool);
                throw new IllegalArgumentException("tools." + tool + ".costUsd x maxUnits is more than one call can be"
                        + " charged (" + Money.ofNanos(Guard.MAX_CHARGE) + "), was " + perUnit + " x " + maxUnits);
            }
            this.toolMaxUnits.put(tool, maxUnits);
            return this;
        }

        /** @param telemetry how live telemetry is kept @return this */
        public Builder telemetry(TelemetryConfig telemetry) {
            this.telemetry = telemetry;
            return this;
        }

        /** @param estimator how prompts without a token count are sized @return this */
        public Builder tokenEstimator(TokenEstimator estimator) {
            this.tokenEstimator = estimator;
            return this;
        }

        /**
         * @param counting whether an adapter sizes prompts with the model's tokenizer where it knows it
         *     ({@link TokenCounting#AUTO}, the default), always with the estimator, or always with OpenAI's
         * @return this
         */
        public Builder tokenCounting(TokenCounting counting) {
            this.tokenCounting = counting;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming the property and the bad value
         */
        public GuardConfig build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, was " + (name == null ? "null" : "'" + name + "'"));
            }
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(unknownModel, "unknownModel");
            Objects.requireNonNull(telemetry, "telemetry");
            Objects.requireNonNull(tokenEstimator, "tokenEstimator");
            Objects.requireNonNull(tokenCounting, "tokenCounting");
            if (defaultMaxOutputTokens <= 0) {
                throw new IllegalArgumentException("defaultMaxOutputTokens must be > 0, was " + defaultMaxOutputTokens);
            }
            Objects.requireNonNull(caps, "caps");
            Objects.requireNonNull(loops, "loops");
            Objects.requireNonNull(health, "health");
            Objects.requireNonNull(onCancel, "onCancel");
            if (reservationLease == null || reservationLease.compareTo(Duration.ofSeconds(1)) < 0
                    || reservationLease.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("reservations.lease must be between 1s and 30d, was "
                        + reservationLease);
            }
            Set<String> ids = new HashSet<>();
            for (Budget b : budgets) {
                if (!ids.add(b.id())) {
                    throw new IllegalArgumentException("budgets: id '" + b.id() + "' is used twice");
                }
                if (b.downgradeAt() > 0 && ladder.size() < 2) {
                    throw new IllegalArgumentException("budgets: '" + b.id() + "' sets downgradeAt but models.ladder"
                            + " has no cheaper model to downgrade to (needs at least 2 models)");
                }
            }
            Set<String> models = new HashSet<>();
            for (String m : ladder) {
                if (m == null || m.isBlank()) {
                    throw new IllegalArgumentException("models.ladder: model names must not be blank");
                }
                if (!models.add(m)) {
                    throw new IllegalArgumentException("models.ladder: '" + m + "' is listed twice");
                }
            }
            if (health.isEnabled() && ladder.size() < 2) {
                throw new IllegalArgumentException("health: rules need models.ladder with at least 2 models to"
                        + " route around an unhealthy one");
            }
            return new GuardConfig(this);
        }
    }
}
