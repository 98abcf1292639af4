package dev.agentguard.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Ticker} that tests advance by hand. Thread-safe. */
public final class FakeTicker implements Ticker {

    private final AtomicLong nanos;

    /** Starts at 0. */
    public FakeTicker() {
        this(0);
    }

    /** @param start the first reading */
    public FakeTicker(long start) {
        this.nanos = new AtomicLong(start);
    }

    @Override
    public long read() {
        return nanos.get();
    }

    /** @param duration how far to move @return this */
    public FakeTicker advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
        return this;
    }

    /** @param nanos how far to move, in nanoseconds @return this */
    public FakeTicker advance(long nanos) {
        this.nanos.addAndGet(nanos);
        return this;
    }
}
