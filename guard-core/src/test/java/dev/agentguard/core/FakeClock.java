package dev.agentguard.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} that tests move by hand, in milliseconds. Thread-safe. */
public final class FakeClock extends Clock {

    private final AtomicLong millis;
    private final ZoneId zone;

    /** @param start the first reading */
    public FakeClock(Instant start) {
        this(new AtomicLong(start.toEpochMilli()), ZoneOffset.UTC);
    }

    private FakeClock(AtomicLong millis, ZoneId zone) {
        this.millis = millis;
        this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** @return a clock sharing this one's time, in another zone */
    @Override
    public Clock withZone(ZoneId zone) {
        return new FakeClock(millis, zone);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    /** @param duration how far to move @return this */
    public FakeClock advance(Duration duration) {
        millis.addAndGet(duration.toMillis());
        return this;
    }

    /** @param instant the new time @return this */
    public FakeClock set(Instant instant) {
        millis.set(instant.toEpochMilli());
        return this;
    }
}
