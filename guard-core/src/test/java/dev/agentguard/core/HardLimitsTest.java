package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.telemetry.TelemetryConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.ledger.OnFull;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue "Hard limits that hold in every case": one regression test per way real spend passed a hard limit. Each
 * failed on the code before the fix (see the commit that added this class). The model costs $2.50 / $10.00 per
 * million tokens: 1,000 prompt tokens with a 500-token cap reserve $0.0075.
 */
class HardLimitsTest {

    private static final String MODEL = "acme-model";
    private static final long WORST_CASE = 1_000 * 2_500 + 500 * 10_000;

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();

    private static GuardConfig config(Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name("limits")
                .price(MODEL, ModelPrice.builder().input(new BigDecimal("2.50")).output(new BigDecimal("10.00"))
                        .build());
        policy.accept(b);
        return b.build();
    }

    private Guard guard(Consumer<GuardConfig.Builder> policy) {
        return Guard.builder(config(policy)).ticker(ticker).clock(clock).listener(events::add).build();
    }

    private static GuardScope session(String id) {
        return GuardScope.builder().agent("support").session(id).user("u-" + id).tenant("t-" + id).build();
    }

    private static Admission admit(Guard guard, GuardScope scope) {
        return guard.admitModelCall(ModelCall.builder(MODEL).scope(scope).promptTokens(1_000).maxOutputTokens(500)
                .build());
    }

    /** Admits and settles one call; returns its decision's action. */
    private static Action call(Guard guard, GuardScope scope) {
        Admission a = admit(guard, scope);
        a.settle(Usage.of(1_000, 500));
        return a.decision().action();
    }

    /** Time between two calls: the wall clock is read at most once per millisecond of ticker time. */
    private static final Duration A_MOMENT = Duration.ofMillis(1);

    private void advance(Duration d) {
        ticker.advance(d);
        clock.advance(d);
    }

    private List<DecisionEvent> withRule(String rule) {
        return events.stream().filter(e -> rule.equals(e.decision().rule())).collect(Collectors.toList());
    }

    // 1. Windows outlive idleness

    @Test
    void aMonthlyUserBudgetIsNotForgottenAfterAnIdleHour() {
        Guard guard = guard(p -> p.budget(Budget.builder("user-month").scope(Scope.USER)
                .window(WindowSpec.calendar(CalendarPeriod.MONTH, ZoneOffset.UTC)).limitCalls(2).build()));
        GuardScope s = session("s1");

        assertThat(call(guard, s)).isEqualTo(Action.ALLOW);
        assertThat(call(guard, s)).isEqualTo(Action.ALLOW);
        advance(Duration.ofMinutes(61)); // past telemetry.sessionIdleExpiry (1 h)
        ((dev.agentguard.core.ledger.InMemoryLedger) guard.ledger()).cleanUp();

        assertThat(call(guard, s)).as("2 calls a month, whatever the pause").isEqualTo(Action.BLOCK);
        advance(Duration.ofDays(31));
        assertThat(call(guard, s)).as("next month").isEqualTo(Action.ALLOW);
    }

    @Test
    void aFullLedgerRefusesNewSessionsAndSaysSoInsteadOfForgettingSpend() {
        // maxSessions 2: the ledger keeps 2 x 4 = 8 windows
        Guard guard = guard(p -> p.telemetry(TelemetryConfig.builder().maxSessions(2).build())
                .budget(Budget.builder("session-1h").scope(Scope.SESSION).sliding(Duration.ofHours(1)).limitCalls(1)
                        .build()));
        for (int i = 0; i < 8; i++) {
            assertThat(call(guard, session("s" + i))).isEqualTo(Action.ALLOW);
        }

        Admission ninth = admit(guard, session("s8"));
        assertThat(ninth.proceeds()).isFalse();
        assertThat(ninth.decision().rule()).isEqualTo(Guard.RULE_TELEMETRY_FULL);
        for (int i = 0; i < 8; i++) {
            assertThat(call(guard, session("s" + i))).as("s%d keeps its spent window", i).isEqualTo(Action.BLOCK);
        }
        advance(Duration.ofHours(1).plusMinutes(1)); // their spend has left the window: room again
        assertThat(call(guard, session("s8"))).isEqualTo(Action.ALLOW);
    }

