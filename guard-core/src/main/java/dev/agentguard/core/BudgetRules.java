package dev.agentguard.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates the budgets of a policy for one model call: checks suspensions, reserves the call's worst case on
 * every budget that applies (all-or-nothing, through the ledger), and turns the outcome into a decision.
 *
 * <p>Order, for every budget in policy order: (1) a suspended scope key refuses at once; (2) the reservation is
 * made on all applicable budgets together, with each hard limit ({@code onExceed: block | suspend}) enforced by
 * the ledger and soft ones ({@code onExceed: warn}) reserved without a limit; (3) of a granted reservation, a soft
 * budget taken past its limit warns, and a {@code warnAt} share that this call's reservation crosses warns. When
 * several warnings fire the first budget's wins. In shadow mode nothing is enforced by the ledger; a budget that
 * would have refused yields the refusal it would have made, marked shadow.
 */
final class BudgetRules {

    /** The result of reserving: the hold and the unit of each of its requests, plus the decision's fields. */
    static final class Outcome {
        final Hold hold;
        final Unit[] units;
        final Decision.Builder decision;
        /** The first budget past its {@code downgradeAt} share (or refusing, with a downgradeAt), else null. */
        Budget pastDowngrade;
        long pastDowngradeObserved;

        Outcome(Hold hold, Unit[] units, Decision.Builder decision) {
            this.hold = hold;
            this.units = units;
            this.decision = decision;
        }

        boolean granted() {
            return hold != null && hold.granted();
        }
    }

    private final BudgetLedger ledger;
    private final Cache<BudgetKey, Suspension> suspensions;

    BudgetRules(BudgetLedger ledger, Ticker ticker, long maxSuspensions) {
        this.ledger = ledger;
        this.suspensions = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumSize(maxSuspensions)
                .expireAfter(Expiry.<BudgetKey, Suspension>writing((k, s) -> s.duration))
                .ticker(ticker::read)
                .build();
    }

    /**
     * Reserves a model call on every budget that applies.
     *
     * @param budgets the policy's budgets
     * @param shadow whether limits are only recorded, not enforced
     * @param scope the caller
     * @param model the model actually used (the MODEL level's key)
     * @param epochMillis now
     * @param costNanos the worst-case cost (0 when the price is unknown)
     * @param tokens the worst-case tokens
     * @return the outcome; its decision builder holds the action, rule, reason, figures and remaining share
     */
    Outcome reserve(List<Budget> budgets, boolean shadow, GuardScope scope, String model, long epochMillis,
            long costNanos, long tokens) {
        int n = budgets.size();
        List<BudgetRequest> requests = new ArrayList<>(n);
        Budget[] applied = new Budget[n];
        Unit[] units = new Unit[n];
        long[] amounts = new long[n];
        int count = 0;
        for (Budget b : budgets) {
            String key = b.scope().keyOf(scope, model);
            if (key == null) {
                continue;
            }
            BudgetKey bk = new BudgetKey(b.id(), b.scope(), key, b.window());
            if (!shadow && b.onExceed().kind() == OnExceed.Kind.SUSPEND) {
                Suspension s = suspensions.getIfPresent(bk);
                if (s != null && s.untilMillis > epochMillis) {
                    return new Outcome(null, null, Decision.builder(Action.SUSPEND)
                            .rule(b.ruleId())
                            .suspendedUntil(Instant.ofEpochMilli(s.untilMillis))
                            .reason(describe(b, key) + " is suspended until " + Instant.ofEpochMilli(s.untilMillis)
                                    + " after passing its " + b.unit().describe(b.limit()) + " limit"));
                }
            }
            long amount = amount(b.unit(), costNanos, tokens);
            boolean hard = !shadow && b.onExceed().kind() != OnExceed.Kind.WARN;
            requests.add(new BudgetRequest(bk, amount, hard ? b.limit() : BudgetRequest.NO_LIMIT));
            applied[count] = b;
            units[count] = b.unit();
            amounts[count] = amount;
            count++;
        }
        units = java.util.Arrays.copyOf(units, count);
        Hold hold = ledger.reserve(requests);
        if (!hold.granted() && hold.refusedForCapacity()) {
            BudgetKey key = requests.get(hold.refusedIndex()).key();
            return new Outcome(hold, units, Decision.builder(Action.BLOCK).rule(Guard.RULE_TELEMETRY_FULL)
                    .reason("the budget ledger is full of windows that still hold spend or reservations, so it"
                            + " cannot start one for " + describe(applied[hold.refusedIndex()], key.scopeKey())
                            + "; refused (telemetry.onFull: refuseNew; raise telemetry.maxSessions)"));
        }
        if (!hold.granted()) {
            int i = hold.refusedIndex();
            Outcome refused = new Outcome(hold, units, refusal(applied[i], requests.get(i).key(),
                    hold.usedBefore(i), amounts[i], epochMillis, false));
            if (applied[i].downgradeAt() > 0) {
                refused.pastDowngrade = applied[i];
                refused.pastDowngradeObserved = hold.usedBefore(i) + amounts[i];
            }
            return refused;
        }
        Budget pastDowngrade = null;
        long pastDowngradeObserved = 0;
        Decision.Builder decision = null;
        Action action = Action.ALLOW;
        int tightest = -1;
        long tightestLeft = 0;
        for (int i = 0; i < count; i++) {
            Budget b = applied[i];
            String key = requests.get(i).key().scopeKey();
            long before = hold.usedBefore(i);
            long after = before + amounts[i];
            if (after > b.limit()) {
                boolean wouldRefuse = shadow && b.onExceed().kind() != OnExceed.Kind.WARN;
                Action candidate = wouldRefuse
                        ? (b.onExceed().kind() == OnExceed.Kind.SUSPEND ? Action.SUSPEND : Action.BLOCK)
                        : Action.WARN;
                if (candidate.isTighterThan(action)) {
                    action = candidate;
                    decision = wouldRefuse
                            ? refusal(b, requests.get(i).key(), before, amounts[i], epochMillis, true)
                            : Decision.builder(Action.WARN).rule(b.ruleId()).figures(after, b.limit(), b.unit())
                                    .reason(describe(b, key) + " is past its limit: " + b.unit().describe(before)
                                            + " used + " + b.unit().describe(amounts[i]) + " for this call > "
                                            + b.unit().describe(b.limit()) + " (onExceed: warn, the call goes ahead)");
                }
            } else if (Action.WARN.isTighterThan(action)) {
                int crossed = crossedWarnShare(b, before, after);
                if (crossed > 0) {
                    action = Action.WARN;
                    decision = Decision.builder(Action.WARN).rule(b.ruleId()).figures(after, b.limit(), b.unit())
                            .reason(describe(b, key) + " reached " + crossed + "% of its limit: "
                                    + b.unit().describe(after) + " of " + b.unit().describe(b.limit())
                                    + " used or reserved");
                }
            }
            if (pastDowngrade == null && b.downgradeAt() > 0 && after > share(b.limit(), b.downgradeAt())) {
                pastDowngrade = b;
                pastDowngradeObserved = after;
            }
            long left = b.limit() - after;
            if (tightest < 0 || lessShareLeft(left, b.limit(), tightestLeft, applied[tightest].limit())) {
                tightest = i;
                tightestLeft = left;
            }
        }
        if (decision == null && hold.evictedWindows() > 0) {
            decision = Decision.builder(Action.WARN).rule(Guard.RULE_TELEMETRY_FULL)
                    .figures(hold.evictedWindows(), 0, Unit.CALLS)
                    .reason("the budget ledger was full of windows that still hold spend: it forgot "
                            + hold.evictedWindows() + " (the one closest to expiry) to make room for this call"
                            + " (telemetry.onFull: evictOldest; raise telemetry.maxSessions)");
        }
        if (decision == null) {
            decision = Decision.builder(Action.ALLOW);
        }
        if (tightest >= 0) {
            Budget b = applied[tightest];
            decision.remaining(b.id(), Math.max(0, tightestLeft), b.unit());
        }
        Outcome granted = new Outcome(hold, units, decision);
        granted.pastDowngrade = pastDowngrade;
        granted.pastDowngradeObserved = pastDowngradeObserved;
        return granted;
    }

