package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Downgrade along the ladder by budget and by health, the return after recovery, and shadow mode. The ladder is
 * {@code big} ($10 per million tokens in and out) then {@code small} ($1).
 */
class DowngradeAndShadowTest {

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();

    private Guard guard(Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name("ladder")
                .price("big", ModelPrice.builder().input(BigDecimal.TEN).output(BigDecimal.TEN).build())
                .price("small", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .ladder(List.of("big", "small"));
        policy.accept(b);
        return Guard.builder(b.build()).ticker(ticker).clock(clock).listener(events::add).build();
    }

    private static final GuardScope S1 = GuardScope.builder().agent("a").session("s1").build();

    /** 100 prompt + 100 output tokens: big reserves $0.002, small $0.0002. */
    private static Admission call(Guard guard, String model) {
        return guard.admitModelCall(ModelCall.builder(model).scope(S1).promptTokens(100).maxOutputTokens(100).build());
    }

    @Test
    void pastDowngradeAtTheCallMovesToTheMostCapableModelThatFitsThenBlocks() {
        Guard guard = guard(p -> p.budget(Budget.builder("session").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(10)).limitUsd("0.01").downgradeAt(50).build()));
        List<String> models = new ArrayList<>();
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < 100 && !actions.contains(Action.BLOCK); i++) {
            Admission a = call(guard, "big");
            actions.add(a.decision().action());
            models.add(a.proceeds() ? a.model() : "-");
            a.settle(Usage.of(100, 100));
        }

