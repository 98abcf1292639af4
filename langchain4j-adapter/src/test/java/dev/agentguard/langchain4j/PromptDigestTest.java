package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prompt text covers what is sent; the fingerprint tells the same request from another one. */
class PromptDigestTest {

    private static final ToolSpecification SEARCH = ToolSpecification.builder().name("search")
            .description("Searches the web").build();

    @Test
    void theTextHoldsMessagesToolCallsResultsAndToolSpecifications() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("1").name("search")
                .arguments("{\"q\":\"paris\"}").build();
        List<ChatMessage> messages = List.of(SystemMessage.from("be brief"), UserMessage.from("weather?"),
                AiMessage.from(List.of(call)), ToolExecutionResultMessage.from(call, "sunny"));
        PromptDigest d = PromptDigest.of(messages, List.of(SEARCH), false);

        assertThat(d.text()).contains("be brief", "weather?", "{\"q\":\"paris\"}", "sunny", "Searches the web");
        assertThat(PromptDigest.of(messages, List.of(SEARCH)).text())
                .as("the default estimate walks the characters where they lie: no copy of the prompt").isNull();
    }

    @Test
    void theSameRequestHasTheSameFingerprintAndAnotherOneAnother() {
        List<ChatMessage> a = List.of(UserMessage.from("hello"));

        long same = PromptDigest.of(List.of(UserMessage.from("hello")), List.of()).fingerprint();

        assertThat(PromptDigest.of(a, List.of()).fingerprint()).isEqualTo(same).isNotZero();
        assertThat(PromptDigest.of(List.of(UserMessage.from("hellO")), List.of()).fingerprint()).isNotEqualTo(same);
        assertThat(PromptDigest.of(List.of(AiMessage.from("hello")), List.of()).fingerprint())
                .as("same text, another role").isNotEqualTo(same);
        assertThat(PromptDigest.of(a, List.of(SEARCH)).fingerprint()).as("tools count").isNotEqualTo(same);
        assertThat(PromptDigest.of(a, List.of(), false).fingerprint()).as("with or without the estimate")
                .isEqualTo(same);
    }

    @Test
    void theEstimateWalkedWithTheFingerprintIsTheDefaultEstimatorsPerMessageWithOverheads() {
        List<ChatMessage> messages = PromptTokensTest.conversation();
        long expected = PromptDigest.estimateFixed(List.of(SEARCH));
        for (ChatMessage m : messages) {
            expected += PromptDigest.estimate(m);
        }
        assertThat(PromptDigest.of(messages, List.of(SEARCH)).estimate()).isEqualTo(expected);
        assertThat(PromptDigest.of(messages, List.of(SEARCH), false).estimate()).isEqualTo(-1);
    }
}
