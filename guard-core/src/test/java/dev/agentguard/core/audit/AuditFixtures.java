package dev.agentguard.core.audit;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Real decision events from a real guard, and file helpers, for the audit tests. */
final class AuditFixtures {

    static final GuardScope S42 = GuardScope.builder().agent("support").session("s-42").user("u-7").build();

    private AuditFixtures() {
    }

    /** A policy with a ladder, a session budget (warn, downgrade) and loop rules. */
    static GuardConfig policy() {
        return GuardConfig.builder().name("support-bot")
                .price("big", ModelPrice.builder().input(BigDecimal.TEN).output(BigDecimal.TEN).build())
                .price("small", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .ladder(List.of("big", "small"))
                .budget(Budget.builder("session-10m").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.01").warnAt(30).downgradeAt(50).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(3, 5)).build())
                .build();
    }

    /**
     * Drives a guard through a varied session: allowed, warned, downgraded model calls, a failed one, repeated
     * tool calls up to feedback and block.
     */
    static void session(Guard guard, FakeTicker ticker, GuardScope scope) {
        for (int i = 0; i < 4; i++) {
            Admission a = guard.admitModelCall(ModelCall.builder("big").scope(scope).promptTokens(100)
                    .maxOutputTokens(100).build());
            ticker.advance(Duration.ofMillis(300 + i));
            if (i == 3) {
                a.fail(new IOException("connection reset"), Usage.of(100, 0, 0, Usage.UNKNOWN, Usage.UNKNOWN));
            } else {
                a.settle(Usage.of(90, 10, 0, 100, 5));
            }
        }
        for (int i = 0; i < 6; i++) {
            guard.admitToolCall(ToolCall.of(scope, "search_web", "{\"q\":\"weather in Paris\",\"n\":" + (i / 6) + "}"))
                    .complete();
        }
    }

    /** @return the events of one {@link #session} on a fresh guard */
    static List<DecisionEvent> sessionEvents() {
        List<DecisionEvent> events = new ArrayList<>();
        FakeTicker ticker = new FakeTicker();
        Guard guard = Guard.builder(policy()).ticker(ticker)
                .clock(new FakeClock(java.time.Instant.parse("2026-03-02T09:00:00Z"))).listener(events::add).build();
        session(guard, ticker, S42);
        return events;
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, List<String> lines) {
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
