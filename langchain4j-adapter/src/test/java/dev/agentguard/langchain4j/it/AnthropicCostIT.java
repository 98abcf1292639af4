package dev.agentguard.langchain4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@link AnthropicChatModel} against a stub of the Messages API: every payload is recorded at the cost
 * worked out by hand from the genai-prices feed.
 *
 * <p>Rates in nano-dollars per token: claude-sonnet-4 (claude-sonnet-4-20250514) input 3 000, cache read 300, cache
 * write 3 750, output 15 000; claude-3-5-haiku 800, 80, 1 000, 4 000; claude-sonnet-4-5 the same as sonnet 4 up to
 * 200 000 prompt tokens and 6 000, 600, 7 500, 22 500 above. {@code input_tokens} excludes cache reads and writes;
 * {@code output_tokens} includes thinking.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class AnthropicCostIT {

    static String message(String model, String content, String stop, String usage) {
        return "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
                + "\",\"content\":" + content + ",\"stop_reason\":\"" + stop + "\",\"stop_sequence\":null"
                + ",\"usage\":" + usage + "}";
    }

    static String text(String model, String usage) {
        return message(model, "[{\"type\":\"text\",\"text\":\"Hello there\"}]", "end_turn", usage);
    }

    static final String SONNET = "claude-sonnet-4-20250514";

    static List<Shape> shapes() {
        return List.of(
                new Shape("plain", SONNET, text(SONNET, "{\"input_tokens\":1000,\"output_tokens\":200}"),
                        1_000 * 3_000 + 200 * 15_000), // 3 000 000 + 3 000 000
                new Shape("cache read", SONNET, text(SONNET, "{\"input_tokens\":50,\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":10000,\"output_tokens\":300}"),
                        50 * 3_000 + 10_000 * 300 + 300 * 15_000), // 150 000 + 3 000 000 + 4 500 000 = 7 650 000
                new Shape("cache write", SONNET, text(SONNET, "{\"input_tokens\":20,\"cache_creation_input_tokens\":4000,"
                        + "\"cache_read_input_tokens\":0,\"output_tokens\":100}"),
                        20 * 3_000 + 4_000 * 3_750 + 100 * 15_000), // 60 000 + 15 000 000 + 1 500 000 = 16 560 000
                new Shape("cache read and write", SONNET, text(SONNET, "{\"input_tokens\":30,"
                        + "\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":8000,\"output_tokens\":250}"),
                        // 90 000 + 2 400 000 + 7 500 000 + 3 750 000 = 13 740 000
                        30 * 3_000 + 8_000 * 300 + 2_000 * 3_750 + 250 * 15_000),
                new Shape("extended thinking, billed as output", SONNET, message(SONNET,
                        "[{\"type\":\"thinking\",\"thinking\":\"Let me think.\",\"signature\":\"sig\"},"
                                + "{\"type\":\"text\",\"text\":\"42\"}]", "end_turn",
                        "{\"input_tokens\":400,\"output_tokens\":1500}"),
                        400 * 3_000 + 1_500 * 15_000), // 1 200 000 + 22 500 000 = 23 700 000
                new Shape("tool use", SONNET, message(SONNET, "[{\"type\":\"text\",\"text\":\"Searching.\"},"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"search\",\"input\":{\"q\":\"x\"}}]",
                        "tool_use", "{\"input_tokens\":600,\"output_tokens\":80}"),
                        600 * 3_000 + 80 * 15_000), // 1 800 000 + 1 200 000 = 3 000 000
                new Shape("five-minute and one-hour cache writes", SONNET, text(SONNET, "{\"input_tokens\":10,"
                        + "\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":0,\"cache_creation\":"
                        + "{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2000},\"output_tokens\":50}"),
                        // LangChain4j does not carry the split: all writes at the five-minute rate
                        // 30 000 + 11 250 000 + 750 000 = 12 030 000
                        10 * 3_000 + 3_000 * 3_750 + 50 * 15_000),
                new Shape("cache counts null", SONNET, text(SONNET, "{\"input_tokens\":100,"
                        + "\"cache_creation_input_tokens\":null,\"cache_read_input_tokens\":null,\"output_tokens\":10}"),
                        100 * 3_000 + 10 * 15_000), // 300 000 + 150 000 = 450 000
                new Shape("claude-3-5-haiku with cache", "claude-3-5-haiku-latest", text("claude-3-5-haiku-20241022",
                        "{\"input_tokens\":200,\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":5000,"
                                + "\"output_tokens\":400}"),
                        // 160 000 + 400 000 + 1 000 000 + 1 600 000 = 3 160 000
                        200 * 800 + 5_000 * 80 + 1_000 * 1_000 + 400 * 4_000),
                new Shape("claude-sonnet-4-5 past 200k prompt tokens", "claude-sonnet-4-5", text("claude-sonnet-4-5",
                        "{\"input_tokens\":1000,\"cache_creation_input_tokens\":5000,"
                                + "\"cache_read_input_tokens\":200000,\"output_tokens\":1000}"),
                        // prompt total 206 000 > 200 000: every kind at its tier rate
                        // 6 000 000 + 120 000 000 + 37 500 000 + 22 500 000 = 186 000 000
                        1_000 * 6_000 + 200_000 * 600 + 5_000 * 7_500 + 1_000 * 22_500),
                new Shape("stopped at max_tokens", SONNET, message(SONNET, "[{\"type\":\"text\",\"text\":\"Hel\"}]",
                        "max_tokens", "{\"input_tokens\":300,\"output_tokens\":200}"),
                        300 * 3_000 + 200 * 15_000), // 900 000 + 3 000 000 = 3 900 000
                new Shape("input count missing: the estimate is charged", SONNET, text(SONNET,
                        "{\"output_tokens\":10}"),
                        Recorder.ESTIMATED_PROMPT_TOKENS * 3_000 + 10 * 15_000)); // 3 000 000 + 150 000
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theRecordedCostIsTheHandComputedOne(Shape shape) {
        Recorder rec = new Recorder();
        try (StubServer stub = new StubServer().reply(StubServer.Reply.json(shape.payload))) {
            ChatModel model = GuardedChatModel.wrap(AnthropicChatModel.builder().baseUrl(stub.baseUrl() + "/v1/")
                    .apiKey("test-key").modelName(shape.model).maxRetries(0).timeout(Duration.ofSeconds(10))
                    .build(), rec.guard);

            Recorder.sayHello(model);

            assertThat(stub.requests).singleElement().satisfies(r -> {
                assertThat(r.path).isEqualTo("/v1/messages");
                assertThat(r.json().get("model").asText()).isEqualTo(shape.model);
            });
        }
        rec.assertSettledAt(shape.expectedNanos);
    }
}
