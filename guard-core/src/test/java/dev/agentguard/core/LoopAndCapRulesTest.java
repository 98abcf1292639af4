package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Iteration caps, prompt size and loop patterns, through the guard's admission protocol. */
class LoopAndCapRulesTest {

    private static final String MODEL = "acme-model";

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));

    private Guard guard(Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name("rules")
                .price(MODEL, ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build());
        policy.accept(b);
        return Guard.builder(b.build()).ticker(ticker).clock(clock).build();
    }

    private static GuardScope turn(String turn) {
        return GuardScope.builder().agent("a").session("s1").turn(turn).build();
    }

    private static Decision tool(Guard guard, GuardScope scope, String tool, String args) {
        Admission a = guard.admitToolCall(ToolCall.of(scope, tool, args));
        a.complete();
        return a.decision();
    }

    private static List<Action> actions(Guard guard, GuardScope scope, String tool, String... args) {
        List<Action> out = new ArrayList<>();
        for (String a : args) {
            out.add(tool(guard, scope, tool, a).action());
        }
        return out;
    }

    private static LoopRules.Builder loops() {
        return LoopRules.builder();
    }

    @Test
    void identicalToolCallsWarnThenFeedbackThenBlock() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(3, 5)).build()));
        String q = "{\"q\":\"weather\"}";

        List<Action> seen = actions(guard, turn("t1"), "search_web", q, q, q, q, q, q);

        assertThat(seen).containsExactly(Action.ALLOW, Action.ALLOW, Action.WARN, Action.WARN, Action.FEEDBACK,
                Action.BLOCK);
        Decision feedback = guard.admitToolCall(ToolCall.of(turn("t1"), "other", "{}")).decision();
        assertThat(feedback.action()).as("another call breaks the run").isEqualTo(Action.ALLOW);
    }

    @Test
    void theFeedbackDecisionExplainsWithFigures() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(0, 3)).build()));
        actions(guard, turn("t1"), "search_web", "{}", "{}");

        Decision d = tool(guard, turn("t1"), "search_web", "{}");

        assertThat(d.action()).isEqualTo(Action.FEEDBACK);
        assertThat(d.proceeds()).isFalse();
        assertThat(d.rule()).isEqualTo("loops.identicalToolCalls");
        assertThat(d.observed()).isEqualTo(3);
        assertThat(d.limit()).isEqualTo(3);
        assertThat(d.unit()).isEqualTo(Unit.CALLS);
        assertThat(d.reason()).isEqualTo("identical call to search_web repeated 3 times (limit 3)");
        assertThat(d.advice()).contains("same arguments 3 times");
    }

    @Test
    void onLoopBlockBlocksAtTheThreshold() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(0, 3))
                .onLoop(LoopRules.OnLoop.BLOCK).build()));

        assertThat(actions(guard, turn("t1"), "t", "1", "1", "1")).containsExactly(Action.ALLOW, Action.ALLOW,
                Action.BLOCK);
    }

    @Test
    void argumentsAreComparedCanonically() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(0, 3)).build()));

        List<Action> seen = actions(guard, turn("t1"), "search",
                "{\"q\":\"x\",\"n\":1}", "{ \"n\" : 1.0, \"q\" : \"x\" }", "{\"n\":1e0,\"q\":\"x\"}");

        assertThat(seen).containsExactly(Action.ALLOW, Action.ALLOW, Action.FEEDBACK);
    }

    @Test
    void argumentsThatAreNotJsonCompareAsText() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(0, 3)).build()));

        assertThat(actions(guard, turn("t1"), "sql", "SELECT 1", " SELECT 1 ", "SELECT 2", "SELECT 2", "SELECT 2"))
                .containsExactly(Action.ALLOW, Action.ALLOW, Action.ALLOW, Action.ALLOW, Action.FEEDBACK);
    }

    @Test
    void alternatingCallsAreALoop() {
        Guard guard = guard(p -> p.loops(loops().alternatingToolCalls(LoopRules.Threshold.of(4, 6)).build()));
        GuardScope s = turn("t1");
        List<Action> seen = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seen.add(tool(guard, s, i % 2 == 0 ? "open_file" : "read_file", "{\"path\":\"a.txt\"}").action());
        }

        assertThat(seen).containsExactly(Action.ALLOW, Action.ALLOW, Action.ALLOW, Action.WARN, Action.WARN,
                Action.FEEDBACK, Action.BLOCK);
    }

    @Test
    void aShortCycleOfThreeIsALoop() {
        Guard guard = guard(p -> p.loops(loops().alternatingToolCalls(LoopRules.Threshold.blockAt(6)).build()));
        GuardScope s = turn("t1");
        String[] cycle = {"list", "read", "write"};
        List<Action> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(tool(guard, s, cycle[i % 3], "{}").action());
        }

        assertThat(seen).containsExactly(Action.ALLOW, Action.ALLOW, Action.ALLOW, Action.ALLOW, Action.ALLOW,
                Action.FEEDBACK);
    }

    @Test
    void theSameErrorAgainAndAgainIsRefused() {
        Guard guard = guard(p -> p.loops(loops().repeatedToolError(LoopRules.Threshold.blockAt(3)).build()));
        GuardScope s = turn("t1");
        for (int i = 0; i < 3; i++) {
            Admission a = guard.admitToolCall(ToolCall.of(s, "fetch", "{\"url\":\"http://x\"}"));
            assertThat(a.proceeds()).isTrue();
            a.fail(new java.io.IOException("404 Not Found"), null);
        }

        Decision fourth = guard.admitToolCall(ToolCall.of(s, "fetch", "{\"url\":\"http://x\"}")).decision();
        Decision fifth = guard.admitToolCall(ToolCall.of(s, "fetch", "{\"url\":\"http://x\"}")).decision();
        Decision otherArgs = guard.admitToolCall(ToolCall.of(s, "fetch", "{\"url\":\"http://y\"}")).decision();

        assertThat(fourth.action()).isEqualTo(Action.FEEDBACK);
        assertThat(fourth.rule()).isEqualTo("loops.repeatedToolError");
        assertThat(fourth.observed()).isEqualTo(3);
        assertThat(fifth.action()).isEqualTo(Action.BLOCK);
        assertThat(otherArgs.action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void aDifferentErrorOrASuccessStartsAgain() {
        Guard guard = guard(p -> p.loops(loops().repeatedToolError(LoopRules.Threshold.blockAt(2)).build()));
        GuardScope s = turn("t1");
        guard.admitToolCall(ToolCall.of(s, "fetch", "{}")).fail(new java.io.IOException("timeout"), null);
        guard.admitToolCall(ToolCall.of(s, "fetch", "{}")).fail(new java.io.IOException("refused"), null);
        assertThat(guard.admitToolCall(ToolCall.of(s, "fetch", "{}")).decision().action())
                .as("two different errors").isEqualTo(Action.ALLOW);
        guard.admitToolCall(ToolCall.of(s, "fetch", "{}")).complete();
        guard.admitToolCall(ToolCall.of(s, "fetch", "{}")).fail(new java.io.IOException("refused"), null);
        assertThat(guard.admitToolCall(ToolCall.of(s, "fetch", "{}")).decision().action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void theSameModelRequestSentAgainIsBlocked() {
        Guard guard = guard(p -> p.loops(loops().repeatedModelRequest(LoopRules.Threshold.blockAt(3)).build()));
        List<Action> seen = new ArrayList<>();
        for (long fp : new long[] {11, 11, 22, 22, 22}) {
            Admission a = guard.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(10)
                    .requestFingerprint(fp).build());
            seen.add(a.decision().action());
            a.settle(Usage.of(10, 10));
        }

        assertThat(seen).containsExactly(Action.ALLOW, Action.ALLOW, Action.ALLOW, Action.ALLOW, Action.BLOCK);
    }

    @Test
    void exemptToolsAreNeverALoop() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(0, 3))
                .exempt("wait_for_job").build()));

        assertThat(actions(guard, turn("t1"), "wait_for_job", "{}", "{}", "{}", "{}", "{}"))
                .containsOnly(Action.ALLOW);
    }

    @Test
    void aNewTurnStartsANewRun() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(0, 3)).build()));
        actions(guard, turn("t1"), "search", "{}", "{}");

        assertThat(actions(guard, turn("t2"), "search", "{}", "{}", "{}"))
                .containsExactly(Action.ALLOW, Action.ALLOW, Action.FEEDBACK);
    }

    @Test
    void capsCountCallsPerSessionPerTurnAndPerTool() {
        Guard guard = guard(p -> p.caps(Caps.builder().modelCallsPerTurn(2).modelCallsPerSession(3)
                .toolCallsPerTurn(3).perTool("search_web", 2).build()));

        assertThat(model(guard, turn("t1"))).isEqualTo(Action.ALLOW);
        assertThat(model(guard, turn("t1"))).isEqualTo(Action.ALLOW);
        Decision third = guard.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(1).build())
                .decision();
        assertThat(third.action()).isEqualTo(Action.BLOCK);
        assertThat(third.rule()).isEqualTo("caps.modelCallsPerTurn");
        assertThat(third.reason()).isEqualTo("this call would make 3 model calls in turn t1 (limit 2)");
        assertThat(model(guard, turn("t2"))).as("new turn").isEqualTo(Action.ALLOW);
        Decision session = guard.admitModelCall(ModelCall.builder(MODEL).scope(turn("t2")).promptTokens(1).build())
                .decision();
        assertThat(session.rule()).isEqualTo("caps.modelCallsPerSession");

        assertThat(actions(guard, turn("t3"), "search_web", "{\"q\":1}", "{\"q\":2}", "{\"q\":3}"))
                .containsExactly(Action.ALLOW, Action.ALLOW, Action.FEEDBACK);
        Decision perTool = tool(guard, turn("t3"), "search_web", "{\"q\":4}");
        assertThat(perTool.rule()).isEqualTo("caps.perTool.search_web");
        assertThat(tool(guard, turn("t3"), "calculator", "{}").action()).isEqualTo(Action.ALLOW);
        Decision perTurn = tool(guard, turn("t3"), "calculator", "{\"x\":2}");
        assertThat(perTurn.rule()).isEqualTo("caps.toolCallsPerTurn");
        assertThat(perTurn.action()).isEqualTo(Action.BLOCK);
    }

    private static Action model(Guard guard, GuardScope scope) {
        Admission a = guard.admitModelCall(ModelCall.builder(MODEL).scope(scope).promptTokens(1).build());
        a.settle(Usage.of(1, 1));
        return a.decision().action();
    }

    @Test
    void aTruncatedCallIsReservedForWhatItSendsAndBlockedWhenItCannotFit() {
        Guard truncating = guard(p -> p.caps(Caps.builder().promptTokens(1_000, Caps.PromptAction.TRUNCATE).build()));
        List<Long> asked = new ArrayList<>();
        Admission fits = truncating.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(5_000)
                .maxOutputTokens(100).truncator(target -> {
                    asked.add(target);
                    return 870; // what stays once the oldest messages are dropped
                }).build());

        assertThat(asked).containsExactly(1_000L);
        assertThat(fits.decision().action()).isEqualTo(Action.TRUNCATE);
        assertThat(fits.reservedNanos()).as("reserved for the prompt sent").isEqualTo((870 + 100) * 1_000L);

        // one 120,000-character user message: nothing can be dropped, so nothing goes out over the cap
        Admission cannot = truncating.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(30_000)
                .maxOutputTokens(100).truncator(target -> 30_000).build());
        assertThat(cannot.proceeds()).isFalse();
        assertThat(cannot.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(cannot.decision().rule()).isEqualTo("caps.promptTokens");
        assertThat(cannot.decision().reason()).contains("truncation cannot bring it under")
                .contains("30000 tokens");
        assertThat(cannot.reservedNanos()).isZero();
    }

    @Test
    void aPromptOverTheCapIsTruncatedOrBlocked() {
        Guard truncating = guard(p -> p.caps(Caps.builder().promptTokens(1_000, Caps.PromptAction.TRUNCATE).build()));
        Admission a = truncating.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(5_000)
                .maxOutputTokens(100).build());

        assertThat(a.decision().action()).isEqualTo(Action.TRUNCATE);
        assertThat(a.decision().targetPromptTokens()).isEqualTo(1_000);
        assertThat(a.decision().observed()).isEqualTo(5_000);
        assertThat(a.decision().unit()).isEqualTo(Unit.TOKENS);
        assertThat(a.proceeds()).isTrue();
        assertThat(a.reservedNanos()).as("no truncator: the caller may send it all, so all of it is reserved")
                .isEqualTo((5_000 + 100) * 1_000L);

        Guard blocking = guard(p -> p.caps(Caps.builder().promptTokens(1_000, Caps.PromptAction.BLOCK).build()));
        Admission b = blocking.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(1_001).build());
        assertThat(b.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(b.decision().rule()).isEqualTo("caps.promptTokens");
    }

    @Test
    void whatACallerDroppedToFitThePromptTravelsWithThePostEvent() {
        List<DecisionEvent> events = new ArrayList<>();
        GuardConfig config = GuardConfig.builder().name("rules")
                .price(MODEL, ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .caps(Caps.builder().promptTokens(1_000, Caps.PromptAction.TRUNCATE).build()).build();
        Guard guard = Guard.builder(config).ticker(ticker).clock(clock).listener(events::add).build();

        Admission a = guard.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(5_000)
                .maxOutputTokens(100).build());
        a.truncated(7, 4_100);
        a.settle(Usage.of(900, 50));
        Admission plain = guard.admitModelCall(ModelCall.builder(MODEL).scope(turn("t1")).promptTokens(10).build());
        plain.settle(Usage.of(10, 5));

        assertThat(events).hasSize(4);
        assertThat(events.get(0)).as("pre: nothing dropped yet, and no field for it").isInstanceOf(DecisionEvent.CallAdmitted.class);
        assertThat(TestEvents.settled(events.get(1)).droppedMessages()).isEqualTo(7);
        assertThat(TestEvents.settled(events.get(1)).droppedTokens()).isEqualTo(4_100);
        assertThat(TestEvents.settled(events.get(3)).droppedMessages()).as("a call that was not truncated").isEqualTo(-1);
        assertThat(TestEvents.settled(events.get(3)).droppedTokens()).isEqualTo(-1);
        assertThatThrownBy(() -> a.truncated(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void callsWithoutASessionAreNotCounted() {
        Guard guard = guard(p -> p.loops(loops().identicalToolCalls(LoopRules.Threshold.of(0, 2)).build()));

        assertThat(actions(guard, GuardScope.NONE, "t", "{}", "{}", "{}")).containsOnly(Action.ALLOW);
    }
}
