package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.policy.Policies;
import dev.agentguard.policy.PolicyWatcher;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * The guard: built from {@code agent-guard.policy} unless the application defines its own {@code Guard} bean,
 * closed with the context (which drains its audit file), and reloaded when a {@code file:} policy changes.
 * {@code agent-guard.enabled=false} turns this and every other part of the starter off.
 */
@AutoConfiguration
@ConditionalOnClass(Guard.class)
@ConditionalOnProperty(prefix = "agent-guard", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(AgentGuardProperties.class)
public class AgentGuardAutoConfiguration {

    /** The guard of the policy file, when the application has none of its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "agent-guard", name = "policy")
    @ConditionalOnMissingBean(Guard.class)
    static class PolicyGuardConfiguration {

        @Bean
        PolicyResource agentGuardPolicy(AgentGuardProperties properties, ResourceLoader loader) {
            return PolicyResource.read(properties.getPolicy(), properties.getAgent(), loader);
        }

        @Bean(destroyMethod = "close")
        Guard agentGuard(PolicyResource policy, AgentGuardProperties properties,
                ObjectProvider<GuardBuilderCustomizer> customizers) {
            Guard.Builder builder = Policies.builder(policy.policy());
            customizers.orderedStream().forEach(c -> c.customize(builder));
            Guard guard = builder.build();
            if (properties.isJmx()) {
                guard.admin().registerMBean(); // the guard's close() unregisters it
            }
            return guard;
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnProperty(prefix = "agent-guard", name = "reload", matchIfMissing = true)
        PolicyReloader agentGuardPolicyReloader(PolicyResource policy, Guard guard, AgentGuardProperties properties) {
            if (policy.file() == null) {
                return new PolicyReloader(null); // a classpath policy cannot change while the application runs
            }
            PolicyWatcher.Builder watcher = PolicyWatcher.builder(policy.file(), guard);
            if (properties.getAgent() != null) {
                watcher.agent(properties.getAgent());
            }
            return new PolicyReloader(watcher.build().start());
        }
    }
}
