/**
 * OpenTelemetry traces of guarded calls: one GenAI span per model call ({@code chat {model}}), tool call
 * ({@code execute_tool {tool}}) and AI-service invocation ({@code invoke_agent {agent}}), following the GenAI
 * semantic conventions, with the guard's decision on each ({@code agentguard.*} attributes, one span event per rule
 * that fired). Install with {@link dev.agentguard.opentelemetry.GuardTracing#install}.
 *
 * <p>Depends on {@code opentelemetry-api} only; bring an SDK (or the Java agent) to export. Core never imports
 * OpenTelemetry: this module reads the guard's {@link dev.agentguard.core.DecisionEvent}s and, when the
 * LangChain4j adapter is on the class path, its {@code GuardedCallObserver}.
 */
package dev.agentguard.opentelemetry;
