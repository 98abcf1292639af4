package dev.agentguard.core.window;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.Objects;

/**
 * The total of the current calendar period in a zone. See {@link WindowSpec} for the exact coverage.
 *
 * <p>The end of the current period is cached in epoch milliseconds, so an add or a total is one comparison; the
 * zone rules are consulted only when the wall clock crosses into a new period. Periods are computed from local
 * dates ({@code atStartOfDay(zone)}), so a day is as long as the zone says: 23 or 25 hours across a
 * daylight-saving change, and midnight that falls in a gap starts at the first valid instant.
 *
 * <p>Only the end of the period is kept, not its start: a wall time earlier than the period (a clock stepped
 * back) is counted in the current period, the same rule as a sliding window's, so the start is never needed.
 *
 * <p>Memory: {@code long[counters]} and a 32-byte object; about 56 bytes for one counter.
 */
final class CalendarWindow implements Window, CounterWindow {

    private final CalendarPeriod period;
    private final ZoneId zone;
    private final long[] totals;
    /** Exclusive end of the current period in epoch millis; {@code Long.MIN_VALUE} before the first roll. */
    private long end = Long.MIN_VALUE;

    CalendarWindow(CalendarPeriod period, ZoneId zone) {
        this(period, zone, 1);
    }

    CalendarWindow(CalendarPeriod period, ZoneId zone, int counters) {
        this.period = Objects.requireNonNull(period, "period");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.totals = new long[counters];
    }

    @Override
    public void add(long tickNanos, long epochMillis, long amount) {
        roll(tickNanos, epochMillis);
        add(0, amount);
    }

    @Override
    public long total(long tickNanos, long epochMillis) {
        roll(tickNanos, epochMillis);
        return total(0);
    }

    @Override
    public int counters() {
        return totals.length;
    }

    @Override
    public void roll(long tickNanos, long epochMillis) {
        if (epochMillis < end) {
            return;
        }
        Arrays.fill(totals, 0L);
        end = endOfPeriod(epochMillis);
    }

    private long endOfPeriod(long epochMillis) {
        LocalDate today = Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate();
        LocalDate next;
        switch (period) {
            case DAY:
                next = today.plusDays(1);
                break;
            case WEEK:
                next = today.with(TemporalAdjusters.next(DayOfWeek.MONDAY));
                break;
            case MONTH:
                next = today.withDayOfMonth(1).plusMonths(1);
                break;
            default:
                throw new AssertionError(period);
        }
        try {
            return next.atStartOfDay(zone).toInstant().toEpochMilli();
        } catch (ArithmeticException e) {
            // a period that ends past the last representable millisecond never ends
            return Long.MAX_VALUE;
        }
    }

    @Override
    public void add(int counter, long amount) {
        totals[counter] += amount;
    }

    @Override
    public long total(int counter) {
        return totals[counter];
    }

    @Override
    public String toString() {
        return "CalendarWindow{" + period + " " + zone + ", end=" + end + ", counters=" + totals.length + '}';
    }
}
