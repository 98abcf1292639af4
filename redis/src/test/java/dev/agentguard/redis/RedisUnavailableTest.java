package dev.agentguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.ledger.Suspension;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Redis frozen ({@code SIGSTOP}: every command times out) and killed then restarted with its append-only file, under
 * each {@link OnUnavailable}: what the ledger grants or refuses meanwhile, that it says why, that it comes back, and
 * that no settled spend is lost.
 */
class RedisUnavailableTest {

    private static final Duration PROBE = Duration.ofSeconds(1);
    private static final BudgetKey AGENT = new BudgetKey("agent-1h", Scope.AGENT, "support",
            WindowSpec.sliding(Duration.ofHours(1), 60));

    private final AtomicLong ticks = new AtomicLong();
    private RedisServer server;
    private RedisBudgetLedger ledger;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (ledger != null) {
            ledger.close();
        }
    }

    private RedisBudgetLedger ledger(OnUnavailable onUnavailable) {
        return RedisBudgetLedger.builder(server.uri()).guard("faults").timeout(Duration.ofMillis(300))
                .probeInterval(PROBE).ticker(ticks::get).onUnavailable(onUnavailable).localShare(50).build();
    }

    private Hold reserve(long amount) {
        return ledger.reserve(List.of(new BudgetRequest(AGENT, amount, 1_000)));
    }

    /** Lets the next operation try Redis again. */
    private void probeTimeElapses() {
        ticks.addAndGet(PROBE.toNanos());
    }

    @ParameterizedTest
    @EnumSource(OnUnavailable.class)
    void aFrozenServerSwitchesToTheFallbackAndNoSettledSpendIsLost(OnUnavailable mode) {
        server = RedisServer.start();
        ledger = ledger(mode);
        Hold before = reserve(100);
        assertThat(before.granted()).isTrue();
        assertThat(before.unavailableReason()).isNull();

        server.pause();
        ledger.settle(before, new long[] {80}); // times out: kept for later
        Hold during = reserve(100);
        Hold pastShare = reserve(450);

        assertThat(ledger.isAvailable()).isFalse();
        assertThat(during.unavailableReason()).contains("cannot be reached").contains(mode.id());
        assertThat(during.granted()).isEqualTo(mode != OnUnavailable.FAIL_CLOSED);
        assertThat(pastShare.granted()).as("local: 100 + 450 is past a 50% share of 1000")
                .isEqualTo(mode == OnUnavailable.FAIL_OPEN);
        ledger.settle(during, new long[] {70});
        assertThat(ledger.pendingOperations()).isPositive();

        server.resume();
        probeTimeElapses();
        long used = ledger.used(AGENT);

        assertThat(ledger.isAvailable()).isTrue();
        assertThat(ledger.pendingOperations()).isZero();
        assertThat(used).isEqualTo(80 + (mode == OnUnavailable.FAIL_CLOSED ? 0 : 70));
        assertThat(reserve(10).unavailableReason()).isNull();
        if (pastShare.granted()) { // failOpen: held in this process only, counted in Redis when it settles
            ledger.settle(pastShare, new long[] {400});
            assertThat(ledger.used(AGENT)).isEqualTo(80 + 70 + 10 + 400);
        }
    }

    @ParameterizedTest
    @EnumSource(OnUnavailable.class)
    void aKilledServerRestartedFromItsAppendOnlyFileKeepsEverySettledSpend(OnUnavailable mode) {
        server = RedisServer.start(true);
        ledger = ledger(mode);
        ledger.settle(reserve(300), new long[] {250});
        Hold open = reserve(100);

        server.kill();
        Hold during = reserve(100);
        ledger.settle(open, new long[] {60});
        if (during.granted()) {
            ledger.settle(during, new long[] {40});
        }
        assertThat(during.unavailableReason()).contains(mode.id());
        assertThat(ledger.isAvailable()).isFalse();

        server.restart();
        probeTimeElapses();
        assertThat(ledger.used(AGENT)).isEqualTo(250 + 60 + (during.granted() ? 40 : 0));
        assertThat(ledger.isAvailable()).isTrue();
        assertThat(ledger.reserved(AGENT)).isZero();
        assertThat(ledger.openHolds()).isZero();
    }

    @ParameterizedTest
    @EnumSource(OnUnavailable.class)
    void aSuspensionMadeWhileRedisIsFrozenReachesEveryLedgerOnceItAnswers(OnUnavailable mode) {
        server = RedisServer.start();
        ledger = ledger(mode);
        Instant until = Instant.ofEpochMilli(System.currentTimeMillis()).plus(Duration.ofMinutes(10)); // ledgers keep ms
        reserve(1).granted(); // connected, and the local ledger made at the switch

        server.pause();
        reserve(1); // switches to the fallback
        ledger.suspend(AGENT, until, 1_000);
        Hold during = ledger.reserve(List.of(new BudgetRequest(AGENT, 1, 1_000, true)));

        assertThat(during.unavailableReason()).contains(mode.id());
        assertThat(during.refusedForSuspension()).as("local: this process enforces it meanwhile")
                .isEqualTo(mode == OnUnavailable.LOCAL);
        assertThat(during.granted()).isEqualTo(mode == OnUnavailable.FAIL_OPEN);
        ledger.release(during);

        server.resume();
        probeTimeElapses();
        try (RedisBudgetLedger other = ledger(OnUnavailable.FAIL_CLOSED)) {
            assertThat(ledger.suspension(AGENT)).isNotNull();
            assertThat(other.suspension(AGENT)).as("sent once Redis answered")
                    .isEqualTo(new Suspension(AGENT, until, 1_000));
            assertThat(other.reserve(List.of(new BudgetRequest(AGENT, 1, 1_000, true))).refusedForSuspension())
                    .isTrue();
        }
    }

    @Test
    void aLedgerStartedWithoutRedisComesUpWhenRedisDoes() {
        server = RedisServer.start();
        server.kill();
        ledger = ledger(OnUnavailable.FAIL_CLOSED);

        assertThat(reserve(10).granted()).isFalse();

        server.restart();
        probeTimeElapses();
        assertThat(reserve(10).granted()).isTrue();
    }
}
