package dev.agentguard.core.telemetry;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.window.LatencySummary;
import dev.agentguard.core.window.WindowSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * The live figures of one scope key (a session, an agent, a model...) or one tool, read from {@link Telemetry} at
 * one instant. Immutable.
 *
 * <p>The totals (cost, tokens, calls, errors) cover the telemetry's {@link #window()}. The latency summaries
 * describe the last N calls whatever their age (N is {@link TelemetryConfig#latencySamples()}), and are empty
 * where the level does not keep them (sessions and users keep none, models no tool durations, tools no model
 * latencies) or where nothing has been recorded yet.
 */
public final class TelemetrySnapshot {

    private final Scope level;
    private final String key;
    private final WindowSpec window;
    private final long costNanos;
    private final long tokens;
    private final long modelCalls;
    private final long modelErrors;
    private final long toolCalls;
    private final long toolErrors;
    private final LatencySummary latency;
    private final LatencySummary timeToFirstToken;
    private final LatencySummary toolDuration;

    TelemetrySnapshot(Scope level, String key, WindowSpec window, long costNanos, long tokens, long modelCalls,
            long modelErrors, long toolCalls, long toolErrors, LatencySummary latency,
            LatencySummary timeToFirstToken, LatencySummary toolDuration) {
        this.level = level;
        this.key = key;
        this.window = window;
        this.costNanos = costNanos;
        this.tokens = tokens;
        this.modelCalls = modelCalls;
        this.modelErrors = modelErrors;
        this.toolCalls = toolCalls;
        this.toolErrors = toolErrors;
        this.latency = latency;
        this.timeToFirstToken = timeToFirstToken;
        this.toolDuration = toolDuration;
    }

    /** @return the level these figures belong to, or null for a per-tool snapshot ({@link Telemetry#tool}) */
    public Scope level() {
        return level;
    }

    /** @return the scope key (session id, agent name, model name, {@link Scope#GLOBAL_KEY}) or the tool name */
    public String key() {
        return key;
    }

    /** @return the window the totals cover */
    public WindowSpec window() {
        return window;
    }

    /** @return the cost of the model calls in the window, in nano-dollars */
    public long costNanos() {
        return costNanos;
    }

    /** @return the cost of the model calls in the window */
    public Money cost() {
        return Money.ofNanos(costNanos);
    }

    /** @return the tokens of the model calls in the window */
    public long tokens() {
        return tokens;
    }

    /** @return the model calls in the window, failed ones included */
    public long modelCalls() {
        return modelCalls;
    }

    /** @return the model calls in the window that failed */
    public long modelErrors() {
        return modelErrors;
    }

    /** @return the tool calls in the window, failed ones included */
    public long toolCalls() {
        return toolCalls;
    }

    /** @return the tool calls in the window that failed */
    public long toolErrors() {
        return toolErrors;
    }

    /** @return the total latency of the latest model calls; empty where not kept or not yet recorded */
    public Optional<LatencySummary> latency() {
        return Optional.ofNullable(latency);
    }

    /** @return the time to first token of the latest streamed model calls; empty where not kept or not recorded */
    public Optional<LatencySummary> timeToFirstToken() {
        return Optional.ofNullable(timeToFirstToken);
    }

    /** @return the duration of the latest tool calls; empty where not kept or not yet recorded */
    public Optional<LatencySummary> toolDuration() {
        return Optional.ofNullable(toolDuration);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TelemetrySnapshot)) {
            return false;
        }
        TelemetrySnapshot s = (TelemetrySnapshot) o;
        return level == s.level && key.equals(s.key) && window.equals(s.window) && costNanos == s.costNanos
                && tokens == s.tokens && modelCalls == s.modelCalls && modelErrors == s.modelErrors
                && toolCalls == s.toolCalls && toolErrors == s.toolErrors && Objects.equals(latency, s.latency)
                && Objects.equals(timeToFirstToken, s.timeToFirstToken) && Objects.equals(toolDuration, s.toolDuration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(level, key, window, costNanos, tokens, modelCalls, modelErrors, toolCalls, toolErrors,
                latency, timeToFirstToken, toolDuration);
    }

    @Override
    public String toString() {
        return "TelemetrySnapshot{" + (level == null ? "tool" : level.id()) + "=" + key + ", window=" + window
                + ", cost=" + cost() + ", tokens=" + tokens + ", modelCalls=" + modelCalls + ", modelErrors="
                + modelErrors + ", toolCalls=" + toolCalls + ", toolErrors=" + toolErrors + ", latency=" + latency
                + ", timeToFirstToken=" + timeToFirstToken + ", toolDuration=" + toolDuration + '}';
    }
}
