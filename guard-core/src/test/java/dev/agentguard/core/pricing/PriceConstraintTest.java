package dev.agentguard.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PriceConstraintTest {

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void startDateBeginsAtMidnightUtc() {
        PriceConstraint start = PriceConstraint.StartDate.of(LocalDate.parse("2026-09-01"));
        assertThat(start.activeAt(at("2026-08-31T23:59:59.999Z"))).isFalse();
        assertThat(start.activeAt(at("2026-09-01T00:00:00Z"))).isTrue();
        assertThat(start.activeAt(at("2031-01-01T00:00:00Z"))).isTrue();
    }

    @Test
    void timeOfDayIncludesItsStartAndExcludesItsEnd() {
        // 00:30 - 16:30 UTC, deepseek's standard-price window
        PriceConstraint window = new PriceConstraint.TimeOfDay(1_800_000, 59_400_000);
        assertThat(window.activeAt(at("2026-08-21T00:30:00Z"))).isTrue();
        assertThat(window.activeAt(at("2026-08-21T16:29:59.999Z"))).isTrue();
        assertThat(window.activeAt(at("2026-08-21T16:30:00Z"))).isFalse();
        assertThat(window.activeAt(at("2026-08-21T00:29:59Z"))).isFalse();
    }

    @Test
    void timeOfDaySpanningMidnightWrapsAsInTheJsEngine() {
        // 16:30 - 00:30 UTC
        PriceConstraint night = new PriceConstraint.TimeOfDay(59_400_000, 1_800_000);
        assertThat(night.activeAt(at("2026-08-21T23:00:00Z"))).isTrue();
        assertThat(night.activeAt(at("2026-08-22T00:15:00Z"))).isTrue();
        assertThat(night.activeAt(at("2026-08-22T12:00:00Z"))).isFalse();
    }

    @Test
    void worksBeforeTheEpoch() {
        PriceConstraint window = new PriceConstraint.TimeOfDay(1_800_000, 59_400_000);
        assertThat(window.activeAt(at("1969-12-31T12:00:00Z"))).isTrue();
        assertThat(window.activeAt(at("1969-12-31T20:00:00Z"))).isFalse();
    }
}
