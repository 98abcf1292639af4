package dev.agentguard.langchain4j;

import dev.agentguard.core.Admission;
import dev.agentguard.core.TokenEstimator;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

/**
 * Sits between a streaming delegate and the caller's handler: forwards every callback one to one (each overload
 * as itself, so that a handler that implements only one of them sees exactly what it would have seen unguarded),
 * marks the first token, estimates the output received so far, and settles the admission on completion, failure
 * or cancellation.
 *
 * <p>The streaming handles inside callback contexts are wrapped so that a caller who cancels the stream cancels
 * the admission, charged by the policy's {@code streaming.onCancel}. The wrapper is cached per delegate handle:
 * providers pass the same handle with every token.
 */
final class GuardedStreamingHandler implements StreamingChatResponseHandler {

    private final StreamingChatResponseHandler handler;
    private final Admission admission;
    private final TokenEstimator estimator;
    private final GuardedCallObserver.ModelCallObservation observed;
    private volatile GuardedHandle last;
    /** Output tokens received so far, estimated chunk by chunk; written by the provider's callback thread only. */
    private volatile long received;

    GuardedStreamingHandler(StreamingChatResponseHandler handler, Admission admission, TokenEstimator estimator,
            GuardedCallObserver.ModelCallObservation observed) {
        this.handler = handler;
        this.admission = admission;
        this.estimator = estimator;
        this.observed = observed;
    }

    private void receive(String text) {
        admission.firstToken();
        if (text != null && !text.isEmpty()) {
            received += estimator.estimate(text); // a sum of rounded-up chunks: errs high, as charges should
        }
    }

    @Override
    public void onPartialResponse(String partialResponse) {
        receive(partialResponse);
        handler.onPartialResponse(partialResponse);
    }

    @Override
    public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
        receive(partialResponse == null ? null : partialResponse.text());
        handler.onPartialResponse(partialResponse, new PartialResponseContext(guard(context.streamingHandle())));
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking) {
        receive(partialThinking == null ? null : partialThinking.text());
        handler.onPartialThinking(partialThinking);
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
        receive(partialThinking == null ? null : partialThinking.text());
        handler.onPartialThinking(partialThinking, new PartialThinkingContext(guard(context.streamingHandle())));
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall) {
        receive(partialToolCall == null ? null : partialToolCall.partialArguments());
        handler.onPartialToolCall(partialToolCall);
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
        receive(partialToolCall == null ? null : partialToolCall.partialArguments());
        handler.onPartialToolCall(partialToolCall, new PartialToolCallContext(guard(context.streamingHandle())));
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall completeToolCall) {
        admission.firstToken(); // providers that do not stream tool arguments send only this
        handler.onCompleteToolCall(completeToolCall);
    }

    @Override
    public void onUnmappedRawEvent(Object rawEvent) {
        handler.onUnmappedRawEvent(rawEvent);
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
        if (completeResponse != null) {
            observed.responded(completeResponse);
        }
        // settled before the caller's handler runs: an AI service issues its next round from inside it
        admission.settle(TokenUsageNormalizer.normalize(completeResponse == null ? null
                : completeResponse.tokenUsage()));
        handler.onCompleteResponse(completeResponse);
    }

    @Override
    public void onError(Throwable error) {
        admission.fail(error, ProviderErrors.reportedUsage(error), received);
        handler.onError(error);
    }

    private StreamingHandle guard(StreamingHandle handle) {
        GuardedHandle cached = last;
        if (cached != null && cached.handle == handle) {
            return cached;
        }
        GuardedHandle guarded = new GuardedHandle(handle, this);
        last = guarded;
        return guarded;
    }

    /** A delegate's handle whose cancellation also cancels the admission. */
    private static final class GuardedHandle implements StreamingHandle {
        final StreamingHandle handle;
        private final GuardedStreamingHandler owner;

        GuardedHandle(StreamingHandle handle, GuardedStreamingHandler owner) {
            this.handle = handle;
            this.owner = owner;
        }

        @Override
        public void cancel() {
            // the caller abandons the stream: nothing more will be reported, yet the provider may bill it all
            owner.admission.cancel(owner.received);
            handle.cancel();
        }

        @Override
        public boolean isCancelled() {
            return handle.isCancelled();
        }
    }
}
