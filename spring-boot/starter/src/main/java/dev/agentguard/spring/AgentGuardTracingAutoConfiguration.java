package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.opentelemetry.GuardTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The guard's spans ({@link GuardTracing}) on the application's {@code OpenTelemetry}, when
 * agent-guard-opentelemetry is on the class path and an {@code OpenTelemetry} bean exists; off with
 * {@code agent-guard.tracing.enabled=false}. Runs after the OpenTelemetry auto-configuration of either Spring Boot
 * generation.
 */
@AutoConfiguration(after = AgentGuardAutoConfiguration.class, afterName = {BootClasses.OTEL_3, BootClasses.OTEL_4})
@ConditionalOnClass(name = {BootClasses.GUARD_TRACING, BootClasses.OPEN_TELEMETRY})
@ConditionalOnBean(type = {"dev.agentguard.core.Guard", BootClasses.OPEN_TELEMETRY})
@ConditionalOnProperty(prefix = "agent-guard", name = {"enabled", "tracing.enabled"}, matchIfMissing = true)
public class AgentGuardTracingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GuardTracing agentGuardTracing(Guard guard, OpenTelemetry openTelemetry, AgentGuardProperties properties) {
        return GuardTracing.builder(openTelemetry).captureContent(properties.getTracing().isCaptureContent())
                .install(guard);
    }
}
