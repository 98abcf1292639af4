/**
 * What a user of agent-guard touches: the {@link dev.agentguard.core.Guard} and its low-level protocol
 * ({@link dev.agentguard.core.Admission}), who is calling ({@link dev.agentguard.core.GuardScope}), what was
 * decided ({@link dev.agentguard.core.Decision}, {@link dev.agentguard.core.DecisionEvent},
 * {@link dev.agentguard.core.DecisionListener}), the calls it judges ({@link dev.agentguard.core.ModelCall},
 * {@link dev.agentguard.core.ToolCall}) and the policy's configuration ({@link dev.agentguard.core.GuardConfig},
 * {@link dev.agentguard.core.Budget}, {@link dev.agentguard.core.Caps}, {@link dev.agentguard.core.LoopRules},
 * {@link dev.agentguard.core.HealthRules}).
 *
 * <p>The rule engines that turn that configuration into decisions (budgets, caps and loops, model health, the
 * one verdict) are package-private here: they build this package's {@code Decision} from this package's
 * configuration, so a package of their own would point back at this one and make a cycle.
 *
 * <p>Layers, each depending only on those after it (a test fails the build on a package cycle):
 * <ol>
 *   <li>this package;</li>
 *   <li>{@code audit} and {@code log}, the decision sinks (they read the events of this package; nothing here
 *       reads them);</li>
 *   <li>{@code telemetry}, {@code ledger}, {@code pricing}, {@code redact}, {@code window};</li>
 *   <li>{@code common}, the value types every package shares.</li>
 * </ol>
 */
package dev.agentguard.core;
