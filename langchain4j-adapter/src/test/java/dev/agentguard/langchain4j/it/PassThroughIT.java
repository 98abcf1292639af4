package dev.agentguard.langchain4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.langchain4j.GuardedAiServices;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedStreamingChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.MemoryId;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the real clients expose passes through the decorators, and their listeners fire once per call. */
class PassThroughIT {

    /** Counts what a client's listeners see. */
    static final class Counting implements ChatModelListener {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger responses = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();

        @Override
        public void onRequest(ChatModelRequestContext c) {
            requests.incrementAndGet();
        }

        @Override
        public void onResponse(ChatModelResponseContext c) {
            responses.incrementAndGet();
        }

        @Override
        public void onError(ChatModelErrorContext c) {
            errors.incrementAndGet();
        }
    }

    interface Extractor {
        Person extract(@MemoryId String session, @dev.langchain4j.service.UserMessage String text);
    }

    /** A structured answer, so that the AI service asks for a JSON schema when the model supports it. */
    static final class Person {
        public String name;
    }

    static final String USAGE = "{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}";

    @Test
    void defaultsProviderAndCapabilitiesPassThroughAndListenersFireOncePerCall() {
        Recorder rec = new Recorder();
        Counting counting = new Counting();
        try (StubServer stub = new StubServer().otherwise(r -> StubServer.Reply.json(OpenAiCostIT.completion(
                "gpt-4o-mini", "{\"role\":\"assistant\",\"content\":\"{\\\"name\\\":\\\"Ada\\\"}\"}", "stop", USAGE)))) {
            OpenAiChatModel openAi = OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1").apiKey("k")
                    .modelName("gpt-4o-mini").temperature(0.25).maxRetries(0).listeners(List.of(counting))
                    .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA).strictJsonSchema(true).build();
            ChatModel guarded = GuardedChatModel.wrap(openAi, rec.guard);

            assertThat(guarded.defaultRequestParameters()).isEqualTo(openAi.defaultRequestParameters());
            assertThat(guarded.defaultRequestParameters().temperature()).isEqualTo(0.25);
            assertThat(guarded.provider()).isEqualTo(ModelProvider.OPEN_AI);
            assertThat(guarded.supportedCapabilities()).containsExactly(Capability.RESPONSE_FORMAT_JSON_SCHEMA);

            guarded.chat("one");
            guarded.chat(UserMessage.from("two"));
            guarded.chat(ChatRequest.builder().messages(UserMessage.from("three")).build());
            Extractor extractor = GuardedAiServices.builder(Extractor.class, rec.guard).chatModel(openAi)
                    .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10)))
                    .build();
            Person ada = extractor.extract("s1", "Ada Lovelace wrote the first program.");

            assertThat(ada.name).isEqualTo("Ada");
            assertThat(counting.requests).hasValue(4);
            assertThat(counting.responses).hasValue(4);
            assertThat(counting.errors).hasValue(0);
            assertThat(rec.post()).hasSize(4);
            assertThat(stub.requests).allSatisfy(r -> assertThat(r.json().get("temperature").asDouble())
                    .as("the default parameters reach the wire").isEqualTo(0.25));
            assertThat(stub.requests.get(3).json().get("response_format").get("type").asText())
                    .as("the service saw the JSON-schema capability through the decorator").isEqualTo("json_schema");
        }
    }

    @Test
    void aStreamingClientsListenersFireOncePerCall() {
        Recorder rec = new Recorder();
        Counting counting = new Counting();
        try (StubServer stub = new StubServer().otherwise(r -> StubServer.Reply.sse(List.of(OpenAiStreamingCostIT
                .text("gpt-4o-mini", USAGE).split("\n"))))) {
            OpenAiStreamingChatModel openAi = OpenAiStreamingChatModel.builder().baseUrl(stub.baseUrl() + "/v1")
                    .apiKey("k").modelName("gpt-4o-mini").temperature(0.25).listeners(List.of(counting)).build();
            StreamingChatModel guarded = GuardedStreamingChatModel.wrap(openAi, rec.guard);

            for (int i = 0; i < 2; i++) {
                Streams.Waiting handler = new Streams.Waiting();
                guarded.chat("hello " + i, handler);
                assertThat(handler.await().aiMessage().text()).isEqualTo("Hello there");
                assertThat(String.join("", handler.partials)).isEqualTo("Hello there");
            }

            assertThat(guarded.defaultRequestParameters()).isEqualTo(openAi.defaultRequestParameters());
            assertThat(guarded.provider()).isEqualTo(ModelProvider.OPEN_AI);
            assertThat(counting.requests).hasValue(2);
            assertThat(counting.responses).hasValue(2);
            assertThat(rec.post()).hasSize(2);
        }
    }
}
