package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link Guard#reconfigure}: a reloaded policy applies to new admissions while the state of the running guard
 * (ledger, outstanding reservations, session counts, loop history, listeners) carries over. Same test model as
 * {@link GuardTest}: 1,000 prompt tokens with a 500-token cap reserve $0.0075.
 */
class GuardReconfigureTest {

    private static final String MODEL = "acme-model";
    private static final long WORST_CASE = 7_500_000;
    private static final GuardScope S1 = GuardScope.builder().agent("support").session("s1").build();

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();

    private static GuardConfig config(String name, Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name(name)
                .price(MODEL, ModelPrice.builder().input(new BigDecimal("2.50")).output(new BigDecimal("10.00")).build());
        policy.accept(b);
        return b.build();
    }

    private static Budget budget(String id, String usd) {
        return Budget.builder(id).scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitUsd(usd).build();
    }

    private Guard guard(GuardConfig config) {
        return Guard.builder(config).ticker(ticker).clock(clock).listener(events::add).build();
    }

    private static Admission admit(Guard guard) {
        return guard.admitModelCall(ModelCall.builder(MODEL).scope(S1).promptTokens(1_000).maxOutputTokens(500).build());
    }

    @Test
    void spendUnderTheOldPolicyCountsAgainstTheNewLimitOfTheSameBudget() {
        Guard guard = guard(config("v1", p -> p.budget(budget("session", "1.00"))));
        admit(guard).settle(Usage.of(1_000, 500));
        admit(guard).settle(Usage.of(1_000, 500));

        guard.reconfigure(config("v2", p -> p.budget(budget("session", "0.02"))));

        assertThat(guard.config().name()).isEqualTo("v2");
        assertThat(guard.budgetUsed("session", "s1")).isEqualTo(2 * WORST_CASE);
        Admission third = admit(guard);
        assertThat(third.decision().action()).as("0.015 + 0.0075 > 0.02").isEqualTo(Action.BLOCK);
        assertThat(third.decision().limit()).isEqualTo(20_000_000);
    }

