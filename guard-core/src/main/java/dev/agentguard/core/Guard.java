package dev.agentguard.core;

import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.InMemoryLedger;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.pricing.PriceCatalog;
import dev.agentguard.core.pricing.PricedModel;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard: decides before every model or tool call, and records after it.
 *
 * <p>{@link #admitModelCall(ModelCall)} prices the call's worst case (prompt tokens plus the output cap at the
 * model's rates), reserves it on every budget that applies, and returns an {@link Admission} holding the
 * {@link Decision}. The caller makes the call (or not) and settles the admission; see {@link Admission} for the
 * protocol. Decorators ({@code GuardedChatModel} and friends) do all of this for you.
 *
 * <p><b>Evaluation order and precedence</b> (the one place this is written down). A model call goes through, in
 * order: (1) {@link Caps caps} on model calls per session and per turn, and {@code loops.repeatedModelRequest};
 * (2) the price lookup, with {@link UnknownModelPolicy} for a model the catalog lacks
 * ({@code pricing.unknownModel}); (3) {@code caps.promptTokens} (truncate to the cap, or block); (4) model health
 * ({@code health.latency}, {@code health.errors}): the most capable healthy model at or below the requested one
 * on the ladder; (5) the budgets, which reserve the call's worst case on every budget that applies
 * ({@link BudgetRules}), moving further down the ladder while a budget is past its {@code downgradeAt} share.
 * A tool call goes through caps ({@code caps.toolCallsPerSession}, {@code caps.toolCallsPerTurn},
 * {@code caps.perTool.<tool>}) then loops ({@code loops.identicalToolCalls}, {@code loops.alternatingToolCalls},
 * {@code loops.repeatedToolError}). Enforcing, the first refusal ends the evaluation. Of everything that fires,
 * <b>the tightest action wins</b>: suspend, then block, then feedback, then truncate, then downgrade, then warn,
 * then allow ({@link Action#isTighterThan}); among equals, the first in the order above. A downgrade still
 * applies when a truncation wins (the decision's {@link Decision#model()} is the cheaper model). In
 * {@link Mode#SHADOW shadow mode} every step runs and the decision that enforcing would have taken is recorded,
 * marked shadow, but the call is never refused or changed; call counts follow what enforcing would have counted,
 * while spend is the real spend.
 *
 * <p><b>Cost.</b> Admission reads the clocks once, looks up a cached price, and reserves on the ledger: no I/O,
 * no logging (unless a listener logs), and no lock held across the caller's call. Thread-safe. The guard's
 * bounded caches (sessions, session windows, prices) run their maintenance on the calling thread, in small
 * amortised batches: handing it to a pool on every write costs a thread wake-up per call, which profiles showed
 * to be the largest single cost of an admission.
 *
 * <p><b>Reloading.</b> {@link #reconfigure(GuardConfig)} swaps the policy of a running guard: admissions that
 * start afterwards use the new one, while the ledger (spend, outstanding reservations, windows), suspensions,
 * per-session counts and loop history, telemetry and listeners carry over. Budgets are matched by id, so a budget
 * that keeps its id keeps its spend.
 *
 * <p>Close the guard when done: listeners that are {@link AutoCloseable} (the audit sink) are closed.
 */
public final class Guard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    private static final AtomicLong SEQ = new AtomicLong();

    /** Rule id of decisions about models the price catalog does not know. */
    public static final String RULE_UNKNOWN_MODEL = "pricing.unknownModel";

    /** Rule id of the decisions that record a policy change, applied or rejected. */
    public static final String RULE_POLICY_RELOAD = "policy.reload";

    private final Ticker ticker;
    private final Clock clock;
    private final BudgetLedger ledger;
    private final Telemetry telemetry;
    private final BudgetRules budgets;
    private final List<DecisionListener> listeners = new CopyOnWriteArrayList<>();
    /** Everything derived from the policy; read once per admission so that a call sees one policy throughout. */
    private volatile Active active;

    /** The policy and the rule objects built from it. */
    private static final class Active {
        final GuardConfig config;
        final PriceCatalog catalog;
        final SessionRules sessionRules;
        final ModelHealth modelHealth;

        Active(GuardConfig config, SessionRules sessionRules, ModelHealth modelHealth) {
            this.config = config;
            PriceCatalog base = config.priceCatalog() != null ? config.priceCatalog() : PriceCatalog.bundled();
            this.catalog = config.prices().isEmpty() ? base : base.withOverrides(config.prices());
            this.sessionRules = sessionRules;
            this.modelHealth = modelHealth;
        }
    }

    private Guard(Builder b) {
        GuardConfig config = b.config;
        this.ticker = b.ticker;
        this.clock = b.clock;
        TelemetryConfig t = config.telemetry();
        this.ledger = b.ledger != null ? b.ledger : InMemoryLedger.builder()
                .ticker(ticker).clock(clock).maxSessions(t.maxSessions()).idleExpiry(t.sessionIdleExpiry()).build();
        this.telemetry = new Telemetry(t, ticker, clock);
        this.budgets = new BudgetRules(ledger, ticker, t.maxSessions());
        this.active = new Active(config, new SessionRules(config.caps(), config.loops(), ticker, t.maxSessions(),
                t.sessionIdleExpiry()), new ModelHealth(config.health(), config.ladder(), clock));
        this.listeners.addAll(b.listeners);
    }

    /**
     * @param config the policy
     * @return a guard with the system clocks and an in-memory ledger
     */
    public static Guard of(GuardConfig config) {
        return builder(config).build();
    }

    /**
     * @param config the policy
     * @return a builder for the guard's runtime collaborators
     */
    public static Builder builder(GuardConfig config) {
        return new Builder(config);
    }

    /**
     * Decides on a model call and, when it may proceed, reserves its worst case.
     *
     * @param call the call about to be made
     * @return the admission; settle, fail or release it (or close it) exactly once
     */
    public Admission admitModelCall(ModelCall call) {
        long tick = ticker.read();
        long epoch = clock.millis();
        Active p = active;
        GuardConfig config = p.config;
        SessionRules sessionRules = p.sessionRules;
        GuardScope scope = call.scope();
        String requested = call.model();
        boolean shadow = config.mode() == Mode.SHADOW;
        Verdict verdict = new Verdict();

        // 1. caps and loops: cheap, and they need no price. A call they let through is counted at once (so that
        // concurrent calls of a session see it) and taken back if a later rule refuses it.
        boolean counted = false;
        if (!sessionRules.isEmpty()) {
            Decision.Builder fired = sessionRules.admitModel(scope, call.requestFingerprint());
            counted = fired == null || !fired.action().refuses();
            verdict.offer(fired);
            if (verdict.refuses() && !shadow) {
                return refused(config, verdict.decision, requested, requested, scope, tick,
                        epoch);
            }
        }
        // 2. price of the requested model
        Priced priced = price(p, call.provider(), requested, epoch);
        verdict.offer(priced.decision);
        if (verdict.refuses() && !shadow) {
            undoCount(sessionRules, counted, scope);
            return refused(config, verdict.decision, requested, requested, scope, tick,
                    epoch);
        }
        // 3. prompt size
        long prompt = call.promptTokens(config.tokenEstimator());
        Caps caps = config.caps();
        if (caps.promptTokensMax() > 0 && prompt > caps.promptTokensMax()) {
            boolean truncate = caps.promptAction() == Caps.PromptAction.TRUNCATE;
            verdict.offer(Decision.builder(truncate ? Action.TRUNCATE : Action.BLOCK).rule("caps.promptTokens")
                    .figures(prompt, caps.promptTokensMax(), Unit.TOKENS)
                    .targetPromptTokens(truncate ? caps.promptTokensMax() : Decision.NO_FIGURE)
                    .reason("prompt of " + prompt + " tokens is over the " + caps.promptTokensMax() + "-token cap"
                            + (truncate ? "; truncate it to fit" : "")));
            if (verdict.refuses() && !shadow) {
                undoCount(sessionRules, counted, scope);
                return refused(config, verdict.decision, requested, requested, scope, tick,
                        epoch);
            }
            if (truncate && !shadow) {
                prompt = caps.promptTokensMax();
            }
        }
        long maxOut = call.maxOutputTokens() > 0 ? call.maxOutputTokens() : config.defaultMaxOutputTokens();
        // 4. health: the most capable healthy model at or below the requested one
        String model = requested;
        ModelHealth.Choice health = null;
        if (!p.modelHealth.isEmpty()) {
            health = p.modelHealth.choose(requested, shadow);
            verdict.offer(health.decision);
            if (!health.model.equals(model)) {
                model = health.model;
                priced = price(p, call.provider(), model, epoch);
            }
        }
        // 5. budgets, moving down the ladder past a downgradeAt share
        BudgetRules.Outcome outcome = budgets.reserve(config.budgets(), shadow, scope, model, epoch,
                priced.worstCase(prompt, maxOut), Math.addExact(prompt, maxOut));
        if (outcome.pastDowngrade != null) {
            Downgrade down = downgrade(p, call, outcome, model, scope, shadow, epoch, prompt, maxOut);
            if (down != null) {
                verdict.offer(down.decision);
                if (!shadow) {
                    if (!down.model.equals(model) && health != null && health.breakers != null) {
                        health.breakers.release(); // the permission was for the model we no longer call
                        health = null;
                    }
                    model = down.model;
                    priced = down.priced;
                    outcome = down.outcome;
                }
            }
        }
        verdict.offer(outcome.decision);
        if (verdict.refuses()) {
            undoCount(sessionRules, counted, scope); // in shadow mode too: count what enforcing would have counted
        }
        if (!outcome.granted()) {
            if (health != null && health.breakers != null) {
                health.breakers.release();
            }
            return refused(config, verdict.decision, requested, model, scope, tick, epoch);
        }
        Decision.Builder chosen = verdict.decision;
        if (chosen != outcome.decision) {
            Decision remaining = outcome.decision.build();
            chosen.remaining(remaining.remainingBudget(), remaining.remaining(), remaining.remainingUnit());
        }
        Decision decision = chosen.models(requested, shadow ? requested : model).shadow(shadow).build();
        Admission a = new Admission(this, CallKind.MODEL_CALL, decision, scope, null, null, outcome.hold,
                outcome.units, priced.price, priced.known, prompt, maxOut, priced.worstCase(prompt, maxOut), tick,
                health == null ? null : health.breakers, 0);
        publishPre(config, a, epoch);
        return a;
    }

    private static void undoCount(SessionRules sessionRules, boolean counted, GuardScope scope) {
        if (counted) {
            sessionRules.undoModel(scope);
        }
    }

    /** A price lookup: the price to use (null when none), whether the model was known, and any decision. */
    private static final class Priced {
        final ModelPrice price;
        final boolean known;
        final Decision.Builder decision;

        Priced(ModelPrice price, boolean known, Decision.Builder decision) {
            this.price = price;
            this.known = known;
            this.decision = decision;
        }

        long worstCase(long prompt, long maxOut) {
            return price == null ? 0 : price.worstCaseNanos(prompt, maxOut);
        }
    }

    private static Priced price(Active p, String provider, String model, long epoch) {
        PriceCatalog catalog = p.catalog;
        PricedModel found = catalog.find(provider, model).orElse(null);
        if (found != null) {
            return new Priced(found.priceAt(epoch), true, null);
        }
        UnknownModelPolicy policy = p.config.unknownModel();
        String text = "model " + model + " has no price in the catalog (" + catalog.source() + ")";
        switch (policy.kind()) {
            case ASSUME: {
                PricedModel assumed = catalog.find(null, policy.assumedModel()).orElse(null);
                if (assumed != null) {
                    return new Priced(assumed.priceAt(epoch), false, null);
                }
                return new Priced(null, false, Decision.builder(Action.WARN).rule(RULE_UNKNOWN_MODEL).reason(text
                        + " and the assumed model " + policy.assumedModel() + " has none either; cost budgets"
                        + " cannot count this call"));
            }
            case WARN:
                return new Priced(null, false, Decision.builder(Action.WARN).rule(RULE_UNKNOWN_MODEL)
                        .reason(text + "; cost budgets cannot count this call (unknownModel: warn)"));
            default:
                return new Priced(null, false, Decision.builder(Action.BLOCK).rule(RULE_UNKNOWN_MODEL)
                        .reason(text + "; refused (unknownModel: block)"));
        }
    }

    /** A budget-driven move down the ladder. */
    private static final class Downgrade {
        final String model;
        final Priced priced;
        final BudgetRules.Outcome outcome;
        final Decision.Builder decision;

        Downgrade(String model, Priced priced, BudgetRules.Outcome outcome, Decision.Builder decision) {
            this.model = model;
            this.priced = priced;
            this.outcome = outcome;
            this.decision = decision;
        }
    }

    /**
     * Past a budget's downgradeAt share: the most capable model below {@code model} on the ladder whose worst case
     * the budgets grant. Enforcing, the original reservation is given back first, and taken again if no cheaper
     * model fits. In shadow mode nothing moves: the downgrade that would have happened is returned for the record.
     */
    private Downgrade downgrade(Active p, ModelCall call, BudgetRules.Outcome original, String model,
            GuardScope scope, boolean shadow, long epoch, long prompt, long maxOut) {
        GuardConfig config = p.config;
        List<String> ladder = config.ladder();
        int from = ladder.indexOf(model);
        if (from < 0 || from == ladder.size() - 1) {
            return null;
        }
        Budget trigger = original.pastDowngrade;
        // the observed figure includes this call's reservation on the requested model: say so, or "$0.044 of
        // $0.04" reads like an overspend
        String why = trigger.scope().id() + " budget " + trigger.id() + " would be past its downgradeAt "
                + trigger.downgradeAt() + "% with this call on " + model + " ("
                + trigger.unit().describe(original.pastDowngradeObserved) + " of "
                + trigger.unit().describe(trigger.limit()) + " used or reserved)";
        if (shadow) {
            String next = ladder.get(from + 1);
            return new Downgrade(next, null, original, Decision.builder(Action.DOWNGRADE).rule(trigger.ruleId())
                    .figures(original.pastDowngradeObserved, BudgetRules.share(trigger.limit(), trigger.downgradeAt()),
                            trigger.unit()).reason(why + "; using " + next + " instead of " + model));
        }
        budgets.release(original);
        for (int i = from + 1; i < ladder.size(); i++) {
            String candidate = ladder.get(i);
            Priced c = price(p, call.provider(), candidate, epoch);
            if (c.decision != null && c.decision.action().refuses()) {
                continue; // an unpriced model under unknownModel: block is no way out
            }
            BudgetRules.Outcome o = budgets.reserve(config.budgets(), false, scope, candidate, epoch,
                    c.worstCase(prompt, maxOut), Math.addExact(prompt, maxOut));
            if (o.granted()) {
                return new Downgrade(candidate, c, o, Decision.builder(Action.DOWNGRADE).rule(trigger.ruleId())
                        .figures(original.pastDowngradeObserved, BudgetRules.share(trigger.limit(),
                                trigger.downgradeAt()), trigger.unit())
                        .reason(why + "; using " + candidate + " instead of " + model));
            }
        }
        // nothing cheaper fits: take the original reservation again (or be refused by it)
        Priced same = price(p, call.provider(), model, epoch);
        BudgetRules.Outcome again = budgets.reserve(config.budgets(), false, scope, model, epoch,
                same.worstCase(prompt, maxOut), Math.addExact(prompt, maxOut));
        return new Downgrade(model, same, again, null);
    }

    /**
     * Decides on a tool call: caps and loop rules.
     *
     * @param call the call about to be executed
     * @return the admission; {@link Admission#complete() complete}, fail or release it exactly once
     */
    public Admission admitToolCall(ToolCall call) {
        long tick = ticker.read();
        long epoch = clock.millis();
        Active p = active;
        SessionRules sessionRules = p.sessionRules;
        boolean shadow = p.config.mode() == Mode.SHADOW;
        long fingerprint = 0;
        Decision.Builder fired = null;
        if (!sessionRules.isEmpty()) {
            fingerprint = CanonicalArguments.fingerprint(call.tool(), call.arguments());
            fired = sessionRules.admitTool(call.scope(), call.tool(), fingerprint);
        }
        Decision decision = (fired == null ? Decision.builder(Action.ALLOW) : fired).shadow(shadow).build();
        Admission a = new Admission(this, CallKind.TOOL_CALL, decision, call.scope(), call.tool(), call.arguments(),
                null, null, null, true, 0, 0, 0, tick, null, fingerprint);
        publishPre(p.config, a, epoch);
        return a;
    }

    /** A refused model call: it holds nothing, and its decision is published. */
    private Admission refused(GuardConfig config, Decision.Builder decision, String requested, String model,
            GuardScope scope, long tick, long epoch) {
        Decision d = decision.models(requested, model).shadow(false).build();
        Admission a = new Admission(this, CallKind.MODEL_CALL, d, scope, null, null, null, null, null, false, 0, 0, 0, tick,
                null, 0);
        publishPre(config, a, epoch);
        return a;
    }

    /** The tightest of the decisions offered so far; the first among equals. */
    private static final class Verdict {
        Decision.Builder decision = Decision.builder(Action.ALLOW);

        void offer(Decision.Builder candidate) {
            if (candidate != null && candidate.action().isTighterThan(decision.action())) {
                decision = candidate;
            }
        }

        boolean refuses() {
            return decision.action().refuses();
        }
    }

    /** Called once per admission by {@link Admission} to settle or fail it. */
    void finish(Admission a, Usage reported, long latencyNanos, long ttftNanos, Throwable error, boolean failed) {
        long cost = 0;
        long tokens = 0;
        if (a.kind == CallKind.MODEL_CALL) {
            Usage billed = failed ? knownOnly(reported) : filled(reported, a.promptTokens, a.maxOutputTokens);
            cost = a.price == null ? 0 : a.price.costNanos(billed);
            tokens = billed.totalTokens();
            if (a.hold != null) {
                long[] actual = new long[a.units.length];
                for (int i = 0; i < actual.length; i++) {
                    actual[i] = a.units[i] == Unit.USD ? cost : a.units[i] == Unit.TOKENS ? tokens : 1;
                }
                ledger.settle(a.hold, actual);
            }
            if (a.breakers != null) {
                a.breakers.record(latencyNanos, failed ? (error == null ? new IllegalStateException("model call failed") : error) : null);
            }
            telemetry.recordModelCall(a.scope, a.model(), cost, tokens, failed, latencyNanos, ttftNanos);
        } else {
            if (a.fingerprint != 0) {
                active.sessionRules.toolFinished(a.scope, a.fingerprint, failed ? errorFingerprint(error) : 0, failed);
            }
            telemetry.recordToolCall(a.scope, a.tool, failed, latencyNanos);
        }
        publishPost(a, reported, cost, latencyNanos, ttftNanos,
                failed ? (error == null ? "error" : error.getClass().getName()) : DecisionEvent.OK);
    }

    /** Two failures are the same when their class and message are. */
    private static long errorFingerprint(Throwable error) {
        return error == null ? 1 : CanonicalArguments.hash(error.getClass().getName() + ": " + error.getMessage());
    }

    /** Called once per admission by {@link Admission} to release it. */
    void release(Admission a) {
        if (a.hold != null) {
            ledger.release(a.hold);
        }
        if (a.breakers != null) {
            a.breakers.release();
        }
        publishPost(a, null, 0, -1, -1, DecisionEvent.RELEASED);
    }

    /** Unknown counts of a successful call are charged at the reservation's estimate. */
    private static Usage filled(Usage u, long promptTokens, long maxOutputTokens) {
        if (u.isComplete()) {
            return u;
        }
        long cacheRead = Math.max(0, u.cacheRead());
        long cacheWrite = Math.max(0, u.cacheWrite());
        long input = Usage.isKnown(u.input()) ? u.input() : Math.max(0, promptTokens - cacheRead - cacheWrite);
        long reasoning = Math.max(0, u.reasoning());
        long output = Usage.isKnown(u.output()) ? u.output() : Math.max(0, maxOutputTokens - reasoning);
        return Usage.of(input, cacheRead, cacheWrite, output, reasoning);
    }

    private static Usage knownOnly(Usage u) {
        return Usage.of(Math.max(0, u.input()), Math.max(0, u.cacheRead()), Math.max(0, u.cacheWrite()),
                Math.max(0, u.output()), Math.max(0, u.reasoning()));
    }

    private void publishPre(GuardConfig config, Admission a, long epoch) {
        if (listeners.isEmpty()) {
            return;
        }
        publish(new DecisionEvent(SEQ.incrementAndGet(), Instant.ofEpochMilli(epoch), config.name(), config.mode(),
                a.kind, Phase.PRE, a.decision, a.scope, a.tool, a.toolArguments, null, -1, a.reservedNanos, a.priced,
                -1, -1, null, -1, -1));
    }

    private void publishPost(Admission a, Usage usage, long cost, long latency, long ttft, String outcome) {
        if (listeners.isEmpty()) {
            return;
        }
        GuardConfig config = active.config;
        publish(new DecisionEvent(SEQ.incrementAndGet(), clock.instant(), config.name(), config.mode(), a.kind,
                Phase.POST, a.decision, a.scope, a.tool, a.toolArguments, usage, cost, a.reservedNanos, a.priced,
                latency, ttft, outcome, a.droppedMessages(), a.droppedTokens()));
    }

    private void publish(DecisionEvent event) {
        for (DecisionListener l : listeners) {
            try {
                l.onDecision(event);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("decision listener {} failed on event #{}; the guard goes on", l.getClass().getName(),
                        event.seq(), e);
            }
        }
    }

    /**
     * Adds a listener for every later decision.
     *
     * @param listener the listener
     */
    public void addListener(DecisionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** @return the policy in force now */
    public GuardConfig config() {
        return active.config;
    }

    /**
     * Replaces the policy of this guard, atomically for every admission that starts afterwards. Admissions already
     * made keep the decision they were given and settle as usual. What carries over: the ledger (spend and
     * outstanding reservations of every budget whose id is kept, whatever its new limit), suspensions, per-session
     * call counts and loop history (judged against the new caps and loop rules), telemetry, listeners, and the
     * health of each model when the health rules and ladder are unchanged (otherwise health starts afresh). The
     * runtime collaborators given to the builder, and the telemetry settings the ledger was sized with, stay as
     * they were. A budget whose window shape changes under the same id keeps its old window until its entries
     * expire.
     *
     * <p>The change is published to the listeners as a decision of kind {@link CallKind#POLICY}, action
     * {@code allow}, rule {@value #RULE_POLICY_RELOAD}.
     *
     * @param next the new policy, already validated by {@link GuardConfig.Builder#build()}
     */
    public void reconfigure(GuardConfig next) {
        Objects.requireNonNull(next, "config");
        GuardConfig previous;
        synchronized (this) { // one swap at a time, so that no reload is lost between read and write
            Active current = active;
            previous = current.config;
            ModelHealth health = current.modelHealth.hasSameRules(next.health(), next.ladder())
                    ? current.modelHealth : new ModelHealth(next.health(), next.ladder(), clock);
            active = new Active(next, current.sessionRules.reconfigured(next.caps(), next.loops()), health);
        }
        publishPolicy(next, Action.ALLOW, "policy " + previous.name() + " replaced by " + next);
    }

    /**
     * Records that a new policy was offered but rejected (a broken edit of a watched file, say), and that the
     * policy in force stays: a decision of kind {@link CallKind#POLICY}, action {@code warn}, rule
     * {@value #RULE_POLICY_RELOAD}, for the audit trail. Logging is the caller's business.
     *
     * @param reason why the new policy was rejected, e.g. the loader's error message
     */
    public void rejectPolicy(String reason) {
        GuardConfig config = active.config;
        publishPolicy(config, Action.WARN, "new policy rejected, " + config.name() + " stays in force: " + reason);
    }

    private void publishPolicy(GuardConfig config, Action action, String reason) {
        if (listeners.isEmpty()) {
            return;
        }
        Decision d = Decision.builder(action).rule(RULE_POLICY_RELOAD).reason(reason).build();
        publish(new DecisionEvent(SEQ.incrementAndGet(), clock.instant(), config.name(), config.mode(),
                CallKind.POLICY, Phase.PRE, d, GuardScope.NONE, null, null, null, -1, -1, true, -1, -1, null, -1, -1));
    }

    /** @return the live figures per scope */
    public Telemetry telemetry() {
        return telemetry;
    }

    /** @return where budget state lives */
    public BudgetLedger ledger() {
        return ledger;
    }

    /** @return the price catalog in use, overrides included */
    public PriceCatalog priceCatalog() {
        return active.catalog;
    }

    Ticker ticker() {
        return ticker;
    }

    /**
     * Reads a budget's window now: settled amounts plus outstanding reservations.
     *
     * @param budgetId a budget of the policy
     * @param scopeKey the key at the budget's level (a session id, an agent name; anything for global)
     * @return the amount used, in the budget's unit (nano-dollars for USD)
     * @throws IllegalArgumentException if the policy has no such budget
     */
    public long budgetUsed(String budgetId, String scopeKey) {
        GuardConfig config = active.config;
        for (Budget b : config.budgets()) {
            if (b.id().equals(budgetId)) {
                String key = b.scope() == Scope.GLOBAL ? Scope.GLOBAL_KEY : scopeKey;
                return ledger.used(new BudgetKey(b.id(), b.scope(), key, b.window()));
            }
        }
        throw new IllegalArgumentException("no budget '" + budgetId + "' in policy " + config.name());
    }

    /** Closes the listeners that are {@link AutoCloseable}, each once, isolating failures. */
    @Override
    public void close() {
        List<DecisionListener> closing = new ArrayList<>(listeners);
        listeners.clear();
        for (DecisionListener l : closing) {
            if (l instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) l).close();
                } catch (Exception e) {
                    LOG.warn("closing decision listener {} failed", l.getClass().getName(), e);
                }
            }
        }
    }

    @Override
    public String toString() {
        GuardConfig config = active.config;
        return "Guard{" + config.name() + ", " + config.mode().id() + '}';
    }

    /** Builds a {@link Guard} from a policy and its runtime collaborators. */
    public static final class Builder {
        private final GuardConfig config;
        private Ticker ticker = Ticker.system();
        private Clock clock = Clock.systemUTC();
        private BudgetLedger ledger;
        private final List<DecisionListener> listeners = new ArrayList<>();

        private Builder(GuardConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** @param ticker the monotonic time source; default the system's @return this */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** @param clock the wall clock for timestamps and calendar windows; default UTC system clock @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param ledger where budget state lives; default an {@link InMemoryLedger} on this builder's clocks @return this */
        public Builder ledger(BudgetLedger ledger) {
            this.ledger = Objects.requireNonNull(ledger, "ledger");
            return this;
        }

        /** @param listener receives every decision @return this */
        public Builder listener(DecisionListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** @return the guard */
        public Guard build() {
            return new Guard(this);
        }
    }
}
