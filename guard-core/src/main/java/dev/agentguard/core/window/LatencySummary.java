package dev.agentguard.core.window;

import java.time.Duration;

/**
 * An immutable summary of recent latencies, taken from a {@link LatencyRecorder}: the count of samples it
 * describes and their nearest-rank percentiles, mean and maximum.
 */
public final class LatencySummary {

    private final int count;
    private final long p50Nanos;
    private final long p90Nanos;
    private final long p99Nanos;
    private final long meanNanos;
    private final long maxNanos;

    LatencySummary(int count, long p50Nanos, long p90Nanos, long p99Nanos, long meanNanos, long maxNanos) {
        this.count = count;
        this.p50Nanos = p50Nanos;
        this.p90Nanos = p90Nanos;
        this.p99Nanos = p99Nanos;
        this.meanNanos = meanNanos;
        this.maxNanos = maxNanos;
    }

    /** @return how many samples the figures describe (the last N calls, N at most the recorder's capacity) */
    public int count() {
        return count;
    }

    /** @return the median */
    public Duration p50() {
        return Duration.ofNanos(p50Nanos);
    }

    /** @return the 90th percentile */
    public Duration p90() {
        return Duration.ofNanos(p90Nanos);
    }

    /** @return the 99th percentile */
    public Duration p99() {
        return Duration.ofNanos(p99Nanos);
    }

    /** @return the mean, to the nearest nanosecond */
    public Duration mean() {
        return Duration.ofNanos(meanNanos);
    }

    /** @return the largest sample */
    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LatencySummary)) {
            return false;
        }
        LatencySummary s = (LatencySummary) o;
        return count == s.count && p50Nanos == s.p50Nanos && p90Nanos == s.p90Nanos && p99Nanos == s.p99Nanos
                && meanNanos == s.meanNanos && maxNanos == s.maxNanos;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(count, p50Nanos, p90Nanos, p99Nanos, meanNanos, maxNanos);
    }

    @Override
    public String toString() {
        return "LatencySummary{count=" + count + ", p50=" + p50() + ", p90=" + p90() + ", p99=" + p99() + ", mean="
                + mean() + ", max=" + max() + '}';
    }
}
