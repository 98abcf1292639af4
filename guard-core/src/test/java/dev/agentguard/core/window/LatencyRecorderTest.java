package dev.agentguard.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatencyRecorderTest {

    @Test
    void nearestRankOfOneToHundred() {
        LatencyRecorder r = new LatencyRecorder(100);
        for (int i = 100; i >= 1; i--) {
            r.record(i);
        }
        assertThat(r.p50()).isEqualTo(50);
        assertThat(r.p90()).isEqualTo(90);
        assertThat(r.p99()).isEqualTo(99);
        assertThat(r.quantile(0)).isEqualTo(1);
        assertThat(r.quantile(1)).isEqualTo(1);
        assertThat(r.quantile(100)).isEqualTo(100);
        assertThat(r.max()).isEqualTo(100);
        assertThat(r.mean()).isEqualTo(51); // 50.5 rounds half up
    }

    @Test
    void nearestRankOfTenSamples() {
        LatencyRecorder r = new LatencyRecorder(100);
        for (int i = 1; i <= 10; i++) {
            r.record(i * 10L);
        }
        // ranks ceil(0.5 * 10) = 5, ceil(0.9 * 10) = 9, ceil(0.99 * 10) = 10
        assertThat(r.p50()).isEqualTo(50);
        assertThat(r.p90()).isEqualTo(90);
        assertThat(r.p99()).isEqualTo(100);
        assertThat(r.quantile(91)).isEqualTo(100);
    }

    @Test
    void keepsOnlyTheLastSamples() {
        LatencyRecorder r = new LatencyRecorder(3);
        for (long v : new long[] {1000, 2000, 1, 2, 3}) {
            r.record(v);
        }
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.max()).isEqualTo(3);
        assertThat(r.quantile(0)).isEqualTo(1);
        assertThat(r.summary()).hasValueSatisfying(s -> {
            assertThat(s.count()).isEqualTo(3);
            assertThat(s.p50()).isEqualTo(Duration.ofNanos(2));
            assertThat(s.mean()).isEqualTo(Duration.ofNanos(2));
        });
    }

    @Test
    void aReadAfterARecordSeesIt() {
        LatencyRecorder r = new LatencyRecorder(10);
        r.record(5);
        assertThat(r.max()).isEqualTo(5);
        assertThat(r.max()).isEqualTo(5); // from the cached snapshot
        r.record(7);
        assertThat(r.max()).isEqualTo(7);
        assertThat(r.mean()).isEqualTo(6);
    }

    @Test
    void anEmptyRecorderHasNoFigures() {
        LatencyRecorder r = new LatencyRecorder(10);
        assertThat(r.count()).isZero();
        assertThat(r.summary()).isEmpty();
        assertThatThrownBy(r::p50).isInstanceOf(IllegalStateException.class).hasMessage("no latency recorded yet");
        assertThatThrownBy(r::mean).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::max).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new LatencyRecorder(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency samples must be between 1 and 1000000, was 0");
        LatencyRecorder r = new LatencyRecorder(10);
        r.record(1);
        assertThatThrownBy(() -> r.record(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency must be >= 0 ns, was -1");
        assertThatThrownBy(() -> r.quantile(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("percentile must be between 0 and 100, was 101");
        assertThatThrownBy(() -> r.quantile(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "capacity={0} seed={1} operations={2}")
    @CsvSource({"1, 11, 20000", "2, 12, 20000", "7, 13, 20000", "100, 14, 20000", "1000, 15, 10000"})
    void matchesASortedListOfTheLastSamples(int capacity, long seed, int operations) {
        SplittableRandom random = new SplittableRandom(seed);
        LatencyRecorder r = new LatencyRecorder(capacity);
        ArrayDeque<Long> last = new ArrayDeque<>();

        for (int op = 0; op < operations; op++) {
            int at = op;
            Supplier<String> where = () -> "seed=" + seed + " capacity=" + capacity + " op=" + at;
            if (random.nextInt(3) > 0 || last.isEmpty()) {
                // few distinct values so that ties are common, or a wide spread
                long v = random.nextBoolean() ? random.nextInt(5) * 1_000L : random.nextLong(1_000_000_000_000L);
                r.record(v);
                last.addLast(v);
                if (last.size() > capacity) {
                    last.removeFirst();
                }
            }
            List<Long> sorted = new ArrayList<>(last);
            sorted.sort(null);
            int p = random.nextInt(101);
            assertThat(r.count()).as(where).isEqualTo(sorted.size());
            assertThat(r.quantile(p)).as(() -> where.get() + " p=" + p).isEqualTo(nearestRank(sorted, p));
            assertThat(r.max()).as(where).isEqualTo(sorted.get(sorted.size() - 1));
            assertThat(r.mean()).as(where).isEqualTo(mean(sorted));
            Optional<LatencySummary> summary = r.summary();
            assertThat(summary).as(where).hasValue(new LatencySummary(sorted.size(), nearestRank(sorted, 50),
                    nearestRank(sorted, 90), nearestRank(sorted, 99), mean(sorted), sorted.get(sorted.size() - 1)));
        }
    }

    /** The definition: the smallest sample such that at least p% of the samples are at most it. */
    private static long nearestRank(List<Long> sorted, int p) {
        int n = sorted.size();
        for (int i = 0; i < n; i++) {
            long candidate = sorted.get(i);
            int atMost = i + 1;
            while (atMost < n && sorted.get(atMost).longValue() == candidate) {
                atMost++;
            }
            if ((long) atMost * 100 >= (long) p * n) {
                return candidate;
            }
        }
        throw new AssertionError("unreachable");
    }

    private static long mean(List<Long> values) {
        BigDecimal sum = values.stream().map(BigDecimal::valueOf).reduce(BigDecimal.ZERO, BigDecimal::add);
        return sum.divide(BigDecimal.valueOf(values.size()), 0, RoundingMode.HALF_UP).longValueExact();
    }

    @Test
    void readersAlwaysSeeRecordedValuesWhileManyThreadsRecord() throws Exception {
        int writers = 16;
        int readers = 4;
        int perWriter = 100_000;
        int capacity = 100;
        LatencyRecorder r = new LatencyRecorder(capacity);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch writersDone = new CountDownLatch(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                long base = (w + 1) * 1_000_000L;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perWriter; i++) {
                        r.record(base + i);
                    }
                    writersDone.countDown();
                    return perWriter;
                }));
            }
            for (int k = 0; k < readers; k++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    int reads = 0;
                    do {
                        Optional<LatencySummary> s = r.summary();
                        int count = r.count();
                        assertThat(count).isBetween(0, capacity);
                        if (s.isPresent()) {
                            LatencySummary summary = s.get();
                            assertThat(summary.count()).isBetween(1, capacity);
                            assertThat(summary.p50()).isLessThanOrEqualTo(summary.p90());
                            assertThat(summary.p90()).isLessThanOrEqualTo(summary.p99());
                            assertThat(summary.p99()).isLessThanOrEqualTo(summary.max());
                            for (Duration d : List.of(summary.p50(), summary.p90(), summary.p99(), summary.max())) {
                                assertRecordable(d.toNanos(), writers, perWriter);
                            }
                            assertRecordable(r.quantile(reads % 101), writers, perWriter);
                        }
                        reads++;
                    } while (writersDone.getCount() > 0);
                    return reads;
                }));
            }
            start.countDown();
            for (Future<Integer> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(r.count()).isEqualTo(capacity);
        // every writer's last value was recorded; the very last record of all is one of them
        assertThat(r.max()).isGreaterThanOrEqualTo(1_000_000L + perWriter - 1);
        assertRecordable(r.quantile(0), writers, perWriter);
    }

    /** Values are writer * 1,000,000 + i: anything else was never recorded (a torn or stale read). */
    private static void assertRecordable(long v, int writers, int perWriter) {
        long writer = v / 1_000_000L;
        long i = v % 1_000_000L;
        assertThat(writer).as("writer of %d", v).isBetween(1L, (long) writers);
        assertThat(i).as("index of %d", v).isBetween(0L, perWriter - 1L);
    }
}
