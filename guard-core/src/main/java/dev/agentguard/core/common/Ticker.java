package dev.agentguard.core.common;

/**
 * A monotonic time source in nanoseconds, used for windows and durations.
 *
 * <p>Everything in agent-guard that measures elapsed time reads a {@code Ticker}, never
 * {@code System.nanoTime()} directly, so that tests can advance a fake one. Wall-clock timestamps
 * (decision records, calendar windows) come from a {@link java.time.Clock} instead.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Returns the number of nanoseconds elapsed since an arbitrary, fixed origin.
     * Only differences between two readings of the same ticker are meaningful.
     *
     * @return the current reading in nanoseconds
     */
    long read();

    /**
     * Returns the ticker backed by {@link System#nanoTime()}.
     *
     * @return the system ticker
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}
