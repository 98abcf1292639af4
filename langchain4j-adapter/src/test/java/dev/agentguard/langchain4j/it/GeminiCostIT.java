package dev.agentguard.langchain4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@link GoogleAiGeminiChatModel} against a stub of {@code generateContent}: every payload is recorded at
 * the cost worked out by hand from the genai-prices feed.
 *
 * <p>Rates in nano-dollars per token: gemini-2.5-flash input 300, cached 30, output 2 500; gemini-2.5-pro input
 * 1 250, cached 125, output 10 000 up to 200 000 prompt tokens, 2 500, 250 and 15 000 above. Neither has a reasoning
 * rate: thoughts are billed as output. {@code promptTokenCount} includes the cached content;
 * {@code candidatesTokenCount} excludes the thoughts.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class GeminiCostIT {

    static String response(String model, String parts, String finish, String usage) {
        return "{\"candidates\":[{\"content\":{\"parts\":" + parts + ",\"role\":\"model\"},\"finishReason\":\""
                + finish + "\",\"index\":0}]" + (usage == null ? "" : ",\"usageMetadata\":" + usage)
                + ",\"modelVersion\":\"" + model + "\",\"responseId\":\"r1\"}";
    }

    static String text(String model, String usage) {
        return response(model, "[{\"text\":\"Hello there\"}]", "STOP", usage);
    }

    static final String FLASH = "gemini-2.5-flash";
    static final String PRO = "gemini-2.5-pro";

    static List<Shape> shapes() {
        return List.of(
                new Shape("plain", FLASH, text(FLASH, "{\"promptTokenCount\":1200,\"candidatesTokenCount\":180,"
                        + "\"totalTokenCount\":1380}"),
                        1_200 * 300 + 180 * 2_500), // 360 000 + 450 000 = 810 000
                new Shape("thoughts, billed as output", FLASH, text(FLASH, "{\"promptTokenCount\":500,"
                        + "\"candidatesTokenCount\":100,\"thoughtsTokenCount\":900,\"totalTokenCount\":1500}"),
                        500 * 300 + 100 * 2_500 + 900 * 2_500), // 150 000 + 250 000 + 2 250 000 = 2 650 000
                new Shape("cached content", FLASH, text(FLASH, "{\"promptTokenCount\":10000,"
                        + "\"cachedContentTokenCount\":8000,\"candidatesTokenCount\":50,\"totalTokenCount\":10050}"),
                        2_000 * 300 + 8_000 * 30 + 50 * 2_500), // 600 000 + 240 000 + 125 000 = 965 000
                new Shape("cached content and thoughts, pro", PRO, text(PRO, "{\"promptTokenCount\":20000,"
                        + "\"cachedContentTokenCount\":16000,\"candidatesTokenCount\":500,\"thoughtsTokenCount\":1500,"
                        + "\"totalTokenCount\":22000}"),
                        // 5 000 000 + 2 000 000 + 5 000 000 + 15 000 000 = 27 000 000
                        4_000 * 1_250 + 16_000 * 125 + 500 * 10_000 + 1_500 * 10_000),
                new Shape("pro past 200k prompt tokens", PRO, text(PRO, "{\"promptTokenCount\":250000,"
                        + "\"candidatesTokenCount\":1000,\"totalTokenCount\":251000}"),
                        250_000 * 2_500 + 1_000 * 15_000), // 625 000 000 + 15 000 000 = 640 000 000
                new Shape("function call", FLASH, response(FLASH, "[{\"functionCall\":{\"name\":\"search\","
                        + "\"args\":{\"q\":\"x\"}}}]", "STOP", "{\"promptTokenCount\":300,\"candidatesTokenCount\":20,"
                        + "\"totalTokenCount\":320}"),
                        300 * 300 + 20 * 2_500), // 90 000 + 50 000 = 140 000
                new Shape("modality details", FLASH, text(FLASH, "{\"promptTokenCount\":400,"
                        + "\"candidatesTokenCount\":60,\"totalTokenCount\":460,\"promptTokensDetails\":[{\"modality\":"
                        + "\"TEXT\",\"tokenCount\":400}],\"candidatesTokensDetails\":[{\"modality\":\"TEXT\","
                        + "\"tokenCount\":60}]}"),
                        400 * 300 + 60 * 2_500), // 120 000 + 150 000 = 270 000
                new Shape("thoughts only, candidates left out: derived from the total as 0", FLASH,
                        response(FLASH, "[{\"text\":\"\"}]", "MAX_TOKENS", "{\"promptTokenCount\":100,"
                                + "\"thoughtsTokenCount\":150,\"totalTokenCount\":250}"),
                        // candidates = 250 - 100 - 150 = 0: 30 000 + 375 000 = 405 000
                        100 * 300 + 150 * 2_500),
                new Shape("empty answer of a thinking model, candidates left out", FLASH,
                        response(FLASH, "[{\"text\":\"\"}]", "STOP", "{\"promptTokenCount\":15,"
                                + "\"thoughtsTokenCount\":2,\"totalTokenCount\":17}"),
                        15 * 300 + 2 * 2_500), // 4 500 + 5 000 = 9 500
                new Shape("candidates and thoughts left out: the rest of the total is output", FLASH,
                        response(FLASH, "[{\"text\":\"\"}]", "STOP", "{\"promptTokenCount\":40,"
                                + "\"totalTokenCount\":52}"),
                        40 * 300 + 12 * 2_500), // 12 000 + 30 000 = 42 000
                new Shape("candidates left out, no total: the rest of the cap is charged", FLASH,
                        response(FLASH, "[{\"text\":\"\"}]", "MAX_TOKENS", "{\"promptTokenCount\":100,"
                                + "\"thoughtsTokenCount\":150}"),
                        // output unknown: the 200-token cap less the 150 reported thoughts
                        // 30 000 + 375 000 + 125 000 = 530 000
                        100 * 300 + 150 * 2_500 + (Recorder.MAX_OUTPUT_TOKENS - 150) * 2_500),
                // LangChain4j's Gemini client fails on a response without usageMetadata (ProviderErrorsIT)
                new Shape("empty usage metadata: the estimate is charged", FLASH, text(FLASH, "{}"),
                        Recorder.ESTIMATED_PROMPT_TOKENS * 300 + Recorder.MAX_OUTPUT_TOKENS * 2_500), // 800 000
                new Shape("cached content with modality details", FLASH, text(FLASH, "{\"promptTokenCount\":5000,"
                        + "\"cachedContentTokenCount\":4096,\"cacheTokensDetails\":[{\"modality\":\"TEXT\","
                        + "\"tokenCount\":4096}],\"candidatesTokenCount\":100,\"totalTokenCount\":5100}"),
                        904 * 300 + 4_096 * 30 + 100 * 2_500), // 271 200 + 122 880 + 250 000 = 644 080
                new Shape("pro, plain", PRO, text(PRO, "{\"promptTokenCount\":3000,\"candidatesTokenCount\":800,"
                        + "\"totalTokenCount\":3800}"),
                        3_000 * 1_250 + 800 * 10_000)); // 3 750 000 + 8 000 000 = 11 750 000
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theRecordedCostIsTheHandComputedOne(Shape shape) {
        Recorder rec = new Recorder();
        try (StubServer stub = new StubServer().reply(StubServer.Reply.json(shape.payload))) {
            ChatModel model = GuardedChatModel.wrap(GoogleAiGeminiChatModel.builder()
                    .baseUrl(stub.baseUrl() + "/v1beta").apiKey("test-key").modelName(shape.model).maxRetries(0)
                    .timeout(Duration.ofSeconds(10)).build(), rec.guard);

            Recorder.sayHello(model);

            assertThat(stub.requests).singleElement()
                    .satisfies(r -> assertThat(r.path).isEqualTo("/v1beta/models/" + shape.model + ":generateContent"));
        }
        rec.assertSettledAt(shape.expectedNanos);
    }
}
