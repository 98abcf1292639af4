package dev.agentguard.langchain4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@link OllamaChatModel} against a stub of {@code /api/chat}. The feed prices no local model, so the
 * policy does ({@link Recorder}): llama3.1 input 100, output 400 nano-dollars per token; qwen3 200 and 800.
 * {@code prompt_eval_count} is the prompt, {@code eval_count} everything generated (thinking included); Ollama
 * leaves {@code prompt_eval_count} out when the prompt was cached, and the estimate is charged for it.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class OllamaCostIT {

    static String chat(String model, String message, String doneReason, String counts) {
        return "{\"model\":\"" + model + "\",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":" + message
                + ",\"done_reason\":\"" + doneReason + "\",\"done\":true" + (counts.isEmpty() ? "" : "," + counts) + "}";
    }

    static String text(String model, String counts) {
        return chat(model, "{\"role\":\"assistant\",\"content\":\"Hello there\"}", "stop", counts);
    }

    static final String LLAMA = "llama3.1";

    static List<Shape> shapes() {
        return List.of(
                new Shape("plain", LLAMA, text(LLAMA, "\"prompt_eval_count\":26,\"eval_count\":298"),
                        26 * 100 + 298 * 400), // 2 600 + 119 200 = 121 800
                new Shape("cached prompt: no prompt_eval_count", LLAMA, text(LLAMA, "\"eval_count\":50"),
                        Recorder.ESTIMATED_PROMPT_TOKENS * 100 + 50 * 400), // 100 000 + 20 000 = 120 000
                new Shape("no counts at all", LLAMA, text(LLAMA, ""),
                        Recorder.ESTIMATED_PROMPT_TOKENS * 100 + Recorder.MAX_OUTPUT_TOKENS * 400), // 180 000
                new Shape("stopped at the length limit", LLAMA, chat(LLAMA,
                        "{\"role\":\"assistant\",\"content\":\"Hel\"}", "length",
                        "\"prompt_eval_count\":10,\"eval_count\":200"),
                        10 * 100 + 200 * 400), // 1 000 + 80 000 = 81 000
                new Shape("tool call", LLAMA, chat(LLAMA, "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":"
                        + "[{\"function\":{\"name\":\"search\",\"arguments\":{\"q\":\"x\"}}}]}", "stop",
                        "\"prompt_eval_count\":150,\"eval_count\":25"),
                        150 * 100 + 25 * 400), // 15 000 + 10 000 = 25 000
                new Shape("thinking model", "qwen3", chat("qwen3", "{\"role\":\"assistant\",\"content\":\"42\","
                        + "\"thinking\":\"Let me think.\"}", "stop", "\"prompt_eval_count\":40,\"eval_count\":500"),
                        40 * 200 + 500 * 800), // 8 000 + 400 000 = 408 000
                new Shape("with durations", LLAMA, text(LLAMA, "\"total_duration\":5191566416,"
                        + "\"load_duration\":2154458,\"prompt_eval_count\":1000,\"prompt_eval_duration\":383809000,"
                        + "\"eval_count\":1000,\"eval_duration\":4799921000"),
                        1_000 * 100 + 1_000 * 400), // 100 000 + 400 000 = 500 000
                new Shape("long context", LLAMA, text(LLAMA, "\"prompt_eval_count\":32000,\"eval_count\":4000"),
                        32_000 * 100 + 4_000 * 400), // 3 200 000 + 1 600 000 = 4 800 000
                new Shape("prompt_eval_count zero", LLAMA, text(LLAMA, "\"prompt_eval_count\":0,\"eval_count\":10"),
                        10 * 400), // 4 000
                new Shape("eval_count zero", LLAMA, text(LLAMA, "\"prompt_eval_count\":12,\"eval_count\":0"),
                        12 * 100), // 1 200
                new Shape("tagged model name", "llama3.1:8b", text("llama3.1:8b",
                        "\"prompt_eval_count\":100,\"eval_count\":100"),
                        100 * 100 + 100 * 400)); // 10 000 + 40 000 = 50 000
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theRecordedCostIsTheHandComputedOne(Shape shape) {
        Recorder rec = new Recorder();
        try (StubServer stub = new StubServer().reply(StubServer.Reply.json(shape.payload))) {
            ChatModel model = GuardedChatModel.wrap(OllamaChatModel.builder().baseUrl(stub.baseUrl())
                    .modelName(shape.model).maxRetries(0).timeout(Duration.ofSeconds(10)).build(), rec.guard);

            Recorder.sayHello(model);

            assertThat(stub.requests).singleElement().satisfies(r -> {
                assertThat(r.path).isEqualTo("/api/chat");
                assertThat(r.json().get("model").asText()).isEqualTo(shape.model);
            });
        }
        rec.assertSettledAt(shape.expectedNanos);
    }
}
