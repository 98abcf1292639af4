/**
 * Spring Boot auto-configuration for agent-guard: a {@link dev.agentguard.core.Guard} from the policy named by
 * {@code agent-guard.policy}, every LangChain4j {@code ChatModel} and {@code StreamingChatModel} bean guarded, the
 * caller's {@link dev.agentguard.core.GuardScope} bound from each HTTP request, refusals as RFC 9457 problem
 * responses, the {@code agentguard} actuator endpoint and health, and the Micrometer and OpenTelemetry bindings
 * when those modules are present. Runs on Spring Boot 3.5 and 4.0: what differs between them lives in separate
 * configurations that name their classes as strings and load only when those classes exist.
 */
package dev.agentguard.spring;
