package dev.agentguard.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Scope;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The README's "Scopes and threads" block ({@link ReadmeSnippets#scopes}) does what the README says: both calls,
 * made on other threads, are charged to session-42.
 */
class ScopesSnippetTest {

    /** A model that answers "ok" for 10 tokens in and 5 out. */
    static final class OkModel implements ChatModel {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            return ChatResponse.builder().aiMessage(AiMessage.from("ok")).tokenUsage(new TokenUsage(10, 5)).build();
        }

        @Override
        public ChatRequestParameters defaultRequestParameters() {
            return ChatRequestParameters.builder().modelName("gpt-4o-mini").build();
        }
    }

    @Test
    @SuppressWarnings("try") // the scope is opened for its thread binding
    void bothCallsOfTheSnippetAreChargedToTheSessionOnTheirThreads() {
        GuardConfig config = GuardConfig.builder().name("readme").budget(Budget.builder("session-calls")
                .scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitCalls(2).build()).build();
        Guard guard = Guard.of(config);
        ChatModel model = GuardedChatModel.wrap(new OkModel(), guard);
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            assertThat(ReadmeSnippets.scopes(model, workers)).isEqualTo("ok ok");
        } finally {
            workers.shutdownNow();
        }
        assertThat(guard.budgetUsed("session-calls", "session-42")).isEqualTo(2);
        try (GuardScope again = GuardScope.open("support", "session-42")) {
            assertThatThrownBy(() -> model.chat("a third call")).isInstanceOf(GuardBlockedException.class);
        }
    }
}
