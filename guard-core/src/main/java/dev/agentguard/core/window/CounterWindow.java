package dev.agentguard.core.window;

import dev.agentguard.core.common.Padding;
import java.util.Objects;

/**
 * Several totals (cost, tokens, calls, errors...) over one window of time, sharing one clock and one ring.
 *
 * <p>A {@link Window} per quantity would repeat the ring bookkeeping (head index, bucket width, object
 * headers) for every quantity; a counter window keeps {@code counters} longs per bucket in a single array, so
 * the telemetry of one session costs one object and one array however many quantities it tracks. Coverage is
 * exactly that of the {@link WindowSpec} it was made from.
 *
 * <p>Use it in two steps: {@link #roll} to the current time once, then {@link #add} and {@link #total} any
 * counters as of that time. Like {@link Window}, it is <b>not</b> thread-safe: the owner serialises access.
 *
 * <p>Memory: a sliding window holds at most {@code (buckets + 1) * counters} longs (a row per bucket and the
 * running totals) plus 64 bytes of object and array headers, and less while it has seen few buckets: about
 * {@code counters + k * (counters + 1)} longs for {@code k} buckets seen (see {@code SlidingWindow}); a calendar
 * window holds {@code counters} longs plus 48 bytes.
 */
public interface CounterWindow {

    /** The most counters one window may hold; a sanity bound, not a tuning knob. */
    int MAX_COUNTERS = 64;

    /**
     * Creates an empty counter window of the given shape.
     *
     * @param spec what the window covers
     * @param counters how many totals it keeps, 1 to {@value #MAX_COUNTERS}
     * @return the window
     * @throws IllegalArgumentException if {@code counters} is out of range
     */
    static CounterWindow of(WindowSpec spec, int counters) {
        return of(spec, counters, false);
    }

    /**
     * Creates an empty counter window that one thread writes among others' windows (a part of a level's telemetry
     * split per thread): its array keeps {@link Padding#BYTES} unused bytes at each end, so that its
     * cells share no cache line with another object, and a sliding one is a ring from the start (it never moves
     * to a new array). Memory is no concern there: such windows are a few per level key.
     *
     * @param spec what the window covers
     * @param counters how many totals it keeps, 1 to {@value #MAX_COUNTERS}
     * @return the window
     * @throws IllegalArgumentException if {@code counters} is out of range
     */
    static CounterWindow padded(WindowSpec spec, int counters) {
        return of(spec, counters, true);
    }

    private static CounterWindow of(WindowSpec spec, int counters, boolean padded) {
        Objects.requireNonNull(spec, "spec");
        if (counters < 1 || counters > MAX_COUNTERS) {
            throw new IllegalArgumentException(
                    "counters must be between 1 and " + MAX_COUNTERS + ", was " + counters);
        }
        return spec.isCalendar()
                ? new CalendarWindow(spec.period(), spec.zone(), counters, padded)
                : new SlidingWindow(spec.length().toNanos(), spec.buckets(), counters, padded);
    }

    /** @return how many counters this window keeps */
    int counters();

    /**
     * Moves the window to the given time, dropping what has left it. A time older than one already seen is
     * taken as that newest time, so a clock that steps back never resurrects or loses an amount.
     *
     * @param tickNanos the ticker reading now (sliding windows use it)
     * @param epochMillis the wall-clock time now (calendar windows use it)
     */
    void roll(long tickNanos, long epochMillis);

    /**
     * Adds an amount to one counter at the time of the last {@link #roll}. An amount added before the first
     * roll is dropped by it.
     *
     * @param counter the counter index, from 0
     * @param amount the amount, may be negative
     */
    void add(int counter, long amount);

    /**
     * Adds to two consecutive counters of the current bucket at once: as {@code add(first, a)} and {@code
     * add(first + 1, b)}, with the bucket found once.
     *
     * @param first the first of the two counters
     * @param a what to add to counter {@code first}
     * @param b what to add to counter {@code first + 1}
     * @throws IndexOutOfBoundsException unless {@code 0 <= first} and {@code first + 2 <= counters()}
     */
    void add(int first, long a, long b);

    /**
     * Adds to four consecutive counters of the current bucket at once: as {@code add(first, a)}, {@code add(first
     * + 1, b)} and so on, with the bucket found once.
     *
     * @param first the first of the four counters
     * @param a what to add to counter {@code first}
     * @param b what to add to counter {@code first + 1}
     * @param c what to add to counter {@code first + 2}
     * @param d what to add to counter {@code first + 3}
     * @throws IndexOutOfBoundsException unless {@code 0 <= first} and {@code first + 4 <= counters()}
     */
    void add(int first, long a, long b, long c, long d);

    /**
     * Returns one counter's total over the window as of the last {@link #roll}. O(1).
     *
     * @param counter the counter index, from 0
     * @return the total
     */
    long total(int counter);

    /**
     * Starts loading this window's running totals into the processor's cache, without waiting for them and without
     * the owner's lock (see {@link dev.agentguard.core.common.Prefetch}): for a caller about to use a window that has
     * probably left the caches. Changes nothing; the default reads nothing.
     */
    default void prefetch() {
    }
}
