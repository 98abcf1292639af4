package dev.agentguard.core;

import dev.agentguard.core.window.LatencyRecorder;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Telemetry} keeps its figures: the window its totals cover, how many sessions it tracks and for how
 * long, and how many calls its latency quantiles describe. Immutable; built by {@link #builder()} and validated
 * once in {@link Builder#build()}.
 *
 * <pre>{@code
 * TelemetryConfig config = TelemetryConfig.builder()
 *         .window(WindowSpec.sliding(Duration.ofMinutes(10), 10))
 *         .maxSessions(50_000)
 *         .build();
 * }</pre>
 */
public final class TelemetryConfig {

    /** The default window: the last 10 minutes, in 10 buckets of 1 minute. */
    public static final WindowSpec DEFAULT_WINDOW = WindowSpec.sliding(Duration.ofMinutes(10), 10);
    /** The default bound on tracked sessions (and, separately, on tracked users). */
    public static final long DEFAULT_MAX_SESSIONS = 100_000;
    /** The default time after its last call at which a session (or user) is forgotten. */
    public static final Duration DEFAULT_SESSION_IDLE_EXPIRY = Duration.ofHours(1);
    /** The default number of latest calls that latency quantiles describe. */
    public static final int DEFAULT_LATENCY_SAMPLES = 100;

    private static final TelemetryConfig DEFAULTS = builder().build();

    private final WindowSpec window;
    private final long maxSessions;
    private final Duration sessionIdleExpiry;
    private final int latencySamples;

    private TelemetryConfig(Builder b) {
        this.window = b.window;
        this.maxSessions = b.maxSessions;
        this.sessionIdleExpiry = b.sessionIdleExpiry;
        this.latencySamples = b.latencySamples;
    }

    /** @return the configuration with every default */
    public static TelemetryConfig defaults() {
        return DEFAULTS;
    }

    /** @return a builder that starts from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this configuration */
    public Builder toBuilder() {
        return new Builder().window(window).maxSessions(maxSessions).sessionIdleExpiry(sessionIdleExpiry)
                .latencySamples(latencySamples);
    }

    /** @return the window that every total (cost, tokens, calls, errors) covers, at every level */
    public WindowSpec window() {
        return window;
    }

    /** @return the most sessions tracked at once; the same bound applies to users */
    public long maxSessions() {
        return maxSessions;
    }

    /** @return how long after its last recorded call a session (or user) is forgotten */
    public Duration sessionIdleExpiry() {
        return sessionIdleExpiry;
    }

    /** @return how many of the latest calls each latency quantile describes */
    public int latencySamples() {
        return latencySamples;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TelemetryConfig)) {
            return false;
        }
        TelemetryConfig c = (TelemetryConfig) o;
        return maxSessions == c.maxSessions && latencySamples == c.latencySamples && window.equals(c.window)
                && sessionIdleExpiry.equals(c.sessionIdleExpiry);
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, maxSessions, sessionIdleExpiry, latencySamples);
    }

    @Override
    public String toString() {
        return "TelemetryConfig{window=" + window + ", maxSessions=" + maxSessions + ", sessionIdleExpiry="
                + sessionIdleExpiry + ", latencySamples=" + latencySamples + '}';
    }

    /** Builds a {@link TelemetryConfig}; every property starts at its default. Not thread-safe. */
    public static final class Builder {
        private WindowSpec window = DEFAULT_WINDOW;
        private long maxSessions = DEFAULT_MAX_SESSIONS;
        private Duration sessionIdleExpiry = DEFAULT_SESSION_IDLE_EXPIRY;
        private int latencySamples = DEFAULT_LATENCY_SAMPLES;

        private Builder() {
        }

        /**
         * Sets the window of every total. Each tracked session holds up to {@code (buckets + 1) * 6} longs for
         * a sliding window (fewer while it has used few buckets), so the bucket count is the main term of the
         * per-session memory of busy sessions: 10 buckets cost up to about 590 bytes, 60 buckets up to about 3 KB;
         * a calendar window costs about 100 bytes.
         *
         * @param window the window; default {@link TelemetryConfig#DEFAULT_WINDOW}
         * @return this
         */
        public Builder window(WindowSpec window) {
            this.window = window;
            return this;
        }

        /**
         * @param maxSessions the most sessions tracked at once, and separately the most users, &gt; 0; default
         *     {@value TelemetryConfig#DEFAULT_MAX_SESSIONS}. Past it the least valuable entries are evicted;
         *     totals at the agent, tenant and global levels are kept regardless.
         * @return this
         */
        public Builder maxSessions(long maxSessions) {
            this.maxSessions = maxSessions;
            return this;
        }

        /**
         * @param sessionIdleExpiry how long after its last recorded call a session or user is forgotten, &gt; 0;
         *     default 1 hour
         * @return this
         */
        public Builder sessionIdleExpiry(Duration sessionIdleExpiry) {
            this.sessionIdleExpiry = sessionIdleExpiry;
            return this;
        }

        /**
         * @param latencySamples how many of the latest calls each latency quantile describes, 1 to
         *     {@value LatencyRecorder#MAX_SAMPLES}; default {@value TelemetryConfig#DEFAULT_LATENCY_SAMPLES}
         * @return this
         */
        public Builder latencySamples(int latencySamples) {
            this.latencySamples = latencySamples;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming the property and its value, if a property is missing or out of
         *     range
         */
        public TelemetryConfig build() {
            if (window == null) {
                throw new IllegalArgumentException("window must be set, was null");
            }
            if (maxSessions <= 0) {
                throw new IllegalArgumentException("maxSessions must be > 0, was " + maxSessions);
            }
            if (sessionIdleExpiry == null || sessionIdleExpiry.isZero() || sessionIdleExpiry.isNegative()) {
                throw new IllegalArgumentException("sessionIdleExpiry must be > 0, was " + sessionIdleExpiry);
            }
            if (latencySamples < 1 || latencySamples > LatencyRecorder.MAX_SAMPLES) {
                throw new IllegalArgumentException("latencySamples must be between 1 and "
                        + LatencyRecorder.MAX_SAMPLES + ", was " + latencySamples);
            }
            return new TelemetryConfig(this);
        }
    }
}
