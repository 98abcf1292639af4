package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A budget's limit per scope key: exact overrides, then pattern overrides (most specific first), then the guard's
 * {@link LimitResolver} behind its cache, then the budget's own limit.
 */
class PerKeyLimitsTest {

    private static final ModelPrice ONE_DOLLAR = ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE)
            .build();

    private final FakeTicker ticker = new FakeTicker();
    /** The limit the last refusal of {@link #callsAllowed} named. */
    private long refusedAt;

    private static Budget.Builder tenantCalls() {
        return Budget.builder("tenant-calls").scope(Scope.TENANT).sliding(Duration.ofHours(1)).limitCalls(3);
    }

    private Guard guard(Budget budget, LimitResolver resolver) {
        GuardConfig config = GuardConfig.builder().name("tiers").price("m", ONE_DOLLAR).budget(budget).build();
        Guard.Builder b = Guard.builder(config).ticker(ticker).clock(new FakeClock(java.time.Instant.parse("2026-03-01T10:00:00Z")));
        if (resolver != null) {
            b.limitResolver(resolver, Duration.ofMinutes(5)).refreshExecutor(Runnable::run);
        }
        return b.build();
    }

    /** @return how many calls the tenant gets before the first refusal (at most 100) */
    private int callsAllowed(Guard guard, String tenant) {
        GuardScope scope = GuardScope.builder().tenant(tenant).session("s-" + tenant).build();
        for (int i = 0; i < 100; i++) {
            Admission a = guard.admitModelCall(ModelCall.builder("m").scope(scope).promptTokens(1).maxOutputTokens(1)
                    .build());
            if (!a.proceeds()) {
                assertThat(a.decision().rule()).isEqualTo("budgets.tenant-calls");
                refusedAt = a.decision().limit();
                return i;
            }
            a.settle(Usage.of(1, 1));
        }
        return 100;
    }

    @Test
    void exactKeyThenMostSpecificPatternThenResolverThenDefault() {
        Budget budget = tenantCalls()
                .override("trial-*", Limit.calls(1))
                .override("trial-eu-*", Limit.calls(2))
                .override("trial-acme", Limit.calls(7))
                .override("acme", Limit.calls(5))
                .build();
        Map<String, Limit> plans = Map.of("trial-xyz", Limit.calls(40), "pro-1", Limit.calls(9),
                "acme", Limit.calls(30));
        Guard guard = guard(budget, (b, key) -> plans.get(key));

        assertThat(callsAllowed(guard, "acme")).as("exact override beats the resolver").isEqualTo(5);
        assertThat(refusedAt).as("the refusal names the key's own limit").isEqualTo(5);
        assertThat(callsAllowed(guard, "trial-acme")).as("exact beats a pattern").isEqualTo(7);
        assertThat(callsAllowed(guard, "trial-eu-1")).as("the longer pattern wins").isEqualTo(2);
        assertThat(callsAllowed(guard, "trial-xyz")).as("a pattern beats the resolver").isEqualTo(1);
        assertThat(callsAllowed(guard, "pro-1")).as("the resolver beats the default").isEqualTo(9);
        assertThat(refusedAt).isEqualTo(9);
        assertThat(callsAllowed(guard, "free-1")).as("the budget's own limit").isEqualTo(3);
    }

    @Test
    void overridesAloneWithoutAResolver() {
        Guard guard = guard(tenantCalls().override("acme", Limit.calls(6)).override("trial-*", Limit.calls(1))
                .build(), null);
        assertThat(callsAllowed(guard, "acme")).isEqualTo(6);
        assertThat(callsAllowed(guard, "trial-9")).isEqualTo(1);
        assertThat(callsAllowed(guard, "other")).isEqualTo(3);
    }

    @Test
    void anOverrideInAnotherUnitIsRefusedByTheBuilder() {
        assertThatThrownBy(() -> tenantCalls().override("acme", Limit.usd("500")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget 'tenant-calls'")
                .hasMessageContaining("overrides.acme is $500")
                .hasMessageContaining("in calls");
        assertThatThrownBy(() -> tenantCalls().override("**", Limit.calls(2)).build())
                .hasMessageContaining("overrides: the name pattern '**' is only stars");
        assertThatThrownBy(() -> Limit.calls(0)).hasMessageContaining("> 0");
    }

    @Test
    void theResolverIsAskedOncePerKeyUntilTheRefreshThenInTheBackground() {
        Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
        AtomicReference<Limit> plan = new AtomicReference<>(Limit.calls(4));
        Guard guard = guard(tenantCalls().build(), (b, key) -> {
            asked.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return plan.get();
        });
        assertThat(callsAllowed(guard, "t1")).isEqualTo(4);
        assertThat(asked.get("t1")).as("5 calls, one question").hasValue(1);

        plan.set(Limit.calls(8));
        ticker.advance(Duration.ofMinutes(4));
        assertThat(callsAllowed(guard, "t1")).as("within the refresh: the cached plan, used up").isZero();
        assertThat(asked.get("t1")).hasValue(1);

        ticker.advance(Duration.ofMinutes(2));
        // the refresh runs on the test's executor, so the new answer is in before the call is decided
        assertThat(callsAllowed(guard, "t1")).as("past the refresh: 8 - 4 used").isEqualTo(4);
        assertThat(refusedAt).isEqualTo(8);
        assertThat(asked.get("t1")).hasValue(2);
    }

    @Test
    void aFailingResolverGivesTheDefaultFirstAndKeepsTheLastAnswerOnRefresh() {
        AtomicReference<RuntimeException> failure = new AtomicReference<>(new IllegalStateException("db down"));
        Guard guard = guard(tenantCalls().build(), (b, key) -> {
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
            return Limit.calls(6);
        });
        assertThat(callsAllowed(guard, "t1")).as("first lookup failed: the budget's own limit").isEqualTo(3);
        failure.set(null);
        ticker.advance(Duration.ofMinutes(6));
        assertThat(callsAllowed(guard, "t1")).as("refreshed: 6 - 3 used").isEqualTo(3);
        failure.set(new IllegalStateException("db down again"));
        ticker.advance(Duration.ofMinutes(6));
        assertThat(callsAllowed(guard, "t2")).as("a new key while the resolver fails").isEqualTo(3);
        assertThat(callsAllowed(guard, "t1")).as("a failed refresh keeps 6: used up").isZero();
    }

    @Test
    void anAnswerInTheWrongUnitIsIgnored() {
        Guard guard = guard(tenantCalls().build(), (b, key) -> Limit.tokens(50));
        assertThat(callsAllowed(guard, "t1")).isEqualTo(3);
    }

    @Test
    void costOverridesAreExactNanoDollars() {
        Budget budget = Budget.builder("tenant-day").scope(Scope.TENANT).sliding(Duration.ofDays(1))
                .limitUsd("0.000050").override("acme", Limit.usd("0.000500")).build();
        Guard guard = guard(budget, null);
        GuardScope acme = GuardScope.builder().tenant("acme").build();
        // $1 per million tokens: 250 + 250 tokens reserve exactly $0.000500
        Admission a = guard.admitModelCall(ModelCall.builder("m").scope(acme).promptTokens(250).maxOutputTokens(250)
                .build());
        assertThat(a.proceeds()).isTrue();
        a.release();
        Admission b = guard.admitModelCall(ModelCall.builder("m").scope(acme).promptTokens(250).maxOutputTokens(251)
                .build());
        assertThat(b.proceeds()).as("one token over acme's $0.0005").isFalse();
        assertThat(b.decision().limit()).isEqualTo(500_000L);
        assertThat(b.decision().unit()).isEqualTo(Unit.USD);
        assertThat(b.decision().reason()).contains("> $0.0005");
    }
}
