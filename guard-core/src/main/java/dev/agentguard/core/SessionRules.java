package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.telemetry.Telemetry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Iteration caps and loop rules: the rules that need a session's recent history. See {@link Caps} and
 * {@link LoopRules} for what they mean; this class keeps the per-session state and applies them.
 *
 * <p>A session's state is attached to its telemetry record ({@link Telemetry.Tracked}), which the guard finds once
 * per call and which is bounded and forgotten when idle like the session's figures (calls without a session are
 * not counted). Each session keeps a handful of counters, a ring of the last few tool-call fingerprints (64-bit
 * hashes of tool name and canonical arguments) and the error runs of recently failed calls: a few hundred bytes.
 * Evaluation takes the session's monitor for a few comparisons; never across a call.
 *
 * <p>Order: the end of a run, caps, then loops; every rule that fires is offered to the call's {@link Verdict},
 * which picks the tightest.
 */
final class SessionRules {

    private static final int MAX_TRACKED_ERRORS = 32;

    private final Caps caps;
    private final LoopRules loops;
    private final int history;

    /**
     * Rules over the session state attached to telemetry records: a reloaded policy gets new rules over the same
     * state, so that a reload neither forgives the calls a session has made nor forgets the loop it is in.
     */
    SessionRules(Caps caps, LoopRules loops) {
        this.caps = caps;
        this.loops = loops;
        this.history = Math.max(1, loops.toolHistory());
    }

    /** @return true if no cap or loop rule is configured, so that admissions can skip this class */
    boolean isEmpty() {
        return !caps.countsCalls() && !loops.checksTools() && loops.repeatedModelRequest().isNone();
    }

    /** @return the session's state, attached to its record if it had none; null without a session */
    private State state(Telemetry.Tracked session, GuardScope scope) {
        if (session == null) {
            return null;
        }
        Object attached = session.attached();
        State s = (State) (attached != null ? attached : session.attachIfAbsent(new State(history)));
        if (s.capacity < history) {
            s.grow(history); // created under a policy that needed less history
        }
        s.enterTurn(scope.turn());
        return s;
    }

