package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps every {@link ChatModel} and {@link StreamingChatModel} bean in the guard, whoever defined it (the
 * application's {@code @Bean}, LangChain4j's own Spring Boot starters), unless its bean name is excluded
 * ({@code agent-guard.wrap.exclude}) or it is guarded already. The guard is looked up when the first model bean
 * is initialised, not when this post-processor is created, so that the guard's own dependencies are not
 * initialised early.
 *
 * <p>The wrapped bean is a {@code GuardedChatModel}: inject it as {@code ChatModel}, not as its provider class
 * ({@code OpenAiChatModel}); a bean injected by its provider class must be excluded.
 */
public final class GuardingBeanPostProcessor implements BeanPostProcessor, Ordered {

    private final ObjectProvider<Guard> guard;
    private final Set<String> excluded;

    /**
     * @param guard the guard, resolved on first use
     * @param excluded bean names left unguarded
     */
    public GuardingBeanPostProcessor(ObjectProvider<Guard> guard, Set<String> excluded) {
        this.guard = guard;
        this.excluded = Set.copyOf(excluded);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (excluded.contains(beanName)) {
            return bean;
        }
        if (bean instanceof ChatModel model && !(bean instanceof GuardedChatModel)) {
            return GuardedChatModel.wrap(model, guard.getObject());
        }
        if (bean instanceof StreamingChatModel model && !(bean instanceof GuardedStreamingChatModel)) {
            return GuardedStreamingChatModel.wrap(model, guard.getObject());
        }
        return bean;
    }

    /** Last, so that other post-processors (proxies, metrics) see the provider's model and the guard sees theirs. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
