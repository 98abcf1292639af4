package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.ledger.InMemoryLedger;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A settlement is one moment: the latency it records, the time of its record and the telemetry it feeds are
 * measured from one reading of the ticker, not from readings taken one after another while the guard works.
 */
class SettlementTimeTest {

    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
    private static final long STEP = 7_000_000L;

    /** Every reading moves time 7 ms on, and the wall clock follows: readings taken apart would show. */
    private final AtomicLong nanos = new AtomicLong();
    private final FakeClock clock = FakeClock.at(START);
    private final Ticker ticker = () -> advance(Duration.ofNanos(STEP));

    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    private final GuardScope scope = GuardScope.builder().agent("support").session("s1").build();

    private long advance(Duration d) {
        clock.advance(d);
        return nanos.addAndGet(d.toNanos());
    }

    private Guard guard() {
        GuardConfig config = GuardConfig.builder().name("test")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.TEN).build()).build();
        // the ledger keeps its own time (a Redis ledger reads the server's): only the guard's readings move it
        InMemoryLedger ledger = InMemoryLedger.builder().ticker(() -> 0L).clock(clock).build();
        return Guard.builder(config).ticker(ticker).clock(clock).ledger(ledger).listener(events::add).build();
    }

    @Test
    void aModelCallIsRecordedAtTheMomentItsLatencyRunsTo() {
        Guard guard = guard();
        Admission a = guard.admitModelCall(ModelCall.builder("m").scope(scope).promptTokens(100).maxOutputTokens(10)
                .build());
        advance(Duration.ofMillis(250)); // the provider answers
        a.settle(Usage.of(100, 10));

        DecisionEvent.CallAdmitted admitted = (DecisionEvent.CallAdmitted) events.get(0);
        DecisionEvent.CallSettled settled = (DecisionEvent.CallSettled) events.get(1);
        assertThat(settled.latencyNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(250).toNanos());
        assertThat(settled.epochMillis() - admitted.epochMillis()).isEqualTo(settled.latencyNanos() / 1_000_000);
        assertThat(guard.telemetry().snapshot(Scope.SESSION, "s1").orElseThrow().modelCalls()).isEqualTo(1);
    }

    @Test
    void aToolCallIsRecordedAtTheMomentItsDurationRunsTo() {
        Guard guard = guard();
        Admission a = guard.admitToolCall(ToolCall.of(scope, "search", "{}"));
        advance(Duration.ofMillis(40));
        a.complete();

        DecisionEvent.CallAdmitted admitted = (DecisionEvent.CallAdmitted) events.get(0);
        DecisionEvent.CallSettled settled = (DecisionEvent.CallSettled) events.get(1);
        assertThat(settled.epochMillis() - admitted.epochMillis()).isEqualTo(settled.latencyNanos() / 1_000_000);
        assertThat(guard.telemetry().tool("search").orElseThrow().toolCalls()).isEqualTo(1);
    }
}
