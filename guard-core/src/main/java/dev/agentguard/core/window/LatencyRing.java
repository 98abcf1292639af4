package dev.agentguard.core.window;

import dev.agentguard.core.common.Padding;
import java.util.Arrays;
import java.util.Optional;

/**
 * The samples of a {@link LatencyRecorder}, without its lock: for an owner that already serialises its records and
 * reads under a lock of its own (telemetry records a call at each level under one lock per level), so that a record
 * does not take a second lock. Not thread-safe; every figure is defined as in {@link LatencyRecorder}.
 *
 * <p>A <em>timed</em> ring ({@link #timed}) also keeps when each sample was recorded, so that several rings that
 * share the records of one key (one per thread that records it) can be summarised together over their latest
 * samples ({@link #summaryOfLatest}).
 *
 * <p><b>Padded.</b> A ring is written on every record, and the rings of a level's telemetry are one per thread
 * that records it: its fields and arrays are padded ({@link Padding}: fields in {@link LatencyRingFields}, between
 * {@code Padding}'s room and this class's; {@link Padding#LONGS} unused elements at each end of each array), so
 * that two threads recording into their own rings share no cache line. About 800 bytes more per ring; rings are a
 * few per level key, never per session.
 */
public final class LatencyRing extends LatencyRingFields {

    @SuppressWarnings("unused") // room after the fields, see Padding
    private long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15, q16;

    /**
     * Creates an empty ring.
     *
     * @param samples how many of the latest samples to keep, 1 to {@value LatencyRecorder#MAX_SAMPLES}
     * @throws IllegalArgumentException if {@code samples} is out of range
     */
    public LatencyRing(int samples) {
        this(samples, false);
    }

    private LatencyRing(int samples, boolean timed) {
        super(checked(samples), timed);
    }

    private static int checked(int samples) {
        if (samples < 1 || samples > LatencyRecorder.MAX_SAMPLES) {
            throw new IllegalArgumentException(
                    "latency samples must be between 1 and " + LatencyRecorder.MAX_SAMPLES + ", was " + samples);
        }
        return samples;
    }

    /**
     * @param samples how many of the latest samples to keep, 1 to {@value LatencyRecorder#MAX_SAMPLES}
     * @return an empty ring that also keeps when each sample was recorded ({@link #record(long, long)})
     * @throws IllegalArgumentException if {@code samples} is out of range
     */
    public static LatencyRing timed(int samples) {
        return new LatencyRing(samples, true);
    }

    /** @return how many samples the ring keeps at most */
    public int capacity() {
        return capacity;
    }

    /**
     * Records one latency, replacing the oldest sample once the ring is full.
     *
     * @param nanos the latency in nanoseconds
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public void record(long nanos) {
        record(nanos, 0);
    }

    /**
     * Records one latency and, in a timed ring, when it was recorded.
     *
     * @param nanos the latency in nanoseconds
     * @param tick when, a reading of the recording ticker; ignored by a ring that is not timed
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public void record(long nanos, long tick) {
        if (nanos < 0) {
            throw new IllegalArgumentException("latency must be >= 0 ns, was " + nanos);
        }
        if (ticks != null) {
            ticks[PAD + next] = tick;
        }
        ring[PAD + next] = nanos;
        next = next + 1 == capacity ? 0 : next + 1;
        if (count < capacity) {
            count++;
        }
        if (!stale) {
            stale = true;
        }
    }

    /** @return how many samples are held: the number of records, up to the capacity */
    public int count() {
        return count;
    }

    /**
     * @param percentile 0 to 100
     * @return the sample at that nearest rank, in nanoseconds (see {@link LatencyRecorder})
     * @throws IllegalArgumentException if {@code percentile} is out of range
     * @throws IllegalStateException if nothing has been recorded
     */
    public long quantile(int percentile) {
        if (percentile < 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be between 0 and 100, was " + percentile);
        }
        return snapshot()[rank(percentile, count) - 1];
    }

    /**
     * @return the largest held sample, in nanoseconds
     * @throws IllegalStateException if nothing has been recorded
     */
    public long max() {
        return snapshot()[count - 1];
    }

    /**
     * @return the arithmetic mean of the held samples, rounded to the nearest nanosecond
     * @throws IllegalStateException if nothing has been recorded
     */
    public long mean() {
        snapshot();
        return mean;
    }

    /** @return every figure at once, or empty if nothing has been recorded */
    public Optional<LatencySummary> summary() {
        if (count == 0) {
            return Optional.empty();
        }
        return Optional.of(summaryOf(snapshot(), count, mean));
    }

    /** @return the figures of {@code count} ascending samples with that mean */
    private static LatencySummary summaryOf(long[] sorted, int count, long mean) {
        return new LatencySummary(count, sorted[rank(50, count) - 1], sorted[rank(90, count) - 1],
                sorted[rank(99, count) - 1], mean, sorted[count - 1]);
    }

