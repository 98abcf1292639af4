package dev.agentguard.langchain4j.it;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedStreamingChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@link OpenAiStreamingChatModel} against a stub that streams chat-completion chunks (server-sent events);
 * the usage arrives in the last chunk ({@code stream_options.include_usage}). Rates as in {@link OpenAiCostIT}.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class OpenAiStreamingCostIT {

    static String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    static String usageChunk(String model, String usage) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,\"model\":\"" + model
                + "\",\"choices\":[],\"usage\":" + usage + "}";
    }

    /** Role, three text deltas, the finish, then the usage chunk (if any) and [DONE]. */
    static String text(String model, String usage) {
        List<String> events = new ArrayList<>(List.of(
                chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", null),
                chunk(model, "{\"content\":\"Hel\"}", null),
                chunk(model, "{\"content\":\"lo \"}", null),
                chunk(model, "{\"content\":\"there\"}", null),
                chunk(model, "{}", "stop")));
        if (usage != null) {
            events.add(usageChunk(model, usage));
        }
        events.add("[DONE]");
        return String.join("\n", events);
    }

    static List<Shape> shapes() {
        return List.of(
                new Shape("plain usage chunk", "gpt-4o-mini", text("gpt-4o-mini",
                        "{\"prompt_tokens\":1200,\"completion_tokens\":300,\"total_tokens\":1500}"),
                        1_200 * 150 + 300 * 600), // 360 000
                new Shape("cached prompt tokens", "gpt-4o-mini", text("gpt-4o-mini",
                        "{\"prompt_tokens\":2000,\"completion_tokens\":250,\"total_tokens\":2250,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":1536}}"),
                        464 * 150 + 1_536 * 75 + 250 * 600), // 69 600 + 115 200 + 150 000 = 334 800
                new Shape("reasoning tokens", "o3-mini", text("o3-mini",
                        "{\"prompt_tokens\":800,\"completion_tokens\":1500,\"total_tokens\":2300,"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":1200}}"),
                        800 * 1_100 + 300 * 4_400 + 1_200 * 4_400), // 7 480 000
                new Shape("cached and reasoning tokens", "o4-mini", text("o4-mini",
                        "{\"prompt_tokens\":3000,\"completion_tokens\":900,\"total_tokens\":3900,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":2048},"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":640}}"),
                        952 * 1_100 + 2_048 * 275 + 260 * 4_400 + 640 * 4_400), // 5 570 400
                new Shape("streamed tool call", "gpt-4o-mini", String.join("\n",
                        chunk("gpt-4o-mini", "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,"
                                + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"search\","
                                + "\"arguments\":\"\"}}]}", null),
                        chunk("gpt-4o-mini", "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\\\"\"}}]}",
                                null),
                        chunk("gpt-4o-mini", "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]}",
                                null),
                        chunk("gpt-4o-mini", "{}", "tool_calls"),
                        usageChunk("gpt-4o-mini", "{\"prompt_tokens\":350,\"completion_tokens\":40,\"total_tokens\":390}"),
                        "[DONE]"),
                        350 * 150 + 40 * 600), // 52 500 + 24 000 = 76 500
                new Shape("no usage chunk: the estimate is charged", "gpt-4o-mini", text("gpt-4o-mini", null),
                        Recorder.ESTIMATED_PROMPT_TOKENS * 150 + Recorder.MAX_OUTPUT_TOKENS * 600), // 270 000
                new Shape("usage beside the finish reason", "gpt-4o-mini", String.join("\n",
                        chunk("gpt-4o-mini", "{\"role\":\"assistant\",\"content\":\"Hi\"}", null),
                        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                                + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                                + "\"usage\":{\"prompt_tokens\":90,\"completion_tokens\":2,\"total_tokens\":92}}",
                        "[DONE]"),
                        90 * 150 + 2 * 600), // 13 500 + 1 200 = 14 700
                new Shape("details all zero", "gpt-4o-mini", text("gpt-4o-mini",
                        "{\"prompt_tokens\":500,\"completion_tokens\":100,\"total_tokens\":600,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}}"),
                        500 * 150 + 100 * 600), // 135 000
                new Shape("stopped at the length limit", "gpt-4o", String.join("\n",
                        chunk("gpt-4o", "{\"role\":\"assistant\",\"content\":\"Hel\"}", null),
                        chunk("gpt-4o", "{}", "length"),
                        usageChunk("gpt-4o", "{\"prompt_tokens\":40,\"completion_tokens\":200,\"total_tokens\":240}"),
                        "[DONE]"),
                        40 * 2_500 + 200 * 10_000), // 100 000 + 2 000 000 = 2 100 000
                new Shape("long cached prompt, gpt-4.1-nano", "gpt-4.1-nano", text("gpt-4.1-nano",
                        "{\"prompt_tokens\":120000,\"completion_tokens\":2000,\"total_tokens\":122000,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":100000}}"),
                        20_000 * 100 + 100_000 * 25 + 2_000 * 400)); // 5 300 000
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theRecordedCostIsTheHandComputedOne(Shape shape) {
        Recorder rec = new Recorder();
        try (StubServer stub = new StubServer()
                .reply(StubServer.Reply.sse(List.of(shape.payload.split("\n"))))) {
            StreamingChatModel model = GuardedStreamingChatModel.wrap(OpenAiStreamingChatModel.builder()
                    .baseUrl(stub.baseUrl() + "/v1").apiKey("test-key").modelName(shape.model)
                    .timeout(Duration.ofSeconds(10)).build(), rec.guard);
            Streams.Waiting handler = new Streams.Waiting();

            try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
                model.chat(ChatRequest.builder().messages(UserMessage.from("Hello"))
                        .maxOutputTokens(Recorder.MAX_OUTPUT_TOKENS).build(), handler);
            }
            handler.await();

            assertThat(stub.requests).singleElement().satisfies(r -> {
                assertThat(r.json().get("model").asText()).isEqualTo(shape.model);
                assertThat(r.json().get("stream").asBoolean()).isTrue();
            });
        }
        DecisionEvent post = rec.onlyPost();
        assertThat(TestEvents.settled(post).outcome()).isEqualTo(DecisionEvent.OK);
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(shape.expectedNanos);
        assertThat(TestEvents.settled(post).ttftNanos()).as("time to first token").isBetween(0L, TestEvents.settled(post).latencyNanos());
        assertThat(post.scope().session()).isEqualTo("session-1");
        assertThat(rec.guard.ledger().openHolds()).isZero();
    }
}
