package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.micrometer.GuardMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The guard's meters ({@link GuardMetrics}) in the application's {@code MeterRegistry}, when agent-guard-micrometer
 * is on the class path and a registry bean exists; off with {@code agent-guard.metrics.enabled=false}. Runs after
 * the registry's auto-configuration of either Spring Boot generation.
 */
@AutoConfiguration(after = AgentGuardAutoConfiguration.class, afterName = {BootClasses.METER_3, BootClasses.METER_4})
@ConditionalOnClass(name = {BootClasses.GUARD_METRICS, BootClasses.METER_REGISTRY})
@ConditionalOnBean(type = {"dev.agentguard.core.Guard", BootClasses.METER_REGISTRY})
@ConditionalOnProperty(prefix = "agent-guard", name = {"enabled", "metrics.enabled"}, matchIfMissing = true)
public class AgentGuardMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GuardMetrics agentGuardMetrics(Guard guard, MeterRegistry registry) {
        return GuardMetrics.bind(guard, registry);
    }
}
