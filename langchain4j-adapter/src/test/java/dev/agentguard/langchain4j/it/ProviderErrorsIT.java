package dev.agentguard.langchain4j.it;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Scope;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedStreamingChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Provider failures through the real clients: each call fails, its reservation is given back (no hold stays open,
 * nothing is counted) and the failure is recorded with the error's class as the outcome.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class ProviderErrorsIT {

    /** One failure: what the stub does, and which client meets it. */
    static final class Failure {
        final String name;
        final StubServer.Reply reply;
        final Function<String, Object> client;

        Failure(String name, StubServer.Reply reply, Function<String, Object> client) {
            this.name = name;
            this.reply = reply;
            this.client = client;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Object openAi(String baseUrl) {
        // the client's own timeout, set low, stands in for a provider that never answers
        return OpenAiChatModel.builder().baseUrl(baseUrl + "/v1").apiKey("k").modelName("gpt-4o-mini").maxRetries(0)
                .timeout(Duration.ofMillis(500)).build();
    }

    static Object openAiStreaming(String baseUrl) {
        return OpenAiStreamingChatModel.builder().baseUrl(baseUrl + "/v1").apiKey("k").modelName("gpt-4o-mini")
                .timeout(Duration.ofMillis(500)).build();
    }

    static Object gemini(String baseUrl) {
        return GoogleAiGeminiChatModel.builder().baseUrl(baseUrl + "/v1beta").apiKey("k").modelName("gemini-2.5-flash")
                .maxRetries(0).timeout(Duration.ofMillis(500)).build();
    }

    static Object anthropic(String baseUrl) {
        return AnthropicChatModel.builder().baseUrl(baseUrl + "/v1/").apiKey("k").modelName("claude-sonnet-4-20250514")
                .maxRetries(0).timeout(Duration.ofMillis(500)).build();
    }

    static Object ollama(String baseUrl) {
        return OllamaChatModel.builder().baseUrl(baseUrl).modelName("llama3.1").maxRetries(0)
                .timeout(Duration.ofMillis(500)).build();
    }

    static List<Failure> failures() {
        String rateLimited = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":"
                + "\"rate_limit_exceeded\"}}";
        String serverError = "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}";
        return List.of(
                new Failure("429 rate limited", StubServer.Reply.status(429, rateLimited), ProviderErrorsIT::openAi),
                new Failure("500 server error", StubServer.Reply.status(500, serverError), ProviderErrorsIT::openAi),
                new Failure("timeout", StubServer.Reply.hang(), ProviderErrorsIT::openAi),
                new Failure("malformed body", StubServer.Reply.json("{\"id\":\"chatcmpl-1\",\"choices\":[{"),
                        ProviderErrorsIT::openAi),
                new Failure("streaming 429", StubServer.Reply.status(429, rateLimited),
                        ProviderErrorsIT::openAiStreaming),
                new Failure("streaming 500", StubServer.Reply.status(500, serverError),
                        ProviderErrorsIT::openAiStreaming),
                new Failure("streaming timeout", StubServer.Reply.hang(), ProviderErrorsIT::openAiStreaming),
                new Failure("streaming malformed chunk", StubServer.Reply.sse(List.of("{\"id\":\"c\",\"choices\":[{",
                        "[DONE]")), ProviderErrorsIT::openAiStreaming),
                new Failure("gemini 500", StubServer.Reply.status(500, "{\"error\":{\"code\":500,\"message\":"
                        + "\"Internal error\",\"status\":\"INTERNAL\"}}"), ProviderErrorsIT::gemini),
                new Failure("gemini response without usage metadata", StubServer.Reply.json(
                        GeminiCostIT.text("gemini-2.5-flash", null)), ProviderErrorsIT::gemini),
                new Failure("anthropic 529 overloaded", StubServer.Reply.status(529, "{\"type\":\"error\",\"error\":"
                        + "{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"), ProviderErrorsIT::anthropic),
                new Failure("anthropic timeout", StubServer.Reply.hang(), ProviderErrorsIT::anthropic),
                new Failure("ollama 500", StubServer.Reply.status(500, "{\"error\":\"model runner has unexpectedly"
                        + " stopped\"}"), ProviderErrorsIT::ollama),
                new Failure("ollama malformed body", StubServer.Reply.json("{\"model\":\"llama3.1\",\"message\":"),
                        ProviderErrorsIT::ollama));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void theFailureIsRecordedAndNothingStaysReserved(Failure failure) {
        Recorder rec = new Recorder(b -> b.budget(Budget.builder("session-budget").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(10)).limitUsd("1.00").build()));
        Throwable error;
        try (StubServer stub = new StubServer().reply(failure.reply)) {
            Object client = failure.client.apply(stub.baseUrl());
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Hello")).maxOutputTokens(100)
                    .build();
            try (GuardScope s = GuardScope.open("errors-it", "session-1")) {
                if (client instanceof ChatModel) {
                    ChatModel model = GuardedChatModel.wrap((ChatModel) client, rec.guard);
                    error = catchThrowable(() -> model.chat(request));
                } else {
                    Streams.Waiting handler = new Streams.Waiting();
                    GuardedStreamingChatModel.wrap((OpenAiStreamingChatModel) client, rec.guard).chat(request, handler);
                    error = handler.awaitError();
                }
            }
            assertThat(stub.requests).as("reached the provider once").hasSize(1);
        }

        assertThat(error).as("the call failed").isNotNull();
        DecisionEvent post = rec.onlyPost();
        assertThat(TestEvents.settled(post).outcome()).isEqualTo(error.getClass().getName()).isNotEqualTo(DecisionEvent.OK);
        if (failure.name.contains("429")) {
            assertThat(TestEvents.settled(post).costNanos()).as("refused by the provider: billed nothing").isZero();
        } else {
            assertThat(TestEvents.settled(post).costNanos()).as("a failure that reports no usage may have been billed: worst case")
                    .isPositive().isEqualTo(TestEvents.call(post).reservedNanos());
        }
        assertThat(rec.guard.ledger().openHolds()).isZero();
        assertThat(rec.guard.budgetUsed("session-budget", "session-1")).isEqualTo(TestEvents.settled(post).costNanos());
    }
}
