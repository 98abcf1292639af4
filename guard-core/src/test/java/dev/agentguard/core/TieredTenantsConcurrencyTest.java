package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
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
 * Tenants on different plans (an exact override, a pattern override, a resolver's tier, the budget's own limit)
 * share one cost budget under many threads: no tenant's spend ever passes its own limit, what the ledger holds is
 * exactly what was settled, and every tier was driven to its limit.
 */
class TieredTenantsConcurrencyTest {

    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 1_000;
    private static final int TENANTS_PER_TIER = 6;
    /** $1 per million tokens: 1,000 nano-dollars a token. */
    private static final long NANOS_PER_TOKEN = 1_000;
    private static final String[] TIERS = {"acme", "trial-", "pro-", "free-"};

    @Test
    void noTenantPassesItsOwnLimit() throws Exception {
        Budget budget = Budget.builder("tenant-day").scope(Scope.TENANT).sliding(Duration.ofDays(1))
                .limitUsd("0.05")                              // free-*: the budget's own limit
                .override("acme", Limit.usd("0.25"))
                .override("trial-*", Limit.usd("0.01"))
                .build();
        LimitResolver plans = (b, tenant) -> tenant.startsWith("pro-") ? Limit.usd("0.20") : null;
        GuardConfig config = GuardConfig.builder().name("tiers")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(budget).build();
        Guard guard = Guard.builder(config).ticker(new FakeTicker())
                .clock(new FakeClock(Instant.parse("2026-03-01T10:00:00Z")))
                .limitResolver(plans, Duration.ofMinutes(1)).build();

        List<String> tenants = new ArrayList<>();
        for (String tier : TIERS) {
            if (tier.equals("acme")) {
                tenants.add(tier);
                continue;
            }
            for (int i = 0; i < TENANTS_PER_TIER; i++) {
                tenants.add(tier + i);
            }
        }
        ConcurrentHashMap<String, LongAdder> settled = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, AtomicLong> peak = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, LongAdder> refused = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 7_000 + t;
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        String tenant = tenants.get(random.nextInt(tenants.size()));
                        long prompt = 200 + random.nextInt(1_000);
                        long maxOut = 100 + random.nextInt(500);
                        Admission a = guard.admitModelCall(ModelCall.builder("m")
                                .scope(GuardScope.builder().tenant(tenant).build())
                                .promptTokens(prompt).maxOutputTokens(maxOut).build());
                        peak.computeIfAbsent(tenant, k -> new AtomicLong())
                                .accumulateAndGet(guard.budgetUsed("tenant-day", tenant), Math::max);
                        if (!a.proceeds()) {
                            refused.computeIfAbsent(tenant, k -> new LongAdder()).increment();
                            continue;
                        }
                        if (random.nextInt(5) == 0) {
                            a.release();
                            continue;
                        }
                        long input = random.nextLong(prompt + 1);
                        long output = random.nextLong(maxOut + 1);
                        assertThat(a.settle(Usage.of(input, output))).isTrue();
                        settled.computeIfAbsent(tenant, k -> new LongAdder()).add((input + output) * NANOS_PER_TOKEN);
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

        assertThat(guard.ledger().openHolds()).isZero();
        for (String tenant : tenants) {
            long limit = limitOf(tenant);
            long used = guard.budgetUsed("tenant-day", tenant);
            assertThat(peak.get(tenant).get()).as(tenant + " peak, used or reserved").isLessThanOrEqualTo(limit);
            assertThat(used).as(tenant).isEqualTo(settled.getOrDefault(tenant, new LongAdder()).sum())
                    .isLessThanOrEqualTo(limit);
        }
        for (String tier : TIERS) {
            assertThat(tenants.stream().filter(t -> t.startsWith(tier))
                    .mapToLong(t -> refused.getOrDefault(t, new LongAdder()).sum()).sum())
                    .as("tier " + tier + " was driven to its limit").isPositive();
        }
        // the tiers are told apart: a trial tenant stopped far below what a pro tenant spent
        long maxTrial = tenants.stream().filter(t -> t.startsWith("trial-"))
                .mapToLong(t -> guard.budgetUsed("tenant-day", t)).max().orElseThrow();
        long maxPro = tenants.stream().filter(t -> t.startsWith("pro-"))
                .mapToLong(t -> guard.budgetUsed("tenant-day", t)).max().orElseThrow();
        assertThat(maxPro).isGreaterThan(Money.usd("0.05").nanos()).isGreaterThan(maxTrial);
    }

    private static long limitOf(String tenant) {
        if (tenant.equals("acme")) {
            return Money.usd("0.25").nanos();
        }
        if (tenant.startsWith("trial-")) {
            return Money.usd("0.01").nanos();
        }
        return Money.usd(tenant.startsWith("pro-") ? "0.20" : "0.05").nanos();
    }
}
