/**
 * A guard's decisions, spend, token usage, latency, budget fill and audit health as Micrometer meters:
 * {@link dev.agentguard.micrometer.GuardMetrics#bind GuardMetrics.bind(guard, registry)}.
 *
 * <p>The model-call meters carry the OpenTelemetry GenAI client metric names and attributes
 * ({@code gen_ai.client.token.usage}, {@code gen_ai.client.operation.duration},
 * {@code gen_ai.client.operation.time_to_first_chunk}), so that dashboards built for those conventions read them;
 * the {@code agentguard.*} meters add what only a guard knows. Every tag is bounded; see {@link
 * dev.agentguard.micrometer.GuardMetrics} for each meter's tags and cardinality. Core never sees Micrometer: this
 * module only listens to the guard's {@link dev.agentguard.core.DecisionEvent decision events} and reads its
 * ledger.
 */
package dev.agentguard.micrometer;
