package dev.agentguard.langchain4j;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.common.Phase;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Tool calls: feedback as a result text, block as an exception, failures recorded, both entry points guarded. */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class GuardedToolExecutorTest {

    private static final ToolExecutionRequest SEARCH = ToolExecutionRequest.builder().id("1").name("search")
            .arguments("{\"q\": \"paris\"}").build();

    private static InvocationContext context(Object memoryId) {
        return InvocationContext.builder().invocationId(UUID.randomUUID())
                .interfaceName("com.acme.Support$Assistant").chatMemoryId(memoryId).build();
    }

    @Test
    void aLoopIsRefusedWithFeedbackThenBlocked() {
        TestGuards t = new TestGuards(p -> p.loops(LoopRules.builder()
                .identicalToolCalls(LoopRules.Threshold.of(2, 3)).build()));
        AtomicInteger runs = new AtomicInteger();
        ToolExecutor search = GuardedToolExecutor.wrap("search", (r, m) -> "result " + runs.incrementAndGet(),
                t.guard);
        InvocationContext ctx = context("session-7");

        String first = search.executeWithContext(SEARCH, ctx).resultText();
        search.executeWithContext(SEARCH, ctx);
        ToolExecutionResult refused = search.executeWithContext(SEARCH, ctx);

        assertThat(first).isEqualTo("result 1");
        assertThat(runs).as("the refused call did not run").hasValue(2);
        assertThat(refused.isError()).isTrue();
        assertThat(refused.resultText()).startsWith("The call to search was not executed: the guard refused it"
                + " (loops.identicalToolCalls: ").contains("Use the result you already have");
        assertThatThrownBy(() -> search.executeWithContext(SEARCH, ctx))
                .isInstanceOfSatisfying(GuardBlockedException.class, e -> {
                    assertThat(e.decision().action()).isEqualTo(Action.BLOCK);
                    assertThat(e.call()).isEqualTo("tool call search");
                });
        assertThat(runs).hasValue(2);
        List<DecisionEvent> pre = t.pre();
        assertThat(pre).extracting(DecisionEvent::action)
                .containsExactly(Action.ALLOW, Action.WARN, Action.FEEDBACK, Action.BLOCK);
        assertThat(pre).allSatisfy(e -> {
            assertThat(e.scope().session()).isEqualTo("session-7");
            assertThat(e.scope().agent()).isEqualTo("Assistant");
            assertThat(e.scope().turn()).isEqualTo(ctx.invocationId().toString());
            assertThat(TestEvents.call(e).tool()).isEqualTo("search");
        });
    }

    @Test
    void aToolPricedPerUnitIsChargedWhatItReportsAndOtherwiseWhatItHeld() {
        long milli = Money.usd("0.001").nanos();
        TestGuards t = new TestGuards(p -> p.toolPrice("search", Money.usd("0.001"), 20));
        List<Long> reports = new java.util.ArrayList<>();
        ToolExecutor reporting = GuardedToolExecutor.wrap("search", (r, m) -> {
            reports.add(ToolUnits.report(3) ? 3L : -1L);
            ToolUnits.report(4); // reports add up
            return "7 pages";
        }, t.guard);
        ToolExecutor silent = GuardedToolExecutor.wrap("search", (r, m) -> "pages", t.guard);
        ToolExecutor failing = GuardedToolExecutor.wrap("search", (r, m) -> {
            ToolUnits.report(1);
            throw new IllegalStateException("site down");
        }, t.guard);

        reporting.executeWithContext(SEARCH, context("s-1"));
        silent.executeWithContext(ToolExecutionRequest.builder().id("2").name("search").arguments("{\"q\": 2}")
                .build(), context("s-1"));
        assertThatThrownBy(() -> failing.executeWithContext(ToolExecutionRequest.builder().id("3").name("search")
                .arguments("{\"q\": 3}").build(), context("s-1"))).hasMessage("site down");

        assertThat(reports).containsExactly(3L);
        assertThat(t.post()).extracting(e -> ((DecisionEvent.CallSettled) e).costNanos())
                .as("7 pages reported; none reported: the 20 held; a throw: the 20 held")
                .containsExactly(7 * milli, 20 * milli, 20 * milli);
        assertThat(ToolUnits.report(5)).as("outside a guarded per-unit call a report changes nothing").isFalse();
    }

    @Test
    void aToolPricedPerCallIgnoresReports() {
        TestGuards t = new TestGuards(p -> p.toolPrice("search", Money.usd("0.01")));
        boolean[] received = {true};
        ToolExecutor search = GuardedToolExecutor.wrap("search", (r, m) -> {
            received[0] = ToolUnits.report(9);
            return "found";
        }, t.guard);

        search.executeWithContext(SEARCH, context("s-2"));

        assertThat(received[0]).isFalse();
        assertThat(t.post()).extracting(e -> ((DecisionEvent.CallSettled) e).costNanos())
                .containsExactly(Money.usd("0.01").nanos());
    }

    @Test
    void aPerToolCapRefusesWithFeedbackThroughThePlainEntryPointToo() {
        TestGuards t = new TestGuards(p -> p.caps(Caps.builder().perTool("search", 1).build()));
        ToolExecutor search = GuardedToolExecutor.wrap("search", (r, m) -> "found", t.guard);

        try (GuardScope s = GuardScope.open("support", "ignored")) {
            assertThat(search.execute(SEARCH, "session-9")).isEqualTo("found");
            assertThat(search.execute(SEARCH, "session-9")).startsWith("The call to search was not executed");
        }
        assertThat(t.pre()).allSatisfy(e -> {
            assertThat(e.scope().session()).as("the memory id is the session").isEqualTo("session-9");
            assertThat(e.scope().agent()).isEqualTo("support");
        });
    }

    @Test
    void failuresAreRecordedSoThatTheSameErrorAgainIsRefused() {
        TestGuards t = new TestGuards(p -> p.loops(LoopRules.builder()
                .repeatedToolError(LoopRules.Threshold.blockAt(2)).build()));
        ToolExecutor failing = GuardedToolExecutor.wrap("search", (r, m) -> {
            throw new IllegalStateException("quota exceeded");
        }, t.guard);
        ToolExecutor erroring = GuardedToolExecutor.wrap("lookup", new ToolExecutor() {
            @Override
            public String execute(ToolExecutionRequest request, Object memoryId) {
                throw new AssertionError("not called");
            }

            @Override
            public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
                return ToolExecutionResult.builder().isError(true).resultText("no such id").build();
            }
        }, t.guard);
        InvocationContext ctx = context("session-3");

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> failing.executeWithContext(SEARCH, ctx)).hasMessage("quota exceeded");
            assertThat(erroring.executeWithContext(SEARCH, ctx).resultText()).isEqualTo("no such id");
        }
        assertThat(failing.executeWithContext(SEARCH, ctx).resultText()).contains("loops.repeatedToolError");
        assertThat(erroring.executeWithContext(SEARCH, ctx).resultText()).contains("loops.repeatedToolError");

        List<String> outcomes = t.events.stream().filter(e -> e.phase() == Phase.POST).map(e -> TestEvents.settled(e).outcome())
                .collect(Collectors.toList());
        assertThat(outcomes).containsExactly(IllegalStateException.class.getName(),
                GuardedToolExecutor.ToolErrorResult.class.getName(), IllegalStateException.class.getName(),
                GuardedToolExecutor.ToolErrorResult.class.getName());
    }

    @Test
    void anInvocationWithoutMemoryIdKeepsTheSessionTheCallerBound() {
        TestGuards t = new TestGuards(p -> { });
        ToolExecutor search = GuardedToolExecutor.wrap("search", (r, m) -> "ok", t.guard);

        try (GuardScope s = GuardScope.builder().agent("bound").session("bound-session").user("u1").open()) {
            search.executeWithContext(SEARCH, context("default"));
        }

        DecisionEvent pre = t.pre().get(0);
        assertThat(pre.scope().session()).isEqualTo("bound-session");
        assertThat(pre.scope().agent()).isEqualTo("bound");
        assertThat(pre.scope().user()).isEqualTo("u1");
    }
}
