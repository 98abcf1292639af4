package dev.agentguard.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A chat model that records what reaches doChat and answers as told; it fires its listeners like a real one. */
final class FakeChatModel implements ChatModel {

    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    final List<ChatModelListener> listeners = new ArrayList<>();
    ChatRequestParameters defaults;
    ModelProvider provider = ModelProvider.OPEN_AI;
    Function<ChatRequest, ChatResponse> answer = r -> reply("ok", new TokenUsage(10, 5));

    FakeChatModel(String model) {
        this.defaults = ChatRequestParameters.builder().modelName(model).build();
    }

    static ChatResponse reply(String text, TokenUsage usage) {
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).tokenUsage(usage).build();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        return answer.apply(request);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return provider;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }
}
