package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Unit;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.ledger.Suspension;
import dev.agentguard.core.telemetry.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the budgets of a policy for one model call: checks suspensions, reserves the call's worst case on
 * every budget that applies (all-or-nothing, through the ledger), and turns the outcome into a decision.
 *
 * <p>Suspensions live in the ledger ({@link BudgetLedger#suspend}), so that a shared ledger shares them. Order, for
 * every budget in policy order: (1) a suspended scope key refuses, and nothing is reserved (checked by the ledger
 * inside the reservation, no separate read); (2) the
 * reservation is made on all applicable budgets together, with each hard limit ({@code onExceed: block | suspend})
 * enforced by the ledger and soft ones ({@code onExceed: warn}) reserved without a limit; a refusal also looks at
 * the hard budgets the ledger did not try, so that a suspend budget listed after a block budget is not hidden;
 * (3) of a granted reservation, a soft budget taken past its limit warns, and a {@code warnAt} share that this
 * call's reservation crosses warns. Every budget that fires is reported; the {@link Verdict} picks the winner. In
 * shadow mode nothing is enforced by the ledger; a budget that would have refused yields the refusal it would have
 * made, marked shadow.
 */
final class BudgetRules {

    /**
     * The result of reserving: the hold and the unit of each of its requests, every budget decision that fired,
     * and an allow that carries the remaining share of the tightest budget.
     */
    static final class Outcome {
        final Hold hold;
        final Unit[] units;
        /** Every budget that fired (refusals, suspensions, warnings), in policy order; empty when none. */
        final List<Decision.Builder> fired;
        /** The budget with the least share left after this call; null when refused or no budget applies. */
        Budget tightest;
        long tightestLeft;
        /** The first budget past its {@code downgradeAt} share (or refusing, with a downgradeAt), else null. */
        Budget pastDowngrade;
        long pastDowngradeObserved;
        /** The limit of {@link #pastDowngrade} for the caller's key. */
        long pastDowngradeLimit;

        Outcome(Hold hold, Unit[] units, List<Decision.Builder> fired) {
            this.hold = hold;
            this.units = units;
            this.fired = fired;
        }

        boolean granted() {
            return hold != null && hold.granted();
        }

        /** Offers every decision of this outcome to the verdict. */
        void offerTo(Verdict verdict) {
            for (int i = 0, n = fired.size(); i < n; i++) {
                verdict.offer(fired.get(i));
            }
            if (tightest != null) {
                verdict.remaining(tightest.id(), tightestLeft, tightest.unit());
            }
        }
    }

    /** A policy's budgets as arrays, shared by every call under it (never written after it is built). */
    private static final class Policy {
        final List<Budget> list;
        final Budget[] budgets;
        final Unit[] units;
        /** Each budget's own limit. */
        final long[] limits;
        /**
         * Each budget's {@link #quietUpTo} at its own limit: a call that leaves it used up to that much fires nothing
         * and downgrades nothing, which a reservation then knows without working out the shares (its credit ceiling
         * is this, at least 0).
         */
        final long[] quiet;
        /** Whether some budget's limit may differ per key (overrides, or a resolver): then limits are looked up. */
        final boolean perKey;
        /** How many session budgets there are: with one (the usual policy), a session keeps its key itself. */
        final int sessionBudgets;
        /** Whether some calls budget counts tool calls: else an unpriced tool call reserves nothing. */
        final boolean countsToolCalls;
        /** Whether some cost budget counts tool calls: a priced tool call reserves its price on it. */
        final boolean countsToolCost;

        Policy(List<Budget> list, ResolvedLimits resolved) {
            this.list = list;
            this.budgets = list.toArray(new Budget[0]);
            this.units = new Unit[budgets.length];
            this.limits = new long[budgets.length];
            this.quiet = new long[budgets.length];
            boolean perKey = resolved != null && budgets.length > 0;
            boolean countsToolCalls = false;
            boolean countsToolCost = false;
            int sessionBudgets = 0;
            Map<String, Budget> byId = new HashMap<>();
            for (int i = 0; i < budgets.length; i++) {
                units[i] = budgets[i].unit();
                limits[i] = budgets[i].limit();
                quiet[i] = quietUpTo(budgets[i], limits[i]);
                perKey |= budgets[i].hasOverrides();
                sessionBudgets += budgets[i].scope() == Scope.SESSION ? 1 : 0;
                countsToolCalls |= budgets[i].countsToolCalls() && budgets[i].unit() == Unit.CALLS;
                countsToolCost |= budgets[i].countsToolCalls() && budgets[i].unit() == Unit.USD;
                byId.put(budgets[i].id(), budgets[i]);
            }
            this.perKey = perKey;
            this.sessionBudgets = sessionBudgets;
            this.countsToolCalls = countsToolCalls;
            this.countsToolCost = countsToolCost;
            if (resolved != null) {
                resolved.policy(byId);
            }
        }
    }

    private final BudgetLedger ledger;
    /** The guard's ticker, whose readings reservations pass to the ledger. */
    private final Ticker ticker;
    /** Extra allowances an operator granted, per key, each expiring with its duration. */
    private final Cache<BudgetKey, Grant> grants;
    /** Whether a grant was ever made: until then limits are not looked up per key for grants. */
    private volatile boolean anyGrant;
    /** The guard's limit resolver behind its cache, or null. */
    private final ResolvedLimits resolved;
    /** The arrays of the last policy's budgets: a reload brings a new list, and the next call rebuilds them. */
    private volatile Policy policy;

    BudgetRules(BudgetLedger ledger, Ticker ticker, long maxSuspensions, ResolvedLimits resolved) {
        this.ledger = ledger;
        this.ticker = ticker;
        this.resolved = resolved;
        this.policy = new Policy(List.of(), null);
        this.grants = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumSize(maxSuspensions)
                .expireAfter(Expiry.<BudgetKey, Grant>writing((k, g) -> g.duration))
                .ticker(ticker::read)
                .build();
    }

    private Policy policyOf(List<Budget> budgets) {
        Policy p = policy;
        if (p.list != budgets) {
            p = new Policy(budgets, resolved);
            policy = p;
        }
        return p;
    }

    /** @return the ledger, with the suspensions it keeps (the guard's own for a ledger that keeps none) */
    BudgetLedger ledger() {
        return ledger;
    }

    /** @return the limit of a budget for a key, as a call would see it now */
    long limitFor(Budget b, BudgetKey key) {
        return limitOf(b, key);
    }

    /**
     * Adds an allowance to a key's limit for a while, replacing an earlier grant of that key.
     *
     * @param extra the extra amount, in the budget's unit
     * @param duration how long it lasts
     */
    void grant(BudgetKey key, long extra, Duration duration) {
        grants.put(key, new Grant(extra, duration));
        anyGrant = true;
    }

    /** @return the extra allowance of a key in force, or 0 */
    long granted(BudgetKey key) {
        if (!anyGrant) {
            return 0;
        }
        Grant g = grants.getIfPresent(key);
        return g == null ? 0 : g.extra;
    }

    /** @return the suspensions in force now, as the ledger keeps them */
    List<GuardAdmin.Suspended> suspensions() {
        List<GuardAdmin.Suspended> out = new ArrayList<>();
        for (Suspension s : ledger.suspensions()) {
            BudgetKey k = s.key();
            out.add(new GuardAdmin.Suspended(k.budgetId(), k.scope(), k.scopeKey(), s.until()));
        }
        return out;
    }

    /** @return the end of a suspension of that key in force now, or null */
    Instant suspendedUntil(BudgetKey key) {
        Suspension s = ledger.suspension(key);
        return s == null ? null : s.until();
    }

    /** @return true if a suspension of that key in force was lifted */
    boolean lift(BudgetKey key) {
        return ledger.lift(key);
    }

    /**
     * The limit of a budget for one key: the budget's exact override, else its most specific matching pattern, else
     * the resolver's answer (cached), else the budget's own limit; plus an operator's grant in force.
     */
    private long limitOf(Budget b, BudgetKey key) {
        long extra = granted(key);
        long base = baseLimitOf(b, key);
        if (extra == 0) {
            return base;
        }
        long ceiling = BudgetRequest.NO_LIMIT - 1; // a limit, not "no limit"
        return base > ceiling - extra ? ceiling : base + extra;
    }

    private long baseLimitOf(Budget b, BudgetKey key) {
        if (b.hasOverrides()) {
            long o = b.overrideFor(key.scopeKey());
            if (o > 0) {
                return o;
            }
        }
        if (resolved != null) {
            long r = resolved.limitOf(b, key);
            if (r > 0) {
                return r;
            }
        }
        return b.limit();
    }

    /**
     * Reserves a model call on every budget that applies.
     *
     * @param budgets the policy's budgets
     * @param shadow whether limits are only recorded, not enforced
     * @param scope the caller
     * @param session the record of the caller's session, which keeps its budget keys; null when it has none
     * @param model the model actually used (the MODEL level's key)
     * @param provider the model's provider, or null when unknown
     * @param tick now, a reading of the guard's ticker (the ledger's too, unless the application gave its own)
     * @param epochMillis now, on the wall clock
     * @param costNanos the worst-case cost (0 when the price is unknown)
     * @param tokens the worst-case tokens
     * @return the outcome: the hold, and every budget decision that fired
     */
    Outcome reserve(List<Budget> budgets, boolean shadow, GuardScope scope, Telemetry.Tracked session, String model,
            String provider, long tick, long epochMillis, long costNanos, long tokens) {
        return reserve(budgets, shadow, scope, session, model, provider, null, tick, epochMillis, costNanos, tokens);
    }

    /**
     * @param priceNanos the tool's price per call, 0 when it has none
     * @return whether some budget of the policy counts a call of that tool
     */
    boolean countsTool(List<Budget> budgets, long priceNanos) {
        Policy p = policyOf(budgets);
        return p.countsToolCalls || priceNanos > 0 && p.countsToolCost;
    }

    /**
     * Reserves a tool call on every budget that counts it: one call on calls budgets with {@code kinds: tool},
     * its price on cost budgets when the tool has one.
     *
     * @return the outcome: the hold, and every budget decision that fired
     */
    Outcome reserveTool(List<Budget> budgets, boolean shadow, GuardScope scope, Telemetry.Tracked session,
            String tool, long priceNanos, long tick, long epochMillis) {
        return reserve(budgets, shadow, scope, session, null, null, tool, tick, epochMillis, priceNanos, 0);
    }

    /**
     * A session's budget keys under one list of budgets with several session budgets, kept in the session's record
     * (with one, the record keeps the key itself): see {@link #sessionKey}. The first one made is a field: an array
     * would be one more cache line to reach on every call of a session that the caches no longer hold.
     */
    private static final class SessionKeys {
        final List<Budget> budgets;
        final int firstIndex;
        final BudgetKey first;
        /**
         * The keys of the session's other session budgets, by budget index; null until one is needed. Racy: a reader
         * that misses a key makes an equal one (a key's fields are final, so a key read is whole).
         */
        BudgetKey[] rest;

        SessionKeys(List<Budget> budgets, int firstIndex, BudgetKey first) {
            this.budgets = budgets;
            this.firstIndex = firstIndex;
            this.first = first;
        }

        BudgetKey get(int i) {
            if (i == firstIndex) {
                return first;
            }
            BudgetKey[] r = rest;
            return r == null ? null : r[i];
        }

        void putOther(int i, BudgetKey key) {
            BudgetKey[] r = rest;
            if (r == null) {
                r = new BudgetKey[budgets.size()];
                rest = r;
            }
            r[i] = key;
        }
    }

    /**
     * Starts loading the ledger's window of the session's (first) session budget, without waiting (see
     * {@link BudgetKey#prefetch()}): for a call that has just found its session and will reserve on it.
     *
     * @param record the session's record
     */
    static void prefetch(Telemetry.Tracked record) {
        Object held = record.keys();
        BudgetKey key = held instanceof BudgetKey k ? k : held instanceof SessionKeys s ? s.first : null;
        if (key != null) {
            key.prefetch();
        }
    }

    /**
     * @return the key of a session budget for the session of {@code record}: the object its previous calls used
     *     (so that the ledger finds its window without a lookup, see {@link BudgetKey}), made and kept on its first
     *     call under this list of budgets
     */
    private static BudgetKey sessionKey(Telemetry.Tracked record, Policy policy, int i, Budget b, String session) {
        if (policy.sessionBudgets == 1) {
            // the only session budget: its key is kept as it is, one object less to reach on every call. A key made
            // by this budget has its very id and window (a reloaded policy's budget has its own); equal ones would
            // do as well, the identity test only has to be cheap
            if (record.keys() instanceof BudgetKey k && k.budgetId() == b.id() && k.window() == b.window()
                    && k.scopeKey().equals(session)) {
                return k;
            }
            BudgetKey key = b.keyFor(session);
            record.keys(key); // racing calls of the session store equal keys
            return key;
        }
        List<Budget> budgets = policy.list;
        SessionKeys held = record.keys() instanceof SessionKeys k && k.budgets == budgets ? k : null;
        BudgetKey key = held == null ? null : held.get(i);
        if (key != null && key.scopeKey().equals(session)) {
            return key;
        }
        key = b.keyFor(session);
        if (held == null || i == held.firstIndex) { // the session's first call, or the first under a reloaded policy
            record.keys(new SessionKeys(budgets, i, key)); // racing calls of the session store equal keys
        } else {
            held.putOther(i, key);
        }
        return key;
    }

    /** Reserves a model call ({@code tool} null) or a tool call on every budget that counts it. */
    private Outcome reserve(List<Budget> budgets, boolean shadow, GuardScope scope, Telemetry.Tracked session,
            String model, String provider, String tool, long tick, long epochMillis, long costNanos, long tokens) {
        int n = budgets.size();
        BudgetRequest[] requests = new BudgetRequest[n];
        // while every budget applies (the usual case), budget i is request i and the units are the policy's own
        // array: the applied budgets and their units are copied out only once one is skipped
        Policy policy = policyOf(budgets);
        Budget[] applied = null;
        Unit[] units = policy.units;
        // the same for the limits, unless some budget's limit depends on the key
        boolean perKey = policy.perKey || anyGrant;
        long[] limits = perKey ? new long[n] : policy.limits;
        List<Decision.Builder> fired = null;
        int count = 0;
        for (int i = 0; i < n; i++) {
            Budget b = budgets.get(i);
            boolean counts = tool == null ? b.countsModel(model, provider)
                    : b.countsTool(tool) && (b.unit() == Unit.CALLS || b.unit() == Unit.USD && costNanos > 0);
            String key = counts ? b.scope().keyOf(scope, model) : null;
            if (key == null) {
                if (applied == null) {
                    applied = budgets.subList(0, count).toArray(new Budget[n]);
                    units = Arrays.copyOf(units, n);
                    if (limits == policy.limits) {
                        limits = Arrays.copyOf(limits, n);
                    }
                }
                continue;
            }
            BudgetKey bk = session != null && b.scope() == Scope.SESSION ? sessionKey(session, policy, i, b, key)
                    : b.keyFor(key);
            long limit = perKey ? limitOf(b, bk) : b.limit();
            // the ledger decides its use
            bk.creditCeiling(perKey ? creditCeiling(b, limit) : Math.max(0, policy.quiet[i]));
            long amount = b.unit().amountOf(costNanos, tokens);
            boolean hard = !shadow && b.onExceed().kind() != OnExceed.Kind.WARN;
            // a suspend budget's key is checked by the ledger inside the reservation: no read of its own
            requests[count] = new BudgetRequest(bk, amount, hard ? limit : BudgetRequest.NO_LIMIT,
                    hard && b.onExceed().kind() == OnExceed.Kind.SUSPEND);
            if (applied != null) {
                applied[count] = b;
                units[count] = b.unit();
            }
            if (limits != policy.limits) {
                limits[count] = limit;
            }
            count++;
        }
        if (applied == null) {
            applied = policy.budgets;
        } else {
            units = Arrays.copyOf(units, count);
            requests = Arrays.copyOf(requests, count);
        }
        Hold hold = ledger.reserve(Arrays.asList(requests), ticker, tick);
        if (!hold.granted()) {
            // apart, so that a granted hold is asked nothing more (not whether it was suspended, full or unreachable)
            return refused(hold, requests, applied, units, limits, count, epochMillis);
        }
        String unavailable = hold.unavailableReason(); // granted while the ledger is away: a warning
        Budget pastDowngrade = null;
        long pastDowngradeObserved = 0;
        long pastDowngradeLimit = 0;
        int tightest = -1;
        long tightestLeft = 0;
        // the policy's own limits, every budget applied: its quiet figures hold for this call
        long[] quiet = limits == policy.limits && applied == policy.budgets ? policy.quiet : null;
        for (int i = 0; i < count; i++) {
            Budget b = applied[i];
            long limit = limits[i];
            long before = hold.usedBefore(i);
            long after = before + requests[i].amount();
            long left = limit - after;
            if (tightest < 0 || lessShareLeft(left, limit, tightestLeft, limits[tightest])) {
                tightest = i;
                tightestLeft = left;
            }
            if (quiet != null && after <= quiet[i]) {
                continue; // under every share of the budget: no warning, no downgrade
            }
            String key = requests[i].key().scopeKey();
            if (after > limit) {
                boolean wouldRefuse = shadow && b.onExceed().kind() != OnExceed.Kind.WARN;
                fired = add(fired, wouldRefuse
                        ? refusal(b, requests[i].key(), limit, before, requests[i].amount(), epochMillis, true)
                        : pastSoftLimit(b, key, limit, before, requests[i].amount()));
            } else {
                int crossed = crossedWarnShare(b, limit, before, after);
                if (crossed > 0) {
                    fired = add(fired, warnShare(b, key, limit, after, crossed));
                }
            }
            if (pastDowngrade == null && b.downgradeAt() > 0 && after > share(limit, b.downgradeAt())) {
                pastDowngrade = b;
                pastDowngradeObserved = after;
                pastDowngradeLimit = limit;
            }
        }
        if (unavailable != null) {
            fired = add(fired, Decision.builder(Action.WARN).rule(Guard.RULE_LEDGER_UNAVAILABLE).reason(unavailable));
        }
        if (hold.evictedWindows() > 0) {
            fired = add(fired, Decision.builder(Action.WARN).rule(Guard.RULE_TELEMETRY_FULL)
                    .reason("the budget ledger was full of windows that still hold spend: it forgot "
                            + hold.evictedWindows() + " (the one closest to expiry) to make room for this call"
                            + " (telemetry.onFull: evictOldest; raise telemetry.maxSessions)"));
        }
        Outcome granted = new Outcome(hold, units, fired == null ? List.of() : fired);
        if (tightest >= 0) {
            granted.tightest = applied[tightest];
            granted.tightestLeft = Math.max(0, tightestLeft);
        }
        granted.pastDowngrade = pastDowngrade;
        granted.pastDowngradeObserved = pastDowngradeObserved;
        granted.pastDowngradeLimit = pastDowngradeLimit;
        return granted;
    }

    /** The outcome of a reservation the ledger did not grant: suspended, unavailable, full, or over a limit. */
    private Outcome refused(Hold hold, BudgetRequest[] requests, Budget[] applied, Unit[] units, long[] limits,
            int count, long epochMillis) {
        if (hold.refusedForSuspension()) { // suspended: nothing is reserved; every suspended key says so
            List<Decision.Builder> fired = new ArrayList<>(1);
            for (int j = 0; j < count; j++) {
                Suspension s = hold.suspension(j);
                if (s != null) {
                    fired.add(suspended(applied[j], s, limits[j]));
                }
            }
            return new Outcome(hold, units, fired);
        }
        String unavailable = hold.unavailableReason();
        if (unavailable != null) {
            return new Outcome(hold, units, List.of(Decision.builder(Action.BLOCK)
                    .rule(Guard.RULE_LEDGER_UNAVAILABLE).reason(unavailable)));
        }
        if (hold.refusedForCapacity()) {
            BudgetKey key = requests[hold.refusedIndex()].key();
            return new Outcome(hold, units, List.of(Decision.builder(Action.BLOCK).rule(Guard.RULE_TELEMETRY_FULL)
                    .reason("the budget ledger is full of windows that still hold spend or reservations, so it"
                            + " cannot start one for " + describe(applied[hold.refusedIndex()], key.scopeKey())
                            + "; refused (telemetry.onFull: refuseNew; raise telemetry.maxSessions)")));
        }
        int i = hold.refusedIndex();
        List<Decision.Builder> fired = new ArrayList<>(2);
        // every budget says what it would: the ones after the refused one were not tried, and one of them may
        // refuse more tightly (a suspend after a block); the ones before fitted, but may warn
        for (int j = 0; j < count; j++) {
            BudgetRequest r = requests[j];
            long used = j <= i ? hold.usedBefore(j) : ledger.used(r.key());
            Budget b = applied[j];
            long limit = limits[j];
            long amount = r.amount();
            if (j == i || r.limit() != BudgetRequest.NO_LIMIT && amount > r.limit() - used) {
                fired.add(refusal(b, r.key(), limit, used, amount, epochMillis, false));
            } else if (used + amount > limit) {
                fired.add(pastSoftLimit(b, r.key().scopeKey(), limit, used, amount));
            } else {
                int crossed = crossedWarnShare(b, limit, used, used + amount);
                if (crossed > 0) {
                    fired.add(warnShare(b, r.key().scopeKey(), limit, used + amount, crossed));
                }
            }
        }
        Outcome refused = new Outcome(hold, units, fired);
        if (applied[i].downgradeAt() > 0) {
            refused.pastDowngrade = applied[i];
            refused.pastDowngradeObserved = hold.usedBefore(i) + requests[i].amount();
            refused.pastDowngradeLimit = limits[i];
        }
        return refused;
    }

    /**
     * What the budgets say of a call that another rule refuses: active suspensions, the budgets this call would take
     * past their limit (a suspend budget suspends its scope as it would have) and the warning shares it would cross.
     * Nothing is reserved.
     *
     * @return the decisions that fired, possibly empty
     */
    List<Decision.Builder> peek(List<Budget> budgets, GuardScope scope, String model, String provider,
            long epochMillis, long costNanos, long tokens) {
        List<Decision.Builder> fired = null;
        boolean perKey = policyOf(budgets).perKey || anyGrant;
        for (Budget b : budgets) {
            String key = b.countsModel(model, provider) ? b.scope().keyOf(scope, model) : null;
            if (key == null) {
                continue;
            }
            BudgetKey bk = b.keyFor(key);
            long limit = perKey ? limitOf(b, bk) : b.limit();
            Suspension s = b.onExceed().kind() == OnExceed.Kind.SUSPEND ? ledger.suspension(bk) : null;
            if (s != null) {
                fired = add(fired, suspended(b, s, limit));
                continue;
            }
            long amount = b.unit().amountOf(costNanos, tokens);
            long used = ledger.used(bk);
            int crossed = crossedWarnShare(b, limit, used, used + amount);
            if (amount > limit - used) {
                fired = add(fired, b.onExceed().kind() == OnExceed.Kind.WARN
                        ? pastSoftLimit(b, key, limit, used, amount)
                        : refusal(b, bk, limit, used, amount, epochMillis, false));
            } else if (crossed > 0) {
                fired = add(fired, warnShare(b, key, limit, used + amount, crossed));
            }
        }
        return fired == null ? List.of() : fired;
    }

    /**
     * A suspended scope refuses tool calls as it refuses model calls.
     *
     * @return a suspension of one of the scope's keys that is in force now, or null
     */
    Decision.Builder suspension(List<Budget> budgets, GuardScope scope, long epochMillis) {
        List<BudgetKey> keys = null;
        List<Budget> of = null;
        for (Budget b : budgets) {
            if (b.onExceed().kind() != OnExceed.Kind.SUSPEND) {
                continue;
            }
            String key = b.scope().keyOf(scope, null);
            if (key != null) {
                if (keys == null) {
                    keys = new ArrayList<>(2);
                    of = new ArrayList<>(2);
                }
                keys.add(b.keyFor(key));
                of.add(b);
            }
        }
        if (keys == null) {
            return null;
        }
        List<Suspension> found = ledger.suspensionsOf(keys); // one read, however many suspend budgets apply
        if (found.isEmpty()) {
            return null;
        }
        Suspension s = found.get(0);
        return suspended(of.get(keys.indexOf(s.key())), s, Decision.NO_FIGURE);
    }

    /** @param limit the key's limit for the reason, or {@link Decision#NO_FIGURE} for the one it was suspended at */
    private static Decision.Builder suspended(Budget b, Suspension s, long limit) {
        return Decision.builder(Action.SUSPEND).rule(b.ruleId()).suspendedUntil(s.until())
                .reason(describe(b, s.key().scopeKey()) + " is suspended until " + s.until()
                        + " after passing its " + b.unit().describe(limit == Decision.NO_FIGURE ? s.limit() : limit)
                        + " limit");
    }

    private static Decision.Builder pastSoftLimit(Budget b, String key, long limit, long before, long amount) {
        return Decision.builder(Action.WARN).rule(b.ruleId()).figures(before + amount, limit, b.unit())
                .reason(describe(b, key) + " is past its limit: " + b.unit().describe(before) + " used + "
                        + b.unit().describe(amount) + " for this call > " + b.unit().describe(limit)
                        + " (onExceed: warn, the call goes ahead)");
    }

    private static Decision.Builder warnShare(Budget b, String key, long limit, long after, int crossed) {
        return Decision.builder(Action.WARN).rule(b.ruleId()).figures(after, limit, b.unit())
                .reason(describe(b, key) + " reached " + crossed + "% of its limit: " + b.unit().describe(after)
                        + " of " + b.unit().describe(limit) + " used or reserved");
    }

    private static List<Decision.Builder> add(List<Decision.Builder> list, Decision.Builder d) {
        List<Decision.Builder> l = list == null ? new ArrayList<>(2) : list;
        l.add(d);
        return l;
    }

    /** Gives back a granted outcome's reservation (when the call moves to another model). */
    void release(Outcome outcome) {
        if (outcome.granted()) {
            ledger.release(outcome.hold);
        }
    }

    private Decision.Builder refusal(Budget b, BudgetKey key, long limit, long before, long amount,
            long epochMillis, boolean shadow) {
        long observed = before + amount;
        String text = describe(b, key.scopeKey()) + " would pass its limit: " + b.unit().describe(before)
                + " used or reserved + " + b.unit().describe(amount) + " for this call > "
                + b.unit().describe(limit);
        if (b.onExceed().kind() == OnExceed.Kind.SUSPEND) {
            Duration d = b.onExceed().suspension();
            long until = epochMillis + d.toMillis(); // OnExceed bounds a suspension to 3660 days: no overflow
            if (!shadow) {
                ledger.suspend(key, Instant.ofEpochMilli(until), limit);
            }
            return Decision.builder(Action.SUSPEND).rule(b.ruleId()).figures(observed, limit, b.unit())
                    .suspendedUntil(Instant.ofEpochMilli(until))
                    .reason(text + "; " + b.scope().id() + " " + key.scopeKey() + " suspended until "
                            + Instant.ofEpochMilli(until));
        }
        return Decision.builder(Action.BLOCK).rule(b.ruleId()).figures(observed, limit, b.unit()).reason(text);
    }

    /**
     * @return the used figure up to which a call under {@code b} is allowed without a word, whatever the exact
     *     figure: below its lowest warnAt share, at most its downgradeAt share and its limit. The ledger may serve a
     *     process or agent window from per-thread credits up to it ({@link BudgetKey#creditCeiling(long)}).
     */
    static long creditCeiling(Budget b, long limit) {
        return Math.max(0, quietUpTo(b, limit));
    }

    /**
     * @return the most a window of {@code b} may hold after a call, at {@code limit}, for the call to fire nothing
     *     on it and to downgrade nothing: its limit, else below its lowest warnAt share and not past its downgradeAt
     *     share (unclamped, unlike {@link #creditCeiling}: it may be negative)
     */
    static long quietUpTo(Budget b, long limit) {
        long quiet = limit;
        if (b.downgradeAt() > 0) {
            quiet = Math.min(quiet, share(limit, b.downgradeAt()));
        }
        int[] shares = b.warnAtShared();
        if (shares.length > 0) {
            quiet = Math.min(quiet, share(limit, shares[0]) - 1); // warns at after >= share: sorted, lowest first
        }
        return quiet;
    }

    /** @return the highest warnAt share in percent that the move from {@code before} to {@code after} crosses */
    static int crossedWarnShare(Budget b, long limit, long before, long after) {
        int[] shares = b.warnAtShared();
        for (int i = shares.length - 1; i >= 0; i--) {
            long threshold = share(limit, shares[i]);
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

    /** @return {@code limit × percent / 100}, exact and without overflow */
    static long share(long limit, int percent) {
        return limit / 100 * percent + limit % 100 * percent / 100;
    }

    private static String describe(Budget b, String scopeKey) {
        String window = b.window().toString();
        return b.scope().id() + " budget " + b.id() + (b.scope() == Scope.GLOBAL ? "" : " for " + scopeKey)
                + " (" + (b.window().isCalendar() ? window : "per " + window) + ")";
    }

    private static final class Grant {
        final long extra;
        final Duration duration;

        Grant(long extra, Duration duration) {
            this.extra = extra;
            this.duration = duration;
        }
    }

}
