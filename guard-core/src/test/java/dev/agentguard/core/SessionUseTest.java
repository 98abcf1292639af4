package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.telemetry.TelemetryConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A session's state is told to its cache at most once per 1/64 of its idle expiry
 * ({@link dev.agentguard.core.common.SparseTouch}): a session in steady use must still never be taken for idle, and
 * an idle one must still be forgotten.
 */
class SessionUseTest {

    private final FakeTicker ticker = new FakeTicker();

    private Guard guard(int modelCallsPerSession) {
        GuardConfig config = GuardConfig.builder()
                .caps(Caps.builder().modelCallsPerSession(modelCallsPerSession).build())
                .telemetry(TelemetryConfig.builder().sessionIdleExpiry(Duration.ofMinutes(30)).build())
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build()).build();
        return Guard.builder(config).ticker(ticker).clock(new FakeClock(Instant.parse("2026-01-01T00:00:00Z")))
                .build();
    }

    private boolean call(Guard guard) {
        try (Admission a = guard.admitModelCall(ModelCall.builder("m")
                .scope(GuardScope.builder().agent("a").session("s").build())
                .promptTokens(10).maxOutputTokens(10).build())) {
            if (a.proceeds()) {
                a.settle(Usage.of(10, 10));
            }
            return a.proceeds();
        }
    }

    @Test
    void aSessionCalledEveryQuarterSecondForLongerThanItsIdleExpiryKeepsItsCount() {
        int calls = 31 * 60 * 4; // 31 minutes against a 30-minute idle expiry
        Guard guard = guard(calls);
        for (int i = 0; i < calls; i++) {
            assertThat(call(guard)).as("call %d", i).isTrue();
            ticker.advance(Duration.ofMillis(250));
        }
        assertThat(call(guard)).as("over the cap: the count was never forgotten").isFalse();
    }

    @Test
    void anIdleSessionIsStillForgotten() {
        Guard guard = guard(3);
        for (int i = 0; i < 3; i++) {
            assertThat(call(guard)).isTrue();
        }
        assertThat(call(guard)).isFalse();
        ticker.advance(Duration.ofMinutes(31));
        assertThat(call(guard)).as("idle for 31 minutes: a new session").isTrue();
    }
}
