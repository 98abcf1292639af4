package dev.agentguard.core.window;

import dev.agentguard.core.common.Padding;
import dev.agentguard.core.common.Prefetch;
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
 * <p>A wall time earlier than the current period's start (a clock that stepped back across a period boundary,
 * after a jump forward say) makes that earlier period the current one <em>and carries the totals into it</em>: a
 * clock that returns from a jump must neither keep the budget on a period that has not started yet (exhausted
 * until then) nor hand out the period's limit a second time. Within the period, an earlier time is simply counted
 * in it. Guards feed calendar windows a wall time that does not follow single outlier readings (see
 * {@code SteadyClock}).
 *
 * <p>Memory: {@code long[counters]} and a 40-byte object; about 64 bytes for one counter.
 */
final class CalendarWindow implements Window, CounterWindow {

    private final CalendarPeriod period;
    private final ZoneId zone;
    /** The totals, from {@link #pad}; a padded window keeps as many unused longs after them. */
    private final long[] totals;
    private final int pad;
    /** Exclusive end of the current period in epoch millis; {@code Long.MIN_VALUE} before the first roll. */
    private long end = Long.MIN_VALUE;
    /** Start of the current period in epoch millis; {@code Long.MIN_VALUE} before the first roll. */
    private long start = Long.MIN_VALUE;

    CalendarWindow(CalendarPeriod period, ZoneId zone) {
        this(period, zone, 1);
    }

    CalendarWindow(CalendarPeriod period, ZoneId zone, int counters) {
        this(period, zone, counters, false);
    }

    /** @param padded whether to keep unused longs around the totals (see {@link CounterWindow#padded}) */
    CalendarWindow(CalendarPeriod period, ZoneId zone, int counters, boolean padded) {
        this.period = Objects.requireNonNull(period, "period");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.pad = padded ? Padding.LONGS : 0;
        this.totals = new long[pad + counters + pad];
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
        return totals.length - 2 * pad;
    }

    @Override
    public void roll(long tickNanos, long epochMillis) {
        if (epochMillis < end) {
            if (epochMillis < start) {
                period(epochMillis); // back before this period: that period is current, the totals carry over
            }
            return;
        }
        Arrays.fill(totals, 0L);
        period(epochMillis);
    }

    @Override
    public void prefetch() {
        Prefetch.use(totals, pad);
    }

    @Override
    public long periodEnd() {
        return end == Long.MIN_VALUE ? Long.MAX_VALUE : end; // MIN_VALUE: never rolled
    }

    @Override
    public long drainedAt(long tickNanos, long epochMillis) {
        roll(tickNanos, epochMillis);
        for (int c = pad; c < totals.length - pad; c++) {
            if (totals[c] != 0) {
                long millisLeft = end - epochMillis;
                return millisLeft >= (Long.MAX_VALUE - Math.max(0, tickNanos)) / 1_000_000
                        ? Long.MAX_VALUE : tickNanos + millisLeft * 1_000_000;
            }
        }
        return tickNanos;
    }

    /** Makes the period that contains {@code epochMillis} the current one. */
    private void period(long epochMillis) {
        long[] bounds = bounds(period, zone, epochMillis);
        start = bounds[0];
        end = bounds[1];
    }

    /**
     * The calendar period holding a moment, in the period's zone: the one place that knows where days, weeks (from
     * Monday) and months start, for this window and, through {@link WindowSpec#periodBounds}, for ledgers that keep calendar windows
     * elsewhere.
     *
     * @param period day, week or month
     * @param zone the zone its days start in
     * @param epochMillis a moment
     * @return {start, end} in ms since the epoch; a bound past the range of an {@code Instant} is
     *     {@code Long.MIN_VALUE} or {@code Long.MAX_VALUE} (a period that ends past the last millisecond never ends)
     */
    static long[] bounds(CalendarPeriod period, ZoneId zone, long epochMillis) {
        LocalDate today = Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate();
        LocalDate first;
        LocalDate next;
        switch (period) {
            case DAY -> {
                first = today;
                next = today.plusDays(1);
            }
            case WEEK -> {
                first = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                next = today.with(TemporalAdjusters.next(DayOfWeek.MONDAY));
            }
            case MONTH -> {
                first = today.withDayOfMonth(1);
                next = first.plusMonths(1);
            }
            default -> throw new AssertionError(period);
        }
        return new long[] {startOf(first, zone, Long.MIN_VALUE), startOf(next, zone, Long.MAX_VALUE)};
    }

    private static long startOf(LocalDate day, ZoneId zone, long outOfRange) {
        try {
            return day.atStartOfDay(zone).toInstant().toEpochMilli();
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return outOfRange;
        }
    }

    @Override
    public void add(int counter, long amount) {
        Objects.checkIndex(counter, counters());
        totals[pad + counter] += amount;
    }

    @Override
    public void add(int first, long a, long b) {
        Objects.checkFromIndexSize(first, 2, counters());
        totals[pad + first] += a;
        totals[pad + first + 1] += b;
    }

    @Override
    public void add(int first, long a, long b, long c, long d) {
        Objects.checkFromIndexSize(first, 4, counters());
        int t = pad + first;
        totals[t] += a;
        totals[t + 1] += b;
        totals[t + 2] += c;
        totals[t + 3] += d;
    }

    @Override
    public long total(int counter) {
        Objects.checkIndex(counter, counters());
        return totals[pad + counter];
    }

    @Override
    public String toString() {
        return "CalendarWindow{" + period + " " + zone + ", end=" + end + ", counters=" + counters() + '}';
    }
}
