package dev.agentguard.core.window;

/**
 * A rolling total of one quantity (nano-dollars, tokens, calls, errors) over a window of time.
 *
 * <p>Implementations are <b>not</b> thread-safe: the owner (a ledger entry, a telemetry record) serialises
 * access. Time is passed in rather than read, so that one admission reads the clocks once and tests can
 * drive any time they like: {@code tickNanos} is a {@link dev.agentguard.core.common.Ticker} reading (sliding windows
 * use it), {@code epochMillis} a {@link java.time.Clock} reading (calendar windows use it).
 */
public interface Window {

    /**
     * Adds an amount at the given time.
     *
     * @param tickNanos the ticker reading now
     * @param epochMillis the wall-clock time now
     * @param amount the amount to add (may be negative to correct an earlier addition in the same window)
     */
    void add(long tickNanos, long epochMillis, long amount);

    /**
     * Returns the total of the amounts added within the window that ends now. O(1) amortised.
     *
     * @param tickNanos the ticker reading now
     * @param epochMillis the wall-clock time now
     * @return the total
     */
    long total(long tickNanos, long epochMillis);

    /**
     * When what the window holds now will all have left it, if nothing more is added: the ticker reading past
     * which {@link #total} is 0. A ledger keeps a window at least until then, so that forgetting an idle window
     * never forgets spend that still counts.
     *
     * @param tickNanos the ticker reading now
     * @param epochMillis the wall-clock time now
     * @return a ticker reading, at most {@code Long.MAX_VALUE}; {@code tickNanos} or earlier when the window is
     *     already empty
     */
    long drainedAt(long tickNanos, long epochMillis);

    /**
     * @return the exclusive end, in epoch milliseconds, of the calendar period the window was last rolled into (by
     *     {@link #add}, {@link #total} or {@link #drainedAt}); {@code Long.MAX_VALUE} for a window without periods
     *     (a sliding one), for a period that ends past the last millisecond, or before the first roll
     */
    default long periodEnd() {
        return Long.MAX_VALUE;
    }

    /**
     * Starts loading this window's running totals into the processor's cache, without waiting for them and without
     * the owner's lock (see {@link dev.agentguard.core.common.Prefetch}): for a caller about to use a window that has
     * probably left the caches. Changes nothing; the default reads nothing.
     */
    default void prefetch() {
    }
}
