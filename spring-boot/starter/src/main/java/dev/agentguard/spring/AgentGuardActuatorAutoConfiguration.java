package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.spring.actuate.AgentGuardEndpoint;
import dev.agentguard.spring.actuate.Boot3HealthIndicator;
import dev.agentguard.spring.actuate.Boot4HealthIndicator;
import dev.agentguard.spring.actuate.GuardHealth;
import dev.agentguard.spring.actuate.RedisLedgerProbe;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * The actuator side: the {@code agentguard} endpoint and the {@code agentguard} health indicator. The endpoint's
 * annotations are the same in Spring Boot 3.5 and 4.0; the health API is not ({@code org.springframework.boot.
 * actuate.health} became {@code org.springframework.boot.health.contributor}), so each generation has its own
 * configuration, chosen by the class that exists and never loaded otherwise.
 */
@AutoConfiguration(after = AgentGuardAutoConfiguration.class)
@ConditionalOnClass(name = {BootClasses.ENDPOINT, BootClasses.AVAILABLE_ENDPOINT})
@ConditionalOnBean(Guard.class)
@ConditionalOnProperty(prefix = "agent-guard", name = "enabled", matchIfMissing = true)
public class AgentGuardActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = AgentGuardEndpoint.class)
    AgentGuardEndpoint agentGuardEndpoint(Guard guard) {
        return new AgentGuardEndpoint(guard);
    }

    @Bean
    @ConditionalOnMissingBean
    GuardHealth agentGuardHealth(Guard guard) {
        boolean redis = ClassUtils.isPresent(BootClasses.REDIS_LEDGER, Guard.class.getClassLoader());
        return new GuardHealth(guard, redis ? new RedisLedgerProbe() : null);
    }

    /** Spring Boot 3: {@code org.springframework.boot.actuate.health}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = BootClasses.HEALTH_3)
    @ConditionalOnProperty(prefix = "management.health.agentguard", name = "enabled", matchIfMissing = true)
    static class Boot3Health {

        /** The bean name gives the indicator its name: {@code agentguard}. */
        @Bean
        @ConditionalOnMissingBean(name = "agentguardHealthIndicator")
        Boot3HealthIndicator agentguardHealthIndicator(GuardHealth health) {
            return new Boot3HealthIndicator(health);
        }
    }

    /** Spring Boot 4: {@code org.springframework.boot.health.contributor} (module spring-boot-health). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = BootClasses.HEALTH_4)
    @ConditionalOnProperty(prefix = "management.health.agentguard", name = "enabled", matchIfMissing = true)
    static class Boot4Health {

        /** The bean name gives the indicator its name: {@code agentguard}. */
        @Bean
        @ConditionalOnMissingBean(name = "agentguardHealthIndicator")
        Boot4HealthIndicator agentguardHealthIndicator(GuardHealth health) {
            return new Boot4HealthIndicator(health);
        }
    }
}
