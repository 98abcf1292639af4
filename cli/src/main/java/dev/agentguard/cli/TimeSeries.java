package dev.agentguard.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Amounts over time per series (spend per agent, say) in a fixed number of buckets whose width grows with the time
 * range (1 s, 5 s, 15 s, 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 1 d, 7 d, then doubling; each a multiple of the
 * one before, so that buckets merge exactly), so that any time range fits in the same memory: {@value #BUCKETS} buckets per series, at most
 * {@value #MAX_SERIES} series (later ones are counted as {@value #OTHER}). Records may come in any order.
 */
final class TimeSeries {

    static final int BUCKETS = 60;
    static final int MAX_SERIES = 64;
    static final String OTHER = "(other)";
    private static final long SECOND = 1_000;
    private static final long[] WIDTHS = {SECOND, 5 * SECOND, 15 * SECOND, 60 * SECOND, 300 * SECOND, 900 * SECOND,
        3_600 * SECOND, 10_800 * SECOND, 21_600 * SECOND, 43_200 * SECOND, 86_400 * SECOND, 604_800 * SECOND};

    private final Map<String, long[]> series = new LinkedHashMap<>();
    private long origin = Long.MIN_VALUE;
    private long width = SECOND;
    private int used; // buckets from the origin up to the last one that holds anything

    /**
     * @param name the series
     * @param millis when
     * @param amount how much
     */
    void add(String name, long millis, long amount) {
        if (origin == Long.MIN_VALUE) {
            origin = Math.floorDiv(millis, SECOND) * SECOND;
        }
        int i = bucket(millis);
        long[] s = series.get(name);
        if (s == null) {
            if (series.size() >= MAX_SERIES - 1) {
                name = OTHER; // one place is kept for it
            }
            s = series.computeIfAbsent(name, k -> new long[BUCKETS]);
        }
        s[i] += amount;
    }

    /** @return the bucket of this time, widening or shifting the buckets until it fits */
    private int bucket(long millis) {
        while (true) {
            if (millis < origin) {
                long k = Math.floorDiv(origin - millis + width - 1, width);
                if (used + k <= BUCKETS) {
                    for (long[] s : series.values()) {
                        System.arraycopy(s, 0, s, (int) k, BUCKETS - (int) k);
                        Arrays.fill(s, 0, (int) k, 0);
                    }
                    origin -= k * width;
                    used += (int) k;
                    continue;
                }
                widen();
                continue;
            }
            long i = (millis - origin) / width;
            if (i < BUCKETS) {
                used = (int) Math.max(used, i + 1);
                return (int) i;
            }
            widen();
        }
    }

    private void widen() {
        long next = width * 2;
        for (long w : WIDTHS) {
            if (w > width) {
                next = w;
                break;
            }
        }
        int f = (int) (next / width);
        for (long[] s : series.values()) {
            for (int i = 0; i < BUCKETS; i++) {
                long sum = 0;
                for (int j = i * f; j < Math.min(BUCKETS, i * f + f); j++) {
                    sum += s[j];
                }
                s[i] = sum;
            }
        }
        width = next;
        used = (used + f - 1) / f;
    }

    /** @return true if nothing was added */
    boolean isEmpty() {
        return series.isEmpty();
    }

    /** @return the start of the first bucket, epoch milliseconds */
    long origin() {
        return origin;
    }

    /** @return the width of a bucket in milliseconds */
    long width() {
        return width;
    }

    /** @return buckets from the first to the last that holds anything */
    int used() {
        return used;
    }

    /**
     * @param top how many series to keep apart
     * @return the largest series by total (the rest summed as {@value #OTHER}), each with {@link #used()} buckets
     */
    List<Map.Entry<String, long[]>> top(int top) {
        List<Map.Entry<String, long[]>> all = new ArrayList<>(series.entrySet());
        all.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -sum(e.getValue()))
                .thenComparing(Map.Entry::getKey));
        List<Map.Entry<String, long[]>> out = new ArrayList<>();
        long[] other = null;
        for (Map.Entry<String, long[]> e : all) {
            if (out.size() < top && !e.getKey().equals(OTHER)) {
                out.add(Map.entry(e.getKey(), Arrays.copyOf(e.getValue(), used)));
            } else {
                if (other == null) {
                    other = new long[used];
                }
                for (int i = 0; i < used; i++) {
                    other[i] += e.getValue()[i];
                }
            }
        }
        if (other != null) {
            out.add(Map.entry(OTHER, other));
        }
        return out;
    }

    static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }
}