        // big: $0.002, $0.004; past 50% every call is small ($0.0002 each) while it fits: 30 more up to $0.01
        assertThat(actions).hasSize(2 + 30 + 1);
        assertThat(models.subList(0, 2)).containsOnly("big");
        assertThat(actions.subList(0, 2)).containsOnly(Action.ALLOW);
        assertThat(models.subList(2, 32)).containsOnly("small");
        assertThat(actions.subList(2, 32)).containsOnly(Action.DOWNGRADE);
        assertThat(actions.get(32)).isEqualTo(Action.BLOCK);
        assertThat(guard.budgetUsed("session", "s1")).isEqualTo(10_000_000);
        Decision third = events.stream().filter(e -> e.phase() == Phase.PRE).skip(2).findFirst().orElseThrow().decision();
        assertThat(third.requestedModel()).isEqualTo("big");
        assertThat(third.model()).isEqualTo("small");
        assertThat(third.rule()).isEqualTo("budgets.session");
        assertThat(third.reason()).isEqualTo("session budget session would be past its downgradeAt 50% with this call"
                + " on big ($0.006 of $0.01 used or reserved); using small instead of big");
        assertThat(guard.ledger().openHolds()).isZero();
    }

    @Test
    void aSlowModelIsRoutedAroundThenReturnedToAfterRecovery() {
        Guard guard = guard(p -> p.health(HealthRules.builder().latency(Duration.ofSeconds(8), 10)
                .cooldown(Duration.ofSeconds(60)).probeCalls(2).build()));
        for (int i = 0; i < 10; i++) {
            Admission a = call(guard, "big");
            assertThat(a.model()).isEqualTo("big");
            a.settle(Usage.of(10, 10), Duration.ofSeconds(i < 2 ? 9 : 1).toNanos(), -1);
        }

        Admission routed = call(guard, "big");
        assertThat(routed.decision().action()).isEqualTo(Action.DOWNGRADE);
        assertThat(routed.decision().rule()).isEqualTo("health.latency");
        assertThat(routed.model()).isEqualTo("small");
        assertThat(routed.decision().reason()).startsWith("big is unhealthy (p90 latency over its last 10 calls above"
                + " 8000 ms: 20% of calls slower); using small");
        routed.settle(Usage.of(10, 10));

        ticker.advance(Duration.ofSeconds(61));
        clock.advance(Duration.ofSeconds(61));
        Admission probe1 = call(guard, "big");
        Admission probe2 = call(guard, "big");
        Admission whileProbing = call(guard, "big");
        assertThat(probe1.model()).isEqualTo("big");
        assertThat(probe2.model()).isEqualTo("big");
        assertThat(whileProbing.model()).as("only probeCalls go back while probing").isEqualTo("small");
        probe1.settle(Usage.of(10, 10), Duration.ofSeconds(1).toNanos(), -1);
        probe2.settle(Usage.of(10, 10), Duration.ofSeconds(1).toNanos(), -1);
        whileProbing.settle(Usage.of(10, 10));

        Admission recovered = call(guard, "big");
        assertThat(recovered.model()).isEqualTo("big");
        assertThat(recovered.decision().action()).isEqualTo(Action.ALLOW);
        recovered.release();
    }

    @Test
    void anErrorProneModelIsRoutedAroundWhenItsRateIsAboveTheThreshold() {
        Guard guard = guard(p -> p.health(HealthRules.builder().errors(50, 4).cooldown(Duration.ofSeconds(30)).build()));
        // exactly 50%: not above
        call(guard, "big").fail(new RuntimeException("500"), null);
        call(guard, "big").fail(new RuntimeException("500"), null);
        call(guard, "big").settle(Usage.of(1, 1));
        call(guard, "big").settle(Usage.of(1, 1));
        assertThat(call(guard, "big").model()).isEqualTo("big");

        Guard failing = guard(p -> p.health(HealthRules.builder().errors(50, 4).cooldown(Duration.ofSeconds(30)).build()));
        for (int i = 0; i < 4; i++) {
            Admission a = call(failing, "big");
            if (i == 0) {
                a.settle(Usage.of(1, 1));
            } else {
                a.fail(new java.net.SocketTimeoutException(), null);
            }
        }
        Admission routed = call(failing, "big");
        assertThat(routed.model()).isEqualTo("small");
        assertThat(routed.decision().rule()).isEqualTo("health.errors");
        assertThat(routed.decision().observed()).isEqualTo(75);
        assertThat(routed.decision().unit()).isEqualTo(Unit.PERCENT);
    }

    @Test
    void aReleasedCallGivesItsProbePermissionBack() {
        Guard guard = guard(p -> p.health(HealthRules.builder().errors(10, 2).cooldown(Duration.ofSeconds(5))
                .probeCalls(1).build()));
        call(guard, "big").fail(new RuntimeException(), null);
        call(guard, "big").fail(new RuntimeException(), null);
        ticker.advance(Duration.ofSeconds(6));
        clock.advance(Duration.ofSeconds(6));

        Admission probe = call(guard, "big");
        assertThat(probe.model()).isEqualTo("big");
        probe.release();
        assertThat(call(guard, "big").model()).as("the permission came back").isEqualTo("big");
    }

    /**
     * The same scripted session under enforce and under shadow. The two ladder models cost the same, so that a
     * downgrade applied (enforce) and one only recorded (shadow) spend alike and the later decisions can match.
     */
    private List<Decision> script(Mode mode) {
        events.clear();
        ModelPrice ten = ModelPrice.builder().input(BigDecimal.TEN).output(BigDecimal.TEN).build();
        GuardConfig config = GuardConfig.builder().name("script").mode(mode)
                .price("m1", ten).price("m2", ten).ladder(List.of("m1", "m2"))
                .budget(Budget.builder("session").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.01").warnAt(30).downgradeAt(50).build())
                .caps(Caps.builder().promptTokens(500, Caps.PromptAction.TRUNCATE).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(2, 3)).build())
                .build();
        Guard guard = Guard.builder(config).ticker(ticker).clock(clock).build();
        List<Decision> decisions = new ArrayList<>();
        GuardScope s = GuardScope.builder().agent("a").session("s1").turn("t1").build();
        for (int i = 0; i < 4; i++) {
            Admission t = guard.admitToolCall(ToolCall.of(s, "search", "{\"q\":\"same\"}"));
            decisions.add(t.decision());
            t.complete();
        }
        Admission large = guard.admitModelCall(ModelCall.builder("m1").scope(s).promptTokens(900)
                .maxOutputTokens(100).build());
        decisions.add(large.decision());
        large.release();
        for (int i = 0; i < 6; i++) {
            Admission a = guard.admitModelCall(ModelCall.builder("m1").scope(s).promptTokens(100)
                    .maxOutputTokens(100).build());
            decisions.add(a.decision());
            if (mode == Mode.SHADOW) {
                assertThat(a.proceeds()).as("shadow never refuses").isTrue();
                assertThat(a.model()).as("shadow never changes the model").isEqualTo("m1");
            }
            a.settle(Usage.of(100, 100));
        }
        return decisions;
    }

    @Test
    void shadowModeTakesTheSameDecisionsWithoutApplyingThem() {
        List<Decision> enforced = script(Mode.ENFORCE);
        List<Decision> shadowed = script(Mode.SHADOW);

        assertThat(enforced).extracting(Decision::action).contains(Action.WARN, Action.FEEDBACK, Action.BLOCK,
                Action.TRUNCATE, Action.DOWNGRADE);
        assertThat(enforced).extracting(Decision::action).containsExactly(
                Action.ALLOW, Action.WARN, Action.FEEDBACK, Action.BLOCK, // the tool loop
                Action.TRUNCATE, // the large prompt
                Action.ALLOW, Action.WARN, Action.DOWNGRADE, Action.DOWNGRADE, Action.DOWNGRADE, Action.BLOCK);
        assertThat(shadowed).extracting(Decision::action)
                .containsExactlyElementsOf(enforced.stream().map(Decision::action).toList());
        assertThat(shadowed).extracting(Decision::rule)
                .containsExactlyElementsOf(enforced.stream().map(Decision::rule).toList());
        assertThat(shadowed).extracting(Decision::reason)
                .containsExactlyElementsOf(enforced.stream().map(Decision::reason).toList());
        assertThat(shadowed).allMatch(Decision::isShadow).allMatch(Decision::proceeds);
        assertThat(enforced).noneMatch(Decision::isShadow);
    }
}
