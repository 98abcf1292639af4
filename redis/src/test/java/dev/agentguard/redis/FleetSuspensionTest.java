package dev.agentguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardAdmin;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.OnExceed;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two guards of one policy, each with its own Redis ledger (two JVMs of a fleet, as far as the ledger can tell),
 * on one redis-server: a suspension crossed in one refuses in the other, outlives the window that caused it in
 * both, and a lift through either frees both. Time moves by a shift shared by the guards' clocks and tickers and the
 * ledgers' scripts.
 */
class FleetSuspensionTest {

    private RedisServer server;
    private final AtomicLong shiftMillis = new AtomicLong();
    private final Clock clock = new Clock() {
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
            return Instant.now().plusMillis(shiftMillis.get());
        }
    };
    private RedisBudgetLedger ledgerA;
    private RedisBudgetLedger ledgerB;
    private Guard a;
    private Guard b;

    @BeforeEach
    void start() {
        server = RedisServer.start();
        Budget tenantCalls = Budget.builder("tenant-calls").scope(Scope.TENANT).sliding(Duration.ofMinutes(1))
                .limitCalls(2).onExceed(OnExceed.suspend(Duration.ofMinutes(10))).build();
        GuardConfig config = GuardConfig.builder().name("fleet-suspend")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(tenantCalls).build();
        ledgerA = ledger();
        ledgerB = ledger();
        a = guard(config, ledgerA);
        b = guard(config, ledgerB);
    }

    private RedisBudgetLedger ledger() {
        return RedisBudgetLedger.builder(server.uri()).guard("fleet-suspend").timeout(Duration.ofSeconds(10))
                .timeShift(shiftMillis::get).clock(clock).build();
    }

    private Guard guard(GuardConfig config, RedisBudgetLedger ledger) {
        return Guard.builder(config).ledger(ledger).clock(clock)
                .ticker(() -> System.nanoTime() + shiftMillis.get() * 1_000_000).build();
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        ledgerA.close();
        ledgerB.close();
        server.close();
    }

    private static GuardScope tenant(String tenant) {
        return GuardScope.builder().agent("support").session("s-" + tenant).tenant(tenant).build();
    }

    private static Admission call(Guard guard, String tenant) {
        Admission admission = guard.admitModelCall(ModelCall.builder("m").scope(tenant(tenant)).promptTokens(10)
                .maxOutputTokens(10).build());
        if (admission.proceeds()) {
            admission.settle(Usage.of(10, 10));
        }
        return admission;
    }

    @Test
    void aSuspensionCrossedInOneGuardRefusesInTheOtherAndALiftInOneFreesBoth() {
        assertThat(call(a, "acme").proceeds()).isTrue();
        assertThat(call(b, "acme").proceeds()).isTrue();

        Admission crossed = call(a, "acme");
        assertThat(crossed.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(crossed.decision().rule()).isEqualTo("budgets.tenant-calls");
        assertThat(crossed.decision().reason()).contains("would pass its limit").contains("tenant acme suspended until");
        Instant until = crossed.decision().suspendedUntil();

        Admission refused = call(b, "acme");
        assertThat(refused.proceeds()).as("suspended by the other guard").isFalse();
        assertThat(refused.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(refused.decision().rule()).isEqualTo("budgets.tenant-calls");
        assertThat(refused.decision().reason()).contains("tenant budget tenant-calls for acme")
                .contains("is suspended until " + until).contains("after passing its 2 calls limit");
        assertThat(refused.decision().suspendedUntil()).isEqualTo(until);
        Admission tool = b.admitToolCall(ToolCall.of(tenant("acme"), "search", "{}"));
        assertThat(tool.proceeds()).as("a suspended tenant runs no tool, in any guard").isFalse();
        assertThat(tool.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(call(b, "globex").proceeds()).as("other tenants are not suspended").isTrue();
        assertThat(b.admin().suspensions()).singleElement()
                .isEqualTo(new GuardAdmin.Suspended("tenant-calls", Scope.TENANT, "acme", until));

        shiftMillis.addAndGet(Duration.ofMinutes(2).toMillis()); // the 1-minute window is empty, the suspension not
        assertThat(call(a, "acme").decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(call(b, "acme").decision().action()).isEqualTo(Action.SUSPEND);

        assertThat(b.admin().lift("tenant-calls", "acme", "ops@example.com", "customer paid")).isTrue();

        assertThat(a.admin().suspensions()).as("lifted for the fleet").isEmpty();
        assertThat(call(a, "acme").proceeds()).isTrue();
        assertThat(call(b, "acme").proceeds()).isTrue();
        assertThat(a.admin().lift("tenant-calls", "acme", "ops", "again")).as("none in force any more").isFalse();
    }

    @Test
    void aSuspensionEndsAtItsMomentInEveryGuardAndItsKeyExpiresInRedis() {
        call(a, "acme");
        call(a, "acme");
        Instant until = call(b, "acme").decision().suspendedUntil();

        shiftMillis.addAndGet(Duration.ofMinutes(9).toMillis());
        assertThat(call(a, "acme").proceeds()).isFalse();
        shiftMillis.addAndGet(Duration.ofMinutes(1).plusSeconds(1).toMillis());
        assertThat(call(a, "acme").proceeds()).isTrue();
        assertThat(call(b, "acme").proceeds()).isTrue();

        try (var redis = io.lettuce.core.RedisClient.create(server.uri()).connect()) {
            String key = "agentguard:{fleet-suspend}:w:tenant-calls:tenant:acme:s";
            long expiresAt = redis.sync().pexpiretime(key);
            assertThat(expiresAt).as("PEXPIREAT at the suspension's end (set while the shift was 0)")
                    .isEqualTo(until.toEpochMilli());
        }
    }

    @Test
    void anOperatorSeesTheFleetsKeysFromAnyGuardAndAResetInOneFreesTheKeyInAll() {
        call(a, "acme");
        call(b, "acme");
        call(b, "globex");

        assertThat(a.admin().keys(null)).extracting(GuardAdmin.KeyState::scopeKey, GuardAdmin.KeyState::used)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("acme", 2L),
                        org.assertj.core.groups.Tuple.tuple("globex", 1L));
        GuardAdmin.KeyState acme = b.admin().state("tenant-calls", "acme");
        assertThat(acme.limit()).isEqualTo(2);
        assertThat(acme.windowEnd()).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofMinutes(2)));

        assertThat(a.admin().resetKey("tenant-calls", "acme", "ops", "test reset")).isTrue();

        assertThat(b.admin().state("tenant-calls", "acme").used()).isZero();
        assertThat(call(b, "acme").proceeds()).isTrue();
        assertThat(call(a, "acme").proceeds()).as("two fit again, across the guards").isTrue();
        assertThat(b.admin().state("tenant-calls", "globex").used()).isEqualTo(1);
    }

    /**
     * Sixteen threads, eight per guard, call for one tenant until well past its limit: exactly the limit is granted
     * across the two guards, every refusal is the tenant's suspension (crossed once, then refused everywhere), and
     * afterwards both guards see the one suspension.
     */
    @Test
    void underConcurrencyAcrossTwoGuardsTheLimitHoldsAndEveryRefusalIsTheSuspension() throws Exception {
        int threads = 16;
        java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ConcurrentLinkedQueue<String> refusals = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Guard guard = t % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10; i++) {
                        Admission admission = call(guard, "acme");
                        if (admission.proceeds()) {
                            granted.incrementAndGet();
                        } else {
                            refusals.add(admission.decision().action().id() + " " + admission.decision().rule());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<?> f : futures) {
                f.get(2, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(granted.get()).as("the limit of 2 calls, across both guards").isEqualTo(2);
        assertThat(refusals).hasSize(threads * 10 - 2).containsOnly("suspend budgets.tenant-calls");
        assertThat(a.admin().suspensions()).singleElement().extracting(GuardAdmin.Suspended::scopeKey)
                .isEqualTo("acme");
        assertThat(b.admin().suspensions()).isEqualTo(a.admin().suspensions());
        assertThat(ledgerA.openHolds()).isZero();
    }
}