    /** @return the mean of the first {@code count} samples, rounded to the nearest nanosecond */
    private static long meanOf(long[] samples, int count) {
        // a double sum cannot overflow, unlike a long sum of a million multi-hour latencies
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += samples[i];
        }
        return Math.round(sum / count);
    }

    /**
     * Summarises the latest samples of several timed rings together, as one ring of {@code capacity} samples that
     * had all their records would: the {@code capacity} most recently recorded (by their ticks), or all of them
     * when fewer. The caller holds what guards each ring.
     *
     * @param rings timed rings; null elements are skipped
     * @param capacity how many samples the summary may describe at most
     * @return the summary, or empty if no ring holds a sample
     * @throws IllegalArgumentException if a ring is not timed
     */
    public static Optional<LatencySummary> summaryOfLatest(LatencyRing[] rings, int capacity) {
        int total = 0;
        for (LatencyRing r : rings) {
            if (r != null) {
                if (r.ticks == null) {
                    throw new IllegalArgumentException("only timed rings can be summarised together");
                }
                total += r.count;
            }
        }
        if (total == 0) {
            return Optional.empty();
        }
        long[] tick = new long[total];
        long[] nanos = new long[total];
        int n = 0;
        for (LatencyRing r : rings) {
            if (r != null) {
                System.arraycopy(r.ticks, PAD, tick, n, r.count);
                System.arraycopy(r.ring, PAD, nanos, n, r.count);
                n += r.count;
            }
        }
        long[] kept = total <= capacity ? nanos : latest(tick, nanos, capacity);
        Arrays.sort(kept);
        return Optional.of(summaryOf(kept, kept.length, meanOf(kept, kept.length)));
    }

    /**
     * @return a timed ring holding the same samples as this one, for a reader that summarises several rings
     *     together ({@link #summaryOfLatest}) after letting go of what guards each
     * @throws IllegalStateException if this ring is not timed
     */
    public LatencyRing copy() {
        requireTimed(this);
        LatencyRing c = timed(capacity);
        System.arraycopy(ring, PAD, c.ring, PAD, count);
        System.arraycopy(ticks, PAD, c.ticks, PAD, count);
        c.count = count;
        return c;
    }

    /**
     * Takes in another timed ring's samples: afterwards this ring holds the {@link #capacity()} latest (by their
     * ticks) of both rings' samples, or all of them when fewer, oldest first. For figures that move from one owner
     * to another (telemetry keeps those of a model that leaves its cache with the model's callers).
     *
     * @param other a timed ring, left as it was
     * @throws IllegalStateException if either ring is not timed
     */
    public void absorb(LatencyRing other) {
        requireTimed(this);
        requireTimed(other);
        int total = count + other.count;
        long[] tick = new long[total];
        long[] nanos = new long[total];
        System.arraycopy(ticks, PAD, tick, 0, count);
        System.arraycopy(ring, PAD, nanos, 0, count);
        System.arraycopy(other.ticks, PAD, tick, count, other.count);
        System.arraycopy(other.ring, PAD, nanos, count, other.count);
        Integer[] order = newestFirst(tick);
        int kept = Math.min(total, capacity);
        for (int i = 0; i < kept; i++) {
            int from = order[kept - 1 - i]; // the ring holds them oldest first
            ticks[PAD + i] = tick[from];
            ring[PAD + i] = nanos[from];
        }
        count = kept;
        next = kept == capacity ? 0 : kept;
        stale = true;
    }

    private static void requireTimed(LatencyRing r) {
        if (r.ticks == null) {
            throw new IllegalStateException("not a timed ring");
        }
    }

    /** @return the {@code capacity} values of the latest ticks (ties broken arbitrarily) */
    private static long[] latest(long[] tick, long[] nanos, int capacity) {
        Integer[] order = newestFirst(tick);
        long[] kept = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            kept[i] = nanos[order[i]];
        }
        return kept;
    }

    /** @return the indexes of {@code tick}, newest reading first (ties in any order) */
    private static Integer[] newestFirst(long[] tick) {
        Integer[] order = new Integer[tick.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // a ticker's readings compare by their difference, which may cross Long.MAX_VALUE
        Arrays.sort(order, (a, b) -> Long.signum(tick[b] - tick[a]));
        return order;
    }

    /** Nearest rank, 1-based: ceil(p * n / 100), at least 1. */
    static int rank(int percentile, int n) {
        return Math.max(1, (int) (((long) percentile * n + 99) / 100));
    }

    /** The sorted samples, refreshed if a record came since the last read. */
    private long[] snapshot() {
        if (count == 0) {
            throw new IllegalStateException("no latency recorded yet");
        }
        if (stale) {
            if (sorted == null) {
                sorted = new long[capacity];
            }
            System.arraycopy(ring, PAD, sorted, 0, count);
            Arrays.sort(sorted, 0, count);
            mean = meanOf(sorted, count);
            stale = false;
        }
        return sorted;
    }

    @Override
    public String toString() {
        return "LatencyRing{" + count + "/" + capacity + " samples}";
    }
}