    @Test
    void inShadowModeAFullLedgerRecordsButRefusesNothing() {
        Guard guard = guard(p -> p.mode(Mode.SHADOW).telemetry(TelemetryConfig.builder().maxSessions(1).build())
                .budget(Budget.builder("session-1h").scope(Scope.SESSION).sliding(Duration.ofHours(1)).limitCalls(5)
                        .build()));
        for (int i = 0; i < 4; i++) {
            call(guard, session("s" + i));
        }

        Admission fifth = admit(guard, session("s4"));
        assertThat(fifth.proceeds()).isTrue();
        assertThat(fifth.decision().isShadow()).isTrue();
        assertThat(fifth.decision().rule()).isEqualTo(Guard.RULE_TELEMETRY_FULL);
        assertThat(fifth.settle(Usage.of(1_000, 500))).isTrue();
        assertThat(guard.ledger().openHolds()).isZero();
    }

    @Test
    void aFullLedgerThatEvictsTheOldestRecordsIt() {
        Guard guard = guard(p -> p.telemetry(TelemetryConfig.builder().maxSessions(1).onFull(OnFull.EVICT_OLDEST)
                .build()).budget(Budget.builder("session-1h").scope(Scope.SESSION).sliding(Duration.ofHours(1))
                .limitCalls(5).build()));
        for (int i = 0; i < 4; i++) {
            call(guard, session("s" + i));
            advance(Duration.ofSeconds(1));
        }

        Admission fifth = admit(guard, session("s4"));
        assertThat(fifth.proceeds()).isTrue();
        assertThat(fifth.decision().action()).isEqualTo(Action.WARN);
        assertThat(fifth.decision().rule()).isEqualTo(Guard.RULE_TELEMETRY_FULL);
        assertThat(fifth.decision().reason()).contains("forgot 1");
    }

