package dev.agentguard.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Credits on process and agent windows ({@link BudgetKey#creditCeiling(long)}): each thread reserves from a
 * credit lent by the window, and the window stays exact where a decision depends on it.
 *
 * <ul>
 *   <li>With one thread, a ledger that lends answers every reservation, refusal, settlement and read exactly as
 *       one that does not, across sliding and calendar windows, over-spends, releases and a midnight.</li>
 *   <li>With many threads, the window never holds more than its limit (credits counted), the final spend is the
 *       sum of the settlements, and a threshold at the ceiling is crossed by exactly one reservation.</li>
 * </ul>
 */
class LedgerCreditTest {

    /** Three hours before a UTC midnight, so that the calendar windows roll within a run. */
    private static final Instant START = Instant.parse("2026-03-02T21:00:00Z");
    private static final WindowSpec TEN_MINUTES = WindowSpec.sliding(Duration.ofMinutes(10), 10);
    private static final WindowSpec DAY = WindowSpec.calendar(CalendarPeriod.DAY, ZoneOffset.UTC);

    private final FakeTicker ticker = new FakeTicker(-5_000_000_000L); // ticks may be negative
    private final FakeClock clock = FakeClock.at(START);

    private InMemoryLedger newLedger() {
        return InMemoryLedger.builder().ticker(ticker).clock(clock).build();
    }

    private void advance(long millis) {
        ticker.advance(Duration.ofMillis(millis));
        clock.advance(Duration.ofMillis(millis));
    }

    /** The keys of one ledger: a process window (sliding), an agent window (calendar day), a session window. */
    private static BudgetKey[] keys(long globalCeiling, long agentCeiling) {
        BudgetKey global = new BudgetKey("global-10m", Scope.GLOBAL, Scope.GLOBAL_KEY, TEN_MINUTES);
        BudgetKey agent = new BudgetKey("agent-day", Scope.AGENT, "support", DAY);
        global.creditCeiling(globalCeiling);
        agent.creditCeiling(agentCeiling);
        return new BudgetKey[] {global, agent, new BudgetKey("session-10m", Scope.SESSION, "s1", TEN_MINUTES)};
    }

    private static final long[] LIMITS = {50_000, 30_000, 40_000};

    /**
     * One thread, random operations on two ledgers, one lending (ceilings at or below the limits) and one not:
     * every figure either reports is the same.
     */
    @Property(tries = 300)
    void oneThreadSeesExactlyWhatALedgerWithoutCreditsShows(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 100) int ceilingShare) {
        SplittableRandom random = new SplittableRandom(seed);
        InMemoryLedger lending = newLedger();
        InMemoryLedger plain = newLedger();
        BudgetKey[] lendingKeys = keys(LIMITS[0] * ceilingShare / 100, LIMITS[1]);
        BudgetKey[] plainKeys = keys(0, 0);
        List<Hold[]> open = new ArrayList<>();
        List<long[]> amounts = new ArrayList<>();
        for (int step = 0; step < 200; step++) {
            int op = random.nextInt(10);
            if (op < 5) { // reserve on one to three windows
                int first = random.nextInt(3);
                int count = 1 + random.nextInt(3 - first);
                long[] amount = new long[count];
                List<BudgetRequest> a = new ArrayList<>();
                List<BudgetRequest> b = new ArrayList<>();
                for (int j = 0; j < count; j++) {
                    amount[j] = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(3_000);
                    int k = first + j;
                    a.add(new BudgetRequest(lendingKeys[k], amount[j], LIMITS[k]));
                    b.add(new BudgetRequest(plainKeys[k], amount[j], LIMITS[k]));
                }
                Hold ha = lending.reserve(a);
                Hold hb = plain.reserve(b);
                assertThat(ha.granted()).as("step %d", step).isEqualTo(hb.granted());
                assertThat(ha.refusedIndex()).isEqualTo(hb.refusedIndex());
                int known = ha.granted() ? count : ha.refusedIndex() + 1;
                for (int j = 0; j < known; j++) {
                    assertThat(ha.usedBefore(j)).as("step %d, request %d", step, j).isEqualTo(hb.usedBefore(j));
                }
                if (ha.granted()) {
                    open.add(new Hold[] {ha, hb});
                    amounts.add(amount);
                }
            } else if (op < 8 && !open.isEmpty()) { // settle below, at or above the reservation, or release
                int i = random.nextInt(open.size());
                Hold[] h = open.remove(i);
                long[] amount = amounts.remove(i);
                if (random.nextInt(5) == 0) {
                    lending.release(h[0]);
                    plain.release(h[1]);
                } else {
                    long[] actual = new long[amount.length];
                    for (int j = 0; j < actual.length; j++) {
                        actual[j] = Math.max(0, amount[j] + random.nextInt((int) -amount[j] / 2 - 1, 500));
                    }
                    lending.settle(h[0], actual);
                    plain.settle(h[1], actual.clone());
                }
            } else if (op < 9) { // time: none, a millisecond or more, minutes, hours (across midnight)
                long[] steps = {0, 1, 7, 60_000, 3_600_000};
                advance(steps[random.nextInt(steps.length)]);
            } else { // a read
                int k = random.nextInt(3);
                assertThat(lending.used(lendingKeys[k])).as("step %d, used %d", step, k)
                        .isEqualTo(plain.used(plainKeys[k]));
                assertThat(lending.reserved(lendingKeys[k])).isEqualTo(plain.reserved(plainKeys[k]));
            }
        }
        for (int k = 0; k < 3; k++) {
            assertThat(lending.used(lendingKeys[k])).isEqualTo(plain.used(plainKeys[k]));
            WindowState w = lending.window(lendingKeys[k]);
            WindowState p = plain.window(plainKeys[k]);
            assertThat(w == null ? null : w.used()).isEqualTo(p == null ? null : p.used());
        }
    }

    @Test
    void aProcessWindowLendsBelowItsCeilingAndNotWithout() {
        InMemoryLedger ledger = newLedger();
        BudgetKey lending = keys(10_000, 0)[0];
        BudgetKey plain = new BudgetKey("other", Scope.GLOBAL, Scope.GLOBAL_KEY, TEN_MINUTES);

        ledger.reserve(List.of(new BudgetRequest(lending, 10, 100_000), new BudgetRequest(plain, 10, 100_000)));

        assertThat(ledger.lent(lending)).as("a credit of several calls").isGreaterThan(10);
        assertThat(ledger.lent(plain)).isZero();
        assertThat(ledger.used(lending)).as("a read counts the hold, not the credit").isEqualTo(10);
        assertThat(ledger.lent(lending)).as("and takes the credit back").isEqualTo(10);
    }

    /**
     * A reload that lowers a limit (or a credit ceiling) takes effect on the next reservation: a credit lent under
     * the old limit does not serve a reservation that the new one refuses.
     */
    @Test
    void aLowerLimitIsNotPassedWithACreditLentUnderTheHigherOne() {
        InMemoryLedger ledger = newLedger();
        BudgetKey global = keys(100_000, 0)[0];
        ledger.reserve(List.of(new BudgetRequest(global, 10, 100_000))); // lends this thread a credit of 640
        assertThat(ledger.lent(global)).isEqualTo(640);

        Hold past = ledger.reserve(List.of(new BudgetRequest(global, 50, 40))); // 10 + 50 > 40

        assertThat(past.granted()).isFalse();
        assertThat(past.usedBefore(0)).isEqualTo(10);
    }

    @Test
    void aLowerCeilingTakesTheCreditBack() {
        InMemoryLedger ledger = newLedger();
        BudgetKey global = keys(100_000, 0)[0];
        ledger.reserve(List.of(new BudgetRequest(global, 10, 100_000)));
        assertThat(ledger.lent(global)).isEqualTo(640);

        global.creditCeiling(30);
        Hold h = ledger.reserve(List.of(new BudgetRequest(global, 15, 100_000)));

        assertThat(h.granted()).isTrue();
        assertThat(h.usedBefore(0)).isEqualTo(10);
        assertThat(ledger.lent(global)).as("no credit out past the new ceiling: the first hold's 10 only")
                .isEqualTo(10);
    }

    /** New threads take their own lanes from their first call (as long as there are lanes enough). */
    @Test
    void newThreadsEachTakeALaneOfTheirOwn() throws Exception {
        InMemoryLedger ledger = newLedger();
        BudgetKey global = keys(100_000_000, 0)[0];
        int threads = Math.min(8, dev.agentguard.core.common.ThreadProbe.maxParts());
        for (int t = 0; t < threads; t++) { // one after the other: each reserves once on a new thread
            Thread thread = new Thread(() -> ledger.reserve(List.of(new BudgetRequest(global, 10, 100_000_000))));
            thread.start();
            thread.join();
        }

        assertThat(ledger.lent(global)).as("one loan of 64 reservations per thread").isEqualTo(threads * 640L);
    }

    @Test
    void spendSettledInALaneBeforeMidnightLeavesWithTheDayAndOneSettledAfterCountsInTheNext() {
        InMemoryLedger ledger = newLedger();
        BudgetKey agent = keys(0, 30_000)[1];
        advance(Duration.ofHours(3).minusSeconds(1).toMillis()); // 23:59:59
        Hold before = ledger.reserve(List.of(new BudgetRequest(agent, 100, 30_000)));
        Hold across = ledger.reserve(List.of(new BudgetRequest(agent, 100, 30_000)));
        ledger.settle(before, new long[] {70});
        assertThat(ledger.lent(agent)).as("served from a lane").isGreaterThan(200);

        advance(2_000); // 00:00:01 the next day
        ledger.settle(across, new long[] {40});

        assertThat(ledger.used(agent)).isEqualTo(40);
    }

    /**
     * Eight threads reserve, settle (some past their reservation) and release on one process window with a hard
     * limit, and read it now and then. What the test counts as held (granted amounts, less what a settlement gives
     * back before the ledger sees it) never passes the limit, and the final used figure is the sum of the
     * settlements.
     */
    @Test
    void manyThreadsNeverPassTheLimitAndLoseNoSpend() throws Exception {
        InMemoryLedger ledger = newLedger();
        long limit = 2_000_000;
        BudgetKey global = keys(limit, 0)[0];
        int threads = 8;
        AtomicLong held = new AtomicLong();
        AtomicLong maxHeld = new AtomicLong();
        AtomicLong settled = new AtomicLong();
        AtomicLong overSpent = new AtomicLong();
        inThreads(threads, t -> {
            SplittableRandom random = new SplittableRandom(t);
            for (int i = 0; i < 40_000; i++) {
                long amount = 1 + random.nextInt(200);
                Hold h = ledger.reserve(List.of(new BudgetRequest(global, amount, limit)));
                if (!h.granted()) {
                    continue;
                }
                maxHeld.accumulateAndGet(held.addAndGet(amount), Math::max);
                int what = random.nextInt(20);
                if (what == 0) {
                    held.addAndGet(-amount);
                    ledger.release(h);
                } else if (what == 1) { // over-spent: counted from here on, as the ledger counts it
                    long actual = amount + 50;
                    held.addAndGet(50);
                    overSpent.addAndGet(50);
                    ledger.settle(h, new long[] {actual});
                    settled.addAndGet(actual);
                } else {
                    long actual = random.nextLong(amount + 1);
                    held.addAndGet(actual - amount); // before the ledger gives it back: never above it
                    ledger.settle(h, new long[] {actual});
                    settled.addAndGet(actual);
                }
                if (i % 5_000 == 0) {
                    ledger.used(global); // reclaims every lane's credit mid-run
                }
            }
        });
        assertThat(maxHeld.get()).as("held, what over-spends added included")
                .isLessThanOrEqualTo(limit + overSpent.get());
        assertThat(ledger.used(global)).isEqualTo(settled.get());
        assertThat(ledger.reserved(global)).isZero();
        assertThat(ledger.lent(global)).isZero();
        assertThat(settled.get()).as("the window filled up: refusals came").isGreaterThan(limit / 2);
    }

    /**
     * Eight threads take turns, one reservation each (so that each reserves from its own lane, lent to it while
     * the others' credits are out): the share one above the ceiling is crossed by exactly one reservation, and
     * every reservation served from a credit reports a figure that, with its amount, stays within the ceiling.
     */
    @Test
    void threadsTakingTurnsCrossTheShareAboveTheCeilingOnce() throws Exception {
        int threads = 8;
        List<ExecutorService> turns = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            turns.add(Executors.newSingleThreadExecutor());
        }
        try {
            InMemoryLedger ledger = newLedger();
            long limit = 100_000;
            long share = 60_000;
            BudgetKey global = keys(share - 1, 0)[0];
            SplittableRandom random = new SplittableRandom(42);
            int crossings = 0;
            long used = 0; // the calls take turns and settle at once: the exact figure
            boolean lent = false;
            for (int call = 0; ; call++) {
                long amount = 1 + random.nextInt(300);
                Hold h = turns.get(call % threads).submit(() -> {
                    Hold held = ledger.reserve(List.of(new BudgetRequest(global, amount, limit)));
                    if (held.granted()) {
                        ledger.settle(held, new long[] {amount});
                    }
                    return held;
                }).get(10, TimeUnit.SECONDS);
                if (!h.granted()) {
                    break;
                }
                long before = h.usedBefore(0);
                if (before < share && before + amount >= share) {
                    crossings++;
                }
                if (before + amount > share - 1) { // past the ceiling: exact
                    assertThat(before).as("call %d", call).isEqualTo(used);
                }
                used += amount;
                lent |= ledger.lent(global) > 0;
            }
            assertThat(crossings).isEqualTo(1);
            assertThat(lent).as("credits were lent").isTrue();
        } finally {
            turns.forEach(ExecutorService::shutdownNow);
        }
    }

    /**
     * A threshold one above the ceiling (a warnAt share) is crossed by exactly one reservation, however many
     * threads reserve: near it every reservation is exact.
     */
    @Test
    void exactlyOneReservationCrossesTheShareAboveTheCeiling() throws Exception {
        for (int round = 0; round < 20; round++) {
            InMemoryLedger ledger = newLedger();
            long limit = 200_000;
            long share = 120_000;
            BudgetKey global = keys(share - 1, 0)[0];
            int threads = 8;
            AtomicLong crossings = new AtomicLong();
            long seed = round * 100L;
            inThreads(threads, t -> {
                SplittableRandom random = new SplittableRandom(seed + t);
                while (true) {
                    long amount = 1 + random.nextInt(50);
                    Hold h = ledger.reserve(List.of(new BudgetRequest(global, amount, limit)));
                    if (!h.granted()) {
                        return;
                    }
                    long before = h.usedBefore(0);
                    if (before < share && before + amount >= share) {
                        crossings.incrementAndGet();
                    }
                    ledger.settle(h, new long[] {amount});
                }
            });
            assertThat(crossings.get()).as("round %d", round).isEqualTo(1);
            assertThat(ledger.used(global)).isGreaterThan(limit - 50).isLessThanOrEqualTo(limit);
        }
    }

    /** What each thread of {@link #inThreads} runs. */
    private interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads started together, and waits for them all (a minute at most). */
    private static void inThreads(int threads, ThreadBody body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    body.run(thread);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
