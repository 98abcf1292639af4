package dev.agentguard.core;

import dev.agentguard.core.common.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that stands still until a test moves it. Thread-safe, so that concurrent tests can share one.
 *
 * <p>It starts at an arbitrary negative reading by default, as {@link System#nanoTime()} may: code that
 * assumes readings start at zero, or are positive, fails its tests.
 */
public final class FakeTicker implements Ticker {

    /** The default first reading: negative and not on any round boundary. */
    public static final long DEFAULT_START = -1_234_567_890_123L;

    private final AtomicLong nanos;

    /** A ticker that reads {@link #DEFAULT_START}. */
    public FakeTicker() {
        this(DEFAULT_START);
    }

    /** @param startNanos the first reading */
    public FakeTicker(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long read() {
        return nanos.get();
    }

    /**
     * Moves the ticker by an amount of time; a negative duration moves it back, which a real monotonic ticker
     * never does but a test of robustness may.
     *
     * @param duration how far to move
     * @return this
     */
    public FakeTicker advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
        return this;
    }

    /**
     * @param deltaNanos how far to move, in nanoseconds
     * @return this
     */
    public FakeTicker advanceNanos(long deltaNanos) {
        nanos.addAndGet(deltaNanos);
        return this;
    }

    /**
     * @param readingNanos the reading from now on
     * @return this
     */
    public FakeTicker set(long readingNanos) {
        nanos.set(readingNanos);
        return this;
    }

    @Override
    public String toString() {
        return "FakeTicker{" + nanos.get() + " ns}";
    }
}
