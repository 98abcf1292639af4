package dev.agentguard.benchmarks;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Caps;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.Scope;
import dev.agentguard.core.TelemetryConfig;
import java.time.Duration;
import java.util.List;

/**
 * The policy the benchmarks guard with, shaped like the starter preset: budgets on session, agent and global
 * scopes, caps, loop rules and a two-model ladder. Limits are far away, so that every call is admitted and the
 * figures are the cost of the checks, not of refusals; up to 2M sessions are kept, so that nothing is evicted.
 */
final class StarterPolicy {

    private StarterPolicy() {
    }

    static GuardConfig config() {
        return GuardConfig.builder().name("bench-starter")
                .ladder(List.of("gpt-4o", "gpt-4o-mini"))
                .budget(Budget.builder("session-10m").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("1000000").warnAt(50, 80).downgradeAt(90).build())
                .budget(Budget.builder("agent-1h").scope(Scope.AGENT).sliding(Duration.ofHours(1))
                        .limitUsd("1000000000").build())
                .budget(Budget.builder("global-1d").scope(Scope.GLOBAL).sliding(Duration.ofDays(1))
                        .limitUsd("1000000000").build())
                .caps(Caps.builder().modelCallsPerSession(1_000_000).toolCallsPerSession(1_000_000)
                        .toolCallsPerTurn(1_000_000).promptTokens(60_000, Caps.PromptAction.TRUNCATE).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(3, 5))
                        .alternatingToolCalls(LoopRules.Threshold.blockAt(6))
                        .repeatedToolError(LoopRules.Threshold.blockAt(3))
                        .repeatedModelRequest(LoopRules.Threshold.blockAt(3)).build())
                // room for every session the benchmarks track, so that they measure tracking, not eviction
                .telemetry(TelemetryConfig.builder().maxSessions(2_000_000).build())
                .build();
    }
}
