package dev.agentguard.cli;

import java.util.Arrays;

/**
 * Counts of non-negative durations in log-linear buckets, for percentiles in bounded memory: values below 64 are
 * counted exactly, larger ones in buckets 1/32 of their magnitude wide, so that a percentile read back is at most
 * about 3% above the true value (never below it). At most about 1,900 counters, whatever the number of values.
 */
final class Histogram {

    private static final int EXACT = 64;
    private static final int SUB = 32;

    private long[] counts = new long[EXACT + SUB];
    private long total;
    private long max = -1;

    /** @param value a duration (negative values are ignored) */
    void add(long value) {
        if (value < 0) {
            return;
        }
        int i = index(value);
        if (i >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(i + 1, counts.length + 4 * SUB));
        }
        counts[i]++;
        total++;
        max = Math.max(max, value);
    }

    static int index(long v) {
        if (v < EXACT) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v) - 5; // v >> e is in [32, 63]
        return EXACT + (e - 1) * SUB + (int) ((v >> e) - SUB);
    }

    /** @return the largest value of the bucket at this index */
    static long upperBound(int i) {
        if (i < EXACT) {
            return i;
        }
        int e = (i - EXACT) / SUB + 1;
        long base = (long) ((i - EXACT) % SUB + SUB) << e;
        return base + (1L << e) - 1;
    }

    /** @return how many values were added */
    long count() {
        return total;
    }

    /** @return the largest value added, or -1 */
    long max() {
        return max;
    }

    /**
     * @param q a quantile, e.g. 0.9
     * @return the nearest-rank percentile (its bucket's upper bound, at most the largest value), or -1 if empty
     */
    long percentile(double q) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }
}
