/**
 * Live figures per scope (global, agent, tenant, model, session, user): spend, tokens, calls, errors and latency
 * in rolling windows, read by health rules and by operators ({@link dev.agentguard.core.telemetry.Telemetry},
 * {@link dev.agentguard.core.telemetry.TelemetrySnapshot}), and how long and how many of them are kept
 * ({@link dev.agentguard.core.telemetry.TelemetryConfig}). Session and user entries live in bounded Caffeine
 * caches; agents and tools are never evicted. A model or tool call is recorded once, in its route (one agent's
 * calls of one model or tool); the process, an agent, a model and a tool are read as sums of routes. Routes and
 * tenants split into parts per thread once threads contend for them (a package-private {@code LevelStats}), and a
 * snapshot adds the parts up;
 * each part is padded ({@link dev.agentguard.core.common.Padding}), so that threads recording into their own parts
 * share no cache line.
 */
package dev.agentguard.core.telemetry;