    /**
     * Applies the model-call caps, the repeated-request rule and the end of a run, offering what fires to the
     * verdict, and counts the call unless these rules refuse it (in shadow mode too: the caller takes the count
     * back with {@link #undoModel} when another rule refuses).
     *
     * @param session the record of the call's session, or null when it has none
     * @param requestFingerprint a fingerprint of the request's messages and tools, or 0 when unknown
     * @param continuesToolResult whether the request's last message is a tool result
     * @return true if the call was counted
     */
    boolean admitModel(Telemetry.Tracked session, GuardScope scope, long requestFingerprint,
            boolean continuesToolResult, Verdict verdict) {
        State s = state(session, scope);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            Offers v = new Offers(verdict);
            if (s.endedBy != null) {
                if (continuesToolResult) {
                    Decision ended = s.endedBy;
                    v.offer(Decision.builder(ended.action()).rule(ended.rule()).suspendedUntil(ended.suspendedUntil())
                            .reason("the run ended when a tool call was refused (" + ended.reason() + "); this call"
                                    + " continues it"));
                } else {
                    s.endedBy = null; // a new user message starts a new run
                }
            }
            // the texts are built only when a rule fires: every call passes here
            boolean finalAnswer = caps.modelCallsOnExceed() == Caps.OnCap.FINAL_ANSWER;
            if (Offers.over(s.modelCalls, caps.modelCallsPerSession())) {
                boolean last = finalAnswer && !s.finalAnswerGiven;
                s.finalAnswerGiven |= last;
                v.cap("caps.modelCallsPerSession", s.modelCalls, caps.modelCallsPerSession(),
                        "model calls in session " + scope.session(), last ? Action.FINAL_ANSWER : Action.BLOCK);
            }
            if (s.turn != null && Offers.over(s.modelCallsTurn, caps.modelCallsPerTurn())) {
                boolean last = finalAnswer && !s.finalAnswerGivenTurn;
                s.finalAnswerGivenTurn |= last;
                v.cap("caps.modelCallsPerTurn", s.modelCallsTurn, caps.modelCallsPerTurn(), "model calls in turn "
                        + s.turn, last ? Action.FINAL_ANSWER : Action.BLOCK);
            }
            if (s.finalAnswerFor != null) {
                String tool = s.finalAnswerFor;
                s.finalAnswerFor = null;
                v.offer(Action.FINAL_ANSWER, "caps.perTool." + tool, caps.perTool().getOrDefault(tool, 0),
                        caps.perTool().getOrDefault(tool, 0), "tool " + tool + " has used up its calls in this"
                                + " session: the model is asked for a final answer, without tools", null);
            }
            LoopRules.Threshold t = loops.repeatedModelRequest();
            if (!t.isNone() && requestFingerprint != 0) {
                int run = requestFingerprint == s.lastRequest ? s.requestRun + 1 : 1;
                s.lastRequest = requestFingerprint;
                s.requestRun = run;
                if (t.blockAt() > 0 && run >= t.blockAt()) {
                    v.offer(Action.BLOCK, "loops.repeatedModelRequest", run, t.blockAt(),
                            "the same model request was sent " + run + " times in a row (limit " + t.blockAt() + ")",
                            null);
                } else if (t.warnAt() > 0 && run >= t.warnAt()) {
                    v.offer(Action.WARN, "loops.repeatedModelRequest", run, t.warnAt(),
                            "the same model request was sent " + run + " times in a row (warn at " + t.warnAt() + ")",
                            null);
                }
            }
            // Shadow mode counts what enforcing would have counted, so that its later decisions are the ones
            // enforcing would have taken.
            if (!v.refused) {
                s.modelCalls++;
                s.modelCallsTurn++;
                return true;
            }
            return false;
        }
    }

    /**
     * Records that a tool call of the session was refused with {@code block} or {@code suspend}: the next model
     * call that continues the turn is refused with the same decision.
     */
    void runEnded(Telemetry.Tracked session, GuardScope scope, Decision decision) {
        if (decision.isShadow() || session == null) {
            return;
        }
        State s = state(session, scope);
        synchronized (s) {
            s.endedBy = decision;
        }
    }

    /** Takes back the count of a model call that another rule then refused. */
    void undoModel(Telemetry.Tracked session) {
        State s = session == null ? null : (State) session.attached();
        if (s != null) {
            synchronized (s) {
                s.modelCalls = Math.max(0, s.modelCalls - 1);
                s.modelCallsTurn = Math.max(0, s.modelCallsTurn - 1);
            }
        }
    }

    /**
     * Applies the tool caps and loop rules, records the attempt in the loop history, and counts the call unless it
     * is refused.
     *
     * @param fingerprint the call's fingerprint ({@link CanonicalArguments#fingerprint})
     */
    void admitTool(Telemetry.Tracked session, GuardScope scope, String tool, long fingerprint, Verdict verdict) {
        State s = state(session, scope);
        if (s == null) {
            return;
        }
        synchronized (s) {
            Offers v = new Offers(verdict);
            if (Offers.over(s.toolCalls, caps.toolCallsPerSession())) {
                v.cap("caps.toolCallsPerSession", s.toolCalls, caps.toolCallsPerSession(), "tool calls in session "
                        + scope.session(), Action.BLOCK);
            }
            if (s.turn != null && Offers.over(s.toolCallsTurn, caps.toolCallsPerTurn())) {
                v.cap("caps.toolCallsPerTurn", s.toolCallsTurn, caps.toolCallsPerTurn(), "tool calls in turn "
                        + s.turn, Action.BLOCK);
            }
            Integer perTool = caps.perTool().get(tool);
            if (perTool != null) {
                int used = s.perTool == null ? 0 : s.perTool.getOrDefault(tool, 0);
                if (used + 1 > perTool) {
                    Caps.OnCap on = caps.perToolOnExceed(tool);
                    int refusals = s.capRefusals == null ? 0 : s.capRefusals.getOrDefault(tool, 0);
                    // like loops: told once, blocked if it insists
                    Action a = on == Caps.OnCap.BLOCK || refusals > 0 ? Action.BLOCK : Action.FEEDBACK;
                    if (s.capRefusals == null) {
                        s.capRefusals = new HashMap<>();
                    }
                    s.capRefusals.merge(tool, 1, Integer::sum);
                    if (on == Caps.OnCap.FINAL_ANSWER && a == Action.FEEDBACK) {
                        s.finalAnswerFor = tool;
                    }
                    v.offer(a, "caps.perTool." + tool, used + 1, perTool, "tool " + tool + " would be"
                            + " called " + (used + 1) + " times in this session (limit " + perTool + ")",
                            on == Caps.OnCap.FINAL_ANSWER
                                    ? "The limit of " + perTool + " calls to " + tool + " is used up. Give your final"
                                            + " answer now, from the information you already have."
                                    : "Do not call " + tool + " again in this conversation: its limit of " + perTool
                                            + " calls is used up. Carry on with the information you already have"
                                            + " or with other tools.");
                }
            }
            if (!loops.exempt().contains(tool)) {
                loopRules(s, v, tool, fingerprint);
                s.remember(fingerprint);
            }
            if (!v.refused) {
                s.toolCalls++;
                s.toolCallsTurn++;
                if (perTool != null) {
                    if (s.perTool == null) {
                        s.perTool = new HashMap<>();
                    }
                    s.perTool.merge(tool, 1, Integer::sum);
                }
            }
        }
    }

    private void loopRules(State s, Offers v, String tool, long fp) {
        LoopRules.Threshold identical = loops.identicalToolCalls();
        if (!identical.isNone()) {
            int run = s.identicalRun(fp);
            if (Offers.reaches(identical, run)) { // texts only for a rule that fires: every call passes here
                String text = "identical call to " + tool + " repeated " + run + " times";
                v.loop(identical, run, "loops.identicalToolCalls", text, loops.onLoop(),
                        "You have called " + tool + " with the same arguments " + run + " times in a row and the"
                                + " result will not change. Use the result you already have, change the arguments,"
                                + " or answer the user.");
            }
        }
        LoopRules.Threshold cycle = loops.alternatingToolCalls();
        if (!cycle.isNone()) {
            int[] found = s.cycleRun(fp);
            int run = found[0];
            if (run > 0 && Offers.reaches(cycle, run)) {
                String text = "a cycle of " + found[1] + " tool calls ending in " + tool + " repeated over " + run
                        + " calls";
                v.loop(cycle, run, "loops.alternatingToolCalls", text, loops.onLoop(),
                        "You are repeating the same " + found[1] + " tool calls in a cycle. Stop cycling: use the"
                                + " results you already have, try a different approach, or answer the user.");
            }
        }
        LoopRules.Threshold errors = loops.repeatedToolError();
        if (!errors.isNone() && s.errors != null) {
            ErrorRun e = s.errors.get(fp);
            if (e != null) {
                if (errors.blockAt() > 0 && e.failures >= errors.blockAt()) {
                    Action a = loops.onLoop() == LoopRules.OnLoop.FEEDBACK && e.refusals == 0
                            ? Action.FEEDBACK : Action.BLOCK;
                    e.refusals++;
                    v.offer(a, "loops.repeatedToolError", e.failures, errors.blockAt(), "the same call to " + tool
                            + " has failed the same way " + e.failures + " times (limit " + errors.blockAt() + ")",
                            "This call to " + tool + " has failed " + e.failures + " times with the same error;"
                                    + " calling it again will fail again. Change the arguments, use another tool,"
                                    + " or tell the user what went wrong.");
                } else if (errors.warnAt() > 0 && e.failures >= errors.warnAt()) {
                    v.offer(Action.WARN, "loops.repeatedToolError", e.failures, errors.warnAt(), "the same call to "
                            + tool + " has failed the same way " + e.failures + " times (warn at " + errors.warnAt()
                            + ")", null);
                }
            }
        }
    }

    /** Records the outcome of an executed tool call for {@code loops.repeatedToolError}. */
    void toolFinished(Telemetry.Tracked session, long fingerprint, long errorFingerprint, boolean failed) {
        if (loops.repeatedToolError().isNone() || session == null) {
            return;
        }
        State s = (State) session.attached();
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (!failed) {
                if (s.errors != null) {
                    s.errors.remove(fingerprint);
                }
                return;
            }
            if (s.errors == null) {
                s.errors = new LinkedHashMap<>(8, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Long, ErrorRun> eldest) {
                        return size() > MAX_TRACKED_ERRORS;
                    }
                };
            }
            ErrorRun e = s.errors.computeIfAbsent(fingerprint, k -> new ErrorRun());
            if (e.failures > 0 && e.error == errorFingerprint) {
                e.failures++;
            } else {
                e.error = errorFingerprint;
                e.failures = 1;
                e.refusals = 0;
            }
        }
    }

    /** Offers each rule that fires to the call's verdict, and remembers whether one of these rules refused. */
    private static final class Offers {
        final Verdict verdict;
        boolean refused;

        Offers(Verdict verdict) {
            this.verdict = verdict;
        }

        void offer(Decision.Builder d) {
            refused |= d.action().refuses();
            verdict.offer(d);
        }

        void offer(Action a, String rule, long observed, long limit, String reason, String advice) {
            offer(Decision.builder(a).rule(rule).figures(observed, limit, Unit.CALLS).reason(reason)
                    .advice(a.refuses() ? advice : null));
        }

        /** @return true if one more call passes the cap (0: no cap) */
        static boolean over(int used, int cap) {
            return cap > 0 && used + 1 > cap;
        }

        /** @return true if a run of this length warns or blocks under the threshold */
        static boolean reaches(LoopRules.Threshold t, int run) {
            return t.blockAt() > 0 && run >= t.blockAt() || t.warnAt() > 0 && run >= t.warnAt();
        }

        void cap(String rule, int used, int cap, String what, Action a) {
            if (cap > 0 && used + 1 > cap) {
                offer(a, rule, used + 1, cap, "this call would make " + (used + 1) + " " + what + " (limit " + cap
                        + ")" + (a == Action.FINAL_ANSWER ? "; it goes out without tools, asked for a final answer"
                        : ""), null);
            }
        }

        void loop(LoopRules.Threshold t, int run, String rule, String text, LoopRules.OnLoop onLoop, String advice) {
            if (t.blockAt() > 0 && run >= t.blockAt()) {
                Action a = onLoop == LoopRules.OnLoop.FEEDBACK && run == t.blockAt() ? Action.FEEDBACK : Action.BLOCK;
                offer(a, rule, run, t.blockAt(), text + " (limit " + t.blockAt() + ")", advice);
            } else if (t.warnAt() > 0 && run >= t.warnAt()) {
                offer(Action.WARN, rule, run, t.warnAt(), text + " (warn at " + t.warnAt() + ")", null);
            }
        }
    }

    private static final class ErrorRun {
        long error;
        int failures;
        int refusals;
    }

    /** One session's counters and recent history. */
    static final class State {
        String turn;
        int modelCalls;
        int modelCallsTurn;
        int toolCalls;
        int toolCallsTurn;
        Map<String, Integer> perTool;
        long lastRequest;
        int requestRun;
        Map<Long, ErrorRun> errors;
        /** The refusal of a tool call that ended the current run, or null. */
        Decision endedBy;
        /** Over-cap calls refused per tool, for feedback-then-block. */
        Map<String, Integer> capRefusals;
        /** A tool whose cap asks the next model call for a final answer, or null. */
        String finalAnswerFor;
        boolean finalAnswerGiven;
        boolean finalAnswerGivenTurn;
        /** Recent tool fingerprints of this turn, oldest first once full. */
        private long[] ring;
        /**
         * {@code ring.length}, kept here so that a model call, which needs no history, does not reach the ring's
         * cache line to check it.
         */
        private int capacity;
        private int size;
        private int head;

        State(int history) {
            this.ring = new long[history];
            this.capacity = history;
        }

        void enterTurn(String newTurn) {
            if (newTurn == null || newTurn.equals(turn)) {
                return;
            }
            synchronized (this) {
                if (Objects.equals(newTurn, turn)) {
                    return;
                }
                turn = newTurn;
                modelCallsTurn = 0;
                toolCallsTurn = 0;
                finalAnswerGivenTurn = false;
                size = 0;
                head = 0;
                lastRequest = 0;
                requestRun = 0;
                errors = null;
            }
        }

        /** Enlarges the history ring, keeping the fingerprints it holds. */
        synchronized void grow(int history) {
            if (ring.length >= history) {
                return;
            }
            long[] bigger = new long[history];
            for (int i = 0; i < size; i++) {
                bigger[size - 1 - i] = recent(i);
            }
            ring = bigger;
            capacity = history;
            head = size % history;
        }

        /** @param i 0 for the most recent, 1 for the one before... @return that fingerprint */
        long recent(int i) {
            return ring[Math.floorMod(head - 1 - i, ring.length)];
        }

        void remember(long fp) {
            ring[head] = fp;
            head = (head + 1) % ring.length;
            size = Math.min(size + 1, ring.length);
        }

        int identicalRun(long fp) {
            int run = 1;
            for (int i = 0; i < size && recent(i) == fp; i++) {
                run++;
            }
            return run;
        }

        /**
         * @return {runLength, period} of the longest short cycle that the history plus {@code fp} ends with, or
         *     {0, 0} when none: for each period p, the run is p plus the number of trailing positions that equal
         *     the one p earlier, and the last p calls must not all be the same call.
         */
        int[] cycleRun(long fp) {
            int best = 0;
            int bestPeriod = 0;
            int n = size + 1; // history plus the incoming call
            for (int p = 2; p <= LoopRules.MAX_CYCLE && p < n; p++) {
                boolean distinct = false;
                for (int i = 1; i < p && !distinct; i++) {
                    distinct = at(n - 1 - i, fp, n) != fp;
                }
                if (!distinct) {
                    continue;
                }
                int matches = 0;
                for (int i = n - 1; i - p >= 0 && at(i, fp, n) == at(i - p, fp, n); i--) {
                    matches++;
                }
                int run = matches + p;
                if (matches >= p && run > best) {
                    best = run;
                    bestPeriod = p;
                }
            }
            return new int[] {best, bestPeriod};
        }

        /** @return position {@code i} (0 = oldest) of the history followed by {@code fp}, which has length n */
        private long at(int i, long fp, int n) {
            return i == n - 1 ? fp : recent(n - 2 - i);
        }
    }
}
