package dev.agentguard.langchain4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@link OpenAiChatModel} against a stub of the chat completions API: every payload is recorded at the cost
 * worked out by hand from the genai-prices feed.
 *
 * <p>Rates in nano-dollars per token (USD per million tokens x 1 000): gpt-4o-mini input 150, cached 75, output 600;
 * gpt-4o 2 500, 1 250, 10 000; o3-mini 1 100, 550, 4 400; o4-mini 1 100, 275, 4 400; gpt-4.1-nano 100, 25, 400.
 * None has a reasoning rate: reasoning tokens are billed as output. {@code prompt_tokens} includes the cached ones,
 * {@code completion_tokens} the reasoning ones.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class OpenAiCostIT {

    static String completion(String model, String message, String finish, String usage) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1760000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"message\":" + message + ",\"logprobs\":null,\"finish_reason\":\""
                + finish + "\"}]" + (usage == null ? "" : ",\"usage\":" + usage) + ",\"system_fingerprint\":\"fp\"}";
    }

    static String text(String model, String usage) {
        return completion(model, "{\"role\":\"assistant\",\"content\":\"Hello there\",\"refusal\":null}", "stop", usage);
    }

    static List<Shape> shapes() {
        return List.of(
                new Shape("plain usage, no details", "gpt-4o-mini", text("gpt-4o-mini-2024-07-18",
                        "{\"prompt_tokens\":1200,\"completion_tokens\":300,\"total_tokens\":1500}"),
                        1_200 * 150 + 300 * 600), // 180 000 + 180 000 = 360 000
                new Shape("cached prompt tokens", "gpt-4o-mini", text("gpt-4o-mini",
                        "{\"prompt_tokens\":2000,\"completion_tokens\":250,\"total_tokens\":2250,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":1536,\"audio_tokens\":0}}"),
                        (2_000 - 1_536) * 150 + 1_536 * 75 + 250 * 600), // 69 600 + 115 200 + 150 000 = 334 800
                new Shape("details all zero", "gpt-4o-mini", text("gpt-4o-mini",
                        "{\"prompt_tokens\":500,\"completion_tokens\":100,\"total_tokens\":600,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}"),
                        500 * 150 + 100 * 600), // 75 000 + 60 000 = 135 000
                new Shape("reasoning tokens", "o3-mini", text("o3-mini-2025-01-31",
                        "{\"prompt_tokens\":800,\"completion_tokens\":1500,\"total_tokens\":2300,"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":1200}}"),
                        800 * 1_100 + (1_500 - 1_200) * 4_400 + 1_200 * 4_400), // 880 000 + 1 320 000 + 5 280 000
                new Shape("cached and reasoning tokens", "o4-mini", text("o4-mini",
                        "{\"prompt_tokens\":3000,\"completion_tokens\":900,\"total_tokens\":3900,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":2048},"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":640}}"),
                        // 952 x 1 100 + 2 048 x 275 + 260 x 4 400 + 640 x 4 400 = 1 047 200 + 563 200 + 1 144 000
                        // + 2 816 000 = 5 570 400
                        (3_000 - 2_048) * 1_100 + 2_048 * 275 + (900 - 640) * 4_400 + 640 * 4_400),
                new Shape("tool call, no content", "gpt-4o-mini", completion("gpt-4o-mini",
                        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":"
                                + "\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":\\\"x\\\"}\"}}]}",
                        "tool_calls", "{\"prompt_tokens\":350,\"completion_tokens\":40,\"total_tokens\":390}"),
                        350 * 150 + 40 * 600), // 52 500 + 24 000 = 76 500
                new Shape("no usage at all: the reservation's estimate is charged", "gpt-4o-mini",
                        text("gpt-4o-mini", null),
                        // 1 000 estimated prompt tokens x 150 + the 200-token output cap x 600 = 150 000 + 120 000
                        Recorder.ESTIMATED_PROMPT_TOKENS * 150 + Recorder.MAX_OUTPUT_TOKENS * 600),
                new Shape("almost all cached, gpt-4o", "gpt-4o", text("gpt-4o-2024-08-06",
                        "{\"prompt_tokens\":10000,\"completion_tokens\":50,\"total_tokens\":10050,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":9984}}"),
                        16 * 2_500 + 9_984 * 1_250 + 50 * 10_000), // 40 000 + 12 480 000 + 500 000 = 13 020 000
                new Shape("content filter, no completion tokens", "gpt-4o-mini", completion("gpt-4o-mini",
                        "{\"role\":\"assistant\",\"content\":\"\"}", "content_filter",
                        "{\"prompt_tokens\":700,\"completion_tokens\":0,\"total_tokens\":700}"),
                        700 * 150), // 105 000
                new Shape("long cached prompt, gpt-4.1-nano", "gpt-4.1-nano", text("gpt-4.1-nano",
                        "{\"prompt_tokens\":120000,\"completion_tokens\":2000,\"total_tokens\":122000,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":100000}}"),
                        20_000 * 100 + 100_000 * 25 + 2_000 * 400), // 2 000 000 + 2 500 000 + 800 000 = 5 300 000
                new Shape("completion count missing: the output cap is charged", "gpt-4o-mini",
                        text("gpt-4o-mini", "{\"prompt_tokens\":400}"),
                        400 * 150 + Recorder.MAX_OUTPUT_TOKENS * 600), // 60 000 + 120 000 = 180 000
                new Shape("completion count missing, total given: derived from the total", "o4-mini",
                        text("o4-mini", "{\"prompt_tokens\":400,\"total_tokens\":450,"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":30}}"),
                        // completion = 450 - 400 = 50, of which 30 reasoning: 440 000 + 20 x 4 400 + 30 x 4 400
                        400 * 1_100 + (50 - 30) * 4_400 + 30 * 4_400)); // 440 000 + 88 000 + 132 000 = 660 000
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theRecordedCostIsTheHandComputedOne(Shape shape) {
        Recorder rec = new Recorder();
        try (StubServer stub = new StubServer().reply(StubServer.Reply.json(shape.payload))) {
            ChatModel model = GuardedChatModel.wrap(OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1")
                    .apiKey("test-key").modelName(shape.model).maxRetries(0).timeout(Duration.ofSeconds(10))
                    .build(), rec.guard);

            Recorder.sayHello(model);

            assertThat(stub.requests).singleElement().satisfies(r -> {
                assertThat(r.path).isEqualTo("/v1/chat/completions");
                assertThat(r.json().get("model").asText()).isEqualTo(shape.model);
            });
        }
        rec.assertSettledAt(shape.expectedNanos);
    }
}
