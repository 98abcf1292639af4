package dev.agentguard.core.window;

import java.util.Optional;

/**
 * The latencies of the last {@code N} calls, and their quantiles.
 *
 * <p>A ring of {@code N} samples: each {@link #record} overwrites the oldest once the ring is full, so the figures
 * always describe the last {@code N} calls, however long ago they were (this is a count window, not a time
 * window: a quiet model keeps its last figures).
 *
 * <p><b>Quantiles</b> use the nearest-rank definition: the {@code p}-th percentile of {@code n} samples is the
 * smallest sample such that at least {@code p}% of the samples are less than or equal to it, i.e. the sample of
 * rank {@code ceil(p * n / 100)} (at least 1) in ascending order. It is always a recorded value, never an
 * interpolation; {@code quantile(0)} is the minimum and {@code quantile(100)} the maximum.
 *
 * <p><b>Cost</b>: {@code record} is O(1) and allocates nothing. The first read after a record copies and sorts
 * the samples, O(N log N); further reads reuse that sorted snapshot, O(1), until the next record.
 * <b>Memory</b>: two {@code long[N]} (the ring, and the sorted snapshot allocated on the first read) and about 48
 * bytes: about 1.7 KB for N = 100.
 *
 * <p>Thread-safe. Every method is {@code synchronized}: a record moves the ring slot, the count and the
 * snapshot's staleness together, and a read must sort a copy that no record is half-way through. The lock is held
 * for a few nanoseconds on a record and is uncontended in the common case; a lock-free ring would still need a
 * consistent copy to sort, and health checks read far less often than calls record. An owner that holds a lock of
 * its own around every record and read keeps a {@link LatencyRing} instead: the same samples without this lock.
 */
public final class LatencyRecorder {

    /** The most samples a recorder may keep; a sanity bound against a mistyped size. */
    public static final int MAX_SAMPLES = 1_000_000;

    /** Guarded by this object's monitor. */
    private final LatencyRing ring;

    /**
     * Creates an empty recorder.
     *
     * @param samples how many of the latest samples to keep, 1 to {@value #MAX_SAMPLES}
     * @throws IllegalArgumentException if {@code samples} is out of range
     */
    public LatencyRecorder(int samples) {
        this.ring = new LatencyRing(samples);
    }

    /** @return how many samples the recorder keeps at most */
    public int capacity() {
        return ring.capacity();
    }

    /**
     * Records one latency, replacing the oldest sample once the recorder is full.
     *
     * @param nanos the latency in nanoseconds
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public synchronized void record(long nanos) {
        ring.record(nanos);
    }

    /** @return how many samples are held: the number of records, up to the capacity */
    public synchronized int count() {
        return ring.count();
    }

    /**
     * Returns a percentile of the held samples by nearest rank (see the class comment).
     *
     * @param percentile 0 to 100
     * @return the sample at that rank, in nanoseconds
     * @throws IllegalArgumentException if {@code percentile} is out of range
     * @throws IllegalStateException if nothing has been recorded
     */
    public synchronized long quantile(int percentile) {
        return ring.quantile(percentile);
    }

    /**
     * @return the median by nearest rank, in nanoseconds
     * @throws IllegalStateException if nothing has been recorded
     */
    public long p50() {
        return quantile(50);
    }

    /**
     * @return the 90th percentile by nearest rank, in nanoseconds
     * @throws IllegalStateException if nothing has been recorded
     */
    public long p90() {
        return quantile(90);
    }

    /**
     * @return the 99th percentile by nearest rank, in nanoseconds
     * @throws IllegalStateException if nothing has been recorded
     */
    public long p99() {
        return quantile(99);
    }

    /**
     * @return the largest held sample, in nanoseconds
     * @throws IllegalStateException if nothing has been recorded
     */
    public synchronized long max() {
        return ring.max();
    }

    /**
     * @return the arithmetic mean of the held samples, rounded to the nearest nanosecond
     * @throws IllegalStateException if nothing has been recorded
     */
    public synchronized long mean() {
        return ring.mean();
    }

    /**
     * Returns every figure at once, from one consistent set of samples.
     *
     * @return the summary, or empty if nothing has been recorded
     */
    public synchronized Optional<LatencySummary> summary() {
        return ring.summary();
    }

    @Override
    public synchronized String toString() {
        return "LatencyRecorder{" + ring.count() + "/" + ring.capacity() + " samples}";
    }
}
