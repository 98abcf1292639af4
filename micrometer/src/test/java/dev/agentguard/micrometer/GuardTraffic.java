package dev.agentguard.micrometer;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionEvent.CallAdmitted;
import dev.agentguard.core.DecisionEvent.CallSettled;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.Guard;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A policy and a mix of guarded calls that makes every meter move: allowed calls on {@code big}, calls
 * downgraded to {@code small} past the session budget's downgradeAt, calls blocked once it is spent, streamed calls
 * (time to first token), failed calls, and tool calls past a per-tool cap (feedback). What happened is counted from
 * the guard's own events ({@link #onDecision}), so that tests compare meters with the events, not with figures
 * written down by hand.
 */
final class GuardTraffic implements dev.agentguard.core.DecisionListener {

    static final String POLICY = "support-bot";
    static final List<String> AGENTS = List.of("support", "billing");
    /** $10 per million tokens in and out. */
    static final String BIG = "big";
    /** $1 per million tokens in and out. */
    static final String SMALL = "small";
    static final String TOOL = "search_web";

    /** Per (action id, rule), the pre-call decisions seen. */
    final Map<String, LongAdder> decisions = new ConcurrentHashMap<>();
    /** Per (agent, model), the exact cost settled in nano-dollars. */
    final Map<String, LongAdder> costNanos = new ConcurrentHashMap<>();
    /** Per model, the model calls settled with a latency, and those that ended well. */
    final Map<String, LongAdder> settledModelCalls = new ConcurrentHashMap<>();
    final Map<String, LongAdder> okModelCalls = new ConcurrentHashMap<>();
    final Map<String, LongAdder> streamedModelCalls = new ConcurrentHashMap<>();
    /** Every session id used, so that tests can check that none reaches a tag. */
    final List<String> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();

    static GuardConfig policy() {
        return GuardConfig.builder().name(POLICY)
                .price(BIG, ModelPrice.builder().input(BigDecimal.TEN).output(BigDecimal.TEN).build())
                .price(SMALL, ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .ladder(List.of(BIG, SMALL))
                .budget(Budget.builder("session-10m").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.005").downgradeAt(50).build())
                .budget(Budget.builder("global-hour").scope(Scope.GLOBAL).sliding(Duration.ofHours(1))
                        .limitUsd("10").warnAt(80, 95).build())
                .budget(Budget.builder("agent-hour").scope(Scope.AGENT).sliding(Duration.ofHours(1))
                        .limitUsd("5").build())
                .budget(Budget.builder("model-hour").scope(Scope.MODEL).sliding(Duration.ofHours(1))
                        .limitUsd("5").build())
                .caps(Caps.builder().perTool(TOOL, 2).build())
                .build();
    }

    static String key(String a, String b) {
        return a + '|' + b;
    }

    @Override
    public void onDecision(DecisionEvent event) {
        if (event instanceof CallAdmitted a) {
            count(decisions, key(a.action().id(), a.decision().rule() == null ? "none" : a.decision().rule()), 1);
        } else if (event instanceof CallSettled s) {
            String model = s.tool() == null ? s.model() : MetricsListener.TOOL_PREFIX + s.tool();
            count(costNanos, key(s.scope().agent(), model), s.costNanos());
            if (s.tool() == null && s.latencyNanos() >= 0) {
                count(settledModelCalls, s.model(), 1);
                if (DecisionEvent.OK.equals(s.outcome())) {
                    count(okModelCalls, s.model(), 1);
                }
            }
            if (s.tool() == null && s.ttftNanos() >= 0) {
                count(streamedModelCalls, s.model(), 1);
            }
        }
    }

    private static void count(Map<String, LongAdder> m, String key, long n) {
        m.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }

    long decisions(Action action, String rule) {
        LongAdder n = decisions.get(key(action.id(), rule));
        return n == null ? 0 : n.sum();
    }

    long costNanos(String agent, String model) {
        LongAdder n = costNanos.get(key(agent, model));
        return n == null ? 0 : n.sum();
    }

    static long count(Map<String, LongAdder> m, String key) {
        LongAdder n = m.get(key);
        return n == null ? 0 : n.sum();
    }

    /**
     * Runs one session until its budget blocks it: model calls of 100 + 100 tokens, every fourth one streamed and
     * every seventh one failing, then three tool calls (the third past the cap).
     *
     * @param guard the guard
     * @param agent the agent
     * @param session the session id
     * @param tenant the tenant, or null
     * @param latency what a call takes, as the caller measured it
     */
    void session(Guard guard, String agent, String session, String tenant, Duration latency) {
        sessions.add(session);
        GuardScope scope = GuardScope.builder().agent(agent).session(session).tenant(tenant).build();
        for (int i = 1; i <= 100; i++) {
            Admission a = guard.admitModelCall(ModelCall.builder(BIG).scope(scope).promptTokens(100)
                    .maxOutputTokens(100).build());
            if (!a.proceeds()) {
                break;
            }
            if (i % 7 == 0) {
                a.fail(new IOException("connection reset"), Usage.of(100, 0));
            } else {
                a.settle(Usage.of(100, 100), latency.toNanos(), i % 4 == 0 ? latency.toNanos() / 4 : -1);
            }
        }
        for (int i = 0; i < 3; i++) {
            Admission t = guard.admitToolCall(ToolCall.of(scope, TOOL, "{\"q\":\"refund policy " + i + "\"}"));
            if (t.proceeds()) {
                t.complete();
            }
        }
    }
}
