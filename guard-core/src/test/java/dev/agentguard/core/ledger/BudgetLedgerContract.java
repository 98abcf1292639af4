package dev.agentguard.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The promises of {@link BudgetLedger}, for every implementation. Ships in core's test jar: a ledger in another
 * module (Redis) extends this class, supplies {@link #newLedger()} and {@link #advance(Duration)}, and runs the
 * very same suite.
 *
 * <p>The ledger under test must read its time from sources that {@link #advance(Duration)} moves: a ticker for
 * sliding windows and a clock for calendar windows, both starting at {@link #START}.
 */
public abstract class BudgetLedgerContract {

    /** Where the clock of the ledger under test starts: a Monday, 10:00 in Paris. */
    protected static final java.time.Instant START = java.time.Instant.parse("2026-03-02T09:00:00Z");

    private static final WindowSpec TEN_MINUTES = WindowSpec.sliding(Duration.ofMinutes(10), 10);

    private BudgetLedger ledger;

    /** @return a new, empty ledger whose time {@link #advance(Duration)} moves */
    protected abstract BudgetLedger newLedger();

    /** @param duration how far to move the ledger's ticker and clock */
    protected abstract void advance(Duration duration);

    @BeforeEach
    void createLedger() {
        ledger = newLedger();
    }

    private static BudgetKey key(String budget, Scope scope, String key) {
        return new BudgetKey(budget, scope, key, TEN_MINUTES);
    }

    private static BudgetKey session(String id) {
        return key("session-10m", Scope.SESSION, id);
    }

    private static final BudgetKey GLOBAL = key("global-10m", Scope.GLOBAL, Scope.GLOBAL_KEY);

    @Test
    void grantsWithinTheLimitAndCountsTheReservationAsUsed() {
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 300, 1000)));

        assertThat(hold.granted()).isTrue();
        assertThat(hold.refusedIndex()).isEqualTo(-1);
        assertThat(hold.usedBefore(0)).isZero();
        assertThat(ledger.used(session("s1"))).isEqualTo(300);
        assertThat(ledger.reserved(session("s1"))).isEqualTo(300);
        assertThat(ledger.openHolds()).isEqualTo(1);
    }

    @Test
    void refusesWhatWouldPassTheLimitAndReportsWhatWasUsed() {
        ledger.reserve(List.of(new BudgetRequest(session("s1"), 700, 1000)));

        Hold refused = ledger.reserve(List.of(new BudgetRequest(session("s1"), 301, 1000)));
        Hold exact = ledger.reserve(List.of(new BudgetRequest(session("s1"), 300, 1000)));

        assertThat(refused.granted()).isFalse();
        assertThat(refused.refusedIndex()).isZero();
        assertThat(refused.usedBefore(0)).isEqualTo(700);
        assertThat(exact.granted()).as("used + amount == limit fits").isTrue();
        assertThat(ledger.used(session("s1"))).isEqualTo(1000);
    }

    @Test
    void isAllOrNothingAcrossWindows() {
        ledger.reserve(List.of(new BudgetRequest(GLOBAL, 950, 1000)));

        Hold hold = ledger.reserve(List.of(
                new BudgetRequest(session("s1"), 100, 1000),
                new BudgetRequest(key("agent-10m", Scope.AGENT, "support"), 100, 1000),
                new BudgetRequest(GLOBAL, 100, 1000)));

        assertThat(hold.granted()).isFalse();
        assertThat(hold.refusedIndex()).isEqualTo(2);
        assertThat(hold.usedBefore(2)).isEqualTo(950);
        assertThat(ledger.used(session("s1"))).as("rolled back").isZero();
        assertThat(ledger.used(key("agent-10m", Scope.AGENT, "support"))).as("rolled back").isZero();
        assertThat(ledger.openHolds()).isEqualTo(1);
    }

    @Test
    void settleReplacesTheReservationByTheActualAmount() {
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 500, 1000),
                new BudgetRequest(GLOBAL, 500, 5000)));

        ledger.settle(hold, new long[] {120, 130});

        assertThat(ledger.used(session("s1"))).isEqualTo(120);
        assertThat(ledger.used(GLOBAL)).isEqualTo(130);
        assertThat(ledger.reserved(session("s1"))).isZero();
        assertThat(ledger.openHolds()).isZero();
    }

    /** The guard settles by unit: cost on USD windows, tokens on token windows, one on call windows. */
    @Test
    void settleByUnitChargesEachWindowInItsOwnUnit() {
        BudgetKey tokens = key("tokens-10m", Scope.SESSION, "s1");
        BudgetKey calls = key("calls-10m", Scope.SESSION, "s1");
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 500, 1000),
                new BudgetRequest(tokens, 900, 5000), new BudgetRequest(calls, 1, 10)));

        Unit[] units = {Unit.USD, Unit.TOKENS, Unit.CALLS};
        ledger.settle(hold, units, 120, 700);
        ledger.settle(hold, units, 999, 999); // the first settlement counts

        assertThat(ledger.used(session("s1"))).isEqualTo(120);
        assertThat(ledger.used(tokens)).isEqualTo(700);
        assertThat(ledger.used(calls)).isEqualTo(1);
        assertThat(ledger.reserved(tokens)).isZero();
        assertThat(ledger.openHolds()).isZero();
    }

    @Test
    void releaseDropsTheReservation() {
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 500, 1000)));

        ledger.release(hold);

        assertThat(ledger.used(session("s1"))).isZero();
        assertThat(ledger.openHolds()).isZero();
    }

    @Test
    void onlyTheFirstSettleOrReleaseTakesEffect() {
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 500, 1000)));

        ledger.settle(hold, new long[] {200});
        ledger.settle(hold, new long[] {200});
        ledger.release(hold);

        assertThat(ledger.used(session("s1"))).isEqualTo(200);
        assertThat(ledger.openHolds()).isZero();

        Hold other = ledger.reserve(List.of(new BudgetRequest(session("s2"), 500, 1000)));
        ledger.release(other);
        ledger.settle(other, new long[] {300});
        assertThat(ledger.used(session("s2"))).isZero();
        assertThat(ledger.openHolds()).isZero();
    }

    @Test
    void settlingOrReleasingARefusedHoldDoesNothing() {
        ledger.reserve(List.of(new BudgetRequest(session("s1"), 900, 1000)));
        Hold refused = ledger.reserve(List.of(new BudgetRequest(session("s1"), 200, 1000)));

        ledger.settle(refused, new long[] {200});
        ledger.release(refused);

        assertThat(ledger.used(session("s1"))).isEqualTo(900);
        assertThat(ledger.openHolds()).isEqualTo(1);
    }

    @Test
    void aLedgerThatReachesItsStoreGivesNoUnavailableReason() {
        ledger.reserve(List.of(new BudgetRequest(session("s1"), 900, 1000)));

        assertThat(ledger.reserve(List.of(new BudgetRequest(session("s1"), 10, 1000))).unavailableReason()).isNull();
        assertThat(ledger.reserve(List.of(new BudgetRequest(session("s1"), 200, 1000))).unavailableReason()).isNull();
    }

    @Test
    void anEmptyReservationIsGrantedAndHoldsNothing() {
        Hold hold = ledger.reserve(List.of());

        assertThat(hold.granted()).isTrue();
        ledger.settle(hold, new long[0]);
        assertThat(ledger.openHolds()).isZero();
    }

    @Test
    void rejectsActualAmountsThatDoNotMatchTheHold() {
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 500, 1000)));

        assertThatThrownBy(() -> ledger.settle(hold, new long[] {1, 2})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.settle(hold, new long[] {-1})).isInstanceOf(IllegalArgumentException.class);
        ledger.settle(hold, new long[] {10});
        assertThat(ledger.used(session("s1"))).isEqualTo(10);
    }

    @Test
    void settledAmountsLeaveASlidingWindowWhileReservationsStay() {
        Hold settled = ledger.reserve(List.of(new BudgetRequest(session("s1"), 400, 1000)));
        ledger.settle(settled, new long[] {400});
        Hold inFlight = ledger.reserve(List.of(new BudgetRequest(session("s1"), 100, 1000)));

        advance(Duration.ofMinutes(5));
        assertThat(ledger.used(session("s1"))).isEqualTo(500);

        advance(Duration.ofMinutes(6));
        assertThat(ledger.used(session("s1"))).as("the settled 400 left the 10m window").isEqualTo(100);
        assertThat(ledger.reserve(List.of(new BudgetRequest(session("s1"), 900, 1000))).granted()).isTrue();
        ledger.release(inFlight);
    }

    @Test
    void aCalendarWindowStartsAgainAtMidnightInItsZone() {
        BudgetKey day = new BudgetKey("tenant-day", Scope.TENANT, "acme",
                WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Europe/Paris")));
        Hold hold = ledger.reserve(List.of(new BudgetRequest(day, 700, 1000)));
        ledger.settle(hold, new long[] {700});

        advance(Duration.ofHours(13).plusMinutes(59)); // 23:59 in Paris
        assertThat(ledger.used(day)).isEqualTo(700);
        advance(Duration.ofMinutes(1)); // midnight in Paris
        assertThat(ledger.used(day)).isZero();
    }

    @Test
    void keysAreIndependent() {
        ledger.settle(ledger.reserve(List.of(new BudgetRequest(session("s1"), 10, 100))), new long[] {10});

        assertThat(ledger.used(session("s2"))).isZero();
        assertThat(ledger.used(key("session-10m", Scope.USER, "s1"))).isZero();
        assertThat(ledger.used(key("other", Scope.SESSION, "s1"))).isZero();
    }

    // ---------------------------------------------------------------- suspensions

    private static final java.time.Instant FIVE_MINUTES_ON = START.plus(Duration.ofMinutes(5));

    @Test
    void aSuspendedKeyRefusesARequestThatChecksSuspensionAndNothingIsReserved() {
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);

        Hold hold = ledger.reserve(List.of(new BudgetRequest(GLOBAL, 10, 100),
                new BudgetRequest(session("s1"), 10, 1000, true)));

        assertThat(hold.granted()).isFalse();
        assertThat(hold.refusedForSuspension()).isTrue();
        assertThat(hold.refusedIndex()).isEqualTo(1);
        assertThat(hold.suspension(0)).isNull();
        assertThat(hold.suspension(1)).isEqualTo(new Suspension(session("s1"), FIVE_MINUTES_ON, 1000));
        assertThat(hold.unavailableReason()).isNull();
        assertThat(ledger.used(GLOBAL)).as("checked before anything was taken").isZero();
        assertThat(ledger.openHolds()).isZero();
        ledger.settle(hold, new long[] {10, 10});
        ledger.release(hold);
        assertThat(ledger.used(session("s1"))).isZero();
    }

    @Test
    void everySuspendedKeyOfAReservationIsNamed() {
        BudgetKey tenant = key("tenant-10m", Scope.TENANT, "acme");
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);
        ledger.suspend(tenant, FIVE_MINUTES_ON.plusSeconds(60), 50);

        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 10, 1000, true),
                new BudgetRequest(GLOBAL, 10, 100, true), new BudgetRequest(tenant, 10, 50, true)));

        assertThat(hold.refusedIndex()).isZero();
        assertThat(hold.suspension(1)).isNull();
        assertThat(hold.suspension(2).until()).isEqualTo(FIVE_MINUTES_ON.plusSeconds(60));
        assertThat(hold.suspension(2).limit()).isEqualTo(50);
    }

    @Test
    void aRequestThatDoesNotCheckSuspensionIsNotRefusedByOne() {
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);

        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 10, 1000)));

        assertThat(hold.granted()).isTrue();
        ledger.release(hold);
    }

    @Test
    void aSuspensionEndsAtItsMoment() {
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);

        advance(Duration.ofMinutes(4).plusSeconds(50));
        assertThat(ledger.suspension(session("s1"))).isNotNull();
        assertThat(ledger.reserve(List.of(new BudgetRequest(session("s1"), 10, 1000, true))).granted()).isFalse();

        advance(Duration.ofSeconds(10));
        assertThat(ledger.suspension(session("s1"))).isNull();
        assertThat(ledger.suspensions()).isEmpty();
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 10, 1000, true)));
        assertThat(hold.granted()).isTrue();
        ledger.release(hold);
    }

    @Test
    void liftEndsASuspensionAndSaysWhetherOneWasInForce() {
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);
        ledger.suspend(session("s2"), FIVE_MINUTES_ON, 1000);

        assertThat(ledger.lift(session("s1"))).isTrue();
        assertThat(ledger.lift(session("s1"))).isFalse();
        assertThat(ledger.lift(session("never"))).isFalse();

        assertThat(ledger.suspension(session("s1"))).isNull();
        assertThat(ledger.suspensions()).extracting(Suspension::key).containsExactly(session("s2"));
        Hold hold = ledger.reserve(List.of(new BudgetRequest(session("s1"), 10, 1000, true)));
        assertThat(hold.granted()).isTrue();
        ledger.release(hold);
    }

    @Test
    void aNewSuspensionReplacesTheOneInForceAndAPastMomentSuspendsNothing() {
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);
        ledger.suspend(session("s1"), FIVE_MINUTES_ON.plusSeconds(600), 2000);
        ledger.suspend(session("s2"), START.minusSeconds(1), 1000);

        assertThat(ledger.suspension(session("s1")))
                .isEqualTo(new Suspension(session("s1"), FIVE_MINUTES_ON.plusSeconds(600), 2000));
        assertThat(ledger.suspension(session("s2"))).isNull();
        assertThat(ledger.suspensionsOf(List.of(session("s2"), session("s1"), GLOBAL)))
                .extracting(Suspension::key).containsExactly(session("s1"));
    }

    // ---------------------------------------------------------------- windows and reset

    @Test
    void windowsListsEveryKeyWithItsSpendReservationEndAndSuspension() {
        BudgetKey day = new BudgetKey("tenant-day", Scope.TENANT, "acme",
                WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Europe/Paris")));
        ledger.settle(ledger.reserve(List.of(new BudgetRequest(session("s1"), 500, 1000),
                new BudgetRequest(day, 500, 1000))), new long[] {400, 400});
        Hold inFlight = ledger.reserve(List.of(new BudgetRequest(session("s1"), 100, 1000)));
        ledger.reserve(List.of(new BudgetRequest(session("s2"), 30, 1000)));
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);

        List<WindowState> sessions = ledger.windows("session-10m");
        assertThat(sessions).extracting(WindowState::scopeKey).containsExactlyInAnyOrder("s1", "s2");
        WindowState s1 = sessions.stream().filter(w -> w.scopeKey().equals("s1")).findFirst().orElseThrow();
        assertThat(s1.budgetId()).isEqualTo("session-10m");
        assertThat(s1.scope()).isEqualTo(Scope.SESSION);
        assertThat(s1.used()).isEqualTo(500);
        assertThat(s1.reserved()).isEqualTo(100);
        assertThat(s1.windowEnd()).as("the 400 leave the 10m window")
                .isBetween(START.plus(Duration.ofMinutes(9)), START.plus(Duration.ofMinutes(10)).plusSeconds(1));
        assertThat(s1.suspendedUntil()).isEqualTo(FIVE_MINUTES_ON);
        WindowState s2 = sessions.stream().filter(w -> w.scopeKey().equals("s2")).findFirst().orElseThrow();
        assertThat(s2.used()).isEqualTo(30);
        assertThat(s2.windowEnd()).as("nothing settled").isNull();
        assertThat(s2.suspendedUntil()).isNull();

        WindowState acme = ledger.windows("tenant-day").get(0);
        assertThat(acme.used()).isEqualTo(400);
        assertThat(acme.windowEnd()).as("midnight in Paris")
                .isBetween(java.time.Instant.parse("2026-03-02T23:00:00Z").minusSeconds(1),
                        java.time.Instant.parse("2026-03-02T23:00:00Z"));
        assertThat(ledger.windows(null)).extracting(WindowState::budgetId)
                .containsExactlyInAnyOrder("session-10m", "session-10m", "tenant-day");
        assertThat(ledger.windows("none")).isEmpty();
        assertThat(ledger.window(session("s1"))).as("one key, read alone").isEqualTo(s1);
        assertThat(ledger.window(day)).isEqualTo(acme);
        assertThat(ledger.window(session("never"))).isNull();
        ledger.release(inFlight);
    }

    @Test
    void resetForgetsSettledSpendButKeepsReservationsAndSuspensions() {
        ledger.settle(ledger.reserve(List.of(new BudgetRequest(session("s1"), 900, 1000))), new long[] {900});
        Hold inFlight = ledger.reserve(List.of(new BudgetRequest(session("s1"), 50, 1000)));
        ledger.suspend(session("s1"), FIVE_MINUTES_ON, 1000);

        assertThat(ledger.reset(session("s1"))).isTrue();

        assertThat(ledger.used(session("s1"))).isEqualTo(50);
        assertThat(ledger.reserved(session("s1"))).isEqualTo(50);
        assertThat(ledger.suspension(session("s1"))).isNotNull();
        ledger.settle(inFlight, new long[] {40});
        assertThat(ledger.used(session("s1"))).as("the settlement lands in the new window").isEqualTo(40);
        assertThat(ledger.reset(session("never"))).isFalse();
        assertThat(ledger.used(session("s2"))).isZero();
    }

    /**
     * Many threads reserve on one shared window and a few private ones, settle with random actual amounts not
     * above the reservation, release or double-settle at random: the shared window never ends above its limit,
     * what it holds is exactly the sum of what was settled, and nothing stays reserved.
     */
    @Test
    void holdsTheLimitUnderConcurrency() throws Exception {
        int threads = 16;
        int perThread = 5_000;
        long limit = 200_000;
        BudgetKey shared = key("global-10m", Scope.GLOBAL, Scope.GLOBAL_KEY);
        AtomicLong settledSum = new AtomicLong();
        AtomicLong maxSeen = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 42 + t;
                String own = "s" + t;
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long amount = 1 + random.nextInt(100);
                        Hold hold = ledger.reserve(List.of(new BudgetRequest(session(own), amount, Long.MAX_VALUE),
                                new BudgetRequest(shared, amount, limit)));
                        maxSeen.accumulateAndGet(ledger.used(shared), Math::max);
                        if (!hold.granted()) {
                            continue;
                        }
                        int what = random.nextInt(10);
                        if (what == 0) {
                            ledger.release(hold);
                        } else {
                            long actual = random.nextLong(amount + 1);
                            ledger.settle(hold, new long[] {actual, actual});
                            settledSum.addAndGet(actual);
                            if (what == 1) {
                                ledger.settle(hold, new long[] {actual, actual});
                                ledger.release(hold);
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(maxSeen.get()).isLessThanOrEqualTo(limit);
        assertThat(ledger.used(shared)).isEqualTo(settledSum.get()).isLessThanOrEqualTo(limit);
        assertThat(ledger.reserved(shared)).isZero();
        assertThat(ledger.openHolds()).isZero();
    }
}
