package dev.agentguard.langchain4j.it;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.TokenEstimator;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A budget-driven downgrade and a truncation, as the provider sees them and as the decisions record them. */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class DowngradeAndTruncationIT {

    private static final String USAGE_1000_1000 =
            "{\"prompt_tokens\":1000,\"completion_tokens\":1000,\"total_tokens\":2000}";

    private static ChatRequest reasoningRequest() {
        return ChatRequest.builder().messages(UserMessage.from("Plan a trip to Lyon"))
                .parameters(OpenAiChatRequestParameters.builder().reasoningEffort("high").maxCompletionTokens(1_000)
                        .build())
                .build();
    }

    @Test
    void pastTheDowngradeShareTheWireCarriesTheCheaperModelWithoutWhatItWouldReject() {
        // o3-mini: 1 000 prompt + 1 000 output tokens = 1 100 000 + 4 400 000 = 5 500 000 nano-dollars a call.
        // Session budget $0.02 with downgradeAt 50% ($0.01): the first call takes it to $0.0055, the second would
        // take it to $0.011, past the share, so it goes to gpt-4o-mini.
        Recorder rec = new Recorder(b -> b.ladder(List.of("o3-mini", "gpt-4o-mini"))
                .budget(Budget.builder("session-budget").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.02").downgradeAt(50).build()));
        try (StubServer stub = new StubServer().otherwise(r -> StubServer.Reply.json(OpenAiCostIT.text(
                r.json().get("model").asText(), USAGE_1000_1000)))) {
            ChatModel model = GuardedChatModel.wrap(OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1")
                    .apiKey("k").modelName("o3-mini").maxRetries(0).build(), rec.guard);

            try (GuardScope s = GuardScope.open("planner", "session-1")) {
                model.chat(reasoningRequest());
                model.chat(reasoningRequest());
            }

            JsonNode first = stub.requests.get(0).json();
            assertThat(first.get("model").asText()).isEqualTo("o3-mini");
            assertThat(first.get("reasoning_effort").asText()).isEqualTo("high");
            assertThat(first.get("max_completion_tokens").asInt()).isEqualTo(1_000);
            JsonNode second = stub.requests.get(1).json();
            assertThat(second.get("model").asText()).isEqualTo("gpt-4o-mini");
            assertThat(second.has("reasoning_effort")).isFalse();
            assertThat(second.has("max_completion_tokens")).isFalse();
            assertThat(second.get("max_tokens").asInt()).isEqualTo(1_000);
        }
        List<DecisionEvent> pre = rec.pre();
        assertThat(pre.get(0).action()).isEqualTo(Action.ALLOW);
        DecisionEvent downgrade = pre.get(1);
        assertThat(downgrade.action()).isEqualTo(Action.DOWNGRADE);
        assertThat(downgrade.decision().rule()).isEqualTo("budgets.session-budget");
        assertThat(TestEvents.call(downgrade).requestedModel()).isEqualTo("o3-mini");
        assertThat(TestEvents.call(downgrade).model()).isEqualTo("gpt-4o-mini");
        // the downgraded call is billed at gpt-4o-mini's rates: 1 000 x 150 + 1 000 x 600
        assertThat(TestEvents.settled(rec.post().get(1)).costNanos()).isEqualTo(750_000);
        assertThat(rec.guard.budgetUsed("session-budget", "session-1")).isEqualTo(5_500_000 + 750_000);
    }

    @Test
    void aDowngradeAcrossProvidersReachesTheRoutedClient() {
        // gpt-4o reserves 1 000 x 2 500 + 1 000 x 10 000 = $0.0125, past half of $0.02 at once
        Recorder rec = new Recorder(b -> b.ladder(List.of("gpt-4o", "claude-3-5-haiku-latest"))
                .budget(Budget.builder("session-budget").scope(Scope.SESSION).sliding(Duration.ofMinutes(10))
                        .limitUsd("0.02").downgradeAt(50).build()));
        try (StubServer openAi = new StubServer(); StubServer anthropic = new StubServer().reply(StubServer.Reply.json(
                AnthropicCostIT.text("claude-3-5-haiku-20241022", "{\"input_tokens\":1000,\"output_tokens\":100}")))) {
            ChatModel model = GuardedChatModel.builder(OpenAiChatModel.builder().baseUrl(openAi.baseUrl() + "/v1")
                            .apiKey("k").modelName("gpt-4o").maxRetries(0).build(), rec.guard)
                    .route("claude-3-5-haiku-latest", AnthropicChatModel.builder().baseUrl(anthropic.baseUrl() + "/v1/")
                            .apiKey("k").modelName("claude-3-5-haiku-latest").maxRetries(0).build())
                    .build();

            try (GuardScope s = GuardScope.open("planner", "session-1")) {
                model.chat(ChatRequest.builder().messages(UserMessage.from("Hello")).maxOutputTokens(1_000).build());
            }

            assertThat(openAi.requests).isEmpty();
            assertThat(anthropic.requests).singleElement().satisfies(r -> {
                assertThat(r.json().get("model").asText()).isEqualTo("claude-3-5-haiku-latest");
                assertThat(r.json().get("max_tokens").asInt()).isEqualTo(1_000);
            });
        }
        assertThat(rec.pre().get(0).action()).isEqualTo(Action.DOWNGRADE);
        // claude-3-5-haiku: 1 000 x 800 + 100 x 4 000
        assertThat(TestEvents.settled(rec.onlyPost()).costNanos()).isEqualTo(1_200_000);
    }

    private static ToolExecutionRequest call(String id, String city) {
        return ToolExecutionRequest.builder().id(id).name("weather").arguments("{\"city\":\"" + city + "\"}").build();
    }

    /** System, four exchanges with a tool round in each, then the latest question: 22 messages. */
    private static List<ChatMessage> longConversation() {
        List<ChatMessage> m = new ArrayList<>();
        m.add(SystemMessage.from("You are a travel agent."));
        String[] cities = {"Paris", "Lyon", "Nice", "Lille"};
        for (int i = 0; i < cities.length; i++) {
            m.add(UserMessage.from("Tell me about " + cities[i] + ". " + "Details please. ".repeat(40)));
            m.add(AiMessage.from(List.of(call("a" + i, cities[i]), call("b" + i, cities[i] + "-south"))));
            m.add(ToolExecutionResultMessage.from(call("a" + i, cities[i]), "sunny ".repeat(60)));
            m.add(ToolExecutionResultMessage.from(call("b" + i, cities[i] + "-south"), "cloudy ".repeat(60)));
            m.add(AiMessage.from(cities[i] + " is lovely. " + "More words. ".repeat(40)));
        }
        m.add(UserMessage.from("Which one is best?"));
        return m;
    }

    @Test
    void aTruncationIsVisibleOnTheWireWithEveryToolCallNextToItsResults() {
        Recorder rec = new Recorder(b -> b.tokenEstimator(TokenEstimator.conservative())
                .caps(Caps.builder().promptTokens(1_000, Caps.PromptAction.TRUNCATE).build()));
        List<ChatMessage> conversation = longConversation();
        try (StubServer stub = new StubServer().reply(StubServer.Reply.json(OpenAiCostIT.text("gpt-4o-mini",
                "{\"prompt_tokens\":900,\"completion_tokens\":20,\"total_tokens\":920}")))) {
            ChatModel model = GuardedChatModel.wrap(OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1")
                    .apiKey("k").modelName("gpt-4o-mini").maxRetries(0).build(), rec.guard);

            try (GuardScope s = GuardScope.open("planner", "session-1")) {
                model.chat(conversation);
            }

            JsonNode sent = stub.requests.get(0).json().get("messages");
            assertThat(sent.size()).isLessThan(conversation.size()).isGreaterThan(2);
            assertThat(sent.get(0).get("role").asText()).isEqualTo("system");
            assertThat(sent.get(1).get("role").asText()).as("opens with a user turn").isEqualTo("user");
            assertThat(sent.get(sent.size() - 1).get("content").asText()).isEqualTo("Which one is best?");
            Set<String> open = new HashSet<>();
            for (JsonNode m : sent) {
                if (m.has("tool_calls")) {
                    assertThat(open).as("results of the previous call all present").isEmpty();
                    m.get("tool_calls").forEach(c -> open.add(c.get("id").asText()));
                } else if (m.get("role").asText().equals("tool")) {
                    assertThat(open.remove(m.get("tool_call_id").asText())).as("a result after its call").isTrue();
                }
            }
            assertThat(open).as("every call has its results").isEmpty();

            DecisionEvent post = rec.onlyPost();
            assertThat(post.decision().action()).isEqualTo(Action.TRUNCATE);
            assertThat(post.decision().targetPromptTokens()).isEqualTo(1_000);
            assertThat(TestEvents.settled(post).droppedMessages()).isEqualTo(conversation.size() - sent.size());
            assertThat(TestEvents.settled(post).droppedTokens()).isPositive();
        }
    }
}
