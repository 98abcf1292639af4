package dev.agentguard.core;

/** TEMPORARY stand-in until the windows branch lands. */
public final class TelemetryConfig {
    /** @return defaults */
    public static TelemetryConfig defaults() {
        return new TelemetryConfig();
    }

    /** @return max */
    public long maxSessions() {
        return 100_000;
    }

    /** @return idle */
    public java.time.Duration sessionIdleExpiry() {
        return java.time.Duration.ofHours(1);
    }
}
