package dev.agentguard.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Exact instants of a sliding window: boundaries, negative ticks, steps back, jumps of years. */
class SlidingWindowTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MILLIS = 1_700_000_000_000L; // ignored by sliding windows

    /** 10 s in 10 buckets of 1 s. */
    private final Window window = WindowSpec.sliding(Duration.ofSeconds(10), 10).newWindow();

    @Test
    void anAmountStaysUntilItsBucketLeavesTheRing() {
        window.add(0, MILLIS, 5);

        assertThat(window.total(10 * SECOND - 1, MILLIS)).isEqualTo(5);
        assertThat(window.total(10 * SECOND, MILLIS)).isZero();
    }

    @Test
    void anAmountLeavesAtMostOneBucketEarly() {
        window.add(SECOND - 1, MILLIS, 5); // last nanosecond of bucket 0

        assertThat(window.total(10 * SECOND - 1, MILLIS)).isEqualTo(5);
        assertThat(window.total(10 * SECOND, MILLIS)).as("covered 9 s + 1 ns, not 10 s").isZero();
    }

    @Test
    void bucketsLeaveOneByOne() {
        for (int s = 0; s < 10; s++) {
            window.add(s * SECOND, MILLIS, 1L << s);
        }
        long expected = (1L << 10) - 1;
        assertThat(window.total(10 * SECOND - 1, MILLIS)).isEqualTo(expected);
        for (int s = 0; s < 10; s++) {
            expected -= 1L << s;
            assertThat(window.total((10 + s) * SECOND, MILLIS)).as("at %d s", 10 + s).isEqualTo(expected);
        }
    }

    @Test
    void negativeTicksUseFloorBuckets() {
        // -1 ns is in bucket -1, which leaves the ring at 9 s; truncating division would keep it in bucket 0
        window.add(-SECOND - 1, MILLIS, 100); // bucket -2
        window.add(-SECOND, MILLIS, 4); // bucket -1
        window.add(-1, MILLIS, 3); // also bucket -1

        assertThat(window.total(0, MILLIS)).isEqualTo(107);
        assertThat(window.total(8 * SECOND - 1, MILLIS)).isEqualTo(107);
        assertThat(window.total(8 * SECOND, MILLIS)).isEqualTo(7);
        assertThat(window.total(9 * SECOND - 1, MILLIS)).isEqualTo(7);
        assertThat(window.total(9 * SECOND, MILLIS)).isZero();
    }

    @Test
    void worksAtTheExtremesOfTheTicker() {
        long start = Long.MIN_VALUE + 1;
        window.add(start, MILLIS, 1);
        assertThat(window.total(start + 5 * SECOND, MILLIS)).isEqualTo(1);

        window.add(Long.MAX_VALUE, MILLIS, 2); // a jump of the whole range
        assertThat(window.total(Long.MAX_VALUE, MILLIS)).isEqualTo(2);
    }

    @Test
    void theLastBucketOfTheTickersRangeStaysTheHead() {
        // 1 ns buckets: no bucket follows the one at Long.MAX_VALUE, whose end cannot be computed
        SlidingWindow w = new SlidingWindow(10, 10);
        w.add(Long.MAX_VALUE - 1, MILLIS, 1);
        w.add(Long.MAX_VALUE, MILLIS, 2);
        w.add(Long.MAX_VALUE, MILLIS, 4);
        w.add(Long.MAX_VALUE - 3, MILLIS, 8); // stepped back: counts in the head bucket

        assertThat(w.total(Long.MAX_VALUE, MILLIS)).isEqualTo(15);
    }

    @Test
    void aJumpOfYearsClearsEverything() {
        Window big = WindowSpec.sliding(Duration.ofSeconds(10), 10_000).newWindow();
        for (int i = 0; i < 10_000; i++) {
            big.add(i * 1_000_000L, MILLIS, 1);
        }
        long years = Duration.ofDays(365 * 200).toNanos();
        assertThat(big.total(years, MILLIS)).isZero();

        big.add(years, MILLIS, 7);
        assertThat(big.total(years + 9 * SECOND, MILLIS)).isEqualTo(7);
    }

    @Test
    void aJumpOfExactlyOneWindowClearsEverything() {
        window.add(3 * SECOND, MILLIS, 1);
        window.add(9 * SECOND, MILLIS, 2);

        assertThat(window.total(13 * SECOND, MILLIS)).isEqualTo(2);
        assertThat(window.total(19 * SECOND, MILLIS)).isZero();
    }

    @Test
    void anOlderTickCountsInTheNewestBucket() {
        window.add(5 * SECOND, MILLIS, 10);
        window.add(2 * SECOND, MILLIS, 7); // the ticker stepped back: bucket 5, not bucket 2

        assertThat(window.total(2 * SECOND, MILLIS)).isEqualTo(17);
        assertThat(window.total(12 * SECOND, MILLIS)).as("bucket 2 would have left by now").isEqualTo(17);
        assertThat(window.total(15 * SECOND - 1, MILLIS)).isEqualTo(17);
        assertThat(window.total(15 * SECOND, MILLIS)).isZero();
    }

    @Test
    void anOlderTickAfterTheRingWrappedNeverCorruptsTheTotal() {
        window.add(25 * SECOND, MILLIS, 10); // slot 5
        window.add(14 * SECOND, MILLIS, 1); // slot 4 holds bucket 24 now; must not touch it or the total
        window.add(26 * SECOND, MILLIS, 2);

        assertThat(window.total(26 * SECOND, MILLIS)).isEqualTo(13);
        assertThat(window.total(35 * SECOND, MILLIS)).isEqualTo(2);
        assertThat(window.total(36 * SECOND, MILLIS)).isZero();
    }

    @Test
    void negativeAmountsCorrectEarlierOnes() {
        window.add(0, MILLIS, 10);
        window.add(SECOND, MILLIS, -4);

        assertThat(window.total(SECOND, MILLIS)).isEqualTo(6);
        assertThat(window.total(10 * SECOND, MILLIS)).isEqualTo(-4);
        assertThat(window.total(11 * SECOND, MILLIS)).isZero();
    }

    @Test
    void aSingleBucketWindowIsATumblingWindow() {
        Window one = WindowSpec.sliding(Duration.ofSeconds(1), 1).newWindow();
        one.add(0, MILLIS, 1);
        one.add(SECOND - 1, MILLIS, 1);

        assertThat(one.total(SECOND - 1, MILLIS)).isEqualTo(2);
        assertThat(one.total(SECOND, MILLIS)).isZero();
    }

    @Test
    void rejectsALengthThatDoesNotDivideIntoBuckets() {
        assertThatThrownBy(() -> new SlidingWindow(10, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10 ns").hasMessageContaining("3 buckets");
        assertThatThrownBy(() -> new SlidingWindow(5, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWindowListsItsFirstBucketsThenTurnsIntoTheRingAndBackWithoutChangingItsTotals() {
        // 10 buckets of 1 s, 2 counters: listed up to 4 buckets seen, a ring after, a list again once empty
        SlidingWindow w = new SlidingWindow(10 * SECOND, 10, 2);
        java.util.List<long[]> events = new java.util.ArrayList<>(); // {bucket, counter, amount}
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        long tick = 0;
        java.util.Set<Boolean> forms = new java.util.HashSet<>(); // true: a ring
        for (int op = 0; op < 20_000; op++) {
            int r = random.nextInt(100);
            long step = r < 85 ? random.nextLong(SECOND) : r < 97 ? random.nextLong(8 * SECOND)
                    : random.nextLong(30 * SECOND); // sometimes past the whole window
            tick += step;
            w.roll(tick, MILLIS);
            long bucket = Math.floorDiv(tick, SECOND);
            if (random.nextBoolean()) {
                int counter = random.nextInt(2);
                long amount = random.nextLong(-5, 100);
                w.add(counter, amount);
                events.add(new long[] {bucket, counter, amount});
            }
            for (int c = 0; c < 2; c++) {
                long expected = 0;
                for (long[] e : events) {
                    if (e[1] == c && e[0] > bucket - 10) {
                        expected += e[2];
                    }
                }
                assertThat(w.total(c)).as("op %d counter %d at %s", op, c, w).isEqualTo(expected);
            }
            events.removeIf(e -> e[0] <= bucket - 10);
            forms.add(w.toString().contains(", ring"));
        }
        assertThat(forms).as("both forms were exercised").containsExactlyInAnyOrder(true, false);
    }
}
