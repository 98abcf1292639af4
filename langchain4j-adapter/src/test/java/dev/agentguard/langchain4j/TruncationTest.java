package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** Dropping the oldest messages keeps tool calls with their results, system messages and the latest user turn. */
class TruncationTest {

    /** One token per character keeps the arithmetic visible. */
    private static final ToLongFunction<ChatMessage> CHARS = m -> PromptDigest.text(m).length();

    private static ToolExecutionRequest call(String id) {
        return ToolExecutionRequest.builder().id(id).name("t").arguments("{}").build();
    }

    private static List<ChatMessage> conversation() {
        List<ChatMessage> m = new ArrayList<>();
        m.add(SystemMessage.from("sys"));                                     // 3, pinned
        m.add(UserMessage.from("aaaaaaaaaa"));                                // 10
        m.add(AiMessage.from("bbbbbbbbbb"));                                  // 10
        m.add(UserMessage.from("cccccccccc"));                                // 10
        m.add(AiMessage.from(List.of(call("1"), call("2"))));                 // " t {} t {}" = 10
        m.add(ToolExecutionResultMessage.from(call("1"), "r1r1r1"));           // "t " + 6 = 8
        m.add(ToolExecutionResultMessage.from(call("2"), "r2r2r2"));           // 8
        m.add(AiMessage.from("dddddddddd"));                                  // 10
        m.add(UserMessage.from("latest"));                                    // 6, pinned
        return m;
    }

    @Test
    void nothingIsDroppedWhenThePromptFits() {
        Truncation.Result r = Truncation.fit(conversation(), 0, 1_000, CHARS);

        assertThat(r.droppedMessages).isZero();
        assertThat(r.droppedTokens).isZero();
        assertThat(r.messages).isEqualTo(conversation());
    }

    @Test
    void theOldestGoFirstAndTheConversationStillOpensWithAUserMessage() {
        // total 75; target 60: dropping the first user message (10) gets to 65, the assistant reply (10) to 55;
        // the conversation then opens with a user message, so nothing more goes
        Truncation.Result r = Truncation.fit(conversation(), 0, 60, CHARS);

        assertThat(r.droppedMessages).isEqualTo(2);
        assertThat(r.droppedTokens).isEqualTo(20);
        assertThat(r.messages).extracting(ChatMessage::type).map(Enum::name)
                .containsExactly("SYSTEM", "USER", "AI", "TOOL_EXECUTION_RESULT", "TOOL_EXECUTION_RESULT", "AI",
                        "USER");
    }

    @Test
    void aToolCallAndItsResultsGoTogether() {
        // target 40 from 75: user a (10), ai b (10), user c (10) go -> 45; then the tool call with both results (26)
        Truncation.Result r = Truncation.fit(conversation(), 0, 40, CHARS);

        assertThat(r.messages).noneMatch(m -> m instanceof ToolExecutionResultMessage);
        assertThat(r.messages).noneMatch(m -> m instanceof AiMessage && ((AiMessage) m).hasToolExecutionRequests());
        // the remaining assistant reply would open the conversation: it goes too
        assertThat(r.messages).containsExactly(SystemMessage.from("sys"), UserMessage.from("latest"));
        assertThat(r.droppedMessages).isEqualTo(7);
        assertThat(r.droppedTokens).isEqualTo(66);
    }

    @Test
    void fixedTokensCountTowardsTheTarget() {
        Truncation.Result withTools = Truncation.fit(conversation(), 20, 75, CHARS);

        assertThat(withTools.droppedMessages).as("75 + 20 of tools > 75").isEqualTo(2);
    }

    @Test
    void pinnedMessagesStayEvenOverTheTarget() {
        Truncation.Result r = Truncation.fit(conversation(), 0, 1, CHARS);

        assertThat(r.messages).containsExactly(SystemMessage.from("sys"), UserMessage.from("latest"));
    }
}
