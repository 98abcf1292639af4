package dev.agentguard.core.telemetry;

import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.GuardScope;

import dev.agentguard.core.common.Scope;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many threads record calls for many sessions (far more than the cache holds) while the ticker moves and readers
 * take snapshots; afterwards every total equals exactly the sum of what was recorded.
 */
class TelemetryConcurrencyTest {

    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 20_000;
    private static final int AGENTS = 4;
    private static final int TENANTS = 3;

    /** What one thread recorded: totals for global, and per agent and tenant. */
    private static final class Sums {
        long cost;
        long tokens;
        long modelCalls;
        long modelErrors;
        long toolCalls;
        long toolErrors;
        final long[] agentCost = new long[AGENTS];
        final long[] agentToolCalls = new long[AGENTS];
        final long[] tenantTokens = new long[TENANTS];
    }

    @Test
    void totalsEqualTheSumOfEverythingRecorded() throws Exception {
        FakeTicker ticker = new FakeTicker();
        FakeClock clock = FakeClock.at("2024-06-14T10:00:00Z");
        // 10-minute window; the ticker moves at most 5 minutes during the run, so nothing may leave it
        Telemetry telemetry = new Telemetry(TelemetryConfig.builder().maxSessions(100).build(), ticker, clock);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch recordersDone = new CountDownLatch(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
        List<Future<Sums>> recorders = new ArrayList<>();
        List<Future<?>> others = new ArrayList<>();
        try {
            for (int th = 0; th < THREADS; th++) {
                long seed = 1_000L + th;
                int thread = th;
                recorders.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    Sums sums = new Sums();
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        int agent = random.nextInt(AGENTS);
                        int tenant = random.nextInt(TENANTS);
                        GuardScope scope = GuardScope.builder().agent("agent-" + agent)
                                .session("session-" + thread + "-" + random.nextInt(200))
                                .user("user-" + random.nextInt(500)).tenant("tenant-" + tenant).build();
                        if (random.nextInt(4) > 0) {
                            long cost = random.nextLong(5_000_000);
                            long tokens = random.nextLong(4_000);
                            boolean error = random.nextInt(10) == 0;
                            telemetry.recordModelCall(scope, "model-" + random.nextInt(3), cost, tokens, error,
                                    random.nextLong(1_000_000_000L), random.nextBoolean() ? random.nextLong(1_000) : -1);
                            sums.cost += cost;
                            sums.tokens += tokens;
                            sums.modelCalls++;
                            sums.modelErrors += error ? 1 : 0;
                            sums.agentCost[agent] += cost;
                            sums.tenantTokens[tenant] += tokens;
                        } else {
                            boolean error = random.nextInt(5) == 0;
                            telemetry.recordToolCall(scope, "tool-" + random.nextInt(5), error,
                                    random.nextLong(1_000_000L));
                            sums.toolCalls++;
                            sums.toolErrors += error ? 1 : 0;
                            sums.agentToolCalls[agent]++;
                        }
                    }
                    recordersDone.countDown();
                    return sums;
                }));
            }
            others.add(pool.submit(() -> {
                // moves time under the recorders, so that ticks reach the windows out of order
                start.await();
                long moved = 0;
                while (recordersDone.getCount() > 0 && moved < Duration.ofMinutes(5).toNanos()) {
                    ticker.advanceNanos(1_000_000);
                    moved += 1_000_000;
                }
                return null;
            }));
            others.add(pool.submit(() -> {
                start.await();
                long lastCalls = 0;
                while (recordersDone.getCount() > 0) {
                    TelemetrySnapshot g = telemetry.snapshot(Scope.GLOBAL, Scope.GLOBAL_KEY).orElseThrow();
                    assertThat(g.modelCalls()).as("totals only grow while nothing leaves the window")
                            .isGreaterThanOrEqualTo(lastCalls);
                    assertThat(g.modelErrors()).isLessThanOrEqualTo(g.modelCalls());
                    lastCalls = g.modelCalls();
                    telemetry.snapshot(Scope.SESSION, "session-0-0");
                    telemetry.snapshot(Scope.MODEL, "model-1") // may be read between its creation and first call
                            .ifPresent(m -> assertThat(m.modelErrors()).isBetween(0L, m.modelCalls()));
                }
                return null;
            }));
            start.countDown();

            Sums total = new Sums();
            for (Future<Sums> f : recorders) {
                Sums s = f.get(2, TimeUnit.MINUTES);
                total.cost += s.cost;
                total.tokens += s.tokens;
                total.modelCalls += s.modelCalls;
                total.modelErrors += s.modelErrors;
                total.toolCalls += s.toolCalls;
                total.toolErrors += s.toolErrors;
                for (int a = 0; a < AGENTS; a++) {
                    total.agentCost[a] += s.agentCost[a];
                    total.agentToolCalls[a] += s.agentToolCalls[a];
                }
                for (int n = 0; n < TENANTS; n++) {
                    total.tenantTokens[n] += s.tenantTokens[n];
                }
            }
            for (Future<?> f : others) {
                f.get(2, TimeUnit.MINUTES);
            }
            telemetry.cleanUp();

            TelemetrySnapshot g = telemetry.snapshot(Scope.GLOBAL, Scope.GLOBAL_KEY).orElseThrow();
            assertThat(g.costNanos()).isEqualTo(total.cost);
            assertThat(g.tokens()).isEqualTo(total.tokens);
            assertThat(g.modelCalls()).isEqualTo(total.modelCalls);
            assertThat(g.modelErrors()).isEqualTo(total.modelErrors);
            assertThat(g.toolCalls()).isEqualTo(total.toolCalls);
            assertThat(g.toolErrors()).isEqualTo(total.toolErrors);
            assertThat(g.modelCalls() + g.toolCalls()).isEqualTo((long) THREADS * CALLS_PER_THREAD);
            assertThat(g.latency().orElseThrow().count()).isEqualTo(TelemetryConfig.DEFAULT_LATENCY_SAMPLES);

            long modelCalls = 0;
            for (int m = 0; m < 3; m++) {
                modelCalls += telemetry.snapshot(Scope.MODEL, "model-" + m).orElseThrow().modelCalls();
            }
            assertThat(modelCalls).isEqualTo(total.modelCalls);
            long toolCalls = 0;
            for (int k = 0; k < 5; k++) {
                toolCalls += telemetry.tool("tool-" + k).orElseThrow().toolCalls();
            }
            assertThat(toolCalls).isEqualTo(total.toolCalls);
            for (int a = 0; a < AGENTS; a++) {
                TelemetrySnapshot s = telemetry.snapshot(Scope.AGENT, "agent-" + a).orElseThrow();
                assertThat(s.costNanos()).as("agent-%d", a).isEqualTo(total.agentCost[a]);
                assertThat(s.toolCalls()).as("agent-%d", a).isEqualTo(total.agentToolCalls[a]);
            }
            for (int n = 0; n < TENANTS; n++) {
                assertThat(telemetry.snapshot(Scope.TENANT, "tenant-" + n).orElseThrow().tokens())
                        .as("tenant-%d", n).isEqualTo(total.tenantTokens[n]);
            }
            int sessionsKept = 0;
            for (int th = 0; th < THREADS; th++) {
                for (int s = 0; s < 200; s++) {
                    sessionsKept += telemetry.snapshot(Scope.SESSION, "session-" + th + "-" + s).isPresent() ? 1 : 0;
                }
            }
            assertThat(sessionsKept).as("3,200 sessions through a cache of 100").isBetween(1, 100);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Threads record calls over far more models than the cache holds, so that models leave it all the time, their
     * routes moving into their agents' figures while calls are recorded into them and readers add routes up. No call
     * is lost or counted twice: in each agent's and the process's totals, and in every read along the way (a cost
     * of 3 per call: a read that counted a moving route twice, or not at all, would be off).
     */
    @Test
    void modelsLeavingTheCacheUnderLoadLoseNoCall() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(TelemetryConfig.builder().maxSessions(8).build(), ticker,
                FakeClock.at("2024-06-14T10:00:00Z"));
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
        try {
            List<Future<long[]>> recorders = new ArrayList<>();
            for (int th = 0; th < THREADS; th++) {
                long seed = 7_000L + th;
                recorders.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    long[] perAgent = new long[AGENTS];
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        int agent = random.nextInt(AGENTS);
                        GuardScope scope = GuardScope.builder().agent("agent-" + agent).build();
                        telemetry.recordModelCall(scope, "model-" + random.nextInt(200), 3, 1, false, 1_000, -1);
                        perAgent[agent]++;
                    }
                    done.countDown();
                    return perAgent;
                }));
            }
            List<Future<?>> others = new ArrayList<>();
            others.add(pool.submit(() -> {
                // past the front table's second now and then, so that models go back to their cache; at most 5
                // minutes in all, so that nothing leaves the 10-minute window
                start.await();
                long moved = 0;
                while (done.getCount() > 0 && moved < Duration.ofMinutes(5).toNanos()) {
                    ticker.advanceNanos(50_000_000);
                    moved += 50_000_000;
                    telemetry.cleanUp();
                }
                return null;
            }));
            others.add(pool.submit(() -> {
                start.await();
                long last = 0;
                while (done.getCount() > 0) {
                    TelemetrySnapshot g = telemetry.snapshot(Scope.GLOBAL, Scope.GLOBAL_KEY).orElseThrow();
                    assertThat(g.costNanos()).as("each call once").isEqualTo(3 * g.modelCalls());
                    assertThat(g.modelCalls()).as("totals only grow").isGreaterThanOrEqualTo(last);
                    last = g.modelCalls();
                    telemetry.snapshot(Scope.AGENT, "agent-0")
                            .ifPresent(a -> assertThat(a.costNanos()).isEqualTo(3 * a.modelCalls()));
                }
                return null;
            }));
            start.countDown();
            long[] perAgent = new long[AGENTS];
            for (Future<long[]> f : recorders) {
                long[] counts = f.get(2, TimeUnit.MINUTES);
                for (int a = 0; a < AGENTS; a++) {
                    perAgent[a] += counts[a];
                }
            }
            for (Future<?> f : others) {
                f.get(2, TimeUnit.MINUTES);
            }

            TelemetrySnapshot g = telemetry.snapshot(Scope.GLOBAL, Scope.GLOBAL_KEY).orElseThrow();
            assertThat(g.modelCalls()).isEqualTo((long) THREADS * CALLS_PER_THREAD);
            assertThat(g.costNanos()).isEqualTo(3L * THREADS * CALLS_PER_THREAD);
            assertThat(g.latency().orElseThrow().count()).isEqualTo(TelemetryConfig.DEFAULT_LATENCY_SAMPLES);
            for (int a = 0; a < AGENTS; a++) {
                assertThat(telemetry.snapshot(Scope.AGENT, "agent-" + a).orElseThrow().modelCalls())
                        .as("agent-%d", a).isEqualTo(perAgent[a]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The latency rings of the shared levels have no lock of their own: the level's lock guards them. Threads that
     * record at once, while another reads, must neither lose nor double a sample.
     */
    @Test
    void latencySamplesRecordedAtOnceAreEachKeptOnce() throws Exception {
        int perThread = 4_000;
        Telemetry telemetry = new Telemetry(TelemetryConfig.builder().latencySamples(THREADS * perThread).build(),
                new FakeTicker(), FakeClock.at("2024-06-14T10:00:00Z"));
        GuardScope scope = GuardScope.builder().agent("support").build();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        try {
            List<Future<Long>> recorders = new ArrayList<>();
            for (int th = 0; th < THREADS; th++) {
                long base = 1_000_000L * (th + 1);
                recorders.add(pool.submit(() -> {
                    start.await();
                    long sum = 0;
                    for (int i = 0; i < perThread; i++) {
                        long latency = base + i; // distinct across threads: a sample written twice would show
                        telemetry.recordModelCall(scope, "model-a", 1, 1, false, latency, -1);
                        sum += latency;
                    }
                    done.countDown();
                    return sum;
                }));
            }
            Future<?> reader = pool.submit(() -> {
                start.await();
                while (done.getCount() > 0) {
                    telemetry.snapshot(Scope.AGENT, "support").ifPresent(s -> s.latency().ifPresent(l ->
                            assertThat(l.count()).isBetween(1, THREADS * perThread)));
                }
                return null;
            });
            start.countDown();
            long sum = 0;
            for (Future<Long> f : recorders) {
                sum += f.get(2, TimeUnit.MINUTES);
            }
            reader.get(2, TimeUnit.MINUTES);
            for (Scope level : List.of(Scope.GLOBAL, Scope.AGENT, Scope.MODEL)) {
                String key = level == Scope.GLOBAL ? Scope.GLOBAL_KEY : level == Scope.AGENT ? "support" : "model-a";
                var latency = telemetry.snapshot(level, key).orElseThrow().latency().orElseThrow();
                assertThat(latency.count()).as("%s samples", level).isEqualTo(THREADS * perThread);
                assertThat(latency.mean().toNanos()).as("%s mean", level)
                        .isEqualTo(Math.round((double) sum / (THREADS * perThread)));
                assertThat(latency.max().toNanos()).as("%s max", level).isEqualTo(1_000_000L * THREADS + perThread - 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