    /** Gives back a granted outcome's reservation (when the call moves to another model). */
    void release(Outcome outcome) {
        if (outcome.granted()) {
            ledger.release(outcome.hold);
        }
    }

    private Decision.Builder refusal(Budget b, BudgetKey key, long before, long amount, long epochMillis,
            boolean shadow) {
        long observed = before + amount;
        String text = describe(b, key.scopeKey()) + " would pass its limit: " + b.unit().describe(before)
                + " used or reserved + " + b.unit().describe(amount) + " for this call > "
                + b.unit().describe(b.limit());
        if (b.onExceed().kind() == OnExceed.Kind.SUSPEND) {
            Duration d = b.onExceed().suspension();
            long until = saturatedAdd(epochMillis, d.toMillis()); // bounded by OnExceed, saturated all the same
            if (!shadow) {
                suspensions.put(key, new Suspension(until, d));
            }
            return Decision.builder(Action.SUSPEND).rule(b.ruleId()).figures(observed, b.limit(), b.unit())
                    .suspendedUntil(Instant.ofEpochMilli(until))
                    .reason(text + "; " + b.scope().id() + " " + key.scopeKey() + " suspended until "
                            + Instant.ofEpochMilli(until));
        }
        return Decision.builder(Action.BLOCK).rule(b.ruleId()).figures(observed, b.limit(), b.unit()).reason(text);
    }

    /** @return the highest warnAt share in percent that the move from {@code before} to {@code after} crosses */
    private static int crossedWarnShare(Budget b, long before, long after) {
        int[] shares = b.warnAtShared();
        for (int i = shares.length - 1; i >= 0; i--) {
            long threshold = share(b.limit(), shares[i]);
            if (before < threshold && after >= threshold) {
                return shares[i];
            }
        }
        return 0;
    }

    /**
     * @return true if {@code left1 / limit1 < left2 / limit2}, compared exactly as 128-bit cross products (limits
     *     are positive), so that no floating point touches an amount
     */
    static boolean lessShareLeft(long left1, long limit1, long left2, long limit2) {
        long hi1 = Math.multiplyHigh(left1, limit2);
        long hi2 = Math.multiplyHigh(left2, limit1);
        if (hi1 != hi2) {
            return hi1 < hi2;
        }
        return Long.compareUnsigned(left1 * limit2, left2 * limit1) < 0;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }

    /** @return {@code limit × percent / 100}, exact and without overflow */
    static long share(long limit, int percent) {
        return limit / 100 * percent + limit % 100 * percent / 100;
    }

    private static long amount(Unit unit, long costNanos, long tokens) {
        switch (unit) {
            case USD:
                return costNanos;
            case TOKENS:
                return tokens;
            default:
                return 1;
        }
    }

    private static String describe(Budget b, String scopeKey) {
        String window = b.window().toString();
        return b.scope().id() + " budget " + b.id() + (b.scope() == Scope.GLOBAL ? "" : " for " + scopeKey)
                + " (" + (b.window().isCalendar() ? window : "per " + window) + ")";
    }

    private static final class Suspension {
        final long untilMillis;
        final Duration duration;

        Suspension(long untilMillis, Duration duration) {
            this.untilMillis = untilMillis;
            this.duration = duration;
        }
    }
}
