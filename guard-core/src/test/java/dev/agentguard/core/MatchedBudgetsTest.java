package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Budgets scoped to what is called: {@code match.model}, {@code match.provider}, {@code match.tool}, {@code kinds}. */
class MatchedBudgetsTest {

    private static final ModelPrice ONE_DOLLAR = ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE)
            .build();
    private static final GuardScope SCOPE = GuardScope.builder().agent("a").session("s1").build();

    private static Guard guard(Budget... budgets) {
        GuardConfig.Builder c = GuardConfig.builder().name("match").price("gpt-4o", ONE_DOLLAR)
                .price("gpt-4o-mini", ONE_DOLLAR).price("claude-sonnet", ONE_DOLLAR);
        for (Budget b : budgets) {
            c.budget(b);
        }
        return Guard.builder(c.build()).ticker(new FakeTicker())
                .clock(new FakeClock(Instant.parse("2026-03-01T10:00:00Z"))).build();
    }

    private static Budget.Builder agentCalls(String id, long limit) {
        return Budget.builder(id).scope(Scope.AGENT).sliding(Duration.ofHours(1)).limitCalls(limit);
    }

    private static Admission model(Guard guard, String model, String provider) {
        Admission a = guard.admitModelCall(ModelCall.builder(model).provider(provider).scope(SCOPE).promptTokens(10)
                .maxOutputTokens(10).build());
        if (a.proceeds()) {
            a.settle(Usage.of(5, 5));
        }
        return a;
    }

    @Test
    void aModelScopedBudgetDoesNotCountOtherModels() {
        Guard guard = guard(agentCalls("gpt4o", 2).matchModel("gpt-4o*").build());
        assertThat(model(guard, "gpt-4o", "openai").proceeds()).isTrue();
        assertThat(model(guard, "claude-sonnet", "anthropic").proceeds()).isTrue();
        assertThat(model(guard, "gpt-4o-mini", "openai").proceeds()).isTrue();
        assertThat(guard.budgetUsed("gpt4o", "a")).as("claude is not counted").isEqualTo(2);

        Admission refused = model(guard, "gpt-4o", "openai");
        assertThat(refused.proceeds()).isFalse();
        assertThat(refused.decision().rule()).isEqualTo("budgets.gpt4o");
        for (int i = 0; i < 5; i++) {
            assertThat(model(guard, "claude-sonnet", "anthropic").proceeds()).as("other models go on").isTrue();
        }
        assertThat(guard.budgetUsed("gpt4o", "a")).isEqualTo(2);
    }

    @Test
    void aProviderScopedBudgetCountsOnlyThatProvider() {
        Guard guard = guard(agentCalls("openai", 1).matchProvider("openai").build());
        assertThat(model(guard, "gpt-4o", "OpenAI").proceeds()).as("ignoring case").isTrue();
        assertThat(model(guard, "gpt-4o", "azure").proceeds()).isTrue();
        assertThat(model(guard, "gpt-4o", null).proceeds()).as("an unknown provider is not openai").isTrue();
        assertThat(model(guard, "gpt-4o", "openai").proceeds()).isFalse();
        assertThat(guard.budgetUsed("openai", "a")).isEqualTo(1);
    }

    @Test
    void aToolBudgetCountsItsToolCallsOnceEachIncludingOneThatThrows() {
        Guard guard = guard(agentCalls("search", 2).matchTool("search_*").build());
        Admission first = guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{\"q\":\"a\"}"));
        assertThat(first.proceeds()).isTrue();
        assertThat(guard.budgetUsed("search", "a")).as("reserved before the tool runs").isEqualTo(1);
        assertThat(first.complete()).isTrue();
        assertThat(first.complete()).as("settled once").isFalse();
        assertThat(first.fail(new IllegalStateException(), Usage.NONE)).isFalse();

        Admission other = guard.admitToolCall(ToolCall.of(SCOPE, "read_file", "{}"));
        assertThat(other.proceeds()).isTrue();
        other.complete();

        Admission throwing = guard.admitToolCall(ToolCall.of(SCOPE, "search_news", "{\"q\":\"b\"}"));
        assertThat(throwing.proceeds()).isTrue();
        assertThat(throwing.fail(new IllegalStateException("boom"), Usage.NONE)).isTrue();
        assertThat(throwing.complete()).isFalse();
        assertThat(guard.budgetUsed("search", "a")).as("the tool that threw ran, and counts").isEqualTo(2);

        Admission third = guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{\"q\":\"c\"}"));
        assertThat(third.proceeds()).isFalse();
        assertThat(third.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(third.decision().rule()).isEqualTo("budgets.search");
        assertThat(guard.budgetUsed("search", "a")).isEqualTo(2);
        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(model(guard, "gpt-4o", "openai").proceeds()).as("model calls are not counted").isTrue();
    }

    @Test
    void aReleasedToolCallGivesItsCallBack() {
        Guard guard = guard(agentCalls("tools", 1).kinds(CallKind.TOOL_CALL).build());
        Admission a = guard.admitToolCall(ToolCall.of(SCOPE, "x", "{}"));
        assertThat(guard.budgetUsed("tools", "a")).isEqualTo(1);
        assertThat(a.release()).isTrue();
        assertThat(guard.budgetUsed("tools", "a")).isZero();
        assertThat(guard.ledger().openHolds()).isZero();
    }

    @Test
    void kindsModelAndToolCountBoth() {
        Guard guard = guard(agentCalls("all", 3).kinds(CallKind.MODEL_CALL, CallKind.TOOL_CALL).build());
        assertThat(model(guard, "gpt-4o", "openai").proceeds()).isTrue();
        guard.admitToolCall(ToolCall.of(SCOPE, "x", "{}")).complete();
        assertThat(model(guard, "claude-sonnet", "anthropic").proceeds()).isTrue();
        assertThat(guard.admitToolCall(ToolCall.of(SCOPE, "y", "{}")).proceeds()).isFalse();
        assertThat(model(guard, "gpt-4o", "openai").proceeds()).isFalse();
        assertThat(guard.budgetUsed("all", "a")).isEqualTo(3);
    }

    @Test
    void aPlainBudgetStillIgnoresToolCalls() {
        Guard guard = guard(agentCalls("models", 1).build());
        for (int i = 0; i < 3; i++) {
            assertThat(guard.admitToolCall(ToolCall.of(SCOPE, "x", "{\"i\":" + i + "}")).complete()).isTrue();
        }
        assertThat(guard.budgetUsed("models", "a")).isZero();
    }

    @Test
    void impossibleMatchesAreRefusedByTheBuilder() {
        assertThatThrownBy(() -> Budget.builder("t").scope(Scope.AGENT).sliding(Duration.ofHours(1))
                .limitTokens(100).kinds(CallKind.TOOL_CALL).build())
                .hasMessageContaining("budget 't': kinds: tool needs a calls or costUsd limit");
        assertThatThrownBy(() -> agentCalls("t", 1).matchTool("search").kinds(CallKind.MODEL_CALL).build())
                .hasMessageContaining("match.tool needs kinds to include tool");
        assertThatThrownBy(() -> agentCalls("t", 1).matchModel("gpt*").kinds(CallKind.TOOL_CALL).build())
                .hasMessageContaining("need kinds to include model");
        assertThatThrownBy(() -> agentCalls("t", 1).matchModel("***").build())
                .hasMessageContaining("match.model: the name pattern '***' is only stars");
        assertThat(agentCalls("t", 1).matchTool("search").build().kinds()).containsExactly(CallKind.TOOL_CALL);
        assertThat(agentCalls("t", 1).build().kinds()).containsExactly(CallKind.MODEL_CALL);
    }
}
