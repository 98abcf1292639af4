package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Issue "Rules that mean what they say": a block ends the run, a suspension suspends tools too. */
class RulesMeanWhatTheySayTest {

    private static final String MODEL = "acme-model";
    private static final GuardScope S1 = GuardScope.builder().agent("support").session("s1").build();

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));

    private Guard guard(Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name("rules")
                .price(MODEL, ModelPrice.builder().input(new BigDecimal("2.50")).output(new BigDecimal("10.00"))
                        .build());
        policy.accept(b);
        return Guard.builder(b.build()).ticker(ticker).clock(clock).build();
    }

    private static Admission model(Guard guard, boolean continuesToolResult) {
        return guard.admitModelCall(ModelCall.builder(MODEL).scope(S1).promptTokens(100).maxOutputTokens(100)
                .continuesToolResult(continuesToolResult).build());
    }

    private static Admission tool(Guard guard) {
        return guard.admitToolCall(ToolCall.of(S1, "lookup", "{\"id\":1}"));
    }

    @Test
    void aBlockedToolCallEndsTheRunUntilANewUserMessage() {
        Guard guard = guard(p -> p.loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(0, 2))
                .onLoop(LoopRules.OnLoop.BLOCK).build()));
        tool(guard).complete();
        Admission blocked = tool(guard);
        assertThat(blocked.decision().action()).isEqualTo(Action.BLOCK);

        // the wiring turned the refusal into a tool result, and the model is asked to go on
        Admission next = model(guard, true);
        assertThat(next.proceeds()).isFalse();
        assertThat(next.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(next.decision().rule()).isEqualTo("loops.identicalToolCalls");
        assertThat(next.decision().reason()).startsWith("the run ended when a tool call was refused");
        assertThat(model(guard, true).proceeds()).as("and again").isFalse();

        Admission newMessage = model(guard, false);
        assertThat(newMessage.proceeds()).as("a new user message starts a new run").isTrue();
        newMessage.settle(Usage.of(100, 10));
        assertThat(model(guard, true).proceeds()).isTrue();
    }

    @Test
    void aFeedbackDoesNotEndTheRun() {
        Guard guard = guard(p -> p.loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(0, 2))
                .onLoop(LoopRules.OnLoop.FEEDBACK).build()));
        tool(guard).complete();
        assertThat(tool(guard).decision().action()).isEqualTo(Action.FEEDBACK);

        assertThat(model(guard, true).proceeds()).as("the model is told, and may change course").isTrue();
    }

    @Test
    void aSuspendedScopeRefusesToolCallsToo() {
        Guard guard = guard(p -> p.budget(Budget.builder("session-calls").scope(Scope.SESSION)
                .sliding(Duration.ofHours(1)).limitCalls(1).onExceed(OnExceed.suspend(Duration.ofMinutes(10)))
                .build()));
        model(guard, false).settle(Usage.of(100, 10));
        Admission over = model(guard, false);
        assertThat(over.decision().action()).isEqualTo(Action.SUSPEND);

        Admission lookup = tool(guard);
        assertThat(lookup.proceeds()).isFalse();
        assertThat(lookup.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(lookup.decision().rule()).isEqualTo("budgets.session-calls");

        ticker.advance(Duration.ofMinutes(11));
        clock.advance(Duration.ofMinutes(11));
        assertThat(tool(guard).proceeds()).as("the suspension is over").isTrue();
    }

    private static Admission tool(Guard guard, String name, String arguments) {
        return guard.admitToolCall(ToolCall.of(S1, name, arguments));
    }

    @Test
    void aPerToolCapToldOnceThenBlocksAndRefusedCallsCountTowardLoops() {
        Guard guard = guard(p -> p.caps(Caps.builder().perTool("search", 1).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(0, 3)).build()));
        tool(guard, "search", "{\"q\":\"a\"}").complete();

        Admission over = tool(guard, "search", "{\"q\":\"b\"}");
        assertThat(over.decision().action()).isEqualTo(Action.FEEDBACK);
        assertThat(over.decision().rule()).isEqualTo("caps.perTool.search");
        Admission insists = tool(guard, "search", "{\"q\":\"b\"}");
        assertThat(insists.decision().action()).as("it insists: blocked").isEqualTo(Action.BLOCK);
        Admission again = tool(guard, "search", "{\"q\":\"b\"}");
        assertThat(again.decision().fired()).as("three identical refused calls are a loop")
                .contains(new Decision.Fired("loops.identicalToolCalls", Action.FEEDBACK));
    }

    @Test
    void aPerToolCapWithFinalAnswerAsksTheNextModelCallForOne() {
        Guard guard = guard(p -> p.caps(Caps.builder().perTool("search", 1, Caps.OnCap.FINAL_ANSWER).build()));
        tool(guard, "search", "{}").complete();
        Admission over = tool(guard, "search", "{}");
        assertThat(over.decision().action()).isEqualTo(Action.FEEDBACK);
        assertThat(over.decision().advice()).contains("final answer");

        Admission next = model(guard, true);
        assertThat(next.proceeds()).isTrue();
        assertThat(next.decision().action()).isEqualTo(Action.FINAL_ANSWER);
        assertThat(next.decision().rule()).isEqualTo("caps.perTool.search");
        next.settle(Usage.of(100, 10));
        assertThat(model(guard, true).decision().action()).as("asked once").isEqualTo(Action.ALLOW);
    }

    @Test
    void aModelCallCapWithFinalAnswerLetsOneLastCallGoWithoutToolsThenBlocks() {
        Guard guard = guard(p -> p.caps(Caps.builder().modelCallsPerSession(2)
                .modelCallsOnExceed(Caps.OnCap.FINAL_ANSWER).build()));
        model(guard, false).settle(Usage.of(100, 10));
        model(guard, true).settle(Usage.of(100, 10));

        Admission last = model(guard, true);
        assertThat(last.proceeds()).as("instead of throwing").isTrue();
        assertThat(last.decision().action()).isEqualTo(Action.FINAL_ANSWER);
        assertThat(last.decision().action().id()).isEqualTo("finalAnswer");
        last.settle(Usage.of(100, 10));
        Admission after = model(guard, true);
        assertThat(after.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(after.decision().rule()).isEqualTo("caps.modelCallsPerSession");
    }
}
