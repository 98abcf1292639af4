package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Hard budgets hold under concurrency: many threads admit calls against shared session, agent and global budgets,
 * settle them with random usage not above the estimate, and mix in failures, releases, abandoned admissions and
 * double settles. Spend never passes a limit, what the ledger holds is exactly what was settled, and nothing
 * stays reserved.
 */
class GuardConcurrencyTest {

    private static final int THREADS = 32;
    private static final int CALLS_PER_THREAD = 3_200; // 102,400 admissions
    private static final int SESSIONS = 64;
    /** $1 per million tokens in and out: a call costs exactly 1,000 nano-dollars per token. */
    private static final long NANOS_PER_TOKEN = 1_000;

    @Test
    void hardBudgetsHoldAndNothingLeaks() throws Exception {
        Budget session = Budget.builder("session").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                .limitUsd("0.40").build();
        Budget agent = Budget.builder("agent").scope(Scope.AGENT).sliding(Duration.ofMinutes(10))
                .limitUsd("12.00").build();
        Budget global = Budget.builder("global").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10))
                .limitUsd("15.00").build();
        Budget calls = Budget.builder("global-calls").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10))
                .limitCalls(60_000).build();
        ModelPrice oneDollar = ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build();
        GuardConfig config = GuardConfig.builder().name("stress").price("stress-model", oneDollar)
                .budget(session).budget(agent).budget(global).budget(calls).build();
        // Time stands still, so no window slides and the ledger must equal the exact sum of what was settled.
        Guard guard = Guard.builder(config).ticker(() -> 0L)
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).build();

        LongAdder expectedSpend = new LongAdder();
        LongAdder expectedCalls = new LongAdder();
        ConcurrentHashMap<String, LongAdder> perSession = new ConcurrentHashMap<>();
        LongAdder allowed = new LongAdder();
        LongAdder blocked = new LongAdder();
        AtomicLong maxGlobalSeen = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 1_000 + t;
                String agentName = t % 2 == 0 ? "support" : "billing";
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        String sessionId = "s" + random.nextInt(SESSIONS);
                        long prompt = 50 + random.nextInt(1_000);
                        long maxOut = 10 + random.nextInt(500);
                        GuardScope scope = GuardScope.builder().agent(agentName).session(sessionId).build();
                        Admission a = guard.admitModelCall(ModelCall.builder("stress-model").scope(scope)
                                .promptTokens(prompt).maxOutputTokens(maxOut).build());
                        maxGlobalSeen.accumulateAndGet(guard.budgetUsed("global", null), Math::max);
                        if (!a.proceeds()) {
                            blocked.increment();
                            assertThat(a.settle(Usage.of(1, 1))).isFalse();
                            continue;
                        }
                        allowed.increment();
                        long input = random.nextLong(prompt + 1);
                        long output = random.nextLong(maxOut + 1);
                        long cost = (input + output) * NANOS_PER_TOKEN;
                        int what = random.nextInt(10);
                        if (what < 6) {
                            assertThat(a.settle(Usage.of(input, output))).isTrue();
                            record(expectedSpend, expectedCalls, perSession, sessionId, cost);
                        } else if (what == 6) {
                            // failed after streaming some output: only the reported part counts
                            assertThat(a.fail(new IllegalStateException("boom"),
                                    Usage.of(input, 0, 0, Usage.UNKNOWN, 0))).isTrue();
                            record(expectedSpend, expectedCalls, perSession, sessionId, input * NANOS_PER_TOKEN);
                        } else if (what == 7) {
                            assertThat(a.release()).isTrue();
                        } else if (what == 8) {
                            a.close(); // abandoned: closing releases
                        } else {
                            assertThat(a.settle(Usage.of(input, output))).isTrue();
                            assertThat(a.settle(Usage.of(prompt, maxOut))).isFalse();
                            assertThat(a.fail(new RuntimeException(), Usage.of(prompt, maxOut))).isFalse();
                            assertThat(a.release()).isFalse();
                            a.close();
                            record(expectedSpend, expectedCalls, perSession, sessionId, cost);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(allowed.sum() + blocked.sum()).isEqualTo((long) THREADS * CALLS_PER_THREAD);
        assertThat(blocked.sum()).as("the budgets were actually reached").isPositive();
        assertThat(allowed.sum()).as("and calls did get through").isGreaterThan(1_000);

        assertThat(guard.ledger().openHolds()).as("outstanding reservations").isZero();
        assertThat(maxGlobalSeen.get()).isLessThanOrEqualTo(global.limit());
        assertThat(guard.budgetUsed("global", null)).isEqualTo(expectedSpend.sum()).isLessThanOrEqualTo(global.limit());
        assertThat(guard.budgetUsed("global-calls", null)).isEqualTo(expectedCalls.sum());
        assertThat(guard.budgetUsed("agent", "support") + guard.budgetUsed("agent", "billing"))
                .isEqualTo(expectedSpend.sum());
        assertThat(guard.budgetUsed("agent", "support")).isLessThanOrEqualTo(agent.limit());
        assertThat(guard.budgetUsed("agent", "billing")).isLessThanOrEqualTo(agent.limit());
        for (int s = 0; s < SESSIONS; s++) {
            String id = "s" + s;
            long expected = perSession.getOrDefault(id, new LongAdder()).sum();
            assertThat(guard.budgetUsed("session", id)).as(id).isEqualTo(expected).isLessThanOrEqualTo(session.limit());
        }
    }

    private static void record(LongAdder spend, LongAdder calls, ConcurrentHashMap<String, LongAdder> perSession,
            String session, long cost) {
        spend.add(cost);
        calls.increment();
        perSession.computeIfAbsent(session, k -> new LongAdder()).add(cost);
    }

    /**
     * A process budget, far from its limit most of the time (so that its window lends each thread a credit), used
     * by eight threads that take turns: every call's decision is the one the exact figure makes. Each warnAt share
     * is announced by the call that crosses it, and only by it; a call is downgraded if and only if it takes the
     * budget past its downgradeAt share.
     */
    @Test
    void threadsTakingTurnsOnASharedBudgetGetTheDecisionsOfTheExactFigure() throws Exception {
        Budget global = Budget.builder("global").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10))
                .limitUsd("0.50").warnAt(25, 50).downgradeAt(75).build();
        ModelPrice oneDollar = ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build();
        GuardConfig config = GuardConfig.builder().name("shares").price("big", oneDollar).price("small", oneDollar)
                .ladder(List.of("big", "small")).budget(global).build();
        Guard guard = Guard.builder(config).ticker(() -> 0L)
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).build();
        List<ExecutorService> turns = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            turns.add(Executors.newSingleThreadExecutor());
        }
        SplittableRandom random = new SplittableRandom(11);
        long used = 0; // exact: one call at a time, each settled at its worst case before the next
        List<String> warned = new ArrayList<>();
        int downgrades = 0;
        try {
            for (int call = 0; ; call++) {
                long tokens = 10 + random.nextInt(200); // 11,000 to 210,000 nano-dollars with the output token
                Admission a = turns.get(call % turns.size()).submit(() -> {
                    Admission admitted = guard.admitModelCall(ModelCall.builder("big")
                            .scope(GuardScope.builder().agent("a").session("s" + tokens % 16).build())
                            .promptTokens(tokens).maxOutputTokens(1).build());
                    if (admitted.proceeds()) {
                        admitted.settle(Usage.of(tokens, 1));
                    }
                    return admitted;
                }).get(10, TimeUnit.SECONDS);
                if (!a.proceeds()) {
                    break;
                }
                long after = used + (tokens + 1) * NANOS_PER_TOKEN;
                for (Decision.Fired f : a.decision().fired()) {
                    if (f.action() == Action.WARN) {
                        warned.add(f.reason().replaceAll(":.*", "") + " at " + used + " -> " + after);
                    }
                }
                assertThat(a.model()).as("call %d, %d -> %d", call, used, after)
                        .isEqualTo(after > 375_000_000L ? "small" : "big");
                downgrades += after > 375_000_000L ? 1 : 0;
                used = after;
            }
        } finally {
            turns.forEach(ExecutorService::shutdownNow);
        }

        assertThat(warned).hasSize(2);
        assertThat(warned.get(0)).startsWith("global budget global (per 10m) reached 25% of its limit at ")
                .matches(crossing(125_000_000L));
        assertThat(warned.get(1)).startsWith("global budget global (per 10m) reached 50% of its limit at ")
                .matches(crossing(250_000_000L));
        assertThat(downgrades).isPositive();
        assertThat(guard.budgetUsed("global", null)).isEqualTo(used);
    }

    /** @return a predicate on "... at BEFORE -> AFTER": true when the move crosses {@code share} */
    private static java.util.function.Predicate<String> crossing(long share) {
        return s -> {
            String[] moves = s.substring(s.lastIndexOf(" at ") + 4).split(" -> ");
            return Long.parseLong(moves[0]) < share && Long.parseLong(moves[1]) >= share;
        };
    }
}
