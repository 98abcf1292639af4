package dev.agentguard.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TelemetryConfigTest {

    @Test
    void hasDocumentedDefaults() {
        TelemetryConfig c = TelemetryConfig.defaults();
        assertThat(c.window()).isEqualTo(WindowSpec.sliding(Duration.ofMinutes(10), 10));
        assertThat(c.maxSessions()).isEqualTo(100_000);
        assertThat(c.sessionIdleExpiry()).isEqualTo(Duration.ofHours(1));
        assertThat(c.latencySamples()).isEqualTo(100);
        assertThat(TelemetryConfig.builder().build()).isEqualTo(c);
    }

    @Test
    void buildsWhatWasSet() {
        WindowSpec month = WindowSpec.calendar(CalendarPeriod.MONTH, ZoneId.of("Europe/Paris"));
        TelemetryConfig c = TelemetryConfig.builder().window(month).maxSessions(5)
                .sessionIdleExpiry(Duration.ofMinutes(3)).latencySamples(7).build();
        assertThat(c.window()).isEqualTo(month);
        assertThat(c.maxSessions()).isEqualTo(5);
        assertThat(c.sessionIdleExpiry()).isEqualTo(Duration.ofMinutes(3));
        assertThat(c.latencySamples()).isEqualTo(7);
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c).hasToString("TelemetryConfig{window=calendar month Europe/Paris, maxSessions=5, "
                + "sessionIdleExpiry=PT3M, latencySamples=7, onFull=refuseNew}");
    }

    @Test
    void rejectsBadValuesNamingThePropertyAndTheValue() {
        assertThatThrownBy(() -> TelemetryConfig.builder().maxSessions(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxSessions must be > 0, was -1");
        assertThatThrownBy(() -> TelemetryConfig.builder().maxSessions(0).build())
                .hasMessage("maxSessions must be > 0, was 0");
        assertThatThrownBy(() -> TelemetryConfig.builder().sessionIdleExpiry(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sessionIdleExpiry must be > 0, was PT0S");
        assertThatThrownBy(() -> TelemetryConfig.builder().sessionIdleExpiry(Duration.ofSeconds(-5)).build())
                .hasMessage("sessionIdleExpiry must be > 0, was PT-5S");
        assertThatThrownBy(() -> TelemetryConfig.builder().sessionIdleExpiry(null).build())
                .hasMessage("sessionIdleExpiry must be > 0, was null");
        assertThatThrownBy(() -> TelemetryConfig.builder().sessionIdleExpiry(Duration.ofDays(999_999_999)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sessionIdleExpiry must be at most 3660d, was PT23999999976H");
        assertThatThrownBy(() -> TelemetryConfig.builder().latencySamples(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latencySamples must be between 1 and 1000000, was 0");
        assertThatThrownBy(() -> TelemetryConfig.builder().latencySamples(1_000_001).build())
                .hasMessage("latencySamples must be between 1 and 1000000, was 1000001");
        assertThatThrownBy(() -> TelemetryConfig.builder().window(null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window must be set, was null");
    }
}
