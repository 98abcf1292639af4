package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.ledger.InMemoryLedger;
import dev.agentguard.core.ledger.InProcessSuspensions;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A ledger written before suspensions joined the SPI (it implements only the abstract methods) still compiles, its
 * defaults say what it cannot do, and a guard on it keeps {@code onExceed: suspend} working, in this process.
 */
class LedgerWithoutSuspensionsTest {

    /** Implements what the SPI required before suspensions, by delegation. */
    private static final class OldLedger implements BudgetLedger {
        private final BudgetLedger inner;

        OldLedger(BudgetLedger inner) {
            this.inner = inner;
        }

        @Override
        public Hold reserve(List<BudgetRequest> requests) {
            return inner.reserve(requests);
        }

        @Override
        public void settle(Hold hold, long[] actualAmounts) {
            inner.settle(hold, actualAmounts);
        }

        @Override
        public void release(Hold hold) {
            inner.release(hold);
        }

        @Override
        public long used(BudgetKey key) {
            return inner.used(key);
        }

        @Override
        public long reserved(BudgetKey key) {
            return inner.reserved(key);
        }

        @Override
        public long openHolds() {
            return inner.openHolds();
        }
    }

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final BudgetKey key = new BudgetKey("b", Scope.SESSION, "s1", WindowSpec.sliding(Duration.ofMinutes(1)));

    @Test
    void theDefaultsKeepNoSuspensionsAndSaySo() {
        BudgetLedger old = new OldLedger(InMemoryLedger.builder().build());

        assertThat(old.keepsSuspensions()).isFalse();
        assertThatThrownBy(() -> old.suspend(key, Instant.MAX, 1)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("keeps no suspensions");
        assertThatThrownBy(() -> old.suspension(key)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> old.reset(key)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("cannot reset");
        assertThat(old.windows(null)).isEmpty();
        BudgetLedger memory = InMemoryLedger.builder().build();
        assertThat(InProcessSuspensions.around(memory, ticker, SteadyClock.of(clock, ticker), 10)).isSameAs(memory);
    }

    @Test
    void aGuardOnSuchALedgerStillSuspendsInThisProcess() {
        Budget calls = Budget.builder("calls").scope(Scope.SESSION).sliding(Duration.ofMinutes(1)).limitCalls(1)
                .onExceed(OnExceed.suspend(Duration.ofMinutes(10))).build();
        GuardConfig config = GuardConfig.builder().name("old-ledger")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(calls).build();
        Guard guard = Guard.builder(config).ticker(ticker).clock(clock)
                .ledger(new OldLedger(InMemoryLedger.builder().ticker(ticker).clock(clock).build())).build();
        GuardScope s1 = GuardScope.builder().agent("a").session("s1").build();

        guard.admitModelCall(ModelCall.builder("m").scope(s1).promptTokens(1).maxOutputTokens(1).build())
                .settle(Usage.of(1, 1));
        Admission crossed = guard.admitModelCall(ModelCall.builder("m").scope(s1).promptTokens(1).maxOutputTokens(1)
                .build());
        ticker.advance(Duration.ofMinutes(2));
        clock.advance(Duration.ofMinutes(2));
        Admission refused = guard.admitModelCall(ModelCall.builder("m").scope(s1).promptTokens(1).maxOutputTokens(1)
                .build());

        assertThat(crossed.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(refused.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(refused.decision().reason()).contains("is suspended until 2026-03-02T09:10:00Z");
        assertThat(guard.admin().suspensions()).hasSize(1);
        assertThat(guard.admin().lift("calls", "s1", "ops", "test")).isTrue();
        assertThat(guard.admitModelCall(ModelCall.builder("m").scope(s1).promptTokens(1).maxOutputTokens(1).build())
                .proceeds()).isTrue();
    }
}
