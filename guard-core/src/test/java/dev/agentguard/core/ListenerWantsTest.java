package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link DecisionListener#wants}: the guard builds an event only when some listener wants its action, hands it
 * only to those, and draws a sequence number only for an event it builds.
 */
class ListenerWantsTest {

    private static final GuardScope S1 = GuardScope.builder().agent("support").session("s1").build();

    /** Records the events it gets and every action it was asked about. */
    private static final class Picky implements DecisionListener {
        final Set<Action> wanted;
        final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
        final List<Action> asked = new CopyOnWriteArrayList<>();

        Picky(Set<Action> wanted) {
            this.wanted = wanted;
        }

        @Override
        public boolean wants(Action action) {
            asked.add(action);
            return wanted.contains(action);
        }

        @Override
        public void onDecision(DecisionEvent event) {
            events.add(event);
        }
    }

    private static Guard guard(DecisionListener... listeners) {
        GuardConfig config = GuardConfig.builder().name("test")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.TEN).build())
                .caps(Caps.builder().modelCallsPerSession(2).build())
                .build();
        Guard.Builder b = Guard.builder(config).ticker(new FakeTicker())
                .clock(new FakeClock(Instant.parse("2026-03-02T09:00:00Z")));
        for (DecisionListener l : listeners) {
            b.listener(l);
        }
        return b.build();
    }

    private static Admission modelCall(Guard guard) {
        return guard.admitModelCall(ModelCall.builder("m").scope(S1).promptTokens(100).maxOutputTokens(10).build());
    }

    /** Two allowed and settled calls, then one refused by the cap of two. */
    private static void session(Guard guard) {
        for (int i = 0; i < 2; i++) {
            try (Admission a = modelCall(guard)) {
                a.settle(Usage.of(100, 10));
            }
        }
        assertThat(modelCall(guard).decision().action()).isEqualTo(Action.BLOCK);
    }

    @Test
    void aListenerOfRefusalsGetsNoEventOfAnAllowedCall() {
        Picky refusals = new Picky(EnumSet.of(Action.BLOCK));
        session(guard(refusals));

        assertThat(refusals.events).extracting(DecisionEvent::action).containsExactly(Action.BLOCK);
        assertThat(refusals.asked).contains(Action.ALLOW, Action.RECORD);
        // no event was built for the allowed calls, so none took a sequence number
        assertThat(refusals.events.get(0).seq()).isEqualTo(1);
        assertThat(((DecisionEvent.CallEvent) refusals.events.get(0)).callId()).isEqualTo(1);
    }

    @Test
    void anEventGoesOnlyToTheListenersThatWantIt() {
        Picky all = new Picky(EnumSet.allOf(Action.class));
        Picky none = new Picky(EnumSet.noneOf(Action.class));
        session(guard(none, all));

        assertThat(none.events).isEmpty();
        assertThat(all.events).extracting(DecisionEvent::action)
                .containsExactly(Action.ALLOW, Action.RECORD, Action.ALLOW, Action.RECORD, Action.BLOCK);
        assertThat(all.events).extracting(DecisionEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aSettlementWhoseAdmissionNobodyWantedHasNoCallId() {
        Picky settlements = new Picky(EnumSet.of(Action.RECORD));
        Guard guard = guard(settlements);
        try (Admission a = modelCall(guard)) {
            a.settle(Usage.of(100, 10));
        }

        assertThat(settlements.events).singleElement().satisfies(e -> {
            assertThat(e).isInstanceOf(DecisionEvent.CallSettled.class);
            assertThat(((DecisionEvent.CallEvent) e).callId()).isZero();
            assertThat(e.seq()).isEqualTo(1);
        });
    }

    @Test
    void aListenerThatCannotSayGetsEveryEventAndTheCallGoesOn() {
        List<DecisionEvent> got = new ArrayList<>();
        DecisionListener broken = new DecisionListener() {
            @Override
            public boolean wants(Action action) {
                throw new IllegalStateException("cannot say");
            }

            @Override
            public void onDecision(DecisionEvent event) {
                got.add(event);
            }
        };
        Guard guard = guard(broken);
        try (Admission a = modelCall(guard)) {
            assertThat(a.proceeds()).isTrue();
            a.settle(Usage.of(100, 10));
        }

        assertThat(got).as("a listener that cannot say gets every event, as before wants existed")
                .extracting(DecisionEvent::action).containsExactly(Action.ALLOW, Action.RECORD);
    }

    @Test
    void aPolicyChangeIsPublishedOnlyWhenWanted() {
        Picky warnings = new Picky(EnumSet.of(Action.WARN));
        Guard guard = guard(warnings);
        guard.reconfigure(guard.config()); // a policy applied: action allow, not wanted
        guard.rejectPolicy("broken edit");

        assertThat(warnings.events).singleElement().satisfies(e -> {
            assertThat(e).isInstanceOf(DecisionEvent.PolicyChanged.class);
            assertThat(e.seq()).isEqualTo(1);
        });
    }
}
