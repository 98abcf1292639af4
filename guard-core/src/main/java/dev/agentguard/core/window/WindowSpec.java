package dev.agentguard.core.window;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * What a {@link Window} covers: a sliding span of time (the last 10 minutes) or a calendar period (this day,
 * week or month in a time zone). Immutable; a factory for the windows themselves.
 *
 * <p><b>Sliding windows</b> are rings of {@code buckets} equal buckets with a running total. Time is cut into
 * buckets of {@code length / buckets}; an amount added at tick {@code t} falls in bucket {@code floor(t / b)}; the
 * total at tick {@code now} is the sum of the buckets {@code floor(now / b) - buckets + 1 .. floor(now / b)}. So the
 * window covers between {@code (buckets - 1) / buckets} of its length and its whole length, and an amount
 * leaves it at most one bucket early. Memory is at most {@code buckets + 1} longs per total, whatever the
 * traffic, and less while few buckets have been used.
 *
 * <p><b>Calendar windows</b> hold the total of the current period; it drops to zero at the period's start in
 * the window's zone (midnight, Monday midnight, the first of the month), including across daylight-saving
 * changes.
 *
 * <p>A ticker reading older than the newest one a sliding window has seen counts as that newest time, and a wall
 * time earlier than a calendar window's period but within it counts in that period: time that steps back never
 * revives or drops an amount. A wall time before the period's start makes the earlier period current and carries
 * the total into it (see {@code CalendarWindow}).
 */
public final class WindowSpec {

    /** Buckets of a sliding window unless set otherwise. */
    public static final int DEFAULT_BUCKETS = 60;

    private final Duration length;
    private final int buckets;
    private final CalendarPeriod period;
    private final ZoneId zone;

    private WindowSpec(Duration length, int buckets, CalendarPeriod period, ZoneId zone) {
        this.length = length;
        this.buckets = buckets;
        this.period = period;
        this.zone = zone;
    }

    /**
     * A sliding window of the given length in {@value #DEFAULT_BUCKETS} buckets, or in fewer when the length has
     * fewer whole milliseconds or does not divide into {@value #DEFAULT_BUCKETS} buckets of whole nanoseconds: the
     * largest such count (a 10 s window has 50 buckets of 200 ms).
     *
     * @param length the span, positive and at most 3,660 days
     * @return the spec
     * @throws IllegalArgumentException if the length is out of that range
     */
    public static WindowSpec sliding(Duration length) {
        requireLength(length);
        long nanos = length.toNanos();
        int buckets = (int) Math.max(1, Math.min(DEFAULT_BUCKETS, length.toMillis()));
        while (nanos % buckets != 0) {
            buckets--; // ends at 1 at the latest
        }
        return sliding(length, buckets);
    }

    /**
     * A sliding window of the given length in the given number of buckets.
     *
     * @param length the span
     * @param buckets how many buckets, 1 to 10,000; the length must divide into whole nanoseconds per bucket
     * @return the spec
     * @throws IllegalArgumentException if the length is not positive, the bucket count is out of range, or the
     *     length is not a whole number of nanoseconds per bucket
     */
    public static WindowSpec sliding(Duration length, int buckets) {
        requireLength(length);
        if (buckets < 1 || buckets > 10_000) {
            throw new IllegalArgumentException("window buckets must be between 1 and 10000, was " + buckets);
        }
        long nanos = length.toNanos();
        if (nanos % buckets != 0) {
            throw new IllegalArgumentException("window length " + length + " does not divide into " + buckets
                    + " buckets of whole nanoseconds");
        }
        return new WindowSpec(length, buckets, null, null);
    }

    /** The longest sliding window: a ticker in nanoseconds spans about 292 years, a window must fit in it. */
    public static final Duration MAX_LENGTH = Duration.ofDays(3660);

    private static void requireLength(Duration length) {
        Objects.requireNonNull(length, "length");
        if (length.isZero() || length.isNegative()) {
            throw new IllegalArgumentException("window length must be positive, was " + length);
        }
        if (length.compareTo(MAX_LENGTH) > 0) {
            throw new IllegalArgumentException("window length must be at most 3660d, was " + length);
        }
    }

    /**
     * A calendar window that resets at the start of every period in the given zone.
     *
     * @param period day, week or month
     * @param zone the time zone that says where the period starts
     * @return the spec
     */
    public static WindowSpec calendar(CalendarPeriod period, ZoneId zone) {
        return new WindowSpec(null, 0, Objects.requireNonNull(period, "period"), Objects.requireNonNull(zone, "zone"));
    }

    /** @return true for a calendar window, false for a sliding one */
    public boolean isCalendar() {
        return period != null;
    }

    /** @return the length of a sliding window; null for a calendar window */
    public Duration length() {
        return length;
    }

    /** @return the bucket count of a sliding window; 0 for a calendar window */
    public int buckets() {
        return buckets;
    }

    /** @return the period of a calendar window; null for a sliding window */
    public CalendarPeriod period() {
        return period;
    }

    /** @return the zone of a calendar window; null for a sliding window */
    public ZoneId zone() {
        return zone;
    }

    /**
     * @param epochMillis a moment
     * @return {start, end} of the calendar period holding it, in ms since the epoch, in this window's zone (weeks
     *     start on Monday); {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} for a bound past an {@code Instant}'s range
     * @throws IllegalStateException for a sliding window
     */
    public long[] periodBounds(long epochMillis) {
        if (!isCalendar()) {
            throw new IllegalStateException("a sliding window has no calendar period: " + this);
        }
        return CalendarWindow.bounds(period, zone, epochMillis);
    }

    /** @return a new, empty window of this shape */
    public Window newWindow() {
        return isCalendar() ? new CalendarWindow(period, zone) : new SlidingWindow(length.toNanos(), buckets);
    }

    /** @return the policy form, e.g. {@code 10m} or {@code calendar day Europe/Paris} */
    @Override
    public String toString() {
        if (isCalendar()) {
            return "calendar " + period.name().toLowerCase(java.util.Locale.ROOT) + " " + zone.getId();
        }
        return length.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WindowSpec)) {
            return false;
        }
        WindowSpec w = (WindowSpec) o;
        return buckets == w.buckets && Objects.equals(length, w.length) && period == w.period
                && Objects.equals(zone, w.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(length, buckets, period, zone);
    }
}
