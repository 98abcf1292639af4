package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.RecentTicker;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.telemetry.Telemetry;
import dev.agentguard.core.telemetry.TelemetryConfig;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.ledger.InMemoryLedger;
import dev.agentguard.core.ledger.InProcessSuspensions;
import dev.agentguard.core.ledger.WindowState;
import dev.agentguard.core.redact.Redactor;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.pricing.PriceCatalog;
import dev.agentguard.core.pricing.PricedModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
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
 * order: (1) {@link Caps caps} on model calls per session and per turn, {@code loops.repeatedModelRequest}, and
 * the end of a run: after a tool call of the session was refused with {@code block} or {@code suspend}, a model
 * call that continues that turn (its last message is a tool result) is refused with the same rule; (2) the price
 * lookup, with {@link UnknownModelPolicy} for a model the catalog lacks ({@code pricing.unknownModel}); (3)
 * {@code caps.promptTokens} (truncate to the cap, or block); (4) model health ({@code health.latency},
 * {@code health.errors}): the most capable healthy model at or below the requested one on the ladder; (5) the
 * budgets, which reserve the call's worst case on every budget that applies ({@link BudgetRules}), moving further
 * down the ladder while a budget is past its {@code downgradeAt} share. A tool call goes through caps
 * ({@code caps.toolCallsPerSession}, {@code caps.toolCallsPerTurn}, {@code caps.perTool.<tool>}), loops
 * ({@code loops.identicalToolCalls}, {@code loops.alternatingToolCalls}, {@code loops.repeatedToolError}) and
 * suspensions: a suspended scope runs no tool either. <b>Every rule is evaluated into one verdict</b>
 * ({@code Verdict}): once a rule refuses, the later stages reserve and change nothing, but still say what they
 * would do (the budgets look without reserving, so a suspension is never hidden behind a cap or a block budget).
 * Of everything that fires, <b>the tightest action wins</b>: suspend, then block, then feedback, then final answer,
 * then truncate, then downgrade, then warn, then allow ({@link Action#isTighterThan}); among equals, the first in
 * the order above.
 * Every rule that fired is listed in the decision ({@link Decision#fired()}). A downgrade still applies when a
 * truncation wins (the decision's {@link Decision#model()} is the cheaper model). In {@link Mode#SHADOW shadow
 * mode} every step runs and the decision that enforcing would have taken is recorded, marked shadow, but the call
 * is never refused or changed; call counts follow what enforcing would have counted, while spend is the real
 * spend.
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
 * <p><b>Every hold ends.</b> A reservation open longer than {@link GuardConfig#reservationLease()} is charged its
 * worst case and recorded ({@value #RULE_RESERVATION_EXPIRED}); admissions check the open ones at most once a
 * second, and {@link #expireStalled()} does it on demand. A listener that throws, even an {@code Error}, is logged
 * and isolated after the hold is safe.
 *
 * <p><b>Time.</b> Sliding windows and durations follow the monotonic {@link Ticker}; calendar windows,
 * suspensions and timestamps read the wall clock through a {@link SteadyClock}, so that one outlier reading does
 * not roll or park a calendar budget (a jump is recorded with the rule {@value #RULE_CLOCK_JUMP}).
 *
 * <p>Close the guard when done: listeners that are {@link AutoCloseable} (the audit sink) are closed.
 */
public final class Guard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    /**
     * The sequence of this guard's decisions: per guard, so that guards of one process share no counter. A call's
     * id ({@link DecisionEvent.CallEvent#callId()}) is the sequence number of its admission, so that a call takes
     * one number for its two events plus one, not a second counter that threads on distinct sessions would share.
     */
    private final AtomicLong seq = new AtomicLong();

    /**
     * @param action the action of the admission's decision
     * @return a new call id, the sequence number its admission event will carry; 0 when no listener wants that
     *     event (see {@link DecisionListener#wants}): then the event is not built, and calls on distinct sessions
     *     share no counter
     */
    private long callId(Action action) {
        return wanted(action) ? seq.incrementAndGet() : 0;
    }

    /** @return whether some listener wants the events of decisions with this action now */
    private boolean wanted(Action action) {
        DecisionListener[] ls = listeners;
        for (int i = 0; i < ls.length; i++) {
            if (wants(ls[i], action)) {
                return true;
            }
        }
        return false;
    }

    /** Asks a listener, isolating a failure as {@link #publish} does: a listener that cannot say wants all. */
    private static boolean wants(DecisionListener l, Action action) {
        try {
            return l.wants(action);
        } catch (Throwable e) { // NOPMD: isolation of observers is the point
            return true;
        }
    }

    /** Rule id of decisions about models the price catalog does not know. */
    public static final String RULE_UNKNOWN_MODEL = "pricing.unknownModel";

    /** Rule id of the decisions that record a policy change, applied or rejected. */
    public static final String RULE_POLICY_RELOAD = "policy.reload";

    /** Rule id of the record of a call whose reservation outlived its lease, and of a settlement that came late. */
    public static final String RULE_RESERVATION_EXPIRED = "reservation.expired";

    /** Rule id of the decisions taken when the ledger is full of windows that still count. */
    public static final String RULE_TELEMETRY_FULL = "telemetry.full";

    /** Rule id of the decisions taken while a shared ledger (Redis) cannot be reached: see {@code Hold}. */
    public static final String RULE_LEDGER_UNAVAILABLE = "ledger.unavailable";

    /** Rule id of the record of a wall clock that jumped away from the monotonic ticker. */
    public static final String RULE_CLOCK_JUMP = "clock.jump";

    /**
     * The most one call is charged, in nano-dollars or tokens ($1.1M): a reported usage beyond it is absurd, and
     * capping it keeps every window's running total far from overflowing.
     */
    static final long MAX_CHARGE = 1L << 50;

    /** Said of a settlement's end tick when its caller measured its durations: the guard reads the time itself. */
    static final long NO_TICK = Long.MIN_VALUE;

    /** How often open reservations are checked against their lease, at most. */
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final Ticker ticker;
    /** The session rules' cache time: the guard's latest reading of {@link #ticker} (see {@link RecentTicker}). */
    private final RecentTicker recent;
    private final SteadyClock clock;
    private final BudgetLedger ledger;
    private final Telemetry telemetry;
    private final BudgetRules budgets;
    private static final DecisionListener[] NO_LISTENERS = {};
    /**
     * Replaced whole (under {@link #listenerLock}), never changed: every publication walks the array it read, by
     * index, with no iterator per event.
     */
    private volatile DecisionListener[] listeners = NO_LISTENERS;
    private final Object listenerLock = new Object();
    /** Admissions that hold a reservation or a probe permission, for the lease. */
    private final OpenCalls open = new OpenCalls();
    private final AtomicLong nextSweep;
    /** Calls without a session under a policy with session rules: a WARN on this guard's logger once a minute. */
    private final SessionlessCalls sessionless = new SessionlessCalls(LOG);
    /** Sessions an operator stopped, with the reason their calls are refused; empty almost always. */
    private final Map<String, String> stopped = new ConcurrentHashMap<>();
    private volatile GuardAdmin admin;
    private final Redactor adminRedactor;
    /** The last refusals, for operators; written only when a call is refused. */
    private final GuardAdmin.RecentRefusals refusals = new GuardAdmin.RecentRefusals(100);
    /** Everything derived from the policy; read once per admission so that a call sees one policy throughout. */
    private volatile Active active;

    /** The policy and the rule objects built from it. */
    private static final class Active {
        final GuardConfig config;
        final PriceCatalog catalog;
        final SessionRules sessionRules;
        final ModelHealth modelHealth;
        /**
         * The latest known price looked up, reused while the catalog answers with the same price: a process prices
         * the same few models again and again. Racy and benign: a thread sees a whole (immutable) one, or makes one.
         */
        Priced lastKnown;

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
        this.recent = new RecentTicker(b.ticker);
        // calendar windows, suspensions and timestamps must not follow one outlier wall-clock reading
        this.clock = new SteadyClock(b.clock, b.ticker, SteadyClock.DEFAULT_TOLERANCE,
                SteadyClock.DEFAULT_CONFIRMATION, this::clockJumped);
        TelemetryConfig t = config.telemetry();
        this.ledger = b.ledger != null ? b.ledger : InMemoryLedger.builder()
                .ticker(ticker).clock(clock).idleExpiry(t.sessionIdleExpiry()).onFull(t.onFull())
                .maxWindows(t.maxSessions() * TelemetryConfig.WINDOWS_PER_SESSION).build();
        this.nextSweep = new AtomicLong(ticker.read() + SWEEP_INTERVAL_NANOS);
        this.telemetry = new Telemetry(t, ticker, clock);
        ResolvedLimits resolved = b.limitResolver == null ? null : new ResolvedLimits(b.limitResolver,
                b.limitRefresh, t.maxSessions(), ticker, b.refreshExecutor);
        // a ledger that keeps no suspensions of its own gets them in this process, as before they joined the SPI
        this.budgets = new BudgetRules(InProcessSuspensions.around(ledger, ticker, clock, t.maxSessions()), ticker,
                t.maxSessions(), resolved);
        this.active = new Active(config, new SessionRules(config.caps(), config.loops()),
                new ModelHealth(config.health(), config.ladder(), clock));
        this.listeners = b.listeners.toArray(NO_LISTENERS);
        this.adminRedactor = b.adminRedactor;
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
        long tick = recent.observe(ticker.read());
        sweepIfDue(tick);
        long epoch = clock.millisAt(tick);
        Active p = active;
        GuardConfig config = p.config;
        GuardScope scope = call.scope();
        String requested = call.model();
        Verdict verdict = new Verdict(config.mode() == Mode.SHADOW);
        if (!stopped.isEmpty()) {
            verdict.offer(stoppedBy(scope));
        }

        // the session's record (figures and rule state), found once for the whole call
        Telemetry.Tracked session = scope.session() == null ? null : telemetry.session(scope.session(), tick);
        prefetch(session, true);
        // 1. caps, loops, a run that a refused tool call ended: cheap, and they need no price. A call they let
        // through is counted at once (so that concurrent calls of a session see it) and taken back if refused.
        boolean counted = !p.sessionRules.isEmpty() && p.sessionRules.admitModel(session, scope,
                call.requestFingerprint(), call.continuesToolResult(), verdict);
        // 2. the price of the requested model
        Priced priced = price(p, call.provider(), requested, epoch);
        verdict.offer(priced.decision);
        // 3. the prompt's size, as it will be sent
        long asked = call.promptTokens(config.tokenEstimator());
        long prompt = promptTokens(config, call, asked, verdict);
        long maxOut = call.maxOutputTokens() > 0 ? call.maxOutputTokens() : config.defaultMaxOutputTokens();
        if (verdict.stops()) {
            // refused already: reserve nothing, but let the budgets say what they would (a suspension wins)
            for (Decision.Builder d : budgets.peek(config.budgets(), scope, requested, call.provider(), epoch,
                    priced.worstCase(prompt, maxOut), saturatedSum(prompt, maxOut))) {
                verdict.offer(d);
            }
            undoCount(p.sessionRules, counted, session);
            return refused(config, verdict, requested, requested, call, asked, tick, epoch);
        }
        // 4. health: the most capable healthy model at or below the requested one
        String model = requested;
        ModelHealth.Choice health = null;
        if (!p.modelHealth.isEmpty()) {
            health = p.modelHealth.choose(requested, verdict.shadow());
            verdict.offer(health.decision);
            if (!health.model.equals(model)) {
                model = health.model;
                priced = price(p, call.provider(), model, epoch);
            }
        }
        // 5. budgets, moving down the ladder past a downgradeAt share
        boolean shadow = verdict.shadow();
        long worstCase = priced.worstCase(prompt, maxOut); // priced once: five rates, tiers and all
        BudgetRules.Outcome outcome = budgets.reserve(config.budgets(), shadow, scope, session, model, call.provider(),
                tick, epoch, worstCase, saturatedSum(prompt, maxOut));
        if (outcome.pastDowngrade != null) {
            Downgrade down = downgrade(p, call, outcome, model, scope, session, shadow, tick, epoch, prompt, maxOut);
            if (down != null) {
                verdict.offer(down.decision);
                if (!shadow) {
                    if (!down.model.equals(model) && health != null && health.breakers != null) {
                        health.breakers.release(); // the permission was for the model we no longer call
                        health = null;
                    }
                    model = down.model;
                    priced = down.priced;
                    worstCase = priced.worstCase(prompt, maxOut);
                    outcome = down.outcome;
                }
            }
        }
        outcome.offerTo(verdict);
        if (verdict.refuses()) {
            // in shadow mode too: count what enforcing would have counted
            undoCount(p.sessionRules, counted, session);
        }
        if (!outcome.granted() && !shadow) { // shadow: even a ledger full of windows changes no call
            if (health != null && health.breakers != null) {
                health.breakers.release();
            }
            return refused(config, verdict, requested, model, call, asked, tick, epoch);
        }
        Decision decision = verdict.decide(requested, model); // with the tightest budget's remaining share
        long id = callId(decision.action());
        Admission a = Admission.modelCall(this, id, decision, scope, session, outcome.hold,
                outcome.units, priced.price, priced.known, prompt, maxOut, worstCase, tick,
                health == null ? null : health.breakers);
        if (a.holdsSomething()) {
            open.add(a); // from here on, the lease ends the hold if nothing else does
        }
        publishPre(config, a, epoch, id == 0 ? CallRequest.NONE : CallRequest.of(call, asked));
        return a;
    }

    /**
     * Starts loading what the call will reach of its session besides its rule state (the budget window it reserves
     * on, the figures it is recorded in), without waiting: a session called again after thousands of others has left
     * the processor's caches, and these waits then overlap the rules' instead of following them one by one (see
     * {@link dev.agentguard.core.common.Prefetch}).
     *
     * @param budgeted whether the call reserves on a budget: a tool call that none counts (most) leaves the budget
     *     window where it is, rather than fetch lines it never reads
     */
    private static void prefetch(Telemetry.Tracked session, boolean budgeted) {
        if (session != null) {
            if (budgeted) {
                BudgetRules.prefetch(session);
            }
            session.prefetch();
        }
    }

    /**
     * Applies {@code caps.promptTokens}: a prompt over the cap is truncated (reserved at the size the call's
     * truncator brings it to, or refused when it cannot come under) or blocked.
     *
     * @return the prompt tokens to reserve
     */
    private static long promptTokens(GuardConfig config, ModelCall call, long asked, Verdict verdict) {
        long prompt = asked;
        Caps caps = config.caps();
        long max = caps.promptTokensMax();
        if (max <= 0 || prompt <= max) {
            return prompt;
        }
        boolean truncate = caps.promptAction() == Caps.PromptAction.TRUNCATE;
        verdict.offer(Decision.builder(truncate ? Action.TRUNCATE : Action.BLOCK).rule("caps.promptTokens")
                .figures(prompt, max, Unit.TOKENS)
                .targetPromptTokens(truncate ? max : Decision.NO_FIGURE)
                .reason("prompt of " + prompt + " tokens is over the " + max + "-token cap"
                        + (truncate ? "; truncate it to fit" : "")));
        PromptTruncator truncator = call.truncator();
        if (!truncate || verdict.shadow() || verdict.stops() || truncator == null) {
            return prompt; // without a truncator the caller may send it all: reserve it all
        }
        // reserve what will be sent: the prompt as the caller's truncator shortens it
        long fitted = truncator.fit(max);
        if (fitted > max) {
            verdict.offer(Decision.builder(Action.BLOCK).rule("caps.promptTokens")
                    .figures(fitted, max, Unit.TOKENS)
                    .reason("prompt of " + prompt + " tokens is over the " + max + "-token cap, and truncation"
                            + " cannot bring it under: what must stay (system messages, the latest user message,"
                            + " tools) is " + fitted + " tokens"));
            return prompt;
        }
        return fitted;
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static void undoCount(SessionRules sessionRules, boolean counted, Telemetry.Tracked session) {
        if (counted) {
            sessionRules.undoModel(session);
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
            ModelPrice price = found.priceAt(epoch);
            Priced last = p.lastKnown;
            if (last == null || last.price != price) {
                last = new Priced(price, true, null);
                p.lastKnown = last;
            }
            return last;
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
            GuardScope scope, Telemetry.Tracked session, boolean shadow, long tick, long epoch, long prompt,
            long maxOut) {
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
                + trigger.unit().describe(original.pastDowngradeLimit) + " used or reserved)";
        if (shadow) {
            String next = ladder.get(from + 1);
            return new Downgrade(next, null, original, Decision.builder(Action.DOWNGRADE).rule(trigger.ruleId())
                    .figures(original.pastDowngradeObserved, BudgetRules.share(original.pastDowngradeLimit, trigger.downgradeAt()),
                            trigger.unit()).reason(why + "; using " + next + " instead of " + model));
        }
        budgets.release(original);
        for (int i = from + 1; i < ladder.size(); i++) {
            String candidate = ladder.get(i);
            Priced c = price(p, call.provider(), candidate, epoch);
            if (c.decision != null && c.decision.action().refuses()) {
                continue; // an unpriced model under unknownModel: block is no way out
            }
            BudgetRules.Outcome o = budgets.reserve(config.budgets(), false, scope, session, candidate,
                    call.provider(), tick, epoch, c.worstCase(prompt, maxOut), Math.addExact(prompt, maxOut));
            if (o.granted()) {
                return new Downgrade(candidate, c, o, Decision.builder(Action.DOWNGRADE).rule(trigger.ruleId())
                        .figures(original.pastDowngradeObserved, BudgetRules.share(
                                original.pastDowngradeLimit, trigger.downgradeAt()), trigger.unit())
                        .reason(why + "; using " + candidate + " instead of " + model));
            }
        }
        // nothing cheaper fits: take the original reservation again (or be refused by it)
        Priced same = price(p, call.provider(), model, epoch);
        BudgetRules.Outcome again = budgets.reserve(config.budgets(), false, scope, session, model, call.provider(),
                tick, epoch, same.worstCase(prompt, maxOut), Math.addExact(prompt, maxOut));
        return new Downgrade(model, same, again, null);
    }

    /**
     * Decides on a tool call: caps and loop rules.
     *
     * @param call the call about to be executed
     * @return the admission; {@link Admission#complete() complete}, fail or release it exactly once
     */
    public Admission admitToolCall(ToolCall call) {
        long tick = recent.observe(ticker.read());
        long epoch = clock.millisAt(tick);
        Active p = active;
        GuardConfig config = p.config;
        SessionRules sessionRules = p.sessionRules;
        Verdict verdict = new Verdict(config.mode() == Mode.SHADOW);
        if (!stopped.isEmpty()) {
            verdict.offer(stoppedBy(call.scope()));
        }
        Money price = config.toolPrices().isEmpty() ? null : config.toolPrices().get(call.tool());
        Long maxUnits = price == null || config.toolMaxUnits().isEmpty() ? null : config.toolMaxUnits().get(call.tool());
        // priced per unit it reports: reserve the most units (the builder bounds the product by MAX_CHARGE)
        long priceNanos = price == null ? 0 : maxUnits == null ? price.nanos() : price.nanos() * maxUnits;
        boolean budgeted = budgets.countsTool(config.budgets(), priceNanos);
        String sessionId = call.scope().session();
        Telemetry.Tracked session = sessionId == null ? null : telemetry.session(sessionId, tick);
        prefetch(session, budgeted);
        long fingerprint = 0;
        if (!sessionRules.isEmpty()) {
            fingerprint = CanonicalArguments.fingerprint(call.tool(), call.arguments());
            sessionRules.admitTool(session, call.scope(), call.tool(), fingerprint, verdict);
        }
        if (!verdict.shadow()) {
            verdict.offer(budgets.suspension(config.budgets(), call.scope(), epoch)); // a suspended scope runs no tool
        }
        BudgetRules.Outcome outcome = null;
        if (!verdict.stops() && budgeted) {
            outcome = budgets.reserveTool(config.budgets(), verdict.shadow(), call.scope(), session, call.tool(),
                    priceNanos, tick, epoch);
            outcome.offerTo(verdict);
        }
        Decision decision = verdict.decide(null, null);
        if (decision.action() == Action.BLOCK || decision.action() == Action.SUSPEND) {
            sessionRules.runEnded(session, call.scope(), decision); // whatever the wiring, the run ends here
        }
        if (!decision.proceeds()) {
            GuardScope s = call.scope();
            refusals.add(new GuardAdmin.Refusal(Instant.ofEpochMilli(epoch), CallKind.TOOL_CALL, decision.action(),
                    decision.rule(), decision.reason(), s.agent(), s.session(), s.tenant(), call.tool()));
        }
        boolean holds = outcome != null && outcome.granted();
        if (holds && !decision.proceeds()) {
            budgets.release(outcome); // refused after all (in enforce mode a refusal runs nothing)
            holds = false;
        }
        long id = callId(decision.action());
        // the request's fingerprint is recorded whether or not a session rule needed it
        CallRequest request = id == 0 ? CallRequest.NONE : CallRequest.ofTool(fingerprint != 0
                ? fingerprint : CanonicalArguments.fingerprint(call.tool(), call.arguments()));
        Admission a = Admission.toolCall(this, id, decision, call.scope(), session, call.tool(),
                call.arguments(), tick, fingerprint, holds ? outcome.hold : null, holds ? outcome.units : null,
                priceNanos, maxUnits == null ? 0 : maxUnits);
        publishPre(config, a, epoch, request);
        if (a.holdsSomething()) {
            open.add(a); // the lease ends a tool call that never reports back
        }
        return a;
    }

    /** @return the refusal of a call whose session an operator stopped, or null */
    private Decision.Builder stoppedBy(GuardScope scope) {
        String why = scope.session() == null ? null : stopped.get(scope.session());
        return why == null ? null : Decision.builder(Action.BLOCK).rule(GuardAdmin.RULE_STOP).reason(why);
    }

    /** @return the operator's view of this guard: budget keys, suspensions, and actions on them */
    public GuardAdmin admin() {
        GuardAdmin a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = new GuardAdmin(this);
                }
                a = admin;
            }
        }
        return a;
    }

    String name() {
        return active.config.name();
    }

    GuardAdmin.KeyState keyState(Budget b, String scopeKey) {
        String key = keyAt(b, scopeKey);
        BudgetKey bk = new BudgetKey(b.id(), b.scope(), key, b.window());
        WindowState w = budgets.ledger().window(bk);
        Instant windowEnd = w == null ? null : w.windowEnd();
        return new GuardAdmin.KeyState(b.id(), key, ledger.used(bk), ledger.reserved(bk), budgets.limitFor(b, bk),
                b.unit(), budgets.suspendedUntil(bk), budgets.granted(bk), windowEnd);
    }

    /** @return the state of every key the ledger holds for the current policy's budgets (one, or all when null) */
    List<GuardAdmin.KeyState> keyStates(String budgetId) {
        Map<String, Budget> byId = new HashMap<>();
        for (Budget b : active.config.budgets()) {
            byId.put(b.id(), b);
        }
        List<GuardAdmin.KeyState> out = new ArrayList<>();
        for (WindowState w : budgets.ledger().windows(budgetId)) {
            Budget b = byId.get(w.budgetId());
            if (b == null || b.scope() != w.scope()) {
                continue; // a budget the policy no longer has: its windows drain on their own
            }
            BudgetKey bk = new BudgetKey(b.id(), b.scope(), w.scopeKey(), b.window());
            out.add(new GuardAdmin.KeyState(b.id(), w.scopeKey(), w.used(), w.reserved(), budgets.limitFor(b, bk),
                    b.unit(), w.suspendedUntil(), budgets.granted(bk), w.windowEnd()));
        }
        return out;
    }

    boolean reset(Budget b, String scopeKey) {
        return budgets.ledger().reset(new BudgetKey(b.id(), b.scope(), keyAt(b, scopeKey), b.window()));
    }

    /** @return what the admin view passes reasons through */
    Redactor adminRedactor() {
        return adminRedactor;
    }

    List<GuardAdmin.Suspended> suspensions() {
        return budgets.suspensions();
    }

    List<GuardAdmin.Refusal> recentRefusals() {
        return refusals.snapshot();
    }

    List<String> stoppedSessions() {
        return List.copyOf(stopped.keySet());
    }

    boolean lift(Budget b, String scopeKey) {
        return budgets.lift(new BudgetKey(b.id(), b.scope(), keyAt(b, scopeKey), b.window()));
    }

    private static String keyAt(Budget b, String scopeKey) {
        return b.scope() == Scope.GLOBAL ? Scope.GLOBAL_KEY : Objects.requireNonNull(scopeKey, "scopeKey");
    }

    void grant(Budget b, String scopeKey, long extra, java.time.Duration duration) {
        budgets.grant(new BudgetKey(b.id(), b.scope(), keyAt(b, scopeKey), b.window()), extra, duration);
    }

    boolean stop(String session, String why) {
        return stopped.putIfAbsent(session, why) == null;
    }

    boolean resume(String session) {
        return stopped.remove(session) != null;
    }

    void recordAdmin(Decision d) {
        publishGuard(active.config, d);
    }

    /** A refused model call: it holds nothing, and its decision is published. */
    private Admission refused(GuardConfig config, Verdict verdict, String requested, String model, ModelCall call,
            long asked, long tick, long epoch) {
        GuardScope scope = call.scope();
        Decision decision = verdict.decide(requested, model);
        long id = callId(decision.action());
        Admission c = Admission.refused(this, id, decision, scope, tick);
        refusals.add(new GuardAdmin.Refusal(Instant.ofEpochMilli(epoch), CallKind.MODEL_CALL, c.decision.action(),
                c.decision.rule(), c.decision.reason(), scope.agent(), scope.session(), scope.tenant(), null));
        publishPre(config, c, epoch, id == 0 ? CallRequest.NONE : CallRequest.of(call, asked));
        return c;
    }

    /**
     * Called once per admission by {@link Admission} to settle, fail or cancel it.
     *
     * @param reported what the provider reported ({@link Usage#NONE} when nothing)
     * @param receivedOutput output tokens received before a failure or cancellation, or -1 when unknown; for a tool
     *     call, the units it reported ({@link Admission#complete(long)}), or -1
     * @param outcome {@link DecisionEvent#OK}, {@link DecisionEvent#CANCELLED}, or null for a failure (the error's
     *     class then names the outcome)
     */
    void finish(Admission c, int droppedMessages, long droppedTokens, Usage reported,
            long endTick, long latencyNanos, long ttftNanos, Throwable error, long receivedOutput, String outcome) {
        long tick = endTick != NO_TICK ? endTick : ticker.read(); // one reading for telemetry and the record
        boolean failed = outcome == null || !DecisionEvent.OK.equals(outcome);
        long cost = 0;
        long tokens = 0;
        if (c.kind == CallKind.MODEL_CALL) {
            if (failed && !reported.hasAnyCount() && active.config.onCancel() == OnCancel.WORST_CASE) {
                cost = worstCaseCost(c); // exactly what was reserved, rates and all
                tokens = worstCaseTokens(c);
            } else {
                Usage billed = billed(c, reported, failed, receivedOutput);
                cost = costOf(c, billed);
                tokens = Math.min(MAX_CHARGE, saturatedTokens(billed));
            }
            settleHold(c, cost, tokens, tick);
            if (c.breakers != null) {
                c.breakers.record(latencyNanos, failed ? (error == null ? new IllegalStateException("model call "
                        + (outcome == null ? "failed" : outcome)) : error) : null);
            }
            telemetry.recordModelCall(c.scope, c.session, c.model(), cost, tokens, failed, latencyNanos, ttftNanos,
                    tick);
        } else {
            if (c.fingerprint != 0) {
                active.sessionRules.toolFinished(c.session, c.fingerprint, failed ? errorFingerprint(error) : 0,
                        failed);
            }
            cost = c.reservedNanos; // the tool's price: a tool that ran, or threw, is charged it and counts one call
            if (c.toolMaxUnits > 0 && !failed && receivedOutput >= 0) { // priced per unit, and it reported them
                long perUnit = c.reservedNanos / c.toolMaxUnits;
                cost = perUnit == 0 ? 0 : receivedOutput > MAX_CHARGE / perUnit ? MAX_CHARGE : perUnit * receivedOutput;
            }
            settleHold(c, cost, 0, tick);
            telemetry.recordToolCall(c.scope, c.session, c.tool, failed, latencyNanos, tick);
        }
        publishPost(tick, c, c.decision, reported, cost, latencyNanos, ttftNanos,
                outcome != null ? outcome : error == null ? "error" : error.getClass().getName(), droppedMessages,
                droppedTokens);
    }

    /**
     * What a model call is charged. Success: the reported usage, unknown counts at the reservation's estimate.
     * Failure or cancellation with reported usage: what was reported. Without, under {@link OnCancel#RECEIVED}:
     * the prompt and the output received ({@link OnCancel#WORST_CASE} charges the reservation itself).
     */
    private static Usage billed(AdmittedCall c, Usage reported, boolean failed, long receivedOutput) {
        if (!failed) {
            return filled(reported, c.promptTokens, c.maxOutputTokens);
        }
        if (reported.hasAnyCount()) {
            return knownOnly(reported);
        }
        return Usage.of(c.promptTokens, 0, 0, Math.min(c.maxOutputTokens, Math.max(0, receivedOutput)), 0);
    }

    /** @return the cost of a usage, or the reservation's worst case for the worst-case usage; capped, never throws */
    private static long costOf(AdmittedCall c, Usage billed) {
        if (c.price == null) {
            return 0;
        }
        try {
            return Math.min(MAX_CHARGE, c.price.costNanos(billed));
        } catch (ArithmeticException e) {
            return MAX_CHARGE; // a usage too large to price is charged the most a call can be
        }
    }

    /** @return the usage's tokens, each count capped so that the sum cannot overflow */
    private static long saturatedTokens(Usage u) {
        return capped(u.input()) + capped(u.cacheRead()) + capped(u.cacheWrite()) + capped(u.output())
                + capped(u.reasoning());
    }

    /** @return what a call is charged at its worst case: its reservation, capped */
    private static long worstCaseCost(AdmittedCall c) {
        return Math.min(MAX_CHARGE, c.reservedNanos);
    }

    /** @return the tokens of a call's worst case: its prompt and its whole output cap, capped */
    private static long worstCaseTokens(AdmittedCall c) {
        return Math.min(MAX_CHARGE, capped(c.promptTokens) + capped(c.maxOutputTokens));
    }

    private static long capped(long count) {
        return Math.max(0, Math.min(MAX_CHARGE, count));
    }

    /** Settles the ledger hold first, so that nothing thrown later can leave it open. */
    private void settleHold(Admission c, long cost, long tokens, long tick) {
        if (c.holdsSomething()) { // as when it was added
            open.remove(c);
        }
        if (c.hold != null) {
            ledger.settle(c.hold, c.units, cost, tokens, ticker, tick);
        }
    }

    /** Two failures are the same when their class and message are. */
    private static long errorFingerprint(Throwable error) {
        return error == null ? 1 : CanonicalArguments.hash(error.getClass().getName() + ": " + error.getMessage());
    }

    /** Called once per admission by {@link Admission} to release it. */
    void release(Admission c) {
        if (c.holdsSomething()) {
            open.remove(c);
        }
        if (c.hold != null) {
            ledger.release(c.hold);
        }
        if (c.breakers != null) {
            c.breakers.release();
        }
        publishPost(ticker.read(), c, c.decision, null, 0, -1, -1, DecisionEvent.RELEASED, -1, -1);
    }

    /** Checks the open reservations against their lease, at most once per {@link #SWEEP_INTERVAL_NANOS}. */
    private void sweepIfDue(long tick) {
        long due = nextSweep.get();
        if (tick - due >= 0 && nextSweep.compareAndSet(due, tick + SWEEP_INTERVAL_NANOS) && !open.isEmpty()) {
            expireStalled(tick);
        }
    }

    /**
     * Ends every reservation that has outlived the policy's {@code reservations.lease}: the call is charged its
     * worst case (prompt plus the whole output cap, as reserved) and a post record with the rule
     * {@value #RULE_RESERVATION_EXPIRED} and the outcome {@value DecisionEvent#EXPIRED} says so. A settlement that
     * comes later changes nothing and is recorded too. Admissions run this on their own, at most once a second;
     * call it to end stalled calls when no new call comes.
     *
     * @return how many reservations were ended
     */
    public int expireStalled() {
        return expireStalled(ticker.read());
    }

    private int expireStalled(long tick) {
        long lease = active.config.reservationLease().toNanos();
        int expired = 0;
        for (Admission c : open.snapshot()) {
            long held = tick - c.startTick;
            if (held >= lease && c.expire()) {
                expired++;
                long tokens = worstCaseTokens(c);
                long cost = worstCaseCost(c);
                settleHold(c, cost, tokens, tick);
                if (c.breakers != null) {
                    c.breakers.record(held, new IllegalStateException("no answer within the reservation lease"));
                }
                if (c.kind == CallKind.TOOL_CALL) {
                    telemetry.recordToolCall(c.scope, c.session, c.tool, true, held, tick);
                } else {
                    telemetry.recordModelCall(c.scope, c.session, c.model(), cost, tokens, true, held, -1, tick);
                }
                Decision d = Decision.builder(Action.WARN).rule(RULE_RESERVATION_EXPIRED)
                        .figures(held / 1_000_000, lease / 1_000_000, Unit.MILLIS)
                        .reason("the call held its reservation for " + held / 1_000_000 + " ms, past the "
                                + active.config.reservationLease() + " lease, without settling: charged its worst"
                                + " case, " + Money.ofNanos(cost) + " and " + tokens + " tokens")
                        .models(c.decision.requestedModel(), c.model()).build();
                publishPost(tick, c, d, null, cost, held, -1, DecisionEvent.EXPIRED, -1, -1);
            }
        }
        return expired;
    }

    /** Records a settlement that came after the lease had ended the call: it counts nothing. */
    void late(AdmittedCall c, int droppedMessages, long droppedTokens, Usage reported, long latencyNanos,
            String outcome) {
        Usage billed = reported == null ? Usage.NONE : reported;
        long cost = c.kind == CallKind.MODEL_CALL ? costOf(c, knownOnly(billed)) : 0;
        Decision d = Decision.builder(Action.WARN).rule(RULE_RESERVATION_EXPIRED)
                .reason("the call ended (" + outcome + ") after its reservation had expired and been charged its"
                        + " worst case; this settlement, " + Money.ofNanos(cost) + ", is not counted again")
                .models(c.decision.requestedModel(), c.model()).build();
        publishPost(ticker.read(), c, d, billed, cost, latencyNanos, -1, DecisionEvent.LATE, droppedMessages,
                droppedTokens);
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

    /** A wall-clock reading far from where the ticker says it should be: recorded, not followed. */
    private void clockJumped(long offsetMillis) {
        Active current = active;
        if (current == null) {
            return; // a reading while the guard is still being built
        }
        GuardConfig config = current.config;
        LOG.warn("wall clock jumped {} ms away from the monotonic ticker; calendar windows keep the ticker's time"
                + " unless the jump holds", offsetMillis);
        publishGuard(config, Decision.builder(Action.WARN).rule(RULE_CLOCK_JUMP)
                .figures(offsetMillis, SteadyClock.DEFAULT_TOLERANCE.toMillis(), Unit.MILLIS)
                .reason("the wall clock read " + offsetMillis + " ms away from the monotonic ticker's time; calendar"
                        + " windows go on with the ticker's time and follow the wall clock only if it holds for "
                        + SteadyClock.DEFAULT_CONFIRMATION).build());
    }

    private void publishPre(GuardConfig config, AdmittedCall c, long epoch, CallRequest request) {
        if (c.scope.session() == null) {
            sessionless.record(config, c.kind, c.tool, c.startTick);
        }
        if (c.id == 0) { // no listener wanted it when the call was admitted
            return;
        }
        publish(new DecisionEvent.CallAdmitted(c.id, epoch, config.name(),
                config.mode(), c.kind, c.decision, c.scope, c.tool, c.toolArguments, c.reservedNanos, c.priced,
                request, c.id));
    }

    private void publishPost(long tick, AdmittedCall c, Decision decision, Usage usage, long cost, long latency,
            long ttft, String outcome, int droppedMessages, long droppedTokens) {
        if (!wanted(Action.RECORD)) {
            return;
        }
        GuardConfig config = active.config;
        publish(new DecisionEvent.CallSettled(seq.incrementAndGet(), clock.millisAt(tick), config.name(),
                config.mode(), c.kind, decision, c.scope, c.tool, c.toolArguments, c.reservedNanos, c.priced, usage,
                cost, latency, ttft, outcome, droppedMessages, droppedTokens, c.id));
    }

    /** Publishes something the guard noticed about itself, not about one call. */
    private void publishGuard(GuardConfig config, Decision d) {
        if (!wanted(d.action())) {
            return;
        }
        publish(new DecisionEvent.GuardNotice(seq.incrementAndGet(), clock.millis(), config.name(), config.mode(), d));
    }

    /**
     * Hands an event to every listener that wants it. Whatever one throws, an {@code Error} included (a stack
     * overflow in a redaction pattern, say), is logged at WARN and goes no further: a listener cannot break the call
     * or leave a reservation open, and the other listeners still see the event.
     */
    private void publish(DecisionEvent event) {
        DecisionListener[] ls = listeners;
        Action action = event.action();
        for (int i = 0; i < ls.length; i++) {
            if (!wants(ls[i], action)) {
                continue;
            }
            try {
                ls[i].onDecision(event);
            } catch (Throwable e) { // NOPMD: isolation of observers is the point
                listenerFailed(ls[i], event, e);
            }
        }
    }

    private static void listenerFailed(DecisionListener l, DecisionEvent event, Throwable e) {
        try {
            LOG.warn("decision listener {} failed on event #{}; the guard goes on", l.getClass().getName(),
                    event.seq(), e);
        } catch (Throwable ignored) { // NOPMD: a logger that fails too has nothing left to tell
            // nothing safer to do
        }
    }

    /**
     * Adds a listener for every later decision.
     *
     * @param listener the listener
     */
    public void addListener(DecisionListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (listenerLock) {
            DecisionListener[] now = Arrays.copyOf(listeners, listeners.length + 1);
            now[now.length - 1] = listener;
            listeners = now;
        }
    }

    /**
     * @return the listeners of this guard now, in the order they are called (a copy): lets an integration find the
     *     audit sink that a policy file installed, for example, to report its written and lost records
     */
    public List<DecisionListener> listeners() {
        return List.of(listeners);
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
     * they were. A budget whose window shape changes under the same id (10 minutes to a calendar day, say) gets
     * the new shape on its next use, at every level, carrying over what its old window held at that moment (the
     * spend of the last 10 minutes becomes spend of today).
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
            // the sessions' rule state lives in their telemetry records: new rules go on from where they stand
            active = new Active(next, new SessionRules(next.caps(), next.loops()), health);
            for (Budget b : next.budgets()) {
                for (Budget old : previous.budgets()) {
                    if (old.id().equals(b.id()) && !old.window().equals(b.window())) {
                        ledger.reshape(b.id(), b.window());
                    }
                }
            }
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
        if (!wanted(action)) {
            return;
        }
        Decision d = Decision.builder(action).rule(RULE_POLICY_RELOAD).reason(reason).build();
        publish(new DecisionEvent.PolicyChanged(seq.incrementAndGet(), clock.millis(), config.name(), config.mode(),
                d));
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
        GuardAdmin a = admin;
        if (a != null) {
            a.unregister();
        }
        DecisionListener[] closing;
        synchronized (listenerLock) {
            closing = listeners;
            listeners = NO_LISTENERS;
        }
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
        private LimitResolver limitResolver;
        private Duration limitRefresh;
        private Executor refreshExecutor = ForkJoinPool.commonPool();
        private Redactor adminRedactor = Redactor.all();

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

        /**
         * Gives budget limits per scope key from outside the policy (plan tiers, say), after the policy's own
         * overrides. Each answer is cached per budget and key and refreshed in the background once older than
         * {@code refresh}; see {@link LimitResolver}.
         *
         * @param resolver the resolver
         * @param refresh how old an answer may get before it is asked again, at least 1 second
         * @return this
         */
        public Builder limitResolver(LimitResolver resolver, Duration refresh) {
            Objects.requireNonNull(refresh, "refresh");
            if (refresh.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("limitResolver refresh must be at least 1s, was " + refresh);
            }
            this.limitResolver = Objects.requireNonNull(resolver, "resolver");
            this.limitRefresh = refresh;
            return this;
        }

        /**
         * @param redactor what the operator's view ({@link GuardAdmin#recentRefusals()}) removes from reasons, as
         *     the decision log does; default every built-in class
         * @return this
         */
        public Builder adminRedactor(Redactor redactor) {
            this.adminRedactor = Objects.requireNonNull(redactor, "redactor");
            return this;
        }

        /** Where cached limits are refreshed; tests run it on the calling thread. */
        Builder refreshExecutor(Executor executor) {
            this.refreshExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** @return the guard */
        public Guard build() {
            return new Guard(this);
        }
    }
}
