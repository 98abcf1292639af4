package dev.agentguard.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Scope;
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
