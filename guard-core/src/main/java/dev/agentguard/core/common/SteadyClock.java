package dev.agentguard.core.common;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * A wall clock that moves with the monotonic {@link Ticker} and follows the system wall clock only when the two
 * agree, or when the wall clock has held a new position for a while. Calendar budget windows read it, so that one
 * outlier reading (a wall clock a day or a year ahead for a moment) neither rolls a daily budget early nor parks
 * it in a period that has not started.
 *
 * <p>Each reading compares the wall clock with where the ticker says it should be (the last agreed wall time plus
 * the ticker's progress since). Within {@code tolerance} the wall clock is taken as it is (it may drift or be
 * slewed by NTP). Past it, the reading is a <em>jump</em>: it is reported once to the listener and the predicted
 * time is used instead. A jump that holds, give or take the tolerance, over {@code confirmation} of ticker time,
 * seen by at least four readings a quarter of that time apart, is accepted: the clock was set, not glitched, and
 * from then on the new time is used. (A clock read only now and then cannot tell a clock that was set from the
 * same glitch twice; the readings spread over the confirmation time make the difference.)
 *
 * <p><b>Cost.</b> While the two agree, a reading within a millisecond of ticker time after the last reading of the
 * wall clock answers that same millisecond without reading the wall clock again (a guarded call asks for the time
 * several times, about 20 ns a reading); so a glitch shorter than that goes unseen, which is what it should do
 * anyway. Each reading of the wall clock re-anchors the prediction (one small allocation, at most once a
 * millisecond); while a jump is held, every reading checks the wall clock.
 *
 * <p>Thread-safe and lock-free. Never goes backwards while the wall clock agrees with the ticker.
 */
public final class SteadyClock extends Clock {

    /** How far the wall clock may stray from the ticker's prediction before a reading is a jump. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(1);
    /** How long a jump must hold before the clock follows it. */
    public static final Duration DEFAULT_CONFIRMATION = Duration.ofMinutes(5);

    private final Clock wall;
    private final Ticker ticker;
    private final long toleranceMillis;
    private final long confirmationNanos;
    private final LongConsumer onJump;
    private volatile State state;

    /** Readings of a jump, spread over the confirmation time, that it takes to follow it. */
    private static final int CONFIRMING_READINGS = 4;
    /**
     * A reading within this much ticker time of the last reading of the wall clock (while the two agree) answers
     * that reading again without reading the wall clock: a guarded call asks for the time several times, and each
     * reading of the wall clock costs about 20 ns.
     */
    static final long WALL_READ_NANOS = 1_000_000L;

    /** The last agreed pair of readings, and a jump under watch. */
    private static final class State {
        final long tick;
        final long millis;
        /** Ticker reading when the current jump was first seen; meaningful only when {@link #jumping}. */
        final long jumpSince;
        /** Wall minus predicted time at the first reading of the current jump. */
        final long jumpOffset;
        final boolean jumping;
        /** Readings that showed the jump, at least a quarter of the confirmation time apart. */
        final int readings;
        final long lastReading;

        State(long tick, long millis) {
            this(tick, millis, 0, 0, false, 0, 0);
        }

        State(long tick, long millis, long jumpSince, long jumpOffset, boolean jumping, int readings,
                long lastReading) {
            this.tick = tick;
            this.millis = millis;
            this.jumpSince = jumpSince;
            this.jumpOffset = jumpOffset;
            this.jumping = jumping;
            this.readings = readings;
            this.lastReading = lastReading;
        }
    }

    /**
     * @param wall the wall clock to follow
     * @param ticker the monotonic time source
     * @param tolerance the largest disagreement that is not a jump, positive
     * @param confirmation how long a jump must hold to be followed, positive
     * @param onJump told the offset in milliseconds (wall minus predicted) of every new jump; may be null
     */
    public SteadyClock(Clock wall, Ticker ticker, Duration tolerance, Duration confirmation, LongConsumer onJump) {
        this.wall = Objects.requireNonNull(wall, "wall");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.toleranceMillis = positive("tolerance", tolerance).toMillis();
        this.confirmationNanos = positive("confirmation", confirmation).toNanos();
        this.onJump = onJump;
    }

    /**
     * @param wall the wall clock to follow
     * @param ticker the monotonic time source
     * @return a steady clock with the default tolerance and confirmation, reporting nothing
     */
    public static SteadyClock of(Clock wall, Ticker ticker) {
        return wall instanceof SteadyClock ? (SteadyClock) wall
                : new SteadyClock(wall, ticker, DEFAULT_TOLERANCE, DEFAULT_CONFIRMATION, null);
    }

    private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(name + " must be between 1ns and 365d, was " + d);
        }
        return d;
    }

    @Override
    public long millis() {
        return millisAt(ticker.read());
    }

    /**
     * The steady wall time for a ticker reading the caller has just taken (saves reading the ticker twice).
     *
     * @param tick a reading of this clock's ticker, taken now
     * @return the time in epoch milliseconds
     */
    public long millisAt(long tick) {
        State s = state;
        if (s != null && !s.jumping && tick - s.tick >= 0 && tick - s.tick < WALL_READ_NANOS) {
            return s.millis; // read less than a millisecond of ticker time ago: the same millisecond
        }
        return readWall(tick, s); // apart: this method stays small enough for its callers to take it in
    }

    /** The wall read, once a millisecond at most: anchors, or follows, a jump. */
    private long readWall(long tick, State s) {
        long now = wall.millis();
        if (s == null) {
            state = new State(tick, now);
            return now;
        }
        long predicted = s.millis + Math.floorDiv(tick - s.tick, 1_000_000L);
        long offset = now - predicted;
        if (Math.abs(offset) <= toleranceMillis) {
            state = new State(tick, now); // in agreement: re-anchor, so that the next millisecond reads no wall
            return now;
        }
        if (s.jumping && Math.abs(offset - s.jumpOffset) <= toleranceMillis) {
            // two outliers with the same offset and nothing read between them look like a clock that was set:
            // follow only a jump seen again and again over the whole confirmation time
            if (tick - s.lastReading >= confirmationNanos / CONFIRMING_READINGS) {
                int readings = s.readings + 1;
                if (readings >= CONFIRMING_READINGS && tick - s.jumpSince >= confirmationNanos) {
                    state = new State(tick, now); // the clock was set: follow it
                    return now;
                }
                state = new State(s.tick, s.millis, s.jumpSince, s.jumpOffset, true, readings, tick);
            }
            return predicted;
        }
        state = new State(s.tick, s.millis, tick, offset, true, 1, tick);
        if (onJump != null) {
            onJump.accept(offset);
        }
        return predicted;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return wall.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new SteadyClock(wall.withZone(zone), ticker, Duration.ofMillis(toleranceMillis),
                Duration.ofNanos(confirmationNanos), onJump);
    }

    @Override
    public String toString() {
        return "SteadyClock{" + wall + ", tolerance " + toleranceMillis + " ms}";
    }
}
