package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Java blocks of the README's LangChain4j section are the tagged regions below, which the build compiles; the
 * test checks that the two stay identical.
 */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class ReadmeSnippetsTest {

    private static final Pattern README_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TAGGED = Pattern.compile("// tag::([\\w-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]",
            Pattern.DOTALL);

    /** The service of the AiServices snippet. */
    interface Assistant {
        String chat(@MemoryId String session, @UserMessage String message);
    }

    /** The tools of the AiServices snippet. */
    static final class OrderTools {
        @Tool("Finds an order")
        String findOrder(String id) {
            return "shipped";
        }
    }

    static void decorators(ChatModel openAi, StreamingChatModel openAiStreaming, ToolExecutor executor, Guard guard) {
        // tag::langchain4j-decorators[]
        ChatModel model = GuardedChatModel.wrap(openAi, guard);
        StreamingChatModel streaming = GuardedStreamingChatModel.wrap(openAiStreaming, guard);
        ToolExecutor tool = GuardedToolExecutor.wrap("search_web", executor, guard);

        try (GuardScope s = GuardScope.open("support", "session-42")) {
            model.chat("Where is my order?");        // attributed to session-42
        }
        // end::langchain4j-decorators[]
    }

    static String aiServices(ChatModel openAi, Guard guard) {
        // tag::langchain4j-aiservices[]
        Assistant assistant = GuardedAiServices.builder(Assistant.class, guard)
                .chatModel(openAi)
                .tools(new OrderTools())
                .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20)))
                .build();
        String answer = assistant.chat("session-42", "Where is my order?");
        // end::langchain4j-aiservices[]
        return answer;
    }

    @Test
    void theReadmeLangChain4jBlocksAreThisCompiledCode() throws IOException {
        String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
        int start = readme.indexOf("## LangChain4j");
        assertThat(start).as("README has a LangChain4j section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        String source = Files.readString(Path.of("src/test/java/dev/agentguard/langchain4j/ReadmeSnippetsTest.java"));

        List<String> regions = new ArrayList<>();
        Matcher t = TAGGED.matcher(source);
        while (t.find()) {
            regions.add(dedent(t.group(2)));
        }
        List<String> blocks = new ArrayList<>();
        Matcher b = README_BLOCK.matcher(section);
        while (b.find()) {
            blocks.add(dedent(b.group(1)));
        }

        assertThat(blocks).hasSize(2).containsExactlyElementsOf(regions);
    }

    private static String dedent(String text) {
        List<String> lines = text.stripTrailing().lines().collect(Collectors.toList());
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }
}
