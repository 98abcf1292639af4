package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.langchain4j.GuardedChatModel;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Puts the guard in front of the application's models: every {@code ChatModel} and {@code StreamingChatModel} bean
 * wrapped ({@link GuardingBeanPostProcessor}; {@code agent-guard.wrap.enabled=false} or
 * {@code agent-guard.wrap.exclude} opt out), and a {@link GuardedAiServicesFactory} for the AI services the
 * application builds.
 */
@AutoConfiguration(after = AgentGuardAutoConfiguration.class)
@ConditionalOnClass(GuardedChatModel.class)
@ConditionalOnBean(Guard.class)
@ConditionalOnProperty(prefix = "agent-guard", name = "enabled", matchIfMissing = true)
public class AgentGuardModelsAutoConfiguration {

    /** Static, as post-processors must be; reads its exclusions from the environment, not the properties bean. */
    @Bean
    @ConditionalOnProperty(prefix = "agent-guard.wrap", name = "enabled", matchIfMissing = true)
    static GuardingBeanPostProcessor agentGuardModelWrapper(ObjectProvider<Guard> guard, Environment environment) {
        List<String> excluded = Binder.get(environment)
                .bind("agent-guard.wrap.exclude", Bindable.listOf(String.class)).orElse(List.of());
        return new GuardingBeanPostProcessor(guard, new LinkedHashSet<>(excluded));
    }

    @Bean
    @ConditionalOnMissingBean
    GuardedAiServicesFactory guardedAiServicesFactory(Guard guard) {
        return new GuardedAiServicesFactory(guard);
    }
}
