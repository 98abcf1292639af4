package dev.agentguard.core;

import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Calls that session rules could not apply to: model or tool calls admitted without a session while the policy
 * has rules that need one (session budgets, caps per session or turn, loop rules). Most often the scope was
 * bound on one thread and the call made on another ({@link GuardScope#wrap} is the fix). They are counted, and
 * said at WARN on the guard's logger at most once a minute of the guard's {@link Ticker}, with the rules and
 * the number of calls since the previous warning; the count of a quiet spell is reported with the next such
 * call.
 *
 * <p>Cost: none for a call with a session (the guard checks for null before calling here). For one without, a
 * volatile read, an increment and a comparison, with no allocation; the rule names are listed once per policy.
 */
final class SessionlessCalls {

    /** At most one warning per this many nanoseconds. */
    static final long INTERVAL_NANOS = 60_000_000_000L;
    private static final long NEVER = Long.MIN_VALUE;

    private final Logger log;
    private final AtomicLong modelCalls = new AtomicLong();
    private final AtomicLong toolCalls = new AtomicLong();
    /** Ticker reading from which the next warning may be logged; {@link #NEVER} before the first. */
    private final AtomicLong nextWarning = new AtomicLong(NEVER);
    private volatile Rules rules;

    SessionlessCalls(Logger log) {
        this.log = log;
    }

    /**
     * Counts a call admitted without a session, if a rule of the policy needed one, and logs when a warning is due.
     *
     * @param config the policy the call was admitted under
     * @param kind model or tool call
     * @param tool the tool, for a tool call
     * @param tick the guard's ticker reading at admission
     */
    void record(GuardConfig config, CallKind kind, String tool, long tick) {
        Rules r = rules;
        if (r == null || r.config != config) {
            r = new Rules(config); // once per policy; a race builds the same list twice, harmlessly
            rules = r;
        }
        if (kind == CallKind.MODEL_CALL && !r.model.isEmpty()) {
            modelCalls.incrementAndGet();
        } else if (kind == CallKind.TOOL_CALL && r.appliesToTool(tool)) {
            toolCalls.incrementAndGet();
        } else {
            return;
        }
        long due = nextWarning.get();
        if ((due == NEVER || tick - due >= 0) && nextWarning.compareAndSet(due, tick + INTERVAL_NANOS)) {
            warn(r, due == NEVER ? -1 : tick - (due - INTERVAL_NANOS));
        }
    }

    private void warn(Rules r, long sinceNanos) {
        long models = modelCalls.getAndSet(0);
        long tools = toolCalls.getAndSet(0);
        List<String> names = new ArrayList<>();
        if (models > 0) {
            names.addAll(r.model);
        }
        if (tools > 0) {
            names.addAll(r.tool);
        }
        String calls = models > 0 && tools > 0 ? count(models, "model call") + " and " + count(tools, "tool call")
                : models > 0 ? count(models, "model call") : count(tools, "tool call");
        String rulesText = String.join(", ", names);
        try {
            log.atWarn().addKeyValue("guard", r.config.name()).addKeyValue("modelCalls", models)
                    .addKeyValue("toolCalls", tools).addKeyValue("rules", rulesText)
                    .log("guard {}: {} admitted without a session{}, so these session rules did not apply to them:"
                            + " {}. Bind a session to the calling thread with GuardScope.open, and carry it into"
                            + " other threads with GuardScope.wrap(executor)", r.config.name(), calls,
                            sinceNanos < 0 ? "" : " in the last " + sinceNanos / 1_000_000_000L + " s", rulesText);
        } catch (RuntimeException ignored) { // NOPMD: a failing logger must not fail the admission
            // nothing safer to do
        }
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The rules of one policy that need a session, by the kind of call they apply to. */
    private static final class Rules {
        final GuardConfig config;
        final List<String> model = new ArrayList<>();
        final List<String> tool = new ArrayList<>();
        /** Rules on every tool call; per-tool caps and loop exemptions are looked at per call. */
        final boolean everyTool;
        final boolean loops;

        Rules(GuardConfig config) {
            this.config = config;
            for (Budget b : config.budgets()) {
                if (b.scope() == Scope.SESSION) {
                    model.add(b.ruleId());
                }
            }
            Caps caps = config.caps();
            LoopRules l = config.loops();
            add(model, caps.modelCallsPerSession() > 0, "caps.modelCallsPerSession");
            add(model, caps.modelCallsPerTurn() > 0, "caps.modelCallsPerTurn");
            add(model, !l.repeatedModelRequest().isNone(), "loops.repeatedModelRequest");
            add(tool, caps.toolCallsPerSession() > 0, "caps.toolCallsPerSession");
            add(tool, caps.toolCallsPerTurn() > 0, "caps.toolCallsPerTurn");
            this.everyTool = !tool.isEmpty();
            for (String t : caps.perTool().keySet()) {
                tool.add("caps.perTool." + t);
            }
            add(tool, !l.identicalToolCalls().isNone(), "loops.identicalToolCalls");
            add(tool, !l.alternatingToolCalls().isNone(), "loops.alternatingToolCalls");
            add(tool, !l.repeatedToolError().isNone(), "loops.repeatedToolError");
            this.loops = l.checksTools();
        }

        private static void add(List<String> names, boolean configured, String name) {
            if (configured) {
                names.add(name);
            }
        }

        boolean appliesToTool(String name) {
            return everyTool || config.caps().perTool().containsKey(name)
                    || loops && !config.loops().exempt().contains(name);
        }
    }
}
