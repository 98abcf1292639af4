package dev.agentguard.examples.demo;

import dev.agentguard.core.common.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's time: a {@link Ticker} and a {@link Clock} that move only when told to, so that a model that "takes
 * 12 seconds" or a 30-second cooldown happens at once, and the guard sees the same latencies on every machine.
 *
 * <p>The simulator moves it by each reply's simulated latency, and the demo moves it to skip a cooldown.
 */
final class SimulatedTime extends Clock implements Ticker {

    private final Instant origin;
    private final AtomicLong nanos = new AtomicLong();
    private volatile boolean frozen;

    SimulatedTime(Instant origin) {
        this.origin = origin;
    }

    /** @param duration how far to move time forward */
    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    /**
     * @param tick a reading of this ticker; time moves forward to it, or stays if it is already past it or frozen
     */
    void advanceTo(long tick) {
        if (!frozen) {
            nanos.accumulateAndGet(tick, Math::max);
        }
    }

    /**
     * Stops (or restarts) the replies' latencies from moving time. Calls made at once from many threads must not
     * add their latencies up, yet requests reach the simulator one after another, each after the replies before
     * it: the concurrent scenario freezes time, so all its calls happen in the same instant.
     *
     * @param frozen true to freeze
     */
    void frozen(boolean frozen) {
        this.frozen = frozen;
    }

    @Override
    public long read() {
        return nanos.get();
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(nanos.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the demo's clock is in UTC");
    }
}
