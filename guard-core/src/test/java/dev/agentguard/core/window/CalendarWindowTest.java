package dev.agentguard.core.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Exact instants of calendar windows: midnights, Mondays, month ends, 23- and 25-hour days. */
class CalendarWindowTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final long TICK = -42; // ignored by calendar windows

    private static long local(String dateTime, ZoneId zone) {
        return LocalDateTime.parse(dateTime).atZone(zone).toInstant().toEpochMilli();
    }

    private static long utc(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static Window window(CalendarPeriod period, ZoneId zone) {
        return WindowSpec.calendar(period, zone).newWindow();
    }

    @Test
    void periodEndIsTheEndOfThePeriodLastRolledInto() {
        Window day = window(CalendarPeriod.DAY, PARIS);
        assertThat(day.periodEnd()).as("never rolled").isEqualTo(Long.MAX_VALUE);

        day.total(TICK, local("2024-03-30T18:00", PARIS));
        assertThat(day.periodEnd()).isEqualTo(local("2024-03-31T00:00", PARIS));
        day.add(TICK, local("2024-03-31T12:00", PARIS), 1); // a 23-hour day
        assertThat(day.periodEnd()).isEqualTo(local("2024-04-01T00:00", PARIS));
        assertThat(WindowSpec.sliding(java.time.Duration.ofMinutes(10)).newWindow().periodEnd())
                .as("a sliding window has no periods").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aDayEndsAtLocalMidnight() {
        Window day = window(CalendarPeriod.DAY, PARIS);
        day.add(TICK, local("2024-06-14T00:00", PARIS), 1);
        day.add(TICK, local("2024-06-14T23:59:59.999", PARIS), 2);

        assertThat(day.total(TICK, local("2024-06-14T23:59:59.999", PARIS))).isEqualTo(3);
        assertThat(day.total(TICK, local("2024-06-15T00:00", PARIS))).isZero();
    }

    @Test
    void theSpringForwardDayHas23Hours() {
        // 2024-03-31 in Paris: 02:00 CET becomes 03:00 CEST
        Window day = window(CalendarPeriod.DAY, PARIS);
        long start = utc("2024-03-30T23:00:00Z");
        assertThat(start).isEqualTo(local("2024-03-31T00:00", PARIS));
        day.add(TICK, start, 5);

        long hour = Duration.ofHours(1).toMillis();
        assertThat(day.total(TICK, start + 23 * hour - 1)).isEqualTo(5);
        assertThat(day.total(TICK, start + 23 * hour)).isZero();
        assertThat(start + 23 * hour).isEqualTo(local("2024-04-01T00:00", PARIS));
    }

    @Test
    void theFallBackDayHas25Hours() {
        // 2024-10-27 in Paris: 03:00 CEST becomes 02:00 CET
        Window day = window(CalendarPeriod.DAY, PARIS);
        long start = utc("2024-10-26T22:00:00Z");
        day.add(TICK, start, 5);

        long hour = Duration.ofHours(1).toMillis();
        assertThat(day.total(TICK, start + 24 * hour)).as("23:00 local, an hour a fixed 24 h day would miss")
                .isEqualTo(5);
        assertThat(day.total(TICK, start + 25 * hour - 1)).isEqualTo(5);
        assertThat(day.total(TICK, start + 25 * hour)).isZero();
        assertThat(start + 25 * hour).isEqualTo(local("2024-10-28T00:00", PARIS));
    }

    @Test
    void aDayThatStartsInADaylightSavingGapStartsAtTheFirstValidInstant() {
        // 2024-09-08 in Santiago: midnight -04:00 becomes 01:00 -03:00, so the day starts at 01:00
        ZoneId santiago = ZoneId.of("America/Santiago");
        Window day = window(CalendarPeriod.DAY, santiago);
        day.add(TICK, utc("2024-09-08T03:59:59.999Z"), 1); // 23:59:59.999 on the 7th

        assertThat(day.total(TICK, utc("2024-09-08T03:59:59.999Z"))).isEqualTo(1);
        assertThat(day.total(TICK, utc("2024-09-08T04:00:00Z"))).isZero();
    }

    @Test
    void aWeekRunsFromMondayToMonday() {
        Window week = window(CalendarPeriod.WEEK, NEW_YORK);
        week.add(TICK, local("2024-06-09T23:59:59.999", NEW_YORK), 1); // Sunday
        assertThat(week.total(TICK, local("2024-06-10T00:00", NEW_YORK))).as("Monday").isZero();

        week.add(TICK, local("2024-06-10T00:00", NEW_YORK), 2);
        assertThat(week.total(TICK, local("2024-06-16T23:59:59.999", NEW_YORK))).isEqualTo(2);
        assertThat(week.total(TICK, local("2024-06-17T00:00", NEW_YORK))).isZero();
    }

    @Test
    void aWeekAcrossTheSpringChangeHas167Hours() {
        // 2024-03-10 in New York is a Sunday with 23 hours
        Window week = window(CalendarPeriod.WEEK, NEW_YORK);
        long monday = local("2024-03-04T00:00", NEW_YORK);
        week.add(TICK, monday, 1);

        long hour = Duration.ofHours(1).toMillis();
        assertThat(week.total(TICK, monday + 167 * hour - 1)).isEqualTo(1);
        assertThat(week.total(TICK, monday + 167 * hour)).isZero();
    }

    @Test
    void aMonthEndsAtTheFirstOfTheNextMonth() {
        Window month = window(CalendarPeriod.MONTH, PARIS);
        month.add(TICK, local("2024-01-31T23:59:59.999", PARIS), 1);
        assertThat(month.total(TICK, local("2024-02-01T00:00", PARIS))).isZero();

        month.add(TICK, local("2024-02-01T00:00", PARIS), 2);
        month.add(TICK, local("2024-02-29T12:00", PARIS), 3); // leap day
        assertThat(month.total(TICK, local("2024-02-29T23:59:59.999", PARIS))).isEqualTo(5);
        assertThat(month.total(TICK, local("2024-03-01T00:00", PARIS))).isZero();
    }

    @Test
    void aMonthBoundaryIsLocalNotUtc() {
        Window month = window(CalendarPeriod.MONTH, NEW_YORK);
        month.add(TICK, utc("2024-05-01T02:00:00Z"), 1); // still 30 April in New York

        assertThat(month.total(TICK, utc("2024-05-01T03:59:59.999Z"))).isEqualTo(1);
        assertThat(month.total(TICK, utc("2024-05-01T04:00:00Z"))).isZero();
    }

    @Test
    void aJumpOfYearsStartsAFreshPeriod() {
        Window month = window(CalendarPeriod.MONTH, PARIS);
        month.add(TICK, local("2024-01-15T12:00", PARIS), 1);
        month.add(TICK, local("2031-01-15T12:00", PARIS), 2);

        assertThat(month.total(TICK, local("2031-01-31T12:00", PARIS))).isEqualTo(2);
    }

    @Test
    void aWallClockSteppedBackWithinThePeriodCountsInIt() {
        Window day = window(CalendarPeriod.DAY, PARIS);
        day.add(TICK, local("2024-06-15T12:00", PARIS), 1);
        day.add(TICK, local("2024-06-15T08:00", PARIS), 2); // the clock was corrected backwards

        assertThat(day.total(TICK, local("2024-06-15T08:00", PARIS))).isEqualTo(3);
        assertThat(day.total(TICK, local("2024-06-15T23:59:59", PARIS))).isEqualTo(3);
        assertThat(day.total(TICK, local("2024-06-16T00:00", PARIS))).isZero();
    }

    @Test
    void aWallClockSteppedBackBeforeThePeriodMovesBackCarryingTheTotal() {
        Window day = window(CalendarPeriod.DAY, PARIS);
        day.add(TICK, local("2024-06-15T00:00:01", PARIS), 1);
        day.add(TICK, local("2024-06-14T23:59:59", PARIS), 2); // the clock was corrected backwards

        assertThat(day.total(TICK, local("2024-06-14T23:59:59", PARIS))).isEqualTo(3);
        assertThat(day.total(TICK, local("2024-06-15T12:00", PARIS))).as("the real midnight starts a day").isZero();
    }

    @Test
    void aClockBackFromAJumpOfAYearIsNotStuckInTheFuturePeriod() {
        Window day = window(CalendarPeriod.DAY, PARIS);
        day.add(TICK, local("2025-06-15T10:00", PARIS), 5); // a clock that ran a year ahead for a while
        day.add(TICK, local("2024-06-15T10:05", PARIS), 1); // and came back

        assertThat(day.total(TICK, local("2024-06-15T11:00", PARIS))).as("carried, not forgotten").isEqualTo(6);
        assertThat(day.total(TICK, local("2024-06-16T00:00", PARIS))).as("the next real day is fresh").isZero();
    }

    @Test
    void ignoresTheTicker() {
        Window day = window(CalendarPeriod.DAY, PARIS);
        long noon = local("2024-06-14T12:00", PARIS);
        day.add(0, noon, 1);

        assertThat(day.total(Long.MAX_VALUE, noon)).isEqualTo(1);
        assertThat(day.total(Long.MIN_VALUE, noon)).isEqualTo(1);
    }
}
