package dev.agentguard.spring;

import dev.agentguard.core.Guard;
import dev.agentguard.langchain4j.GuardedAiServices;
import java.util.Objects;

/**
 * Builds AI services whose model and tool calls go through the application's guard:
 * <pre>{@code
 * @Bean
 * Assistant assistant(GuardedAiServicesFactory ai, ChatModel model) {
 *     return ai.builder(Assistant.class).chatModel(model).tools(new OrderTools()).build();
 * }
 * }</pre>
 * The chat model beans are guarded already (and are not wrapped twice); what this adds is the tools, the
 * attribution of each call to the invocation, and a tool refusal that ends the invocation.
 */
public final class GuardedAiServicesFactory {

    private final Guard guard;

    /** @param guard the guard of every service built here */
    public GuardedAiServicesFactory(Guard guard) {
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /**
     * @param service the AI service interface
     * @param <T> its type
     * @return a guarded builder for it
     */
    public <T> GuardedAiServices<T> builder(Class<T> service) {
        return GuardedAiServices.builder(service, guard);
    }

    /** @return the guard */
    public Guard guard() {
        return guard;
    }
}
