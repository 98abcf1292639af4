package dev.agentguard.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.window.WindowSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class InMemoryLedgerTest extends BudgetLedgerContract {

    private final AtomicLong nanos = new AtomicLong(-1_000_000_000L); // ticks may be negative
    private final AtomicLong offsetMillis = new AtomicLong();
    private InMemoryLedger memoryLedger;

    @Override
    protected BudgetLedger newLedger() {
        memoryLedger = InMemoryLedger.builder()
                .ticker(nanos::get)
                .clock(new Clock() {
                    @Override
                    public ZoneId getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(ZoneId zone) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public Instant instant() {
                        return START.plusMillis(offsetMillis.get());
                    }
                })
                .maxWindows(1_000)
                .idleExpiry(Duration.ofMinutes(30))
                .build();
        return memoryLedger;
    }

    @Override
    protected void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
        offsetMillis.addAndGet(duration.toMillis());
    }

    private static BudgetKey session(String id) {
        return new BudgetKey("session-10m", Scope.SESSION, id, WindowSpec.sliding(Duration.ofMinutes(10), 10));
    }

    @Test
    void idleSessionsExpireButNotWhileAReservationIsOutstanding() {
        newLedger();
        memoryLedger.settle(memoryLedger.reserve(List.of(new BudgetRequest(session("idle"), 5, 100))), new long[] {5});
        Hold inFlight = memoryLedger.reserve(List.of(new BudgetRequest(session("busy"), 5, 100)));

        advance(Duration.ofMinutes(31));
        memoryLedger.cleanUp();

        assertThat(memoryLedger.cachedWindows()).isEqualTo(1);
        assertThat(memoryLedger.reserved(session("busy"))).isEqualTo(5);
        memoryLedger.settle(inFlight, new long[] {5});
        advance(Duration.ofMinutes(31));
        memoryLedger.cleanUp();
        assertThat(memoryLedger.cachedWindows()).isZero();
    }

    @Test
    void aHoldThatOutlastsTheIdleExpiryKeepsItsWindowWholeAndItsSpendCounts() {
        newLedger();
        BudgetKey key = session("slow");
        Hold slow = memoryLedger.reserve(List.of(new BudgetRequest(key, 60, 100)));

        advance(Duration.ofMinutes(45)); // past the 30-minute idle expiry, the hold still open
        memoryLedger.cleanUp();

        assertThat(memoryLedger.cachedWindows()).isEqualTo(1);
        assertThat(memoryLedger.reserved(key)).isEqualTo(60);
        // one window per key: a new reservation sees the open one
        assertThat(memoryLedger.reserve(List.of(new BudgetRequest(key, 50, 100))).granted()).isFalse();
        memoryLedger.settle(slow, new long[] {60});
        assertThat(memoryLedger.used(key)).isEqualTo(60);
        assertThat(memoryLedger.reserve(List.of(new BudgetRequest(key, 50, 100))).granted()).isFalse();
    }

    @Test
    void aUseTheCacheWasNotToldOfStillKeepsTheWindowForItsIdleExpiry() {
        newLedger();
        BudgetKey key = session("chatty");
        memoryLedger.settle(memoryLedger.reserve(List.of(new BudgetRequest(key, 5, 100))), new long[] {5});
        advance(Duration.ofMillis(500)); // within a second of the last time the cache heard of a use
        memoryLedger.settle(memoryLedger.reserve(List.of(new BudgetRequest(key, 5, 100))), new long[] {5});

        advance(Duration.ofMinutes(30).minusMillis(250)); // 30 min after the first use, not after the second
        memoryLedger.cleanUp();
        assertThat(memoryLedger.cachedWindows()).isEqualTo(1);

        advance(Duration.ofSeconds(1)); // now 30 min after the second
        memoryLedger.cleanUp();
        assertThat(memoryLedger.cachedWindows()).isZero();
    }

    /**
     * Eight threads reserve, settle, release, and keep holds open from one round to the next on four session
     * windows, while time jumps past the idle expiry between rounds, so that the windows expire under open holds
     * and under concurrent lookups. Each round starts with empty windows (their spend has drained), so in each
     * round a window holds exactly what was settled in it, never more than its limit: a key split into two live
     * windows, or a hold left in a forgotten one, would show.
     */
    @Test
    void windowsExpiringUnderConcurrentReservationsNeitherSplitNorLoseSpend() throws Exception {
        expiringUnderConcurrentReservations(k -> session("k" + k)); // a new key object per call
    }

    /**
     * As above, with one key object per window shared by every thread and call, as the guard keeps a session's keys:
     * the ledger then goes to the window the object led to last time, which must not be one it has forgotten.
     */
    @Test
    void sharedKeyObjectsNeverLeadToAForgottenWindow() throws Exception {
        BudgetKey[] shared = {session("k0"), session("k1"), session("k2"), session("k3")};
        expiringUnderConcurrentReservations(k -> shared[k]);
    }

    @Test
    void aKeyObjectLedToAWindowOfAnotherLedgerCountsInItsOwn() {
        BudgetKey key = session("shared");
        BudgetLedger first = newLedger();
        BudgetLedger second = newLedger();
        first.settle(first.reserve(List.of(new BudgetRequest(key, 30, 100))), new long[] {30});
        second.settle(second.reserve(List.of(new BudgetRequest(key, 20, 100))), new long[] {20});
        first.settle(first.reserve(List.of(new BudgetRequest(key, 1, 100))), new long[] {1});
        assertThat(first.used(key)).isEqualTo(31);
        assertThat(second.used(key)).isEqualTo(20);
    }

    @Test
    void aKeyObjectWhoseWindowWasEvictedForRoomGetsTheNewOne() {
        memoryLedger = InMemoryLedger.builder().ticker(nanos::get).maxWindows(2).onFull(OnFull.EVICT_OLDEST)
                .idleExpiry(Duration.ofMinutes(30))
                .build();
        BudgetKey a = session("a");
        memoryLedger.settle(memoryLedger.reserve(List.of(new BudgetRequest(a, 10, 100))), new long[] {10});
        advance(Duration.ofSeconds(1));
        memoryLedger.settle(memoryLedger.reserve(List.of(new BudgetRequest(session("b"), 1, 100))), new long[] {1});
        advance(Duration.ofSeconds(1));
        Hold c = memoryLedger.reserve(List.of(new BudgetRequest(session("c"), 1, 100))); // evicts a's window
        assertThat(c.evictedWindows()).isEqualTo(1);
        assertThat(memoryLedger.used(session("a"))).isZero();
        assertThat(a.found()).as("the forgotten window is no longer reachable from the key object").isNull();

        memoryLedger.settle(memoryLedger.reserve(List.of(new BudgetRequest(a, 5, 100))), new long[] {5});
        assertThat(memoryLedger.used(session("a"))).as("counted in a's new window, not in the evicted one")
                .isEqualTo(5);
    }

    private void expiringUnderConcurrentReservations(IntFunction<BudgetKey> keyOf)
            throws Exception {
        newLedger();
        int threads = 8;
        int rounds = 25;
        int keys = 4;
        long limit = 400;
        AtomicLongArray settledInRound = new AtomicLongArray(keys);
        CyclicBarrier roundDone = new CyclicBarrier(threads + 1);
        CyclicBarrier roundStart = new CyclicBarrier(threads + 1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 7 + t;
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    List<Object[]> open = new ArrayList<>(); // {hold, key index, amount}
                    for (int r = 0; r < rounds; r++) {
                        roundStart.await();
                        List<Object[]> carried = new ArrayList<>(open);
                        open.clear();
                        for (int i = 0; i < 100; i++) {
                            if (!carried.isEmpty() && random.nextInt(4) == 0) { // settle one from the last round
                                Object[] c = carried.remove(carried.size() - 1);
                                long actual = random.nextLong((Long) c[2] + 1);
                                memoryLedger.settle((Hold) c[0], new long[] {actual});
                                settledInRound.addAndGet((Integer) c[1], actual);
                            }
                            int k = random.nextInt(keys);
                            long amount = 1 + random.nextInt(20);
                            Hold hold = memoryLedger.reserve(
                                    List.of(new BudgetRequest(keyOf.apply(k), amount, limit)));
                            if (!hold.granted()) {
                                continue;
                            }
                            int what = random.nextInt(10);
                            if (what < 6 || r == rounds - 1) {
                                long actual = random.nextLong(amount + 1);
                                memoryLedger.settle(hold, new long[] {actual});
                                settledInRound.addAndGet(k, actual);
                            } else if (what < 7) {
                                memoryLedger.release(hold);
                            } else {
                                open.add(new Object[] {hold, k, amount});
                            }
                        }
                        for (Object[] c : carried) {
                            memoryLedger.settle((Hold) c[0], new long[] {(Long) c[2]});
                            settledInRound.addAndGet((Integer) c[1], (Long) c[2]);
                        }
                        roundDone.await();
                    }
                    return null;
                }));
            }
            for (int r = 0; r < rounds; r++) {
                roundStart.await(1, TimeUnit.MINUTES);
                roundDone.await(1, TimeUnit.MINUTES);
                for (int k = 0; k < keys; k++) {
                    BudgetKey key = session("k" + k);
                    long settled = memoryLedger.used(key) - memoryLedger.reserved(key);
                    assertThat(settled).as("round %d, key %d", r, k).isEqualTo(settledInRound.get(k))
                            .isLessThanOrEqualTo(limit);
                    settledInRound.set(k, 0);
                }
                advance(Duration.ofMinutes(31)); // spend drained, windows idle: they expire, held or not
                if (r % 3 == 0) {
                    memoryLedger.cleanUp();
                }
            }
            for (Future<?> f : futures) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(memoryLedger.openHolds()).isZero();
    }
}
