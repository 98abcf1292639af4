package dev.agentguard.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.agentguard.core.common.ThreadProbe;
import dev.agentguard.core.window.LatencyRing;
import dev.agentguard.core.window.LatencySummary;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A level's figures split into parts by thread under contention: nothing recorded is lost or counted twice, a
 * read is one cut over the parts, and the latency summary is that of the latest records of all parts together.
 */
class LevelStatsTest {

    private static final WindowSpec WINDOW = WindowSpec.sliding(Duration.ofMinutes(10), 10);
    private static final int COUNTERS = 6;
    private static final int SAMPLES = 100;

    private static LevelStats stats() {
        return new LevelStats(WINDOW, COUNTERS, SAMPLES, true, true);
    }

    @Test
    void oneThreadKeepsOnePart() {
        LevelStats stats = stats();
        ThreadProbe probe = ThreadProbe.current();
        for (int i = 0; i < 10_000; i++) {
            stats.recordModelCall(probe, i, 0, 3, 5, 0, 1_000 + i, -1);
        }

        assertThat(stats.parts()).isEqualTo(1);
        LevelStats.Figures f = stats.read(10_000, 0);
        assertThat(f.totals()[0]).isEqualTo(30_000);
        assertThat(f.latency().count()).isEqualTo(SAMPLES);
        assertThat(f.latency().max().toNanos()).isEqualTo(1_000 + 9_999);
        assertThat(f.ttft()).isNull();
        assertThat(f.toolDuration()).isNull();
    }

    /**
     * Sixteen threads record into one level while a reader reads it: the parts grow, and the totals are exactly
     * what was recorded. Every read sees each thread's calls and cost in step (a record is in a read whole or not
     * at all): a thread's call always costs 7, so a read's cost is 7 times its calls.
     */
    @Test
    void contendedRecordsSplitTheLevelAndLoseNothing() throws Exception {
        int threads = 16;
        int calls = 20_000;
        LevelStats stats = stats();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> recorders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                recorders.add(pool.submit(() -> {
                    start.await();
                    ThreadProbe probe = ThreadProbe.current();
                    for (int i = 0; i < calls; i++) {
                        stats.recordModelCall(probe, 1, 0, 7, 1, i % 2, thread * 1_000_000L + i, 5);
                        stats.recordToolCall(probe, 1, 0, 0, 9);
                    }
                    return null;
                }));
            }
            Future<Integer> reader = pool.submit(() -> {
                int reads = 0;
                do {
                    long[] t = stats.read(1, 0).totals();
                    assertThat(t[0]).isEqualTo(7 * t[2]);
                    start.countDown(); // the recorders start once the reader reads
                    reads++;
                } while (!recorders.stream().allMatch(Future::isDone));
                return reads;
            });
            for (Future<?> f : recorders) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            pool.shutdownNow();
        }

        assertThat(stats.parts()).isGreaterThan(1).isLessThanOrEqualTo(LevelStats.MAX_PARTS);
        assertThat(Integer.bitCount(stats.parts())).as("a power of two, for the probe's mask").isOne();
        LevelStats.Figures f = stats.read(1, 0);
        long all = (long) threads * calls;
        assertThat(f.totals()).containsExactly(7 * all, all, all, all / 2, all, 0);
        assertThat(f.latency().count()).isEqualTo(SAMPLES);
        assertThat(f.ttft().max().toNanos()).isEqualTo(5);
        assertThat(f.toolDuration().count()).isEqualTo(SAMPLES);
        assertThat(f.toolDuration().mean().toNanos()).isEqualTo(9);
    }

    @Test
    void ringsTogetherSummariseTheirLatestSamplesByTick() {
        LatencyRing a = LatencyRing.timed(4);
        LatencyRing b = LatencyRing.timed(4);
        // ticks 1..8 alternate between the rings; latency = 100 * tick
        for (int tick = 1; tick <= 8; tick++) {
            (tick % 2 == 0 ? a : b).record(100L * tick, tick);
        }

        LatencySummary latest = LatencyRing.summaryOfLatest(new LatencyRing[] {a, b, null}, 4).orElseThrow();
        // the four latest are ticks 5..8, whichever ring holds them
        assertThat(latest.count()).isEqualTo(4);
        assertThat(latest.max().toNanos()).isEqualTo(800);
        assertThat(latest.p50().toNanos()).isEqualTo(600);
        assertThat(latest.mean().toNanos()).isEqualTo(650);

        LatencySummary all = LatencyRing.summaryOfLatest(new LatencyRing[] {a, b}, 100).orElseThrow();
        assertThat(all.count()).isEqualTo(8);
        assertThat(all.p50().toNanos()).isEqualTo(400);
    }

    @Test
    void latestSamplesAcrossTheTickerOverflow() {
        LatencyRing a = LatencyRing.timed(2);
        LatencyRing b = LatencyRing.timed(2);
        a.record(1, Long.MAX_VALUE - 1); // older
        b.record(2, Long.MAX_VALUE);
        a.record(3, Long.MIN_VALUE); // newer: the ticker wrapped
        b.record(4, Long.MIN_VALUE + 1);

        LatencySummary latest = LatencyRing.summaryOfLatest(new LatencyRing[] {a, b}, 2).orElseThrow();
        assertThat(latest.count()).isEqualTo(2);
        assertThat(latest.max().toNanos()).isEqualTo(4);
        assertThat(latest.p50().toNanos()).isEqualTo(3);
    }

    @Test
    void aRingThatIsNotTimedCannotBeSummarisedWithOthers() {
        LatencyRing plain = new LatencyRing(4);
        plain.record(1);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LatencyRing.summaryOfLatest(new LatencyRing[] {plain}, 4));
        assertThat(LatencyRing.summaryOfLatest(new LatencyRing[] {LatencyRing.timed(4)}, 4)).isEmpty();
    }
}
