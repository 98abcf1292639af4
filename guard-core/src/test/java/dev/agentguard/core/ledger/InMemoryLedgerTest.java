package dev.agentguard.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.window.WindowSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryLedgerTest extends BudgetLedgerContract {

    private final AtomicLong nanos = new AtomicLong(-1_000_000_000L); // ticks may be negative
    private final AtomicLong offsetMillis = new AtomicLong();
    private InMemoryLedger memoryLedger;

    @Override
    protected BudgetLedger newLedger() {
        memoryLedger = InMemoryLedger.builder()
                .ticker(nanos::get)
                .clock(new Clock() {
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
                        return START.plusMillis(offsetMillis.get());
                    }
                })
                .maxWindows(1_000)
                .idleExpiry(Duration.ofMinutes(30))
                .build();
        return memoryLedger;
    }

    @Override
    protected void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
        offsetMillis.addAndGet(duration.toMillis());
    }

    private static BudgetKey session(String id) {
        return new BudgetKey("session-10m", Scope.SESSION, id, WindowSpec.sliding(Duration.ofMinutes(10), 10));
    }

    @Test
    void idleSessionsExpireButNotWhileAReservationIsOutstanding() {
        newLedger();
        memoryLedger.settle(memoryLedger.reserve(List.of(new BudgetRequest(session("idle"), 5, 100))), new long[] {5});
        Hold inFlight = memoryLedger.reserve(List.of(new BudgetRequest(session("busy"), 5, 100)));

        advance(Duration.ofMinutes(31));
        memoryLedger.cleanUp();

        assertThat(memoryLedger.cachedWindows()).isEqualTo(1);
        assertThat(memoryLedger.reserved(session("busy"))).isEqualTo(5);
        memoryLedger.settle(inFlight, new long[] {5});
        advance(Duration.ofMinutes(31));
        memoryLedger.cleanUp();
        assertThat(memoryLedger.cachedWindows()).isZero();
    }
}
