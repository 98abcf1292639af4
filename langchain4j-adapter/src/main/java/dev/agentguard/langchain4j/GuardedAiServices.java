package dev.agentguard.langchain4j;

import dev.agentguard.core.Guard;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.observability.api.listener.AiServiceCompletedListener;
import dev.langchain4j.observability.api.listener.AiServiceErrorListener;
import dev.langchain4j.observability.api.listener.AiServiceRequestIssuedListener;
import dev.langchain4j.observability.api.listener.AiServiceStartedListener;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.tool.AiServiceTool;
import dev.langchain4j.service.tool.ToolErrorHandlerResult;
import dev.langchain4j.service.tool.ToolExecutionErrorHandler;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderResult;
import dev.langchain4j.service.tool.ToolService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Wires a LangChain4j AI service so that every model call and every tool call is guarded and attributed, without
 * threading ids through the code.
 *
 * <pre>{@code
 * Assistant assistant = GuardedAiServices.builder(Assistant.class, guard)
 *         .chatModel(openAi)                        // or .streamingChatModel(...): wrapped
 *         .tools(new BookingTools())                // @Tool objects, tool maps, tool providers: wrapped
 *         .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20)))
 *         .build();
 * assistant.chat("session-42", "Book me a table");  // interface Assistant { String chat(@MemoryId String id, @UserMessage String m); }
 * }</pre>
 *
 * <p>What {@link #build()} does:
 * <ul>
 *   <li>the chat models become {@link GuardedChatModel} / {@link GuardedStreamingChatModel} (unless they already
 *       are), and every tool executor a {@link GuardedToolExecutor};</li>
 *   <li>it registers listeners on the service: each invocation's scope is fixed when it starts (agent: the name
 *       given to {@link #agent(String)}, else the thread's bound one, else the service interface's simple name;
 *       session: the {@code @MemoryId}; user and tenant: the thread's bound {@link dev.agentguard.core.GuardScope};
 *       turn: the invocation id), every request the service issues is attributed to it (output-guardrail reprompts
 *       and streaming rounds on other threads included), and it is forgotten when the invocation completes or
 *       fails;</li>
 *   <li>it installs a tool error handler that rethrows {@link GuardBlockedException}, so that a tool call refused
 *       with {@code block} ends the invocation instead of being turned into text for the model; other errors go
 *       to the handler given to {@link #toolExecutionErrorHandler}, or become their message as LangChain4j's
 *       default does;</li>
 *   <li>each invocation's start and end are reported to the guard's {@link GuardedCallObserver}s (tracing's
 *       {@code invoke_agent} spans).</li>
 * </ul>
 *
 * <p>Give models, tools and the tool error handler to this helper, not to the {@code AiServices} builder: what is
 * set there directly is not guarded, and a tool error handler set there is replaced. Anything else (memory,
 * guardrails, RAG, system messages) goes through {@link #configure(Consumer)} or on the builder passed to
 * {@link #of(AiServices, Guard)}. Tools of {@code @Tool} objects lose {@code @CompensateFor} actions, which
 * LangChain4j only supports on its own executors.
 *
 * @param <T> the AI service interface
 */
public final class GuardedAiServices<T> {

    private final AiServices<T> services;
    private final Guard guard;
    private String agent;
    private ToolExecutionErrorHandler errorHandler;

    private GuardedAiServices(AiServices<T> services, Guard guard) {
        this.services = Objects.requireNonNull(services, "services");
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /**
     * @param service the AI service interface
     * @param guard the guard for its model and tool calls
     * @param <T> the interface type
     * @return a helper over a new {@code AiServices} builder
     */
    public static <T> GuardedAiServices<T> builder(Class<T> service, Guard guard) {
        return new GuardedAiServices<>(AiServices.builder(service), guard);
    }

    /**
     * @param services an {@code AiServices} builder, configured or not (but with no models or tools set directly)
     * @param guard the guard for its model and tool calls
     * @param <T> the interface type
     * @return a helper over that builder
     */
    public static <T> GuardedAiServices<T> of(AiServices<T> services, Guard guard) {
        return new GuardedAiServices<>(services, guard);
    }

    /**
     * @param agent the agent name that this service's calls are attributed to; default: the thread's bound
     *     agent, else the service interface's simple name
     * @return this
     */
    public GuardedAiServices<T> agent(String agent) {
        this.agent = agent;
        return this;
    }

    /**
     * @param model the chat model, guarded unless it already is
     * @return this
     */
    public GuardedAiServices<T> chatModel(ChatModel model) {
        services.chatModel(model instanceof GuardedChatModel ? model : GuardedChatModel.wrap(model, guard));
        return this;
    }

    /**
     * @param model the streaming chat model, guarded unless it already is
     * @return this
     */
    public GuardedAiServices<T> streamingChatModel(StreamingChatModel model) {
        services.streamingChatModel(model instanceof GuardedStreamingChatModel ? model
                : GuardedStreamingChatModel.wrap(model, guard));
        return this;
    }

    /**
     * @param objectsWithTools objects with {@code @Tool} methods; each method's executor is guarded under the
     *     tool's name
     * @return this
     */
    public GuardedAiServices<T> tools(Object... objectsWithTools) {
        return tools(Arrays.asList(objectsWithTools));
    }

    /**
     * @param objectsWithTools objects with {@code @Tool} methods
     * @return this
     */
    public GuardedAiServices<T> tools(Collection<?> objectsWithTools) {
        List<AiServiceTool> tools = new ArrayList<>();
        for (Object o : objectsWithTools) {
            // the scan AiServices itself does, so that specifications, argument handling and return behaviours are
            // exactly LangChain4j's; only the executors are wrapped
            for (AiServiceTool t : ToolService.findTools(o)) {
                tools.add(guarded(t));
            }
        }
        services.tools(tools);
        return this;
    }

    /**
     * @param tools tool specifications and their executors, each executor guarded under its tool's name
     * @return this
     */
    public GuardedAiServices<T> tools(Map<ToolSpecification, ToolExecutor> tools) {
        Map<ToolSpecification, ToolExecutor> guarded = new LinkedHashMap<>();
        tools.forEach((spec, executor) -> guarded.put(spec, guarded(spec.name(), executor)));
        services.tools(guarded);
        return this;
    }

    /**
     * @param tools tools with their return behaviour, each executor guarded under its tool's name
     * @return this
     */
    public GuardedAiServices<T> aiServiceTools(List<AiServiceTool> tools) {
        List<AiServiceTool> guarded = new ArrayList<>();
        tools.forEach(t -> guarded.add(guarded(t)));
        services.tools(guarded);
        return this;
    }

    /**
     * @param provider a tool provider; the executors of the tools it provides are guarded on every call to it
     * @return this
     */
    public GuardedAiServices<T> toolProvider(ToolProvider provider) {
        Objects.requireNonNull(provider, "provider");
        services.toolProvider(new ToolProvider() {
            @Override
            public ToolProviderResult provideTools(dev.langchain4j.service.tool.ToolProviderRequest request) {
                ToolProviderResult result = provider.provideTools(request);
                if (result == null) {
                    return null;
                }
                ToolProviderResult.Builder b = ToolProviderResult.builder();
                result.aiServiceTools().forEach(t -> b.add(guarded(t)));
                return b.build();
            }

            @Override
            public boolean isDynamic() {
                return provider.isDynamic();
            }
        });
        return this;
    }

    /**
     * @param handler what to do with tool errors other than a guard's {@code block}; default: the error's message
     *     goes to the model, as in LangChain4j
     * @return this
     */
    public GuardedAiServices<T> toolExecutionErrorHandler(ToolExecutionErrorHandler handler) {
        this.errorHandler = handler;
        return this;
    }

    /**
     * @param configurer configures anything else on the underlying {@code AiServices} builder
     * @return this
     */
    public GuardedAiServices<T> configure(Consumer<AiServices<T>> configurer) {
        configurer.accept(services);
        return this;
    }

    /**
     * Registers the attribution listeners and the tool error handler, and builds the service.
     *
     * @return the AI service
     */
    public T build() {
        String name = agent;
        services.registerListener((AiServiceStartedListener) e -> {
            AiServiceScopes.started(e.invocationContext(), name);
            CallObservers.invocationStarted(guard, e.invocationContext(), AiServiceScopes.forTool(e.invocationContext()));
        });
        services.registerListener((AiServiceRequestIssuedListener) e ->
                AiServiceScopes.issued(e.request(), e.invocationContext(), name));
        services.registerListener((AiServiceCompletedListener) e -> {
            AiServiceScopes.finished(e.invocationContext());
            CallObservers.invocationEnded(guard, e.invocationContext(), null);
        });
        services.registerListener((AiServiceErrorListener) e -> {
            AiServiceScopes.finished(e.invocationContext());
            CallObservers.invocationEnded(guard, e.invocationContext(), e.error());
        });
        ToolExecutionErrorHandler others = errorHandler;
        services.toolExecutionErrorHandler((error, context) -> {
            GuardBlockedException blocked = blocked(error, context.rawError());
            if (blocked != null) {
                throw blocked;
            }
            if (others != null) {
                return others.handle(error, context);
            }
            String message = error == null ? null : error.getMessage();
            return ToolErrorHandlerResult.text(message == null || message.isBlank()
                    ? (error == null ? "unknown error" : error.getClass().getName()) : message);
        });
        return services.build();
    }

    private static GuardBlockedException blocked(Throwable error, Throwable raw) {
        for (Throwable t : new Throwable[] {error, raw}) {
            for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof GuardBlockedException) {
                    return (GuardBlockedException) c;
                }
            }
        }
        return null;
    }

    private AiServiceTool guarded(AiServiceTool tool) {
        ToolExecutor executor = guarded(tool.name(), tool.toolExecutor());
        return executor == tool.toolExecutor() ? tool : tool.toBuilder().toolExecutor(executor).build();
    }

    private ToolExecutor guarded(String name, ToolExecutor executor) {
        return executor instanceof GuardedToolExecutor ? executor : GuardedToolExecutor.wrap(name, executor, guard);
    }
}
