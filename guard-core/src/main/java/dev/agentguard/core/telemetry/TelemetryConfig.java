package dev.agentguard.core.telemetry;

import dev.agentguard.core.ledger.OnFull;
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
    /** The longest idle expiry: a ticker in nanoseconds spans about 292 years, an expiry must fit in it. */
    public static final Duration MAX_IDLE_EXPIRY = WindowSpec.MAX_LENGTH;
    /** How many budget windows the default ledger keeps per tracked session: one at each cached level. */
    public static final int WINDOWS_PER_SESSION = 4;
    /** The default number of latest calls that latency quantiles describe. */
    public static final int DEFAULT_LATENCY_SAMPLES = 100;

    private static final TelemetryConfig DEFAULTS = builder().build();

    private final WindowSpec window;
    private final long maxSessions;
    private final Duration sessionIdleExpiry;
    private final int latencySamples;
    private final OnFull onFull;

    private TelemetryConfig(Builder b) {
        this.onFull = b.onFull;
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
                .latencySamples(latencySamples).onFull(onFull);
    }

    /** @return the window that every total (cost, tokens, calls, errors) covers, at every level */
    public WindowSpec window() {
        return window;
    }

    /** @return the most sessions tracked at once; the same bound applies to users */
    public long maxSessions() {
        return maxSessions;
    }

    /**
     * @return how long after its last recorded call a session (or user) is forgotten; the cache learns of a call
     *     up to 1/64 of this late, so a session may be forgotten that much earlier
     */
    public Duration sessionIdleExpiry() {
        return sessionIdleExpiry;
    }

    /**
     * @return what the in-memory ledger does when it holds {@link #maxSessions()} × {@value #WINDOWS_PER_SESSION}
     *     session, user, tenant and model budget windows, all still counting, and a call needs one more
     */
    public OnFull onFull() {
        return onFull;
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
                && sessionIdleExpiry.equals(c.sessionIdleExpiry) && onFull == c.onFull;
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, maxSessions, sessionIdleExpiry, latencySamples, onFull);
    }

    @Override
    public String toString() {
        return "TelemetryConfig{window=" + window + ", maxSessions=" + maxSessions + ", sessionIdleExpiry="
                + sessionIdleExpiry + ", latencySamples=" + latencySamples + ", onFull=" + onFull.id() + '}';
    }

    /** Builds a {@link TelemetryConfig}; every property starts at its default. Not thread-safe. */
    public static final class Builder {
        private WindowSpec window = DEFAULT_WINDOW;
        private long maxSessions = DEFAULT_MAX_SESSIONS;
        private Duration sessionIdleExpiry = DEFAULT_SESSION_IDLE_EXPIRY;
        private int latencySamples = DEFAULT_LATENCY_SAMPLES;
        private OnFull onFull = OnFull.REFUSE_NEW;

        private Builder() {
        }

        /**
         * @param onFull what the in-memory ledger does when it is full of budget windows that still count and a
         *     call needs a new one: refuse that call (default), or forget the window that would expire soonest.
         *     Either way a decision with the rule {@code telemetry.full} records it.
         * @return this
         */
        public Builder onFull(OnFull onFull) {
            this.onFull = onFull;
            return this;
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
         * @param maxSessions the most sessions tracked at once, and separately the most users, tenants and models,
         *     &gt; 0; default {@value TelemetryConfig#DEFAULT_MAX_SESSIONS}. Past it telemetry evicts the least
         *     valuable entries (totals at the agent and global levels are kept regardless). The in-memory ledger
         *     keeps up to {@value TelemetryConfig#WINDOWS_PER_SESSION} times as many budget windows and never
         *     evicts one that still counts without saying so (see {@link #onFull}).
         * @return this
         */
        public Builder maxSessions(long maxSessions) {
            this.maxSessions = maxSessions;
            return this;
        }

        /**
         * @param sessionIdleExpiry how long after its last recorded call a session or user is forgotten by
         *     telemetry (up to 1/64 of it earlier: its cache learns of calls that often, see
         *     {@link dev.agentguard.core.common.SparseTouch}), up to 3,660 days; default 1 hour. A budget window is
         *     kept at least this long after its last use, and in any case until its spend has left it.
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
            if (sessionIdleExpiry.compareTo(MAX_IDLE_EXPIRY) > 0) {
                throw new IllegalArgumentException("sessionIdleExpiry must be at most 3660d, was " + sessionIdleExpiry);
            }
            if (onFull == null) {
                throw new IllegalArgumentException("onFull must be set, was null");
            }
            if (maxSessions > Long.MAX_VALUE / WINDOWS_PER_SESSION) {
                throw new IllegalArgumentException("maxSessions must be at most " + Long.MAX_VALUE / WINDOWS_PER_SESSION
                        + ", was " + maxSessions);
            }
            if (latencySamples < 1 || latencySamples > LatencyRecorder.MAX_SAMPLES) {
                throw new IllegalArgumentException("latencySamples must be between 1 and "
                        + LatencyRecorder.MAX_SAMPLES + ", was " + latencySamples);
            }
            return new TelemetryConfig(this);
        }
    }
}
