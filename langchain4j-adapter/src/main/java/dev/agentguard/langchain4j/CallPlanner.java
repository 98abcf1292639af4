package dev.agentguard.langchain4j;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Decision;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
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

    /** The request as the guard sees it, and what is needed to reshape it after admission. */
    static final class Planned {
        final ChatRequest request;
        final GuardScope scope;
        final PromptDigest digest;
        final PromptTokens tokens;
        final ModelCall call;

        Planned(ChatRequest request, GuardScope scope, PromptDigest digest, PromptTokens tokens, ModelCall call) {
            this.request = request;
            this.scope = scope;
            this.digest = digest;
            this.tokens = tokens;
            this.call = call;
        }
    }

    /** Where an admitted call goes and with which request. */
    static final class Target<M> {
        final M model;
        final ChatRequest request;

        Target(M model, ChatRequest request) {
            this.model = model;
            this.request = request;
        }
    }

    Guard guard() {
        return guard;
    }

    M delegate() {
        return delegate;
    }

    /**
     * @param request the caller's request
     * @return the call to admit, attributed to the AI-service invocation that issued this request, else to the
     *     thread's bound scope
     */
    Planned plan(ChatRequest request) {
        GuardScope scope = AiServiceScopes.forRequest(request);
        ChatRequestParameters effective = effective(request);
        String model = effective.modelName() == null || effective.modelName().isBlank()
                ? UNNAMED_MODEL : effective.modelName();
        PromptTokens tokens = PromptTokens.choose(guard.config(), model);
        PromptDigest digest = PromptDigest.of(request.messages(), effective.toolSpecifications(),
                tokens instanceof PromptTokens.Conservative);
        long prompt = tokens.request(digest, request.messages(), effective.toolSpecifications());
        ModelCall.Builder call = ModelCall.builder(model).scope(scope).provider(priceProvider)
                .requestFingerprint(digest.fingerprint());
        if (prompt >= 0) {
            call.promptTokens(prompt);
        } else {
            call.promptText(digest.text()); // an estimator of the application's own: the guard applies it
        }
        Integer maxOut = effective.maxOutputTokens();
        if (maxOut == null && Providers.OPENAI) {
            maxOut = OpenAiSupport.maxCompletionTokens(effective);
        }
        if (maxOut != null && maxOut > 0) {
            call.maxOutputTokens(maxOut);
        }
        return new Planned(request, scope, digest, tokens, call.build());
    }

    /** The parameters the delegate will send: its defaults overridden by the request's, as its chat() does. */
    private ChatRequestParameters effective(ChatRequest request) {
        ChatRequestParameters defaults = defaultsOf.apply(delegate);
        if (defaults == null) {
            return request.parameters();
        }
        try {
            return defaults.overrideWith(request.parameters());
        } catch (RuntimeException e) {
            return request.parameters(); // a parameters class that cannot merge: price what the request says
        }
    }

    /**
     * Applies an admitted decision: a truncation drops old messages (recorded on the admission), a downgrade
     * renames the model and drops what the cheaper model may reject, or routes to the instance configured for it.
     * In shadow mode the decision changes nothing.
     */
    Target<M> target(Planned planned, Admission admission) {
        Decision d = admission.decision();
        ChatRequest request = planned.request;
        if (d.isShadow()) {
            return new Target<>(delegate, request);
        }
        if (d.targetPromptTokens() != Decision.NO_FIGURE && d.targetPromptTokens() > 0) {
            // sized as admission sized them, so that no more is dropped than that count needs
            List<ToolSpecification> tools = effective(request).toolSpecifications();
            Truncation.Result fit = Truncation.fit(request.messages(), planned.tokens.fixed(tools),
                    d.targetPromptTokens(), planned.tokens::message);
            if (fit.droppedMessages > 0) {
                request = request.toBuilder().messages(fit.messages).build();
            }
            admission.truncated(fit.droppedMessages, fit.droppedTokens);
        }
        String model = d.model();
        if (model == null || model.equals(d.requestedModel())) {
            return new Target<>(delegate, request);
        }
        M routed = routes.get(model);
        M target = routed == null ? delegate : routed;
        boolean sameProvider = providerOf.apply(target) == providerOf.apply(delegate);
        return new Target<>(target, request.toBuilder().parameters(retarget(request.parameters(), model,
                sameProvider)).build());
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
