package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What an observer needs to follow one call through the events: the same call id on its admission and its
 * settlement, whichever way it ends, and the reason of every rule that fired.
 */
class CallIdentityTest {

    private static final GuardScope S1 = GuardScope.builder().agent("support").session("s1").build();

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();

    private Guard guard(Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name("test")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.TEN).build());
        policy.accept(b);
        return Guard.builder(b.build()).ticker(ticker).clock(clock).listener(events::add).build();
    }

    private static Admission admit(Guard guard) {
        return admit(guard, 100);
    }

    private static Admission admit(Guard guard, long promptTokens) {
        return guard.admitModelCall(ModelCall.builder("m").scope(S1).promptTokens(promptTokens).maxOutputTokens(10)
                .build());
    }

    private DecisionEvent.CallEvent event(int i) {
        return (DecisionEvent.CallEvent) events.get(i);
    }

    @Test
    void admissionAndSettlementOfOneCallShareAnIdThatNoOtherCallHas() {
        Guard guard = guard(p -> { });
        Admission a = admit(guard);
        Admission b = admit(guard);
        b.settle(Usage.of(100, 10));
        a.fail(new IllegalStateException("boom"), null);
        try (Admission tool = guard.admitToolCall(ToolCall.of(S1, "search", "{}"))) {
            tool.complete();
        }

        assertThat(events).hasSize(6);
        long idA = event(0).callId();
        long idB = event(1).callId();
        assertThat(idA).isNotEqualTo(idB);
        assertThat(event(2)).isInstanceOf(DecisionEvent.CallSettled.class);
        assertThat(event(2).callId()).as("b settled first").isEqualTo(idB);
        assertThat(event(3).callId()).as("a failed").isEqualTo(idA);
        assertThat(event(4).callId()).isEqualTo(event(5).callId()).isNotIn(idA, idB);
        // the id is the admission's sequence number: one shared counter per call, not two
        for (int i : new int[] {0, 1, 4}) {
            assertThat(event(i).callId()).isEqualTo(events.get(i).seq());
        }
        assertThat(events).extracting(DecisionEvent::seq).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aCallEndedByItsLeaseAndItsLateSettlementKeepTheId() {
        Guard guard = guard(p -> p.reservationLease(Duration.ofSeconds(30)).budget(Budget.builder("day")
                .scope(Scope.SESSION).sliding(Duration.ofDays(1)).limitUsd("1.00").build()));
        Admission a = admit(guard);
        ticker.advance(Duration.ofSeconds(31));
        clock.advance(Duration.ofSeconds(31));

        assertThat(guard.expireStalled()).isEqualTo(1);
        a.settle(Usage.of(100, 10));

        assertThat(events).hasSize(3);
        assertThat(((DecisionEvent.CallSettled) events.get(1)).outcome()).isEqualTo(DecisionEvent.EXPIRED);
        assertThat(((DecisionEvent.CallSettled) events.get(2)).outcome()).isEqualTo(DecisionEvent.LATE);
        assertThat(event(1).callId()).isEqualTo(event(0).callId());
        assertThat(event(2).callId()).isEqualTo(event(0).callId());
    }

    @Test
    void everyRuleThatFiredCarriesItsOwnReason() {
        Guard guard = guard(p -> p.caps(Caps.builder().modelCallsPerSession(1)
                .promptTokens(50, Caps.PromptAction.BLOCK).build()));
        admit(guard, 10).close();
        Admission refused = admit(guard);

        List<Decision.Fired> fired = refused.decision().fired();
        assertThat(fired).extracting(Decision.Fired::rule)
                .containsExactly("caps.modelCallsPerSession", "caps.promptTokens");
        assertThat(fired).allSatisfy(f -> assertThat(f.action()).isEqualTo(Action.BLOCK));
        assertThat(fired.get(0).reason()).contains("1");
        assertThat(fired.get(1).reason()).contains("100").contains("50");
        assertThat(fired.get(0).reason()).isEqualTo(refused.decision().reason()).as("the first of equals wins");
        assertThat(new Decision.Fired("r", Action.WARN, "x")).isEqualTo(new Decision.Fired("r", Action.WARN));
    }
}
