package dev.agentguard.core;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.agentguard.core.log.CapturedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.event.KeyValuePair;

/**
 * A call admitted without a session, under a policy whose session rules could therefore not apply to it, is said
 * at WARN on the guard's logger, at most once a minute of the guard's ticker, with the rules and the count.
 */
@SuppressWarnings("try") // scopes are opened for their thread binding, not referenced in the block
class SessionlessCallsTest {

    @RegisterExtension
    final CapturedLog log = new CapturedLog(Guard.class);

    private final FakeTicker ticker = new FakeTicker();

    private static GuardConfig.Builder policy() {
        return GuardConfig.builder().name("support-bot")
                .budget(Budget.builder("session-calls").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitCalls(2).build())
                .budget(Budget.builder("global-usd").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10))
                        .limitUsd("100").build());
    }

    private static void modelCall(Guard guard) {
        try (Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").promptTokens(10).build())) {
            if (a.proceeds()) {
                a.settle(Usage.of(10, 0, 0, 10, 0));
            }
        }
    }

    private List<ILoggingEvent> warnings() {
        List<ILoggingEvent> warnings = new ArrayList<>();
        for (ILoggingEvent e : log.events()) {
            if (e.getLevel() == Level.WARN && e.getFormattedMessage().contains("without a session")) {
                warnings.add(e);
            }
        }
        return warnings;
    }

    private static Object keyValue(ILoggingEvent e, String key) {
        for (KeyValuePair kv : e.getKeyValuePairs()) {
            if (kv.key.equals(key)) {
                return kv.value;
            }
        }
        return null;
    }

    @Test
    void aModelCallWithoutASessionIsLoggedOnceAMinuteWithTheSessionRulesAndTheCount() {
        Guard guard = Guard.builder(policy().caps(Caps.builder().modelCallsPerSession(5).build()).build())
                .ticker(ticker).build();

        modelCall(guard);
        assertThat(warnings()).hasSize(1);
        ILoggingEvent first = warnings().get(0);
        assertThat(first.getLoggerName()).isEqualTo(Guard.class.getName());
        assertThat(first.getFormattedMessage())
                .startsWith("guard support-bot: 1 model call admitted without a session, so these session rules"
                        + " did not apply to them: budgets.session-calls, caps.modelCallsPerSession.")
                .contains("GuardScope.wrap(executor)")
                .doesNotContain("global-usd");
        assertThat(keyValue(first, "modelCalls")).isEqualTo(1L);

        for (int i = 0; i < 4; i++) {
            modelCall(guard);
        }
        ticker.advance(Duration.ofSeconds(59));
        modelCall(guard);
        assertThat(warnings()).as("within the minute").hasSize(1);

        ticker.advance(Duration.ofSeconds(1));
        modelCall(guard);
        assertThat(warnings()).hasSize(2);
        assertThat(warnings().get(1).getFormattedMessage()).startsWith(
                "guard support-bot: 6 model calls admitted without a session in the last 60 s, so these session"
                        + " rules did not apply to them: budgets.session-calls, caps.modelCallsPerSession.");

        ticker.advance(Duration.ofMinutes(5));
        modelCall(guard);
        assertThat(warnings()).hasSize(3);
        assertThat(warnings().get(2).getFormattedMessage()).contains("1 model call admitted without a session in"
                + " the last 300 s");
    }

    @Test
    void toolCallsCountWhenACapOrLoopRuleWouldHaveAppliedToThatTool() {
        Guard guard = Guard.builder(GuardConfig.builder().name("tools")
                .caps(Caps.builder().perTool("search_web", 3).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.blockAt(5)).exempt("wait_for_job")
                        .build()).build()).ticker(ticker).build();

        guard.admitToolCall(ToolCall.of("wait_for_job", "{}")).complete();
        assertThat(warnings()).as("exempt from the loop rules, and no cap on it").isEmpty();

        guard.admitToolCall(ToolCall.of("search_web", "{}")).complete();
        modelCall(guard);
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0).getFormattedMessage()).startsWith("guard tools: 1 tool call admitted without a"
                + " session, so these session rules did not apply to them: caps.perTool.search_web,"
                + " loops.identicalToolCalls.");
        assertThat(keyValue(warnings().get(0), "toolCalls")).isEqualTo(1L);
        assertThat(keyValue(warnings().get(0), "modelCalls")).as("no session rule on model calls").isEqualTo(0L);
    }

    @Test
    void callsWithASessionAndPoliciesWithoutSessionRulesAreNeverLogged() {
        Guard withRules = Guard.builder(policy().build()).ticker(ticker).build();
        try (GuardScope s = GuardScope.open("support", "session-1")) {
            modelCall(withRules);
            withRules.admitToolCall(ToolCall.of("search_web", "{}")).complete();
        }
        withRules.admitToolCall(ToolCall.of("search_web", "{}")).complete(); // no rule on tool calls
        Guard globalOnly = Guard.builder(GuardConfig.builder().name("global")
                .budget(Budget.builder("global-usd").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10))
                        .limitUsd("100").build()).build()).ticker(ticker).build();
        modelCall(globalOnly);
        assertThat(warnings()).isEmpty();
    }

    @Test
    void aSupplyAsyncCallThatLostItsSessionIsLoggedAndAWrappedOneIsNot() {
        Guard guard = Guard.builder(policy().build()).ticker(ticker).build();
        try (GuardScope s = GuardScope.open("support", "session-42")) {
            CompletableFuture.runAsync(GuardScope.wrap(() -> modelCall(guard))).join();
            assertThat(warnings()).isEmpty();
            CompletableFuture.runAsync(() -> modelCall(guard)).join();
        }
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0).getFormattedMessage()).contains("budgets.session-calls");
    }

    @Test
    void eachGuardWarnsOnItsOwnAndEveryCallIsCountedOnceUnderConcurrency() throws Exception {
        Guard guard = Guard.builder(policy().build()).ticker(ticker).build();
        Guard other = Guard.builder(policy().build()).ticker(ticker).build();
        int threads = 16;
        int calls = 200;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < calls; i++) {
                        modelCall(guard);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(warnings()).as("the ticker stood still: one warning").hasSize(1);
        modelCall(other);
        assertThat(warnings()).as("another guard warns on its own").hasSize(2);

        ticker.advance(Duration.ofMinutes(1));
        modelCall(guard);
        List<ILoggingEvent> ofGuard = List.of(warnings().get(0), warnings().get(2));
        long counted = 0;
        for (ILoggingEvent e : ofGuard) {
            counted += (Long) keyValue(e, "modelCalls");
        }
        assertThat(counted).as("calls counted over both warnings").isEqualTo((long) threads * calls + 1);
    }
}
