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
import java.util.Random;
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
        String copy = new String("hello".toCharArray()); // another String with the same text: its own hash field
        assertThat(PromptDigest.of(List.of(UserMessage.from(copy)), List.of()).fingerprint()).isEqualTo(same);
        assertThat(PromptDigest.of(List.of(UserMessage.from("hello"), UserMessage.from("")), List.of()).fingerprint())
                .as("an empty message still counts").isNotEqualTo(same);
    }

    /** A conversation: every earlier message again, and one new one, a thousand times over; no two collide. */
    @Test
    void aGrowingConversationNeverRepeatsAFingerprint() {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<ChatMessage> history = new java.util.ArrayList<>();
        history.add(dev.langchain4j.data.message.SystemMessage.from("You are a helpful assistant."));
        for (int i = 0; i < 1_000; i++) {
            history.add(i % 2 == 0 ? UserMessage.from("question " + i) : AiMessage.from("answer " + i));
            assertThat(seen.add(PromptDigest.of(history, List.of()).fingerprint())).as("turn %d", i).isTrue();
        }
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

    /**
     * A text walked before is taken from the table of texts walked lately, wherever it stands: at the start of a
     * message, after a participant's name, after a tool's name. The estimate must be the one walked afresh.
     */
    @Test
    void anEstimateFromTextsWalkedBeforeIsTheEstimateWalkedAfresh() {
        Random random = new Random(20261205);
        String alphabet = "abcdefXYZ0189 \n\t.,;:-_{}[]\"'/\u00e9\u00f1\u4e2d\u6587\u5b57\u0416\u05d0\ud83d\ude00";
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = 1 + random.nextInt(300); sb.length() < n; ) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            List<ChatMessage> messages = List.of(SystemMessage.from(text), UserMessage.from(text),
                    UserMessage.from("ann", text), AiMessage.from(text),
                    ToolExecutionResultMessage.from("call-1", "search", text));
            long expected = PromptDigest.estimateFixed(List.of());
            for (ChatMessage m : messages) {
                expected += PromptDigest.estimate(m);
            }
            assertThat(PromptDigest.of(messages, List.of()).estimate()).as("walked: %s", text).isEqualTo(expected);
            assertThat(PromptDigest.of(messages, List.of()).estimate()).as("again: %s", text).isEqualTo(expected);
        }
    }
}
