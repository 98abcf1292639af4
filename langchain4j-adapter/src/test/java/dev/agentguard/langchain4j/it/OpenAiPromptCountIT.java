package dev.agentguard.langchain4j.it;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Budget;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.TokenCounting;
import dev.agentguard.langchain4j.GuardedAiServices;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.MemoryId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With the OpenAI estimator, the prompt tokens the guard reserves for a call are the {@code prompt_tokens} the
 * (counting) stub reports for the same request: plain, multi-turn with tool calls and results, and an AI service's
 * tool loop. The stub counts the JSON that went over the wire ({@link OpenAiCountingStub}); the guard counted the
 * {@code ChatRequest} before LangChain4j serialised it. Margin: none, the counts are equal.
 *
 * <p>gpt-4o-mini costs 150 nano-dollars per input token and 600 per output token, so the reserved prompt tokens
 * are {@code (reserved - maxOutput x 600) / 150}.
 */
@SuppressWarnings("try")
class OpenAiPromptCountIT {

    private static final int MAX_OUTPUT = 200;

    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();

    private Guard guard(TokenCounting counting) {
        GuardConfig config = GuardConfig.builder().name("count-it").tokenCounting(counting)
                .budget(Budget.builder("global").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10)).limitUsd("100")
                        .build())
                .build();
        return Guard.builder(config).listener(events::add).build();
    }

    private static StubServer countingStub() {
        return new StubServer().otherwise(r -> {
            long prompt = OpenAiCountingStub.promptTokens(r.json());
            boolean tools = r.json().has("tools") && r.json().get("messages").size() <= 2;
            String message = tools
                    ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"lookupOrder\",\"arguments\":\"{\\\"orderId\\\":\\\"A-1042\\\"}\"}}]}"
                    : "{\"role\":\"assistant\",\"content\":\"Your parcel arrives tomorrow.\",\"refusal\":null}";
            return StubServer.Reply.json(OpenAiCostIT.completion("gpt-4o-mini", message, tools ? "tool_calls" : "stop",
                    "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":7,\"total_tokens\":" + (prompt + 7) + "}"));
        });
    }

    private static OpenAiChatModel openAi(StubServer stub) {
        return OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1").apiKey("test-key").modelName("gpt-4o-mini")
                .maxTokens(MAX_OUTPUT).maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    private List<Long> reservedPromptTokens() {
        return events.stream().filter(e -> e.phase() == Phase.PRE && e.kind() == CallKind.MODEL_CALL)
                .map(e -> {
                    long input = TestEvents.call(e).reservedNanos() - MAX_OUTPUT * 600L;
                    assertThat(input % 150).as("whole tokens").isZero();
                    return input / 150;
                }).collect(Collectors.toList());
    }

    private static List<Long> reportedPromptTokens(StubServer stub) {
        return stub.requests.stream().map(r -> OpenAiCountingStub.promptTokens(r.json())).collect(Collectors.toList());
    }

    @ParameterizedTest(name = "tokens.estimator: {0}")
    @ValueSource(strings = {"AUTO", "OPENAI"})
    void plainAndMultiTurnRequestsReserveWhatTheProviderCounts(TokenCounting counting) {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("lookupOrder")
                .arguments("{\"orderId\":\"A-1042\"}").build();
        List<ChatRequest> requests = List.of(
                ChatRequest.builder().messages(UserMessage.from("Where is my order A-1042?")).build(),
                ChatRequest.builder().messages(SystemMessage.from("You are a support agent. Be brief."),
                        UserMessage.from("jane", "您好，我三周前订购了一双跑步鞋，包裹在哪里？")).build(),
                ChatRequest.builder().messages(
                        SystemMessage.from("You are a support agent. Be brief."),
                        UserMessage.from("Where is my order A-1042? Привет!"),
                        AiMessage.from(List.of(call)),
                        ToolExecutionResultMessage.from(call, "{\"status\":\"in_transit\",\"eta\":\"2025-03-15\"}"),
                        AiMessage.from("It is on its way and arrives tomorrow."),
                        UserMessage.from("Thanks! 🎉 And order A-1043?")).build());
        try (StubServer stub = countingStub(); GuardScope s = GuardScope.open("count-it", "session-1")) {
            ChatModel model = GuardedChatModel.wrap(openAi(stub), guard(counting));
            for (ChatRequest r : requests) {
                model.chat(r);
            }

            assertThat(reservedPromptTokens()).hasSize(3).isEqualTo(reportedPromptTokens(stub));
        }
    }

    /** The AI service under test. */
    interface Assistant {
        String chat(@MemoryId String session, @dev.langchain4j.service.UserMessage String message);
    }

    /** A tool with a described parameter and an enum, so that definitions count. */
    static final class Orders {
        final AtomicInteger runs = new AtomicInteger();

        /** The detail of a lookup. */
        enum Detail { SHORT, FULL }

        @Tool("Looks an order up by its id and says where its parcel is")
        String lookupOrder(@P("the order id, like A-1042") String orderId, @P("how much to say") Detail detail) {
            runs.incrementAndGet();
            return "{\"orderId\":\"" + orderId + "\",\"status\":\"in_transit\"}";
        }
    }

    @Test
    void anAiServiceToolLoopReservesWhatTheProviderCountsOnEveryRound() {
        Orders orders = new Orders();
        try (StubServer stub = countingStub()) {
            Assistant assistant = GuardedAiServices.builder(Assistant.class, guard(TokenCounting.AUTO))
                    .chatModel(openAi(stub))
                    .tools(orders)
                    .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20)))
                    .build();

            assertThat(assistant.chat("s-1", "Where is my order A-1042?")).contains("tomorrow");

            assertThat(orders.runs).hasValue(1);
            assertThat(stub.requests).hasSize(2);
            assertThat(stub.requests.get(0).json().get("tools")).as("definitions were sent").isNotNull();
            assertThat(reservedPromptTokens()).isEqualTo(reportedPromptTokens(stub));
        }
    }

    @Test
    void theConservativeDefaultReservesAtLeastWhatTheProviderCounts() {
        List<ChatRequest> requests = new ArrayList<>();
        requests.add(ChatRequest.builder().messages(SystemMessage.from("你是一个客服助手。"),
                UserMessage.from("您好，我三周前订购了一双跑步鞋（订单号 A-1042），但物流跟踪页面仍然显示包裹在配送中心等待。"))
                .build());
        try (StubServer stub = countingStub(); GuardScope s = GuardScope.open("count-it", "session-2")) {
            ChatModel model = GuardedChatModel.wrap(openAi(stub), guard(TokenCounting.CONSERVATIVE));
            requests.forEach(model::chat);

            List<Long> reserved = reservedPromptTokens();
            List<Long> reported = reportedPromptTokens(stub);
            for (int i = 0; i < reported.size(); i++) {
                assertThat(reserved.get(i)).isGreaterThanOrEqualTo(reported.get(i));
            }
        }
    }
}
