package dev.agentguard.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.GuardScope;
import dev.agentguard.core.redact.Redactor;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedToolExecutor;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.TokenUsage;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

/** Message content reaches a span only when asked for, and then redacted. */
@SuppressWarnings("try") // scopes are opened for their thread binding
class ContentCaptureTest {

    private static final String KEY = "sk-proj-" + "Zx8dE3kT9qLmN2pR5sV7wY1bC4fH6jK0aQ";
    private static final String EMAIL = "alice.smith@example.com";

    private static void converse(Tracing t) {
        Fakes.Chat fake = new Fakes.Chat("cheap");
        fake.answer = r -> Fakes.reply("cheap", "Mail " + EMAIL + " with the key " + KEY, new TokenUsage(10, 10));
        try (GuardScope s = GuardScope.open("support", "s-3")) {
            GuardedChatModel.wrap(fake, t.guard).chat(ChatRequest.builder().messages(
                    SystemMessage.from("Be \"brief\"."), UserMessage.from("My key is " + KEY + ", my mail " + EMAIL))
                    .build());
            GuardedToolExecutor.wrap("send", (request, memory) -> "sent", t.guard).execute(ToolExecutionRequest
                    .builder().name("send").arguments("{\"to\":\"" + EMAIL + "\",\"apiKey\":\"" + KEY + "\"}").build(),
                    null);
        }
    }

    @Test
    void nothingOfTheConversationIsRecordedByDefault() {
        Tracing t = new Tracing(p -> { });
        converse(t);

        assertThat(t.spans()).hasSize(2).allSatisfy(s -> assertThat(s.getAttributes().asMap().values())
                .allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(KEY).doesNotContain(EMAIL)
                        .doesNotContain("brief")));
    }

    @Test
    void optedInTheMessagesAndToolArgumentsAreRecordedRedacted() {
        Tracing t = new Tracing(p -> { }, b -> b.captureContent(true));
        converse(t);

        SpanData chat = t.span("chat cheap");
        String input = chat.getAttributes().get(GenAiAttributes.INPUT_MESSAGES);
        String output = chat.getAttributes().get(GenAiAttributes.OUTPUT_MESSAGES);
        assertThat(input).startsWith("[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"Be \\\"brief\\\".\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"My key is ");
        assertThat(output).startsWith("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Mail ")
                .endsWith("\"finish_reason\":\"stop\"}]");
        String arguments = t.span("execute_tool send").getAttributes().get(GenAiAttributes.TOOL_CALL_ARGUMENTS);
        assertThat(arguments).contains("\"to\"");
        for (String captured : new String[] {input, output, arguments}) {
            assertThat(captured).doesNotContain(KEY).doesNotContain(EMAIL);
        }
        assertThat(input).isEqualTo(input.replace(KEY, "").replace(EMAIL, ""));
    }

    @Test
    void aRedactorThatRemovesNothingLeavesTheContentAsItWas() {
        Tracing t = new Tracing(p -> { }, b -> b.captureContent(true).redactor(Redactor.none()));
        converse(t);

        assertThat(t.span("chat cheap").getAttributes().get(GenAiAttributes.INPUT_MESSAGES)).contains(KEY)
                .contains(EMAIL);
    }
}
