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

    /** @return two timed rings of 4 samples; ticks 1..n alternate between them, even ones first; latency 100 * tick */
    private static LatencyRing[] alternating(int ticks) {
        LatencyRing[] rings = {LatencyRing.timed(4), LatencyRing.timed(4)};
        for (int tick = 1; tick <= ticks; tick++) {
            rings[tick % 2].record(100L * tick, tick);
        }
        return rings;
    }

    @Test
    void ringsTogetherSummariseTheirLatestSamplesByTick() {
        LatencyRing[] rings = alternating(8);
        LatencyRing a = rings[0];
        LatencyRing b = rings[1];

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

    @Test
    void absorbingARingKeepsTheLatestSamplesOfBothByTickAndRecordsGoOnAfterThem() {
        LatencyRing[] rings = alternating(6);
        LatencyRing into = rings[0];
        LatencyRing from = rings[1];

        into.absorb(from);
        assertThat(from.count()).as("left as it was").isEqualTo(3);
        LatencySummary kept = into.summary().orElseThrow();
        assertThat(kept.count()).isEqualTo(4);
        assertThat(kept.mean().toNanos()).as("ticks 3..6").isEqualTo(450);
        into.record(700, 7); // replaces the oldest kept, tick 3
        assertThat(into.summary().orElseThrow().mean().toNanos()).as("ticks 4..7").isEqualTo(550);
        LatencyRing copy = into.copy();
        into.record(800, 8);
        assertThat(copy.summary().orElseThrow().mean().toNanos()).as("a copy is apart").isEqualTo(550);
    }

    /**
     * A retired route hands everything to its residual: its totals, its latency samples, and the calls recorded
     * into it afterwards (by a caller that found it just before); a sum of the two counts each call once.
     */
    @Test
    void aRetiredRouteMovesItsFiguresAndLaterCallsToItsResidual() {
        LevelStats residual = stats();
        LevelStats route = new LevelStats(WINDOW, COUNTERS, SAMPLES, true, false, residual);
        ThreadProbe probe = ThreadProbe.current();
        residual.recordModelCall(probe, 1, 0, 1, 1, 0, 10, -1);
        route.recordModelCall(probe, 2, 0, 20, 2, 1, 900, 4);
        route.recordModelCall(probe, 3, 0, 30, 3, 0, 30, -1);

        route.retire(4, 0);
        route.recordModelCall(probe, 5, 0, 400, 4, 0, 40, -1);
        route.retire(6, 0); // twice: nothing moves again

        LevelStats.Figures r = residual.read(7, 0);
        assertThat(r.totals()[0]).isEqualTo(451);
        assertThat(r.totals()[1]).isEqualTo(10);
        assertThat(r.totals()[2]).as("model calls").isEqualTo(4);
        assertThat(r.totals()[3]).as("model errors").isEqualTo(1);
        assertThat(r.latency().count()).isEqualTo(4);
        assertThat(r.latency().max().toNanos()).isEqualTo(900);
        assertThat(r.ttft().max().toNanos()).isEqualTo(4);
        LevelStats.Sum sum = new LevelStats.Sum(COUNTERS);
        route.addTo(sum, 7, 0);
        residual.addTo(sum, 7, 0);
        assertThat(sum.totals[0]).as("the retired route adds nothing of its own").isEqualTo(451);
        assertThat(sum.figures(SAMPLES).latency().count()).isEqualTo(4);
    }
}
