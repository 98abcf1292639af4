package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Unit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The guard's answer before a call: go ahead or not, why, with the figures that decided it and what remains.
 * Non-throwing, like Bucket4j's {@code ConsumptionProbe}: decorators turn a refusal into an exception; users of
 * the low-level protocol read it.
 *
 * <p>{@link #rule()} is a stable id such as {@code budgets.session-10m}; {@link #reason()} is one sentence with
 * the figures. {@link #observed()} and {@link #limit()} are in {@link #unit()} ({@link Unit#USD} figures are
 * nano-dollars); both are {@link #NO_FIGURE} when the decision has none (a plain allow).
 *
 * <p>In {@link Mode#SHADOW shadow mode} the action is what <em>would</em> have been done; {@link #isShadow()}
 * says so and {@link #proceeds()} is always true.
 */
public final class Decision {

    /** The value of {@link #observed()}, {@link #limit()} or {@link #remaining()} when there is none. */
    public static final long NO_FIGURE = Long.MIN_VALUE;

    private final Action action;
    private final String rule;
    private final String reason;
    private final long observed;
    private final long limit;
    private final Unit unit;
    private final String model;
    private final String requestedModel;
    private final String remainingBudget;
    private final long remaining;
    private final Unit remainingUnit;
    private final Instant suspendedUntil;
    private final long targetPromptTokens;
    private final String advice;
    private final boolean shadow;
    private final List<Fired> fired;
    /** Who took an operator's action (a guard notice of {@link GuardAdmin}); null for every other decision. */
    private final String operator;

    /** The reason of an allow that no rule gave a reason for. */
    static final String WITHIN_LIMITS = "within every limit";

    /** A plain allow, without a builder: the decision of most calls. */
    private Decision(String remainingBudget, long remaining, Unit remainingUnit, String requestedModel, String model,
            boolean shadow) {
        this.fired = List.of();
        this.action = Action.ALLOW;
        this.rule = null;
        this.reason = WITHIN_LIMITS;
        this.observed = NO_FIGURE;
        this.limit = NO_FIGURE;
        this.unit = null;
        this.model = model;
        this.requestedModel = requestedModel;
        this.remainingBudget = remainingBudget;
        this.remaining = remaining;
        this.remainingUnit = remainingUnit;
        this.suspendedUntil = null;
        this.targetPromptTokens = NO_FIGURE;
        this.advice = null;
        this.shadow = shadow;
        this.operator = null;
    }

    /**
     * A plain allow, as {@code builder(ALLOW).remaining(...).models(...).shadow(...).build()} makes it, for the
     * guard's hot path.
     */
    static Decision allow(String remainingBudget, long remaining, Unit remainingUnit, String requestedModel,
            String model, boolean shadow) {
        return new Decision(remainingBudget, remaining, remainingUnit, requestedModel, model, shadow);
    }

    private Decision(Builder b) {
        this.fired = b.fired == null ? List.of() : List.copyOf(b.fired);
        this.action = b.action;
        this.rule = b.rule;
        this.reason = b.reason;
        this.observed = b.observed;
        this.limit = b.limit;
        this.unit = b.unit;
        this.model = b.model;
        this.requestedModel = b.requestedModel;
        this.remainingBudget = b.remainingBudget;
        this.remaining = b.remaining;
        this.remainingUnit = b.remainingUnit;
        this.suspendedUntil = b.suspendedUntil;
        this.targetPromptTokens = b.targetPromptTokens;
        this.advice = b.advice;
        this.shadow = b.shadow;
        this.operator = b.operator;
    }

    /**
     * @param action the action
     * @return a builder for a decision with that action
     */
    public static Builder builder(Action action) {
        return new Builder(action);
    }

    /** @return a builder that starts with this decision's fields */
    public Builder toBuilder() {
        Builder b = new Builder(action);
        b.rule = rule;
        b.reason = reason;
        b.observed = observed;
        b.limit = limit;
        b.unit = unit;
        b.model = model;
        b.requestedModel = requestedModel;
        b.remainingBudget = remainingBudget;
        b.remaining = remaining;
        b.remainingUnit = remainingUnit;
        b.suspendedUntil = suspendedUntil;
        b.targetPromptTokens = targetPromptTokens;
        b.advice = advice;
        b.fired = fired.isEmpty() ? null : new ArrayList<>(fired);
        b.shadow = shadow;
        b.operator = operator;
        return b;
    }

    /** @return what the guard does (or, in shadow mode, would do) to the call */
    public Action action() {
        return action;
    }

    /** @return the id of the rule that decided, e.g. {@code budgets.session-10m}; null for a plain allow */
    public String rule() {
        return rule;
    }

    /** @return one sentence with the figures; never null */
    public String reason() {
        return reason;
    }

    /** @return the measured figure that decided, in {@link #unit()}, or {@link #NO_FIGURE} */
    public long observed() {
        return observed;
    }

    /** @return the threshold that decided, in {@link #unit()}, or {@link #NO_FIGURE} */
    public long limit() {
        return limit;
    }

    /** @return the unit of {@link #observed()} and {@link #limit()}, or null */
    public Unit unit() {
        return unit;
    }

    /** @return the model the call should use (after any downgrade); null for a tool call */
    public String model() {
        return model;
    }

    /** @return the model the caller asked for; null for a tool call */
    public String requestedModel() {
        return requestedModel;
    }

    /** @return the id of the budget with the least share left, or null if no budget applies */
    public String remainingBudget() {
        return remainingBudget;
    }

    /** @return what is left of {@link #remainingBudget()} after this call's reservation, or {@link #NO_FIGURE} */
    public long remaining() {
        return remaining;
    }

    /** @return the unit of {@link #remaining()}, or null */
    public Unit remainingUnit() {
        return remainingUnit;
    }

    /** @return for {@link Action#SUSPEND}, the instant until which the scope is refused; otherwise null */
    public Instant suspendedUntil() {
        return suspendedUntil;
    }

    /**
     * @return for {@link Action#TRUNCATE}, the prompt size in tokens to shrink the request to; otherwise
     *     {@link #NO_FIGURE}
     */
    public long targetPromptTokens() {
        return targetPromptTokens;
    }

    /**
     * @return for a refused tool call, what the model should do instead (the decorators put it in the feedback
     *     text); otherwise null
     */
    public String advice() {
        return advice;
    }

    /**
     * @return the identity of the operator whose action this decision records ({@link GuardAdmin}), or null for a
     *     decision the guard took itself
     */
    public String operator() {
        return operator;
    }

    /** @return true if the guard runs in shadow mode, so that the action was recorded but not applied */
    public boolean isShadow() {
        return shadow;
    }

    /** @return true if the call goes ahead: the action does not refuse, or the guard is in shadow mode */
    public boolean proceeds() {
        return shadow || !action.refuses();
    }

    /** @return true if the action refuses the call (whether or not shadow mode lets it through) */
    public boolean refuses() {
        return action.refuses();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Decision)) {
            return false;
        }
        Decision d = (Decision) o;
        return action == d.action && observed == d.observed && limit == d.limit && remaining == d.remaining
                && shadow == d.shadow && Objects.equals(rule, d.rule) && Objects.equals(reason, d.reason)
                && unit == d.unit && Objects.equals(model, d.model) && Objects.equals(requestedModel, d.requestedModel)
                && Objects.equals(remainingBudget, d.remainingBudget) && remainingUnit == d.remainingUnit
                && Objects.equals(suspendedUntil, d.suspendedUntil) && targetPromptTokens == d.targetPromptTokens
                && Objects.equals(advice, d.advice) && Objects.equals(operator, d.operator);
    }

    @Override
    public int hashCode() {
        return Objects.hash(action, rule, reason, observed, limit, model);
    }

    /**
     * @return every rule that fired on this call, in the order the guard evaluated them, each with the action it
     *     called for; the winning one ({@link #rule()}) among them. Empty when no rule fired.
     */
    public List<Fired> fired() {
        return fired;
    }

    /**
     * One rule that fired on a call, the action it called for and why. Two are equal when rule and action are: the
     * reason is what a reader is told, not what identifies the firing.
     *
     * @param rule the rule id
     * @param action the action it called for
     * @param reason the rule's sentence with its figures (raw: redact before writing it anywhere), or null
     */
    public record Fired(String rule, Action action, String reason) {

        /** Checks what every reader relies on. */
        public Fired {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(action, "action");
        }

        /**
         * @param rule the rule id
         * @param action the action it called for
         */
        public Fired(String rule, Action action) {
            this(rule, action, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fired f && f.rule.equals(rule) && f.action == action;
        }

        @Override
        public int hashCode() {
            return rule.hashCode() * 31 + action.hashCode();
        }

        /** @return {@code rule=action}, e.g. {@code budgets.day=block} */
        @Override
        public String toString() {
            return rule + "=" + action.id();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(action.name());
        if (shadow) {
            sb.append(" (shadow)");
        }
        if (rule != null) {
            sb.append(" rule=").append(rule);
        }
        return sb.append(": ").append(reason).toString();
    }

    /** Builds a {@link Decision}. */
    public static final class Builder {
        private final Action action;
        private String rule;
        private String reason;
        private long observed = NO_FIGURE;
        private long limit = NO_FIGURE;
        private Unit unit;
        private String model;
        private String requestedModel;
        private String remainingBudget;
        private long remaining = NO_FIGURE;
        private Unit remainingUnit;
        private Instant suspendedUntil;
        private long targetPromptTokens = NO_FIGURE;
        private String advice;
        private boolean shadow;
        private List<Fired> fired;
        private String operator;

        private Builder(Action action) {
            this.action = Objects.requireNonNull(action, "action");
        }

        Action action() {
            return action;
        }

        /** @param rule the rule id @return this */
        public Builder rule(String rule) {
            this.rule = rule;
            return this;
        }

        /** @return the reason set so far, or null */
        String reason() {
            return reason;
        }

        /** @param reason one sentence with the figures @return this */
        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        /**
         * @param observed the measured figure
         * @param limit the threshold
         * @param unit their unit
         * @return this
         */
        public Builder figures(long observed, long limit, Unit unit) {
            this.observed = observed;
            this.limit = limit;
            this.unit = unit;
            return this;
        }

        /**
         * @param requestedModel the model asked for
         * @param model the model to use
         * @return this
         */
        public Builder models(String requestedModel, String model) {
            this.requestedModel = requestedModel;
            this.model = model;
            return this;
        }

        /**
         * @param budget the budget id with the least share left
         * @param remaining what is left of it
         * @param unit its unit
         * @return this
         */
        public Builder remaining(String budget, long remaining, Unit unit) {
            this.remainingBudget = budget;
            this.remaining = remaining;
            this.remainingUnit = unit;
            return this;
        }

        /** @param until the end of a suspension @return this */
        public Builder suspendedUntil(Instant until) {
            this.suspendedUntil = until;
            return this;
        }

        /** @param tokens the prompt size to truncate to @return this */
        public Builder targetPromptTokens(long tokens) {
            this.targetPromptTokens = tokens;
            return this;
        }

        /** @param advice what the model should do instead @return this */
        public Builder advice(String advice) {
            this.advice = advice;
            return this;
        }

        /** @param fired every rule that fired, the winner included @return this */
        public Builder fired(List<Fired> fired) {
            this.fired = fired;
            return this;
        }

        /** @return the prompt size to truncate to, or {@link #NO_FIGURE} */
        long targetPromptTokens() {
            return targetPromptTokens;
        }

        /** @return the rule id set so far, or null */
        String rule() {
            return rule;
        }

        /** @param shadow whether the guard only records @return this */
        public Builder shadow(boolean shadow) {
            this.shadow = shadow;
            return this;
        }

        /** @param operator who took the operator's action this decision records @return this */
        public Builder operator(String operator) {
            this.operator = operator;
            return this;
        }

        /**
         * @return the decision
         * @throws IllegalStateException if a refusing action has no rule
         */
        public Decision build() {
            if (action.refuses() && rule == null) {
                throw new IllegalStateException("a " + action.id() + " decision needs the id of the rule that took it");
            }
            if (reason == null) {
                reason = action == Action.ALLOW ? WITHIN_LIMITS : action.id();
            }
            return new Decision(this);
        }
    }
}
