package dev.agentguard.core;

/** TEMPORARY stand-in until the windows branch lands. */
public final class Telemetry {
    Telemetry(TelemetryConfig c, Ticker t, java.time.Clock k) {
    }

    void recordModelCall(GuardScope scope, String model, long cost, long tokens, boolean error, long latency, long ttft) {
    }

    void recordToolCall(GuardScope scope, String tool, boolean error, long duration) {
    }
}
