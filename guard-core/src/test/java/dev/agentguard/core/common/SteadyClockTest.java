package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How often {@link SteadyClock} reads the wall clock, and that it still follows it. */
class SteadyClockTest {

    private static final long START_TICK = 1_000_000_000L;
    private static final long START_MILLIS = Instant.parse("2026-03-02T09:00:00Z").toEpochMilli();

    private final AtomicLong ticks = new AtomicLong(START_TICK);
    /** How far the wall clock is from the ticker's time, in ms. */
    private final AtomicLong wallOffset = new AtomicLong();
    private final AtomicLong wallReads = new AtomicLong();
    private final Clock wall = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public long millis() {
            wallReads.incrementAndGet();
            return START_MILLIS + (ticks.get() - START_TICK) / 1_000_000L + wallOffset.get();
        }
    };
    private final SteadyClock clock = SteadyClock.of(wall, ticks::get);

    private void advance(long nanos) {
        ticks.addAndGet(nanos);
    }

    @Test
    void readsTheWallClockAtMostOncePerMillisecondOfTickerTime() {
        long first = clock.millis();
        for (int i = 0; i < 9; i++) {
            advance(100_000); // 0.1 ms
            assertThat(clock.millis()).isEqualTo(first);
        }
        assertThat(wallReads).hasValue(1);

        advance(100_000); // a whole millisecond since the wall clock was read
        assertThat(clock.millis()).isEqualTo(first + 1);
        assertThat(wallReads).hasValue(2);
    }

    @Test
    void stillFollowsAWallClockThatDriftsWithinTheTolerance() {
        long first = clock.millis();
        wallOffset.addAndGet(20_000); // NTP slews it 20 s ahead of the ticker
        advance(2_000_000);
        assertThat(clock.millis()).isEqualTo(first + 2 + 20_000);
        advance(500_000);
        assertThat(clock.millis()).as("within the millisecond: the reading just taken").isEqualTo(first + 2 + 20_000);
    }

    @Test
    void aJumpIsNotFollowedAndIsReadAgainEveryTime() {
        long first = clock.millis();
        wallOffset.addAndGet(Duration.ofDays(1).toMillis());
        advance(1_000_000);
        assertThat(clock.millis()).isEqualTo(first + 1);
        long reads = wallReads.get();
        advance(10_000);
        assertThat(clock.millis()).isEqualTo(first + 1);
        assertThat(wallReads.get()).as("while jumping, every reading checks the wall clock").isEqualTo(reads + 1);
    }
}
