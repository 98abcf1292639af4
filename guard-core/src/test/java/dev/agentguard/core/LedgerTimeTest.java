package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.ledger.InMemoryLedger;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The guard passes its own readings of the time to the ledger it shares a ticker with, so that a guarded call reads
 * the clock once to admit and once to settle; a ledger on another ticker keeps reading its own.
 */
class LedgerTimeTest {

    /** A ticker that counts its readings; each moves it a microsecond on. */
    private static final class CountingTicker implements Ticker {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong nanos = new AtomicLong(FakeTicker.DEFAULT_START);

        @Override
        public long read() {
            reads.incrementAndGet();
            return nanos.addAndGet(1_000);
        }
    }

    private final FakeClock clock = FakeClock.at("2026-03-02T09:00:00Z");
    private final GuardScope scope = GuardScope.builder().agent("support").session("s1").build();

    private static GuardConfig config() {
        return GuardConfig.builder().name("test")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.TEN).build())
                .budget(Budget.builder("per-session").scope(Scope.SESSION)
                        .window(WindowSpec.sliding(Duration.ofMinutes(10), 10))
                        .limitUsd("5").build())
                .build();
    }

    private void call(Guard guard) {
        Admission a = guard.admitModelCall(ModelCall.builder("m").scope(scope).promptTokens(100).maxOutputTokens(10)
                .build());
        a.settle(Usage.of(100, 10));
    }

    @Test
    void aModelCallReadsTheSharedTickerOnceToAdmitAndOnceToSettle() {
        CountingTicker ticker = new CountingTicker();
        Guard guard = Guard.builder(config()).ticker(ticker).clock(clock).build(); // its ledger: on the same ticker
        call(guard); // the first call of a session makes its windows
        long once = guard.ledger().windows("per-session").get(0).used();
        long before = ticker.reads.get();
        call(guard);
        assertThat(ticker.reads.get() - before).isEqualTo(2);
        assertThat(once).isPositive();
        assertThat(guard.ledger().windows("per-session").get(0).used()).as("both calls settled on the ledger")
                .isEqualTo(2 * once);
    }

    @Test
    void aLedgerOnAnotherTickerReadsItsOwn() {
        CountingTicker guardTicker = new CountingTicker();
        CountingTicker ledgerTicker = new CountingTicker();
        InMemoryLedger ledger = InMemoryLedger.builder().ticker(ledgerTicker).clock(clock).build();
        Guard guard = Guard.builder(config()).ticker(guardTicker).clock(clock).ledger(ledger).build();
        call(guard);
        long guardBefore = guardTicker.reads.get();
        long ledgerBefore = ledgerTicker.reads.get();
        call(guard);
        assertThat(guardTicker.reads.get() - guardBefore).isEqualTo(2);
        assertThat(ledgerTicker.reads.get() - ledgerBefore).as("a reservation and a settlement").isEqualTo(2);
    }
}