    /** A process budget lends the calling thread a credit; a lower limit still refuses the very next call. */
    @Test
    void aProcessBudgetLoweredBelowItsSpendRefusesTheNextCallThoughItsThreadHoldsACredit() {
        Budget global = Budget.builder("global").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10))
                .limitUsd("1.00").build();
        Guard guard = guard(config("v1", p -> p.budget(global)));
        admit(guard).settle(Usage.of(1_000, 500));
        admit(guard).settle(Usage.of(1_000, 500)); // $0.015 spent, this thread's credit far from $1

        guard.reconfigure(config("v2", p -> p.budget(Budget.builder("global").scope(Scope.GLOBAL)
                .sliding(Duration.ofMinutes(10)).limitUsd("0.02").build())));
        Admission third = admit(guard);

        assertThat(third.proceeds()).as("$0.015 + $0.0075 > $0.02").isFalse();
        assertThat(guard.budgetUsed("global", null)).isEqualTo(2 * WORST_CASE);
    }

    @Test
    void aBudgetWithANewIdStartsEmpty() {
        Guard guard = guard(config("v1", p -> p.budget(budget("session", "1.00"))));
        admit(guard).settle(Usage.of(1_000, 500));

        guard.reconfigure(config("v2", p -> p.budget(budget("session-renamed", "0.01"))));

        assertThat(guard.budgetUsed("session-renamed", "s1")).isZero();
        assertThat(admit(guard).proceeds()).isTrue();
    }

    @Test
    void anAdmissionMadeBeforeTheSwapSettlesIntoTheCarriedOverBudget() {
        Guard guard = guard(config("v1", p -> p.budget(budget("session", "1.00"))));
        Admission inFlight = admit(guard);

        guard.reconfigure(config("v2", p -> p.budget(budget("session", "0.01"))));
        assertThat(admit(guard).proceeds()).as("the in-flight reservation still holds $0.0075 of $0.01").isFalse();

        inFlight.settle(Usage.of(400, 100)); // $0.002
        assertThat(guard.budgetUsed("session", "s1")).isEqualTo(2_000_000);
        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(admit(guard).proceeds()).isTrue();
    }

    @Test
    void sessionCallCountsAreJudgedAgainstTheNewCaps() {
        Guard guard = guard(config("v1", p -> p.caps(Caps.builder().modelCallsPerSession(10).build())));
        for (int i = 0; i < 3; i++) {
            admit(guard).settle(Usage.of(10, 10));
        }

        guard.reconfigure(config("v2", p -> p.caps(Caps.builder().modelCallsPerSession(3).build())));

        Decision d = admit(guard).decision();
        assertThat(d.action()).isEqualTo(Action.BLOCK);
        assertThat(d.rule()).isEqualTo("caps.modelCallsPerSession");
    }

    @Test
    void loopHistoryGrowsWhenTheNewRulesNeedMoreOfIt() {
        GuardScope s = GuardScope.builder().agent("a").session("loop").turn("t1").build();
        Guard guard = guard(config("v1", p -> p.loops(LoopRules.builder()
                .identicalToolCalls(LoopRules.Threshold.of(2, 3)).build())));
        for (int i = 0; i < 2; i++) {
            guard.admitToolCall(ToolCall.of(s, "fetch", "{}")).complete();
        }

        guard.reconfigure(config("v2", p -> p.loops(LoopRules.builder()
                .identicalToolCalls(LoopRules.Threshold.of(5, 8)).build())));

        List<Action> actions = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Admission a = guard.admitToolCall(ToolCall.of(s, "fetch", "{}"));
            actions.add(a.decision().action());
            a.complete();
        }
        // calls 3 and 4 are under the new warnAt of 5; the fifth needs the two calls made under v1
        assertThat(actions).containsExactly(Action.ALLOW, Action.ALLOW, Action.WARN);
    }

    @Test
    void aSwapAndARejectionAreRecordedAsPolicyDecisions() {
        Guard guard = guard(config("v1", p -> { }));
        guard.reconfigure(config("v2", p -> { }));
        guard.rejectPolicy("support.yaml:3:8 mode: expected enforce or shadow, got \"loud\"");

        assertThat(events).hasSize(2);
        DecisionEvent applied = events.get(0);
        assertThat(applied.kind()).isEqualTo(CallKind.POLICY);
        assertThat(applied.kind().id()).isEqualTo("policy");
        assertThat(applied.guard()).isEqualTo("v2");
        assertThat(applied.decision().action()).isEqualTo(Action.ALLOW);
        assertThat(applied.decision().rule()).isEqualTo(Guard.RULE_POLICY_RELOAD);
        assertThat(applied.decision().reason()).startsWith("policy v1 replaced by GuardConfig{v2");
        DecisionEvent rejected = events.get(1);
        assertThat(rejected.guard()).isEqualTo("v2");
        assertThat(rejected.decision().action()).isEqualTo(Action.WARN);
        assertThat(rejected.decision().reason()).contains("v2 stays in force").contains("support.yaml:3:8 mode");
        assertThat(guard.config().name()).isEqualTo("v2");
    }

    @Test
    void modeChangesApplyToTheNextAdmission() {
        Guard guard = guard(config("v1", p -> p.budget(budget("session", "0.01"))));
        admit(guard).settle(Usage.of(1_000, 500));
        assertThat(admit(guard).proceeds()).isFalse();

        guard.reconfigure(config("v2", p -> p.mode(Mode.SHADOW).budget(budget("session", "0.01"))));

        Admission shadow = admit(guard);
        assertThat(shadow.proceeds()).isTrue();
        assertThat(shadow.decision().isShadow()).isTrue();
        assertThat(events.get(events.size() - 1).mode()).isEqualTo(Mode.SHADOW);
    }
}