    @Test
    void tenantWindowsAndTelemetryAreBoundedToo() {
        Guard guard = guard(p -> p.telemetry(TelemetryConfig.builder().maxSessions(10).build())
                .budget(Budget.builder("tenant-day").scope(Scope.TENANT)
                        .window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneOffset.UTC)).limitUsd("5").build()));
        int refused = 0;
        for (int i = 0; i < 100; i++) {
            GuardScope s = GuardScope.builder().agent("support").tenant("tenant-" + i).build();
            Admission a = admit(guard, s);
            if (a.proceeds()) {
                a.settle(Usage.of(1_000, 500));
            } else {
                assertThat(a.decision().rule()).isEqualTo(Guard.RULE_TELEMETRY_FULL);
                refused++;
            }
        }
        guard.telemetry().cleanUp();

        assertThat(refused).as("40 windows kept, every one still counting").isEqualTo(60);
        long tenantsTracked = 0;
        for (int i = 0; i < 100; i++) {
            tenantsTracked += guard.telemetry().snapshot(Scope.TENANT, "tenant-" + i).isPresent() ? 1 : 0;
        }
        assertThat(tenantsTracked).isLessThanOrEqualTo(10);
    }

    // 5. Stalled holds are reclaimed

    @Test
    void stalledHoldsEndAtTheirLeaseChargedAtTheirWorstCaseAndALateSettleCountsNothing() {
        Guard guard = guard(p -> p.budget(Budget.builder("global-10m").scope(Scope.GLOBAL)
                .sliding(Duration.ofMinutes(10)).limitUsd("0.03").build()));
        List<Admission> stalled = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stalled.add(admit(guard, session("stream-" + i))); // 4 x $0.0075 = the whole budget, never settled
        }
        assertThat(admit(guard, session("other")).proceeds()).as("frozen while held").isFalse();

        advance(Duration.ofMinutes(10).plusSeconds(1)); // past reservations.lease (10 m)
        assertThat(admit(guard, session("other")).proceeds()).as("charged, so still spent").isFalse();
        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(guard.budgetUsed("global-10m", null)).isEqualTo(4 * WORST_CASE);
        assertThat(withRule(Guard.RULE_RESERVATION_EXPIRED)).hasSize(4)
                .allSatisfy(e -> assertThat(TestEvents.settled(e).outcome()).isEqualTo(DecisionEvent.EXPIRED));

        assertThat(stalled.get(0).settle(Usage.of(10, 10))).as("late: a no-op").isFalse();
        assertThat(withRule(Guard.RULE_RESERVATION_EXPIRED)).hasSize(5).last()
                .satisfies(e -> assertThat(TestEvents.settled(e).outcome()).isEqualTo(DecisionEvent.LATE));
        assertThat(stalled.get(0).settle(Usage.of(10, 10))).isFalse();
        assertThat(withRule(Guard.RULE_RESERVATION_EXPIRED)).as("recorded once").hasSize(5);
        assertThat(guard.budgetUsed("global-10m", null)).as("never counted twice").isEqualTo(4 * WORST_CASE);

        advance(Duration.ofMinutes(11)); // the charges leave the window
        assertThat(call(guard, session("other"))).isEqualTo(Action.ALLOW);
    }

    // 6. Exactly once, even for Errors

    @Test
    void aListenerThrowingAnErrorNeitherEscapesNorLeaksTheHold() {
        Guard guard = guard(p -> p.budget(Budget.builder("s").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                .limitUsd("1").build()));
        guard.addListener(e -> {
            throw new StackOverflowError("a listener that recursed too deep");
        });

        Admission a = admit(guard, session("s1"));
        assertThat(a.proceeds()).isTrue();
        assertThat(a.settle(Usage.of(1_000, 500))).isTrue();
        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(guard.budgetUsed("s", "s1")).isEqualTo(WORST_CASE);
    }

    @Test
    void aUsageTooLargeToPriceIsChargedTheMostACallCanBeAndNeverLeaks() {
        Guard guard = guard(p -> p.budget(Budget.builder("s").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                .limitUsd("1").build()));

        Admission a = admit(guard, session("s1"));
        assertThat(a.settle(Usage.of(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2))).isTrue();

        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(guard.budgetUsed("s", "s1")).isEqualTo(Guard.MAX_CHARGE);
        assertThat(admit(guard, session("s1")).proceeds()).isFalse();
    }

    @Test
    void durationsThatWouldOverflowAtCallTimeAreRejectedWhenBuilt() {
        assertThatThrownBy(() -> OnExceed.suspend(Duration.ofDays(999_999_999_999L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 3660d");
        assertThatThrownBy(() -> HealthRules.builder().errors(50, 20).cooldown(Duration.ofDays(1_000_000_000L))
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cooldown");
        assertThatThrownBy(() -> TelemetryConfig.builder().sessionIdleExpiry(Duration.ofDays(1_000_000_000L)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionIdleExpiry");
        assertThatThrownBy(() -> Budget.builder("b").scope(Scope.GLOBAL).sliding(Duration.ofNanos(1)).limitCalls(1)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1ms");
    }

    // 7. Calendar windows survive clock jumps

    @Test
    void oneWallClockReadingADayAheadDoesNotRollTheDailyBudget() {
        Guard guard = guard(p -> p.budget(Budget.builder("day").scope(Scope.GLOBAL)
                .window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneOffset.UTC)).limitCalls(2).build()));
        call(guard, session("s1"));
        call(guard, session("s1"));

        clock.advance(Duration.ofDays(1)); // one outlier reading...
        advance(A_MOMENT);
        assertThat(admit(guard, session("s1")).proceeds()).as("the real day is spent").isFalse();
        clock.advance(Duration.ofDays(-1)); // ...and the clock is back
        advance(A_MOMENT);
        assertThat(admit(guard, session("s1")).proceeds()).isFalse();
        assertThat(withRule(Guard.RULE_CLOCK_JUMP)).hasSize(1);

        advance(Duration.ofDays(1));
        assertThat(call(guard, session("s1"))).as("the next real day").isEqualTo(Action.ALLOW);
    }

    @Test
    void aReadingAYearAheadDoesNotLockTheBudgetForAYear() {
        Guard guard = guard(p -> p.budget(Budget.builder("day").scope(Scope.GLOBAL)
                .window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneOffset.UTC)).limitCalls(2).build()));
        call(guard, session("s1"));
        clock.advance(Duration.ofDays(365));
        call(guard, session("s1"));
        clock.advance(Duration.ofDays(-365));

        advance(Duration.ofDays(1));
        assertThat(call(guard, session("s1"))).as("the next real day").isEqualTo(Action.ALLOW);
        assertThat(call(guard, session("s1"))).isEqualTo(Action.ALLOW);
        assertThat(call(guard, session("s1"))).isEqualTo(Action.BLOCK);
    }

    @Test
    void aClockThatWasSetForGoodIsFollowedOnceTheJumpHolds() {
        Guard guard = guard(p -> p.budget(Budget.builder("day").scope(Scope.GLOBAL)
                .window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneOffset.UTC)).limitCalls(1).build()));
        call(guard, session("s1"));
        clock.advance(Duration.ofDays(1)); // set a day ahead, and it stays there
        advance(A_MOMENT);
        assertThat(admit(guard, session("s1")).proceeds()).isFalse();

        for (int i = 0; i < 4; i++) {
            advance(SteadyClock.DEFAULT_CONFIRMATION.dividedBy(4));
            assertThat(admit(guard, session("s1")).proceeds()).as("not yet followed").isEqualTo(i == 3);
        }
    }

    // 8. Reload applies new window shapes

    @Test
    void aReloadThatChangesTheWindowShapeAppliesItAtEveryLevelCarryingTheSpend() {
        Budget tenMinutes = Budget.builder("agent-budget").scope(Scope.AGENT).sliding(Duration.ofMinutes(10))
                .limitCalls(2).build();
        Guard guard = guard(p -> p.budget(tenMinutes));
        call(guard, session("s1"));
        call(guard, session("s1"));
        guard.reconfigure(config(p -> p.budget(Budget.builder("agent-budget").scope(Scope.AGENT)
                .window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneOffset.UTC)).limitCalls(2).build())));

        advance(Duration.ofMinutes(11)); // the old 10-minute window would have emptied
        assertThat(call(guard, session("s1"))).as("a day now, carrying today's 2 calls").isEqualTo(Action.BLOCK);
        advance(Duration.ofDays(1));
        assertThat(call(guard, session("s1"))).isEqualTo(Action.ALLOW);
    }

    // 10. Eviction with a hold in flight

    @Test
    void anEntryWithAHoldInFlightIsNeverEvicted() {
        Guard guard = guard(p -> p.telemetry(TelemetryConfig.builder().maxSessions(1).onFull(OnFull.EVICT_OLDEST)
                .build()).budget(Budget.builder("session-1h").scope(Scope.SESSION).sliding(Duration.ofHours(1))
                .limitUsd("0.01").build()));
        Admission inFlight = admit(guard, session("victim")); // $0.0075 of $0.01 reserved
        for (int i = 0; i < 20; i++) {
            call(guard, session("crowd-" + i)); // fills the 4 windows again and again
        }
        inFlight.settle(Usage.of(1_000, 500));

        assertThat(guard.budgetUsed("session-1h", "victim")).isEqualTo(WORST_CASE);
        assertThat(admit(guard, session("victim")).proceeds()).as("still past its limit").isFalse();
    }
}
