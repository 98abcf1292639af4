package dev.agentguard.langchain4j.it;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedStreamingChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.googleai.GeminiThinkingConfig;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The output cap reserved is the output cap sent. Through the real clients, a request without a cap of its own
 * reaches the provider with the cap it was reserved for, on the field the model reads; the stub answers like a
 * provider that honours it (at most the cap's output tokens, reasoning and thoughts included; 8 000 without a cap),
 * and the call is charged within its reservation.
 *
 * <p>Rates in nano-dollars per token, input / output: gpt-4.1-mini 400 / 1 600, gpt-4o-mini 150 / 600, gpt-4o
 * 2 500 / 10 000, o4-mini 1 100 / 4 400, gpt-5-mini 250 / 2 000, gemini-2.5-flash 300 / 2 500, claude-sonnet-4 3 000 /
 * 15 000, claude-3-5-haiku 800 / 4 000. Reasoning and thoughts are billed as output. Every prompt is estimated at
 * {@link Recorder#ESTIMATED_PROMPT_TOKENS} and reported as {@link #PROMPT} tokens.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class OutputCapIT {

    /** Output tokens of an answer that nothing caps. */
    static final int RUNAWAY = 8_000;
    /** Prompt tokens every stub answer reports. */
    static final int PROMPT = 10;
    /** The policy's defaultMaxOutputTokens in these tests. */
    static final int DEFAULT_CAP = 600;

    /** @return the output tokens a provider produces under this cap (null: none sent) */
    static int produced(JsonNode cap) {
        return cap == null || cap.isNull() ? RUNAWAY : Math.min(cap.asInt(), RUNAWAY);
    }

    /** Chat completions: the cap is max_completion_tokens, else max_tokens; a reasoning model thinks half of it. */
    static StubServer.Reply openAi(StubServer.Recorded r, boolean streaming) {
        JsonNode body = r.json();
        String model = body.get("model").asText();
        int completion = produced(body.has("max_completion_tokens") ? body.get("max_completion_tokens")
                : body.get("max_tokens"));
        int reasoning = model.startsWith("o") || model.startsWith("gpt-5") ? completion / 2 : 0;
        String usage = "{\"prompt_tokens\":" + PROMPT + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                + (PROMPT + completion) + ",\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoning + "}}";
        return streaming ? StubServer.Reply.sse(List.of(OpenAiStreamingCostIT.text(model, usage).split("\n")))
                : StubServer.Reply.json(OpenAiCostIT.text(model, usage));
    }

    private static ChatModel openAi(StubServer stub, String model) {
        return OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1").apiKey("k").modelName(model).maxRetries(0)
                .timeout(Duration.ofSeconds(10)).build();
    }

    private static Recorder withDefaultCap() {
        return new Recorder(b -> b.defaultMaxOutputTokens(DEFAULT_CAP));
    }

    @Test
    void twoRunawayAnswersAdmittedTogetherStayWithinTheirOneCentLimit() throws Exception {
        // gpt-4.1-mini reserves 1 000 x 400 + 1 000 x 1 600 = 2 000 000 a call: both fit in $0.01 at once. Sent
        // without a cap, each 8 000-token answer costs 10 x 400 + 8 000 x 1 600 = 12 804 000, past the limit alone.
        Recorder rec = new Recorder(b -> b.defaultMaxOutputTokens(1_000).budget(Budget.builder("session-budget")
                .scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitUsd("0.01").build()));
        CountDownLatch bothSent = new CountDownLatch(2);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (StubServer stub = new StubServer().otherwise(r -> {
            bothSent.countDown(); // neither is answered, so neither is billed, before both were admitted
            try {
                if (!bothSent.await(10, TimeUnit.SECONDS)) {
                    return StubServer.Reply.status(500, "{\"error\":\"only one call arrived\"}");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return openAi(r, false);
        })) {
            ChatModel model = GuardedChatModel.wrap(openAi(stub, "gpt-4.1-mini"), rec.guard);
            List<Future<?>> calls = new ArrayList<>();
            for (String prompt : List.of("Write a long story", "Write a longer story")) {
                calls.add(callers.submit(() -> {
                    try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
                        return model.chat(prompt);
                    }
                }));
            }
            for (Future<?> call : calls) {
                call.get(20, TimeUnit.SECONDS);
            }

            assertThat(rec.guard.budgetUsed("session-budget", "session-1")).as("spend against $0.01")
                    .isLessThanOrEqualTo(10_000_000);
            assertThat(stub.requests).hasSize(2)
                    .allSatisfy(r -> assertThat(r.json().path("max_tokens").asInt()).isEqualTo(1_000));
        } finally {
            callers.shutdownNow();
        }
        assertThat(rec.post()).hasSize(2).allSatisfy(p -> {
            assertThat(TestEvents.settled(p).outcome()).isEqualTo(DecisionEvent.OK);
            assertThat(TestEvents.settled(p).costNanos()).isEqualTo(PROMPT * 400 + 1_000 * 1_600).isLessThanOrEqualTo(TestEvents.call(p).reservedNanos());
        });
        assertThat(rec.guard.budgetUsed("session-budget", "session-1")).isEqualTo(2 * (PROMPT * 400 + 1_000 * 1_600));
    }

    @ParameterizedTest(name = "{0} streaming={5}")
    @CsvSource({
            "gpt-4o-mini, max_tokens, max_completion_tokens, 150, 600, false",
            "gpt-4o-mini, max_tokens, max_completion_tokens, 150, 600, true",
            "o4-mini, max_completion_tokens, max_tokens, 1100, 4400, false",
            "o4-mini, max_completion_tokens, max_tokens, 1100, 4400, true",
            "gpt-5-mini, max_completion_tokens, max_tokens, 250, 2000, false"})
    void openAiGetsTheReservedCapOnTheFieldTheModelAccepts(String modelName, String field, String absent,
            long inputRate, long outputRate, boolean streaming) {
        Recorder rec = withDefaultCap();
        try (StubServer stub = new StubServer().otherwise(r -> openAi(r, streaming))) {
            ChatRequest hello = ChatRequest.builder().messages(UserMessage.from("Hello")).build();
            try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
                if (streaming) {
                    StreamingChatModel model = GuardedStreamingChatModel.wrap(OpenAiStreamingChatModel.builder()
                            .baseUrl(stub.baseUrl() + "/v1").apiKey("k").modelName(modelName)
                            .timeout(Duration.ofSeconds(10)).build(), rec.guard);
                    Streams.Waiting handler = new Streams.Waiting();
                    model.chat(hello, handler);
                    handler.await();
                } else {
                    GuardedChatModel.wrap(openAi(stub, modelName), rec.guard).chat(hello);
                }
            }

            assertThat(stub.requests).singleElement().satisfies(r -> {
                assertThat(r.json().path(field).asInt()).isEqualTo(DEFAULT_CAP);
                assertThat(r.json().has(absent)).as(absent).isFalse();
            });
        }
        DecisionEvent post = rec.onlyPost();
        Usage usage = TestEvents.settled(post).usage();
        assertThat(usage.output() + usage.reasoning()).as("output and reasoning within the cap").isEqualTo(DEFAULT_CAP);
        assertThat(usage.reasoning()).isEqualTo(modelName.startsWith("gpt-4o") ? 0 : DEFAULT_CAP / 2);
        assertThat(TestEvents.call(post).reservedNanos()).isEqualTo(Recorder.ESTIMATED_PROMPT_TOKENS * inputRate + DEFAULT_CAP * outputRate);
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(PROMPT * inputRate + DEFAULT_CAP * outputRate)
                .isLessThanOrEqualTo(TestEvents.call(post).reservedNanos());
    }

    @Test
    void aDowngradeToAReasoningModelMovesTheReservedCapToMaxCompletionTokens() {
        // gpt-4o reserves 1 000 x 2 500 + 600 x 10 000 = 8 500 000, past half of $0.01; o4-mini 3 740 000
        Recorder rec = new Recorder(b -> b.defaultMaxOutputTokens(DEFAULT_CAP).ladder(List.of("gpt-4o", "o4-mini"))
                .budget(Budget.builder("session-budget").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.01").downgradeAt(50).build()));
        try (StubServer stub = new StubServer().otherwise(r -> openAi(r, false))) {
            try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
                GuardedChatModel.wrap(openAi(stub, "gpt-4o"), rec.guard).chat("Hello");
            }

            assertThat(stub.requests).singleElement().satisfies(r -> {
                assertThat(r.json().get("model").asText()).isEqualTo("o4-mini");
                assertThat(r.json().path("max_completion_tokens").asInt()).isEqualTo(DEFAULT_CAP);
                assertThat(r.json().has("max_tokens")).isFalse();
            });
        }
        assertThat(rec.pre().get(0).action()).isEqualTo(Action.DOWNGRADE);
        assertThat(TestEvents.settled(rec.onlyPost()).costNanos()).isEqualTo(PROMPT * 1_100 + DEFAULT_CAP * 4_400);
    }

    @Test
    void aGeminiThinkingModelGetsTheReservedCapAndItsThoughtsCountAgainstIt() {
        Recorder rec = withDefaultCap();
        // generateContent: the cap is generationConfig.maxOutputTokens; thoughts take half of it
        try (StubServer stub = new StubServer().otherwise(r -> {
            int produced = produced(r.json().path("generationConfig").get("maxOutputTokens"));
            int thoughts = produced / 2;
            return StubServer.Reply.json(GeminiCostIT.text(GeminiCostIT.FLASH, "{\"promptTokenCount\":" + PROMPT
                    + ",\"candidatesTokenCount\":" + (produced - thoughts) + ",\"thoughtsTokenCount\":" + thoughts
                    + ",\"totalTokenCount\":" + (PROMPT + produced) + "}"));
        })) {
            ChatModel model = GuardedChatModel.wrap(GoogleAiGeminiChatModel.builder().baseUrl(stub.baseUrl() + "/v1beta")
                    .apiKey("k").modelName(GeminiCostIT.FLASH).maxRetries(0).timeout(Duration.ofSeconds(10))
                    .thinkingConfig(GeminiThinkingConfig.builder().thinkingBudget(1_024).build()).build(), rec.guard);

            try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
                model.chat("Hello");
            }

            assertThat(stub.requests).singleElement().satisfies(r -> {
                JsonNode config = r.json().get("generationConfig");
                assertThat(config.path("maxOutputTokens").asInt()).isEqualTo(DEFAULT_CAP);
                assertThat(config.path("thinkingConfig").path("thinkingBudget").asInt()).isEqualTo(1_024);
            });
        }
        DecisionEvent post = rec.onlyPost();
        assertThat(TestEvents.settled(post).usage().reasoning()).isEqualTo(DEFAULT_CAP / 2);
        assertThat(TestEvents.call(post).reservedNanos()).isEqualTo(Recorder.ESTIMATED_PROMPT_TOKENS * 300 + DEFAULT_CAP * 2_500);
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(PROMPT * 300 + DEFAULT_CAP * 2_500)
                .isLessThanOrEqualTo(TestEvents.call(post).reservedNanos());
    }

    /** The Messages API: the cap is max_tokens. */
    static StubServer.Reply anthropic(StubServer.Recorded r) {
        JsonNode body = r.json();
        return StubServer.Reply.json(AnthropicCostIT.text(body.get("model").asText(), "{\"input_tokens\":" + PROMPT
                + ",\"output_tokens\":" + produced(body.get("max_tokens")) + "}"));
    }

    @Test
    void anthropicIsSentTheCapItsCallWasReservedFor() {
        // AnthropicChatModel's own default max_tokens is 1 024: the call is reserved for that and sent with it. The
        // worst case prices the prompt at the cache-write rate, 3 750.
        Recorder rec = withDefaultCap();
        try (StubServer stub = new StubServer().otherwise(OutputCapIT::anthropic)) {
            ChatModel model = GuardedChatModel.wrap(AnthropicChatModel.builder().baseUrl(stub.baseUrl() + "/v1/")
                    .apiKey("k").modelName(AnthropicCostIT.SONNET).maxRetries(0).timeout(Duration.ofSeconds(10))
                    .build(), rec.guard);

            try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
                model.chat("Hello");
            }

            assertThat(stub.requests).singleElement()
                    .satisfies(r -> assertThat(r.json().path("max_tokens").asInt()).isEqualTo(1_024));
        }
        DecisionEvent post = rec.onlyPost();
        assertThat(TestEvents.call(post).reservedNanos()).isEqualTo(Recorder.ESTIMATED_PROMPT_TOKENS * 3_750 + 1_024 * 15_000);
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(PROMPT * 3_000 + 1_024 * 15_000);
    }

    @Test
    void aCallRoutedToAnthropicKeepsTheCapReservedInsteadOfTheRoutedClientsDefault() {
        // gpt-4o reserves 8 500 000, past half of $0.01; claude-3-5-haiku 1 000 x 1 000 (the cache-write rate, its
        // worst case) + 600 x 4 000 = 3 400 000
        Recorder rec = new Recorder(b -> b.defaultMaxOutputTokens(DEFAULT_CAP)
                .ladder(List.of("gpt-4o", "claude-3-5-haiku-latest"))
                .budget(Budget.builder("session-budget").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.01").downgradeAt(50).build()));
        try (StubServer openAi = new StubServer(); StubServer anthropic = new StubServer()
                .otherwise(OutputCapIT::anthropic)) {
            ChatModel model = GuardedChatModel.builder(openAi(openAi, "gpt-4o"), rec.guard)
                    .route("claude-3-5-haiku-latest", AnthropicChatModel.builder()
                            .baseUrl(anthropic.baseUrl() + "/v1/").apiKey("k").modelName("claude-3-5-haiku-latest")
                            .maxRetries(0).timeout(Duration.ofSeconds(10)).build())
                    .build();

            try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
                model.chat("Hello");
            }

            assertThat(openAi.requests).isEmpty();
            assertThat(anthropic.requests).singleElement()
                    .satisfies(r -> assertThat(r.json().path("max_tokens").asInt()).isEqualTo(DEFAULT_CAP));
        }
        DecisionEvent post = rec.onlyPost();
        assertThat(TestEvents.call(post).reservedNanos()).isEqualTo(Recorder.ESTIMATED_PROMPT_TOKENS * 1_000 + DEFAULT_CAP * 4_000);
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(PROMPT * 800 + DEFAULT_CAP * 4_000);
    }
}
