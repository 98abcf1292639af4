package dev.agentguard.opentelemetry;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** Chat models that answer as told, as a provider's client would (no mocks). */
final class Fakes {

    private Fakes() {
    }

    static ChatResponse reply(String model, String text, TokenUsage usage) {
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).modelName(model).id("resp-1")
                .finishReason(FinishReason.STOP).tokenUsage(usage).build();
    }

    /** A synchronous model; records the requests it receives. */
    static final class Chat implements ChatModel {
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        final String model;
        Function<ChatRequest, ChatResponse> answer;

        Chat(String model) {
            this.model = model;
            this.answer = r -> reply(r.modelName() + "-2026-01-01", "ok", new TokenUsage(120, 30));
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            requests.add(request);
            return answer.apply(request);
        }

        @Override
        public ChatRequestParameters defaultRequestParameters() {
            return ChatRequestParameters.builder().modelName(model).build();
        }

        @Override
        public ModelProvider provider() {
            return ModelProvider.OPEN_AI;
        }
    }

    /** A streaming model that answers on the executor it is given: another thread, as an HTTP client's. */
    static final class Streaming implements StreamingChatModel {
        final String model;
        final Executor callbacks;

        Streaming(String model, Executor callbacks) {
            this.model = model;
            this.callbacks = callbacks;
        }

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
            callbacks.execute(() -> {
                handler.onPartialResponse("Hel");
                handler.onPartialResponse("lo");
                handler.onCompleteResponse(reply(request.modelName(), "Hello", new TokenUsage(40, 2)));
            });
        }

        @Override
        public ChatRequestParameters defaultRequestParameters() {
            return ChatRequestParameters.builder().modelName(model).build();
        }

        @Override
        public ModelProvider provider() {
            return ModelProvider.ANTHROPIC;
        }
    }
}
