package dev.agentguard.langchain4j;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.log.GuardMdc;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A {@link ChatModel} whose every call is admitted by a {@link Guard} before it is made and settled after it.
 *
 * <pre>{@code
 * ChatModel model = GuardedChatModel.wrap(openAi, guard);
 * }</pre>
 *
 * <p>Every overload of {@code chat} ends in {@link #chat(ChatRequest, ChatRequestOptions)}, which:
 * <ol>
 *   <li>attributes the call: to the AI-service invocation that issued the request (see {@link GuardedAiServices}),
 *       else to the {@link dev.agentguard.core.GuardScope} bound to the thread;</li>
 *   <li>admits it with the model name and output cap the delegate will use (its default parameters overridden by
 *       the request's), the prompt's tokens, and a fingerprint of messages and tools. The tokens are counted with
 *       OpenAI's tokenizer for an OpenAI model when jtokkit is on the class path ({@code tokens.estimator: auto},
 *       the default, or {@code openai}), else estimated (the guard's {@link dev.agentguard.core.TokenEstimator},
 *       by default script-aware, plus what a provider adds per message and tool); images and other non-text parts
 *       are charged a bound each;</li>
 *   <li>on a refusal throws {@link GuardBlockedException} without calling the delegate;</li>
 *   <li>on {@code truncate} drops the oldest messages until the prompt fits by the same count (tool calls stay with
 *       their results; system messages and the latest user message stay), and records how many messages and tokens
 *       went;</li>
 *   <li>on {@code downgrade} sends the request to the cheaper model: the instance routed to it by
 *       {@code builder(delegate, guard).route(model, target)} if any, else the delegate with the request's {@code modelName}
 *       rewritten and the parameters the cheaper model may reject dropped (OpenAI reasoning effort and the output
 *       cap's field, Anthropic thinking);</li>
 *   <li>writes the output cap the call was reserved for ({@link Admission#maxOutputTokens()}) into the request
 *       it sends, on the field the target model reads (OpenAI reasoning models {@code max_completion_tokens},
 *       other OpenAI models {@code max_tokens}, Anthropic {@code max_tokens}, Gemini {@code maxOutputTokens}, the
 *       common {@code maxOutputTokens} elsewhere), so that the provider cannot bill more output, reasoning
 *       included, than was reserved; a routed instance's default cap cannot raise it;</li>
 *   <li>calls the delegate's {@code chat(request, options)} (never {@code doChat}), so that the delegate's
 *       listeners fire exactly once per call;</li>
 *   <li>settles the admission with the response's usage (see {@link TokenUsageNormalizer}) and the latency, or, if
 *       the delegate throws, fails it with the error and rethrows: a request the provider refused (HTTP 4xx) is
 *       charged nothing, any other failure the policy's {@code streaming.onCancel} (by default its worst case,
 *       since the provider may have billed it).</li>
 * </ol>
 * Exactly one of settle, fail or release happens for every admission, whatever is thrown.
 *
 * <p>{@link #defaultRequestParameters()}, {@link #provider()} and {@link #supportedCapabilities()} are the
 * delegate's. The listeners are not forwarded: the delegate fires its own.
 *
 * <p><b>Shadow mode.</b> A shadow decision changes nothing: the request reaches the delegate as the caller built
 * it, neither truncated nor downgraded, and without a cap if it had none, so such a call can be billed past its
 * reservation (it is settled at its actual cost).
 *
 * <p><b>Limits.</b> A parameter set in the delegate's <em>default</em> parameters cannot be removed per request
 * (LangChain4j merges the request over the defaults): if the cheaper model rejects one of them (a default
 * {@code max_tokens} sent to an OpenAI reasoning model), route the model to an instance configured for it. Gemini
 * thinking is a model-level setting for the same reason.
 */
public final class GuardedChatModel extends GuardedModel<ChatModel> implements ChatModel {

    private GuardedChatModel(Builder b) {
        super(b, ChatModel::provider, ChatModel::defaultRequestParameters, ChatModel::supportedCapabilities);
    }

    /**
     * @param delegate the model to guard
     * @param guard the guard that admits its calls
     * @return the guarded model
     */
    public static GuardedChatModel wrap(ChatModel delegate, Guard guard) {
        return builder(delegate, guard).build();
    }

    /**
     * @param delegate the model to guard
     * @param guard the guard that admits its calls
     * @return a builder, for routes to other model instances
     */
    public static Builder builder(ChatModel delegate, Guard guard) {
        return new Builder(delegate, guard);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        CallPlanner.Planned<ChatModel> planned = planner.plan(request);
        Guard guard = planner.guard();
        GuardedCallObserver.ModelCallObservation observed = CallObservers.modelCall(guard, planned.call,
                planner.provider(planner.delegate()), request);
        try {
            return chat(guard, planned, options, observed);
        } finally {
            observed.close();
        }
    }

    private ChatResponse chat(Guard guard, CallPlanner.Planned<ChatModel> planned, ChatRequestOptions options,
            GuardedCallObserver.ModelCallObservation observed) {
        Admission admission = guard.admitModelCall(planned.call);
        try {
            if (!admission.proceeds()) {
                throw new GuardBlockedException(guard.config().name(), "model call to " + planned.call.model(),
                        admission.decision());
            }
            planner.target(planned, admission);
            observed.admitted(admission, planned.sent, planner.provider(planned.model));
            ChatResponse response;
            // the delegate's own log lines (HTTP client, listeners) carry the agent and session
            try (GuardMdc.Binding mdc = GuardMdc.bind(planned.call.scope())) {
                response = planned.model.chat(planned.sent, options);
            } catch (RuntimeException | Error e) {
                admission.fail(e, ProviderErrors.reportedUsage(e));
                throw e;
            }
            if (response != null) {
                observed.responded(response);
            }
            admission.settle(TokenUsageNormalizer.normalize(response == null ? null : response.tokenUsage()));
            return response;
        } finally {
            admission.close(); // releases only what neither settle nor fail took: a throw before the call
        }
    }

    /** Builds a {@link GuardedChatModel}: {@code route(model, target)} sends what the guard moves to a model elsewhere. */
    public static final class Builder extends GuardedModel.Builder<ChatModel, Builder> {

        private Builder(ChatModel delegate, Guard guard) {
            super(delegate, guard);
        }

        @Override
        Builder self() {
            return this;
        }

        /** @return the guarded model */
        public GuardedChatModel build() {
            return new GuardedChatModel(this);
        }
    }
}
