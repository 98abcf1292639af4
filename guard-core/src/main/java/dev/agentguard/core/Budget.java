package dev.agentguard.core;

import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Glob;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One budget: a limit of dollars, tokens or model calls per window, at one {@link Scope} level. A session budget
 * keeps one window per session, a global budget one for the process.
 *
 * <p>Before each model call the guard reserves the call's worst case on every budget that applies; a budget whose
 * window would pass its limit answers with its {@link #onExceed()} response. Shares listed in {@link #warnAt()}
 * produce a warning when a call's reservation crosses them; past {@link #downgradeAt()} the guard prefers a
 * cheaper model on the ladder (when the policy has one).
 *
 * <p>The limit can differ per scope key: {@link Builder#override(String, Limit) overrides} name a key
 * ({@code acme}) or a pattern of keys ({@code trial-*}); an exact key wins over a pattern, and of two patterns the
 * one with more literal characters wins (then the one given first). A guard's {@link LimitResolver} comes after the
 * overrides, and the budget's own {@link #limit()} last.
 *
 * <p>By default a budget counts every model call of its scope. {@link Builder#matchModel(String)} and
 * {@link Builder#matchProvider(String)} narrow it to some models; {@link Builder#kinds(CallKind...)} with
 * {@link CallKind#TOOL_CALL} makes a calls budget count tool calls too (or only), and
 * {@link Builder#matchTool(String)} narrows those to some tools. A cost budget without a match counts the price of
 * priced tools ({@link GuardConfig#toolPrices()}) as well as model calls.
 *
 * <p>Built by {@link #builder(String)}; immutable. Decisions taken by a budget carry the rule id
 * {@code budgets.<id>}.
 */
public final class Budget {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String id;
    private final Scope scope;
    private final WindowSpec window;
    private final Unit unit;
    private final long limit;
    private final int[] warnAt;
    private final int downgradeAt;
    private final OnExceed onExceed;
    private final String ruleId;
    /** What the overrides were built from, in the order given. */
    private final Map<String, Limit> overrides;
    /** Exact-key overrides, in the budget's unit; null when there are none. */
    private final Map<String, Long> exact;
    /** Pattern overrides, most specific first, and their limits; empty when there are none. */
    private final Glob[] globs;
    private final long[] globLimits;
    private final Glob matchModel;
    private final String matchProvider;
    private final Glob matchTool;
    private final boolean countsModelCalls;
    private final boolean countsToolCalls;
    /** Counts every model call: no model or provider to match (the common case, one test). */
    private final boolean everyModelCall;
    /**
     * The window of the last key this budget was reserved on: at the global, agent, tenant and model levels the
     * same few keys come again and again, and a hit spares the call a new key. A benign race: any key read is a
     * correct one for its scope key.
     */
    private volatile BudgetKey lastKey;

    private Budget(Builder b) {
        this.id = b.id;
        this.scope = b.scope;
        this.window = b.window;
        this.unit = b.unit;
        this.limit = b.limit;
        this.warnAt = b.warnAt;
        this.downgradeAt = b.downgradeAt;
        this.onExceed = b.onExceed;
        this.ruleId = "budgets." + b.id;
        this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.overrides));
        Map<String, Long> exact = new HashMap<>();
        List<Glob> globs = new ArrayList<>();
        for (Map.Entry<String, Limit> e : b.overrides.entrySet()) {
            if (Glob.isPattern(e.getKey())) {
                globs.add(Glob.compile(e.getKey()));
            } else {
                exact.put(e.getKey(), e.getValue().amount());
            }
        }
        globs.sort(Comparator.comparingInt(Glob::literalLength).reversed()); // stable: ties keep their order
        this.exact = exact.isEmpty() ? null : exact;
        this.globs = globs.toArray(new Glob[0]);
        this.matchModel = b.matchModel == null ? null : Glob.compile(b.matchModel);
        this.matchProvider = b.matchProvider;
        this.matchTool = b.matchTool == null ? null : Glob.compile(b.matchTool);
        this.countsModelCalls = b.kinds.contains(CallKind.MODEL_CALL);
        this.countsToolCalls = b.kinds.contains(CallKind.TOOL_CALL);
        this.everyModelCall = countsModelCalls && matchModel == null && matchProvider == null;
        this.globLimits = new long[this.globs.length];
        for (int i = 0; i < this.globs.length; i++) {
            globLimits[i] = b.overrides.get(this.globs[i].pattern()).amount();
        }
    }

    /**
     * @param model the model called
     * @param provider its provider, or null when unknown
     * @return whether this budget counts that model call
     */
    boolean countsModel(String model, String provider) {
        if (everyModelCall) {
            return true;
        }
        return countsModelCalls && (matchModel == null || model != null && matchModel.matches(model))
                && (matchProvider == null || matchProvider.equalsIgnoreCase(provider));
    }

    /** @param tool the tool called @return whether this budget counts that tool call */
    boolean countsTool(String tool) {
        return countsToolCalls && (matchTool == null || tool != null && matchTool.matches(tool));
    }

    /** @return whether this budget counts some tool calls (their number, or their price) */
    boolean countsToolCalls() {
        return countsToolCalls;
    }

    /** @return the model name pattern the budget is limited to, or null for every model */
    public String matchModel() {
        return matchModel == null ? null : matchModel.pattern();
    }

    /** @return the provider the budget is limited to, or null for every provider */
    public String matchProvider() {
        return matchProvider;
    }

    /** @return the tool name pattern the budget's tool calls are limited to, or null for every tool */
    public String matchTool() {
        return matchTool == null ? null : matchTool.pattern();
    }

    /** @return the kinds of call the budget counts: model calls, tool calls, or both */
    public java.util.Set<CallKind> kinds() {
        EnumSet<CallKind> k = EnumSet.noneOf(CallKind.class);
        if (countsModelCalls) {
            k.add(CallKind.MODEL_CALL);
        }
        if (countsToolCalls) {
            k.add(CallKind.TOOL_CALL);
        }
        return Collections.unmodifiableSet(k);
    }

    /** @return whether any override is set, that is whether the limit may differ per key */
    boolean hasOverrides() {
        return exact != null || globs.length > 0;
    }

    /**
     * @param scopeKey a key at this budget's level
     * @return the override for that key (exact first, then the most specific pattern), or 0 when none applies
     */
    long overrideFor(String scopeKey) {
        if (exact != null) {
            Long l = exact.get(scopeKey);
            if (l != null) {
                return l;
            }
        }
        for (int i = 0; i < globs.length; i++) {
            if (globs[i].matches(scopeKey)) {
                return globLimits[i];
            }
        }
        return 0;
    }

    /**
     * @param id a stable id, letters, digits, {@code . _ -}, at most 64 characters, e.g. {@code session-10m}
     * @return a builder
     */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /**
     * @param scopeKey the key at this budget's level
     * @return the ledger window of this budget for that key
     */
    BudgetKey keyFor(String scopeKey) {
        BudgetKey k = lastKey;
        if (k != null && k.scopeKey().equals(scopeKey)) {
            return k;
        }
        k = new BudgetKey(id, scope, scopeKey, window);
        if (scope != Scope.SESSION && scope != Scope.USER) { // too many of those for one slot to help
            lastKey = k;
        }
        return k;
    }

    /** @return the budget id */
    public String id() {
        return id;
    }

    /** @return {@code budgets.<id>}, the rule id its decisions carry */
    public String ruleId() {
        return ruleId;
    }

    /** @return the level the budget applies at */
    public Scope scope() {
        return scope;
    }

    /** @return the window */
    public WindowSpec window() {
        return window;
    }

    /** @return the unit of the limit */
    public Unit unit() {
        return unit;
    }

    /** @return the limit, in nano-dollars for {@link Unit#USD}, else tokens or calls */
    public long limit() {
        return limit;
    }

    /** @return the limits set per key or key pattern, in the order given; empty when none */
    public Map<String, Limit> overrides() {
        return overrides;
    }

    /** @return the warning shares in percent, ascending; empty when none */
    public int[] warnAt() {
        return warnAt.clone();
    }

    int[] warnAtShared() {
        return warnAt;
    }

    /** @return the share in percent past which a cheaper model is preferred, or 0 when not set */
    public int downgradeAt() {
        return downgradeAt;
    }

    /** @return what happens to a call that would pass the limit */
    public OnExceed onExceed() {
        return onExceed;
    }

    @Override
    public String toString() {
        return "Budget{" + id + ", " + scope.id() + ", " + window + ", limit " + unit.describe(limit)
                + ", onExceed " + onExceed + '}';
    }

    /** Builds a {@link Budget}; {@link #build()} validates. */
    public static final class Builder {
        private final String id;
        private Scope scope;
        /** The shortest budget window: a shorter one lets through almost anything, and is a typo. */
        private static final Duration MIN_WINDOW = Duration.ofMillis(1);

        private WindowSpec window;
        private Unit unit;
        private long limit;
        private int[] warnAt = new int[0];
        private int downgradeAt;
        private OnExceed onExceed = OnExceed.block();
        private final Map<String, Limit> overrides = new LinkedHashMap<>();
        private String matchModel;
        private String matchProvider;
        private String matchTool;
        private EnumSet<CallKind> kinds;

        private Builder(String id) {
            this.id = id;
        }

        /** @param scope the level (required) @return this */
        public Builder scope(Scope scope) {
            this.scope = scope;
            return this;
        }

        /** @param window the window (required) @return this */
        public Builder window(WindowSpec window) {
            this.window = window;
            return this;
        }

        /** @param length a sliding window of this length @return this */
        public Builder sliding(Duration length) {
            return window(WindowSpec.sliding(length));
        }

        /** @param usd a limit in dollars @return this */
        public Builder limitUsd(Money usd) {
            this.unit = Unit.USD;
            this.limit = usd.nanos();
            return this;
        }

        /** @param usd a limit in decimal dollars, e.g. {@code "2.00"} @return this */
        public Builder limitUsd(String usd) {
            return limitUsd(Money.usd(usd));
        }

        /** @param tokens a limit in tokens @return this */
        public Builder limitTokens(long tokens) {
            this.unit = Unit.TOKENS;
            this.limit = tokens;
            return this;
        }

        /** @param calls a limit in model calls @return this */
        public Builder limitCalls(long calls) {
            this.unit = Unit.CALLS;
            this.limit = calls;
            return this;
        }

        /** @param percents shares of the limit, 1 to 100, that produce a warning when crossed @return this */
        public Builder warnAt(int... percents) {
            this.warnAt = percents.clone();
            return this;
        }

        /** @param percent share of the limit, 1 to 100, past which a cheaper model is preferred @return this */
        public Builder downgradeAt(int percent) {
            this.downgradeAt = percent;
            return this;
        }

        /** @param onExceed what happens past the limit; default {@link OnExceed#block()} @return this */
        public Builder onExceed(OnExceed onExceed) {
            this.onExceed = onExceed;
            return this;
        }

        /**
         * @param modelPattern count only model calls to a model this name or pattern matches, e.g. {@code gpt-4o*}
         * @return this
         */
        public Builder matchModel(String modelPattern) {
            this.matchModel = modelPattern;
            return this;
        }

        /** @param provider count only model calls to this provider (ignoring case), e.g. {@code openai} @return this */
        public Builder matchProvider(String provider) {
            this.matchProvider = provider;
            return this;
        }

        /**
         * @param toolPattern count only tool calls to a tool this name or pattern matches; implies
         *     {@link CallKind#TOOL_CALL} when {@link #kinds} is not set
         * @return this
         */
        public Builder matchTool(String toolPattern) {
            this.matchTool = toolPattern;
            return this;
        }

        /**
         * @param kinds what the budget counts: {@link CallKind#MODEL_CALL} (the default), {@link CallKind#TOOL_CALL}
         *     (a calls budget only), or both
         * @return this
         */
        public Builder kinds(CallKind... kinds) {
            this.kinds = kinds.length == 0 ? EnumSet.noneOf(CallKind.class) : EnumSet.copyOf(Arrays.asList(kinds));
            return this;
        }

        /**
         * Sets the limit of one scope key, or of every key a pattern matches ({@code *} stands for any run of
         * characters). Exact keys win over patterns; of two patterns, the one with more literal characters wins.
         *
         * @param keyOrPattern a scope key such as {@code acme}, or a pattern such as {@code trial-*}
         * @param limit the limit for those keys, in the budget's unit
         * @return this
         */
        public Builder override(String keyOrPattern, Limit limit) {
            this.overrides.put(Objects.requireNonNull(keyOrPattern, "keyOrPattern"), Objects.requireNonNull(limit,
                    "limit"));
            return this;
        }

        /**
         * @return the budget
         * @throws IllegalArgumentException naming the property and the bad value
         */
        public Budget build() {
            String where = "budget '" + id + "': ";
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("budget id must be 1 to 64 letters, digits, '.', '_' or '-'"
                        + " starting with a letter or digit, was " + (id == null ? "null" : "'" + id + "'"));
            }
            if (scope == null) {
                throw new IllegalArgumentException(where + "scope is required");
            }
            if (window == null) {
                throw new IllegalArgumentException(where + "window is required");
            }
            if (!window.isCalendar() && window.length().compareTo(MIN_WINDOW) < 0) {
                throw new IllegalArgumentException(where + "window must be at least 1ms, was " + window);
            }
            if (unit == null) {
                throw new IllegalArgumentException(where + "limit is required (costUsd, tokens or calls)");
            }
            if (limit <= 0) {
                throw new IllegalArgumentException(where + "limit must be > 0, was " + unit.describe(limit));
            }
            Objects.requireNonNull(onExceed, where + "onExceed");
            int[] sorted = warnAt.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                checkPercent(where + "warnAt", sorted[i]);
                if (i > 0 && sorted[i] == sorted[i - 1]) {
                    throw new IllegalArgumentException(where + "warnAt lists " + sorted[i] + "% twice");
                }
            }
            warnAt = sorted;
            if (downgradeAt != 0) {
                checkPercent(where + "downgradeAt", downgradeAt);
            }
            checkMatch(where);
            for (Map.Entry<String, Limit> e : overrides.entrySet()) {
                String key = e.getKey();
                if (key.isBlank()) {
                    throw new IllegalArgumentException(where + "overrides: a key must not be blank");
                }
                if (e.getValue().unit() != unit) {
                    throw new IllegalArgumentException(where + "overrides." + key + " is " + e.getValue()
                            + " but the budget's limit is in " + unit.id() + " (" + unit.describe(limit)
                            + "): an override must use the budget's unit");
                }
                if (Glob.isPattern(key)) {
                    try {
                        Glob.compile(key);
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException(where + "overrides: " + ex.getMessage());
                    }
                }
            }
            return new Budget(this);
        }

        private void checkMatch(String where) {
            if (kinds == null) {
                boolean modelMatch = matchModel != null || matchProvider != null;
                if (matchTool != null && !modelMatch) {
                    kinds = EnumSet.of(CallKind.TOOL_CALL);
                } else if (unit == Unit.USD && !modelMatch) {
                    kinds = EnumSet.of(CallKind.MODEL_CALL, CallKind.TOOL_CALL); // priced tools cost money too
                } else {
                    kinds = EnumSet.of(CallKind.MODEL_CALL);
                }
            }
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException(where + "kinds must list model, tool or both");
            }
            for (CallKind k : kinds) {
                if (k != CallKind.MODEL_CALL && k != CallKind.TOOL_CALL) {
                    throw new IllegalArgumentException(where + "kinds takes model and tool, not " + k.id());
                }
            }
            checkPattern(where + "match.model", matchModel);
            checkPattern(where + "match.tool", matchTool);
            if (matchProvider != null && matchProvider.isBlank()) {
                throw new IllegalArgumentException(where + "match.provider must not be blank");
            }
            if (kinds.contains(CallKind.TOOL_CALL) && unit == Unit.TOKENS) {
                throw new IllegalArgumentException(where + "kinds: tool needs a calls or costUsd limit (a tool call"
                        + " has no tokens to count), was " + unit.describe(limit));
            }
            if (matchTool != null && !kinds.contains(CallKind.TOOL_CALL)) {
                throw new IllegalArgumentException(where + "match.tool needs kinds to include tool");
            }
            if ((matchModel != null || matchProvider != null) && !kinds.contains(CallKind.MODEL_CALL)) {
                throw new IllegalArgumentException(where + "match.model and match.provider need kinds to include"
                        + " model");
            }
            if (scope == Scope.MODEL && !kinds.contains(CallKind.MODEL_CALL)) {
                throw new IllegalArgumentException(where + "a model-scoped budget counts model calls: kinds must"
                        + " include model");
            }
        }

        private static void checkPattern(String property, String pattern) {
            if (pattern == null) {
                return;
            }
            try {
                Glob.compile(pattern);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(property + ": " + e.getMessage());
            }
        }

        private static void checkPercent(String property, int percent) {
            if (percent < 1 || percent > 100) {
                throw new IllegalArgumentException(property + " must be between 1% and 100%, was " + percent + "%");
            }
        }
    }
}
