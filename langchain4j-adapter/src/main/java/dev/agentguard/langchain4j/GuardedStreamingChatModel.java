package dev.agentguard.langchain4j;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * A {@link StreamingChatModel} whose every call is admitted by a {@link Guard} before it starts and settled when
 * it ends.
 *
 * <pre>{@code
 * StreamingChatModel streaming = GuardedStreamingChatModel.wrap(openAiStreaming, guard);
 * }</pre>
 *
 * <p>Admission, attribution, truncation, downgrade, routing, the output cap written into the request and shadow
 * mode are those of {@link GuardedChatModel}. Then:
 * <ul>
 *   <li>a refusal goes to {@code handler.onError(GuardBlockedException)}; the delegate is not called;</li>
 *   <li>every callback of the delegate reaches the caller's handler one to one and in order, each overload as
 *       itself (partial response, partial thinking and partial tool call with and without context, complete tool
 *       call, unmapped raw events, complete response, error);</li>
 *   <li>the first partial response, thinking or tool call marks the time to first token;</li>
 *   <li>the admission is settled exactly once: with the usage of the complete response (before the caller's
 *       handler sees it); or failed with the error; or cancelled when the caller cancels the stream through the
 *       {@code StreamingHandle} of a callback context. A cancelled or failed stream reports no usage, and is
 *       never free: it is charged by the policy's {@code streaming.onCancel}, its worst case (the default: the
 *       provider may go on generating, and billing, after the client hangs up) or the prompt plus the output
 *       received so far (estimated from its text). A request the provider refused (HTTP 4xx) is charged
 *       nothing;</li>
 *   <li>if the delegate throws instead of streaming, the admission fails and the exception propagates.</li>
 * </ul>
 *
 * <p>{@link #defaultRequestParameters()}, {@link #provider()} and {@link #supportedCapabilities()} are the
 * delegate's; its listeners fire once per call because its own {@code chat} is called.
 */
public final class GuardedStreamingChatModel extends GuardedModel<StreamingChatModel> implements StreamingChatModel {

    private GuardedStreamingChatModel(Builder b) {
        super(b, StreamingChatModel::provider, StreamingChatModel::defaultRequestParameters, StreamingChatModel::supportedCapabilities);
    }

    /**
     * @param delegate the model to guard
     * @param guard the guard that admits its calls
     * @return the guarded model
     */
    public static GuardedStreamingChatModel wrap(StreamingChatModel delegate, Guard guard) {
        return builder(delegate, guard).build();
    }

    /**
     * @param delegate the model to guard
     * @param guard the guard that admits its calls
     * @return a builder, for routes to other model instances
     */
    public static Builder builder(StreamingChatModel delegate, Guard guard) {
        return new Builder(delegate, guard);
    }

    @Override
    public void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler) {
        CallPlanner.Planned<StreamingChatModel> planned = planner.plan(request);
        Guard guard = planner.guard();
        GuardedCallObserver.ModelCallObservation observed = CallObservers.modelCall(guard, planned.call,
                planner.provider(planner.delegate()), request);
        try {
            chat(guard, planned, options, handler, observed);
        } finally {
            observed.close(); // the stream may go on: its handler settles it on the provider's thread
        }
    }

    private void chat(Guard guard, CallPlanner.Planned<StreamingChatModel> planned, ChatRequestOptions options,
            StreamingChatResponseHandler handler, GuardedCallObserver.ModelCallObservation observed) {
        Admission admission = guard.admitModelCall(planned.call);
        if (!admission.proceeds()) {
            handler.onError(new GuardBlockedException(guard.config().name(), "model call to " + planned.call.model(),
                    admission.decision()));
            return;
        }
        boolean started = false;
        try {
            planner.target(planned, admission);
            observed.admitted(admission, planned.sent, planner.provider(planned.model));
            started = true;
            planned.model.chat(planned.sent, options, new GuardedStreamingHandler(handler, admission,
                    guard.config().tokenEstimator(), observed));
        } catch (RuntimeException | Error e) {
            if (started) {
                admission.fail(e, ProviderErrors.reportedUsage(e));
            } else {
                admission.release(); // never reached the provider
            }
            throw e;
        }
    }

    /** Builds a {@link GuardedStreamingChatModel}: {@code route(model, target)} sends what the guard moves to a model elsewhere. */
    public static final class Builder extends GuardedModel.Builder<StreamingChatModel, Builder> {

        private Builder(StreamingChatModel delegate, Guard guard) {
            super(delegate, guard);
        }

        @Override
        Builder self() {
            return this;
        }

        /** @return the guarded model */
        public GuardedStreamingChatModel build() {
            return new GuardedStreamingChatModel(this);
        }
    }
}
