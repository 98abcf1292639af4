package dev.agentguard.langchain4j;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.Admission;
import dev.agentguard.core.Decision;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.PromptTruncator;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the synchronous and the streaming decorator share: turning a {@link ChatRequest} into the guard's
 * {@link ModelCall}, and turning an admitted request into the one actually sent (another model, fewer messages,
 * another {@code ChatModel} instance).
 *
 * @param <M> {@code ChatModel} or {@code StreamingChatModel}
 */
final class CallPlanner<M> {

    /** Model name given to the guard when neither the request nor the model's defaults name one. */
    static final String UNNAMED_MODEL = "unknown";

    private final Guard guard;
    private final M delegate;
    private final Map<String, M> routes;
    private final Function<M, ModelProvider> providerOf;
    private final Function<M, ChatRequestParameters> defaultsOf;
    private final String priceProvider;

    CallPlanner(Guard guard, M delegate, Map<String, M> routes, Function<M, ModelProvider> providerOf,
            Function<M, ChatRequestParameters> defaultsOf) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.routes = Map.copyOf(routes);
        this.providerOf = providerOf;
        this.defaultsOf = defaultsOf;
        ModelProvider own = providerOf.apply(delegate);
        boolean crossProvider = this.routes.values().stream().anyMatch(m -> providerOf.apply(m) != own);
        // Downgraded models are priced under the provider given at admission: with a route to another provider
        // the catalog must match each model by its name instead (genai-prices' model_match).
        this.priceProvider = crossProvider ? null : Providers.priceProviderId(own);
    }

    /** @return the provider of a model instance (the delegate or a route) */
    ModelProvider provider(M model) {
        return providerOf.apply(model);
    }

    /**
     * One call from plan to send: the request as the guard sees it, what is needed to reshape it after admission,
     * and, once {@link #target} has run, where it goes. It is also the call's {@link PromptTruncator}: the
     * truncation is worked out when the guard asks during admission (so that it reserves the prompt that will be
     * sent), sized as admission sized the request, and applied as it was worked out. And it is the digest of the
     * request's prompt ({@link PromptDigest}), walked as it is made. One object per call rather than four, on the
     * hot path.
     *
     * @param <M> the model type (sync or streaming)
     */
    static final class Planned<M> extends PromptDigest implements PromptTruncator {
        final ChatRequest request;
        final GuardScope scope;
        final PromptTokens tokens;
        private final List<ToolSpecification> tools;
        /** Set once by {@link #plan}, right after construction (the call names this object as its truncator). */
        ModelCall call;
        /** The truncation worked out during admission, if the guard asked for one. */
        Truncation.Result fitted;
        /** Set by {@link #target}: the instance the call goes to. */
        M model;
        /** Set by {@link #target}: the request sent to it. */
        ChatRequest sent;

        /** Walks the request's prompt into this plan, which is its digest too (see {@link PromptDigest#walk}). */
        Planned(ChatRequest request, GuardScope scope, PromptTokens tokens, List<ToolSpecification> tools) {
            super(tokens instanceof PromptTokens.Conservative);
            walk(request.messages(), tools);
            this.request = request;
            this.scope = scope;
            this.tokens = tokens;
            this.tools = tools;
        }

        @Override
        public long fit(long targetTokens) {
            fitted = Truncation.fit(request.messages(), tokens.fixed(tools), targetTokens, tokens::message);
            return fitted.tokens;
        }
    }

    Guard guard() {
        return guard;
    }

    M delegate() {
        return delegate;
    }

    /** The sizing last chosen: a planner sees the same model under the same policy call after call. */
    private volatile ChosenTokens lastTokens;

    private record ChosenTokens(GuardConfig config, String model, PromptTokens tokens) {
    }

    private PromptTokens tokensFor(GuardConfig config, String model) {
        ChosenTokens last = lastTokens;
        if (last != null && last.config == config && last.model.equals(model)) {
            return last.tokens;
        }
        PromptTokens tokens = PromptTokens.choose(config, model);
        lastTokens = new ChosenTokens(config, model, tokens);
        return tokens;
    }

    /**
     * @param request the caller's request
     * @return the call to admit, attributed to the AI-service invocation that issued this request, else to the
     *     thread's bound scope
     */
    Planned<M> plan(ChatRequest request) {
        GuardScope scope = AiServiceScopes.forRequest(request);
        ChatRequestParameters effective = effective(request);
        String model = effective.modelName() == null || effective.modelName().isBlank()
                ? UNNAMED_MODEL : effective.modelName();
        PromptTokens tokens = tokensFor(guard.config(), model);
        Planned<M> planned = new Planned<>(request, scope, tokens, effective.toolSpecifications());
        long prompt = tokens.request(planned, request.messages(), effective.toolSpecifications());
        ModelCall.Builder call = ModelCall.builder(model).scope(scope).provider(priceProvider)
                .requestFingerprint(planned.fingerprint()).truncator(planned)
                .continuesToolResult(!request.messages().isEmpty() && request.messages()
                        .get(request.messages().size() - 1) instanceof ToolExecutionResultMessage);
        if (prompt >= 0) {
            call.promptTokens(prompt);
        } else {
            call.promptText(planned.text()); // an estimator of the application's own: the guard applies it
        }
        Integer maxOut = effective.maxOutputTokens();
        if (maxOut == null && Providers.OPENAI) {
            maxOut = OpenAiSupport.maxCompletionTokens(effective);
        }
        if (maxOut != null && maxOut > 0) {
            call.maxOutputTokens(maxOut);
        }
        planned.call = call.build();
        return planned;
    }

    /** The parameters the delegate will send: its defaults overridden by the request's, as its chat() does. */
    private ChatRequestParameters effective(ChatRequest request) {
        ChatRequestParameters defaults = defaultsOf.apply(delegate);
        if (defaults == null || defaults == DefaultChatRequestParameters.EMPTY) {
            return request.parameters(); // nothing to merge: no new parameters object per call
        }
        try {
            return defaults.overrideWith(request.parameters());
        } catch (RuntimeException e) {
            return request.parameters(); // a parameters class that cannot merge: price what the request says
        }
    }

    /**
     * Applies an admitted decision to the request actually sent, and sets where it goes and what is sent
     * ({@link Planned#model}, {@link Planned#sent}):
     * <ul>
     *   <li>a truncation drops old messages (recorded on the admission);</li>
     *   <li>a final answer ({@link Action#FINAL_ANSWER}: a cap was reached) removes the tools and adds a system
     *       note asking for a final answer from what is known;</li>
     *   <li>a downgrade renames the model and drops what the cheaper model may reject, or routes to the instance
     *       configured for it;</li>
     *   <li>the output cap the call was reserved for ({@link Admission#maxOutputTokens()}: the request's own cap,
     *       else the delegate's default, else the policy's {@code defaultMaxOutputTokens}) is written into the
     *       request, on the field the target model accepts (see {@link #capped}), so that the provider cannot bill
     *       more output than was reserved. Without it a request with no cap of its own would go out uncapped, or
     *       with the defaults of a routed instance.</li>
     * </ul>
     * A shadow decision changes nothing, the cap included: the caller's request goes out as it was built, and
     * one without a cap can then be billed past its reservation (settled at its actual cost, as recorded).
     */
    void target(Planned<M> planned, Admission admission) {
        Decision d = admission.decision();
        ChatRequest request = planned.request;
        if (d.isShadow()) {
            planned.model = delegate;
            planned.sent = request;
            return;
        }
        if (d.targetPromptTokens() != Decision.NO_FIGURE && d.targetPromptTokens() > 0) {
            // as worked out at admission, which reserved exactly this
            Truncation.Result fit = planned.fitted != null ? planned.fitted : Truncation.fit(
                    request.messages(), planned.tokens.fixed(effective(request).toolSpecifications()),
                    d.targetPromptTokens(), planned.tokens::message);
            if (fit.droppedMessages > 0) {
                request = request.toBuilder().messages(fit.messages).build();
            }
            admission.truncated(fit.droppedMessages, fit.droppedTokens);
        }
        if (d.action() == Action.FINAL_ANSWER) {
            List<ChatMessage> messages = new ArrayList<>(request.messages());
            messages.add(SystemMessage.from(FINAL_ANSWER_NOTE));
            request = request.toBuilder().messages(messages).parameters(withoutTools(request.parameters())).build();
        }
        M target = delegate;
        String model = planned.call.model();
        ChatRequestParameters parameters = request.parameters();
        if (d.model() != null && !d.model().equals(d.requestedModel())) {
            model = d.model();
            M routed = routes.get(model);
            target = routed == null ? delegate : routed;
            boolean sameProvider = providerOf.apply(target) == providerOf.apply(delegate);
            parameters = retarget(parameters, model, sameProvider);
        }
        parameters = capped(parameters, admission.maxOutputTokens(), model, defaultsOf.apply(target));
        if (parameters != request.parameters()) {
            request = request.toBuilder().parameters(parameters).build();
        }
        planned.model = target;
        planned.sent = request;
    }

    /**
     * Sets the output cap where the target reads it: OpenAI reasoning models (o-series, gpt-5) on
     * {@code max_completion_tokens} (they reject {@code max_tokens}), other OpenAI models on each cap field the
     * request or the target's defaults already use, else {@code max_tokens}; every other provider on the common
     * {@code maxOutputTokens} (Anthropic {@code max_tokens}, Gemini {@code maxOutputTokens}, Ollama
     * {@code num_predict}, ...). The request's cap overrides the target's default, so a routed instance's own
     * default cannot raise it. OpenAI reasoning tokens and Gemini thoughts count against this cap.
     *
     * @param parameters the request's parameters (already re-targeted after a downgrade)
     * @param cap the output cap reserved; nothing is set when it is not positive
     * @param model the model the request goes to
     * @param targetDefaults the default parameters of the instance it goes to, or null
     * @return the parameters with the cap; the same instance when they already carry it
     */
    static ChatRequestParameters capped(ChatRequestParameters parameters, long cap, String model,
            ChatRequestParameters targetDefaults) {
        if (cap <= 0) {
            return parameters;
        }
        int tokens = (int) Math.min(cap, Integer.MAX_VALUE);
        if (Providers.OPENAI) {
            ChatRequestParameters specific = OpenAiSupport.capped(parameters, tokens, model, targetDefaults);
            if (specific != null) {
                return specific;
            }
        }
        Integer sent = parameters.maxOutputTokens();
        if (sent != null && sent == tokens) { // unboxed: no Integer per call
            return parameters;
        }
        // keeps a provider subclass's own fields: overrideWith returns the same class
        return parameters.overrideWith(ChatRequestParameters.builder().maxOutputTokens(tokens).build());
    }

    /** What a call that must end the run with a final answer is told (it goes out without tools). */
    static final String FINAL_ANSWER_NOTE = "A limit of this conversation has been reached and no more tools can be"
            + " called. Give your final answer now, from the information you already have; say what you could not"
            + " find out.";

    /** @return the parameters without tools (and without a tool choice, which would need them) */
    static ChatRequestParameters withoutTools(ChatRequestParameters parameters) {
        if (Providers.OPENAI) {
            ChatRequestParameters specific = OpenAiSupport.withoutTools(parameters);
            if (specific != null) {
                return specific;
            }
        }
        return ChatRequestParameters.builder().overrideWith(parameters).toolSpecifications(List.of()).toolChoice(null)
                .build();
    }

    /** @return the parameters for another model: renamed, without what that model may reject */
    static ChatRequestParameters retarget(ChatRequestParameters parameters, String model, boolean sameProvider) {
        if (!sameProvider) {
            // another provider's client may not understand this one's parameter class: keep the common ones
            return ChatRequestParameters.builder().overrideWith(parameters).modelName(model).build();
        }
        ChatRequestParameters specific = null;
        if (Providers.OPENAI) {
            specific = OpenAiSupport.retarget(parameters, model);
        }
        if (specific == null && Providers.ANTHROPIC) {
            specific = AnthropicSupport.retarget(parameters, model);
        }
        if (specific != null) {
            return specific;
        }
        // keeps a provider subclass's own fields: overrideWith returns the same class
        return parameters.overrideWith(ChatRequestParameters.builder().modelName(model).build());
    }
}
