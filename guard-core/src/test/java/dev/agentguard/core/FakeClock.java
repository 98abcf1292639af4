package dev.agentguard.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A wall {@link Clock} that stands still until a test moves it, with millisecond resolution. Thread-safe.
 * Clocks made by {@link #withZone} share the time of the clock they came from.
 */
public final class FakeClock extends Clock {

    private final AtomicLong millis;
    private final ZoneId zone;

    private FakeClock(AtomicLong millis, ZoneId zone) {
        this.millis = millis;
        this.zone = zone;
    }

    /**
     * A clock in UTC showing the given time; the same as {@link #at(Instant)}.
     *
     * @param instant the time the clock shows, truncated to the millisecond
     */
    public FakeClock(Instant instant) {
        this(new AtomicLong(instant.toEpochMilli()), ZoneOffset.UTC);
    }

    /**
     * @param instant the time the clock shows, truncated to the millisecond
     * @return a clock in UTC
     */
    public static FakeClock at(Instant instant) {
        return new FakeClock(new AtomicLong(instant.toEpochMilli()), ZoneOffset.UTC);
    }

    /**
     * @param isoInstant the time the clock shows, e.g. {@code 2024-06-14T10:00:00Z}
     * @return a clock in UTC
     */
    public static FakeClock at(String isoInstant) {
        return at(Instant.parse(isoInstant));
    }

    /**
     * @param duration how far to move the clock (negative to step it back, as NTP may)
     * @return this
     */
    public FakeClock advance(Duration duration) {
        millis.addAndGet(duration.toMillis());
        return this;
    }

    /**
     * @param instant the time the clock shows from now on
     * @return this
     */
    public FakeClock set(Instant instant) {
        millis.set(instant.toEpochMilli());
        return this;
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new FakeClock(millis, newZone);
    }

    @Override
    public String toString() {
        return "FakeClock{" + instant() + ", " + zone + '}';
    }
}
