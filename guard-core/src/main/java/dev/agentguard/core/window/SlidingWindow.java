package dev.agentguard.core.window;

import java.util.Arrays;
import java.util.Objects;

/**
 * A ring of pre-allocated buckets with a running total. See {@link WindowSpec} for the exact coverage.
 *
 * <p>Bucket {@code i} (absolute index {@code floor(tick / bucketNanos)}) lives in slot {@code floorMod(i, buckets)}.
 * Moving the head forward clears the slots it passes and subtracts them from the running totals, so an add and a
 * total cost O(1) amortised: a roll clears at most {@code buckets} slots, and a jump of more than a whole window
 * clears the array in one pass instead of stepping through every elapsed bucket.
 *
 * <p>Memory: one {@code long[(buckets + 1) * counters]} (the last row holds the running totals) and a 48-byte
 * object; for a single counter in 10 buckets, about 150 bytes. No per-event storage.
 */
final class SlidingWindow implements Window, CounterWindow {

    /** The head of a window that has never been rolled; any real bucket index is taken as newer. */
    private static final long EMPTY = Long.MIN_VALUE;

    private final long bucketNanos;
    private final int buckets;
    private final int counters;
    /** Slot {@code s}, counter {@code c} at {@code s * counters + c}; the totals at {@code buckets * counters + c}. */
    private final long[] cells;
    /** Absolute index of the newest bucket seen. */
    private long head = EMPTY;
    /** {@code floorMod(head, buckets)}, kept so that an add costs no division. */
    private int headSlot;

    SlidingWindow(long lengthNanos, int buckets) {
        this(lengthNanos, buckets, 1);
    }

    SlidingWindow(long lengthNanos, int buckets, int counters) {
        if (buckets < 1 || lengthNanos < buckets || lengthNanos % buckets != 0) {
            throw new IllegalArgumentException("window length " + lengthNanos + " ns does not divide into "
                    + buckets + " buckets of whole nanoseconds");
        }
        this.bucketNanos = lengthNanos / buckets;
        this.buckets = buckets;
        this.counters = counters;
        this.cells = new long[(buckets + 1) * counters];
    }

    @Override
    public void add(long tickNanos, long epochMillis, long amount) {
        roll(tickNanos, epochMillis);
        add(0, amount);
    }

    @Override
    public long total(long tickNanos, long epochMillis) {
        roll(tickNanos, epochMillis);
        return total(0);
    }

    @Override
    public int counters() {
        return counters;
    }

    @Override
    public void roll(long tickNanos, long epochMillis) {
        // floorDiv, not '/': a ticker reading may be negative, and -1 ns belongs to bucket -1, not bucket 0
        long index = Math.floorDiv(tickNanos, bucketNanos);
        if (index <= head) {
            // same bucket, or the ticker stepped back: stay on the newest bucket rather than write into one
            // that may already have been recycled for a later time
            return;
        }
        long steps = index - head; // negative only on overflow, i.e. from EMPTY or an astronomically large jump
        if (steps < 0 || steps >= buckets) {
            Arrays.fill(cells, 0L);
            headSlot = (int) Math.floorMod(index, (long) buckets);
        } else {
            int totals = buckets * counters;
            int slot = headSlot;
            for (long s = 0; s < steps; s++) {
                slot = slot + 1 == buckets ? 0 : slot + 1;
                int base = slot * counters;
                for (int c = 0; c < counters; c++) {
                    cells[totals + c] -= cells[base + c];
                    cells[base + c] = 0L;
                }
            }
            headSlot = slot;
        }
        head = index;
    }

    @Override
    public void add(int counter, long amount) {
        // without the check, counter == counters would silently land in the next bucket's first cell
        Objects.checkIndex(counter, counters);
        cells[headSlot * counters + counter] += amount;
        cells[buckets * counters + counter] += amount;
    }

    @Override
    public long total(int counter) {
        Objects.checkIndex(counter, counters);
        return cells[buckets * counters + counter];
    }

    @Override
    public String toString() {
        return "SlidingWindow{" + buckets + " x " + bucketNanos + " ns, counters=" + counters + ", head=" + head + '}';
    }
}
