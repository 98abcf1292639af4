package dev.agentguard.langchain4j.it;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.langchain4j.GuardedAiServices;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedToolExecutor;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.Map;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.guardrail.OutputGuardrail;
import dev.langchain4j.guardrail.OutputGuardrailResult;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An AI service with {@code @Tool} objects whose (stubbed) model keeps asking for the same tool call: the guard
 * answers with feedback, then blocks, and every decision carries the {@code @MemoryId} session, the agent and the
 * turn, in the synchronous and in the streaming tool loop.
 */
class AiServicesIT {

    /** The service under test. */
    interface Agent {
        String chat(@MemoryId String session, @UserMessage String message);
    }

    /** The streaming variant. */
    interface StreamingAgent {
        TokenStream chat(@MemoryId String session, @UserMessage String message);
    }

    /** A tool that counts its runs. */
    static final class Weather {
        final AtomicInteger runs = new AtomicInteger();

        @Tool("Current weather in a city")
        String weather(@P("city") String city) {
            return "sunny in " + city + " (" + runs.incrementAndGet() + ")";
        }
    }

    static final String WEATHER_CALL = OpenAiCostIT.completion("gpt-4o-mini", "{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}", "tool_calls",
            "{\"prompt_tokens\":100,\"completion_tokens\":10,\"total_tokens\":110}");

    static List<String> weatherCallStream() {
        String m = "gpt-4o-mini";
        return List.of(
                OpenAiStreamingCostIT.chunk(m, "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,"
                        + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":"
                        + "\"\"}}]}", null),
                OpenAiStreamingCostIT.chunk(m, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}", null),
                OpenAiStreamingCostIT.chunk(m, "{}", "tool_calls"),
                OpenAiStreamingCostIT.usageChunk(m, "{\"prompt_tokens\":100,\"completion_tokens\":10,\"total_tokens\":110}"),
                "[DONE]");
    }

    private static Recorder loopGuard() {
        // a third identical call is refused with feedback; a fourth, insisting, is blocked
        return new Recorder(b -> b.loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(2, 3))
                .onLoop(LoopRules.OnLoop.FEEDBACK).build()));
    }

    private static void assertAttributed(List<DecisionEvent> events, String session, String agent) {
        assertThat(events).isNotEmpty().allSatisfy(e -> {
            assertThat(e.scope().session()).as(e.toString()).isEqualTo(session);
            assertThat(e.scope().agent()).as(e.toString()).isEqualTo(agent);
        });
        assertThat(events.stream().map(e -> e.scope().turn()).collect(Collectors.toSet()))
                .as("one turn: the invocation").hasSize(1).doesNotContainNull();
    }

    private static List<Action> toolActions(Recorder rec) {
        return rec.pre().stream().filter(e -> e.kind() == CallKind.TOOL_CALL).map(DecisionEvent::action)
                .collect(Collectors.toList());
    }

    @Test
    void aBlockEndsTheRunWithPlainAiServicesWhoseToolErrorHandlerSwallowsIt() {
        Recorder rec = loopGuard();
        AtomicInteger runs = new AtomicInteger();
        ToolExecutor executor = (request, memoryId) -> "sunny (" + runs.incrementAndGet() + ")";
        ToolSpecification spec = ToolSpecification.builder().name("weather").description("Current weather in a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        try (StubServer stub = new StubServer().otherwise(r -> StubServer.Reply.json(WEATHER_CALL))) {
            // plain LangChain4j wiring: the default tool error handler turns the tool's exception into text
            Agent agent = AiServices.builder(Agent.class)
                    .chatModel(GuardedChatModel.wrap(OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1")
                            .apiKey("k").modelName("gpt-4o-mini").maxRetries(0).build(), rec.guard))
                    .tools(Map.of(spec, GuardedToolExecutor.wrap("weather", executor, rec.guard)))
                    .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(200))
                    .build();

            Throwable thrown;
            try (GuardScope s = GuardScope.open("support", "alice")) {
                thrown = org.assertj.core.api.Assertions.catchThrowable(
                        () -> agent.chat("alice", "What's the weather in Paris?"));
            }

            assertThat(thrown).as("the service call ends").isNotNull();
            Throwable blocked = thrown;
            while (blocked != null && !(blocked instanceof GuardBlockedException)) {
                blocked = blocked.getCause();
            }
            assertThat(blocked).as("a GuardBlockedException in the cause chain of " + thrown)
                    .isInstanceOfSatisfying(GuardBlockedException.class, e -> {
                        assertThat(e.decision().action()).isEqualTo(Action.BLOCK);
                        assertThat(e.decision().rule()).isEqualTo("loops.identicalToolCalls");
                    });
            assertThat(stub.requests).as("a handful of round trips, not LangChain4j's 100").hasSize(4);
            assertThat(runs).hasValue(2);

            // a new user message starts a new run (which the loop rules then judge afresh)
            rec.events.clear();
            try (GuardScope s = GuardScope.open("support", "alice")) {
                org.assertj.core.api.Assertions.catchThrowable(() -> agent.chat("alice", "Thanks. And Lyon?"));
            }
            assertThat(rec.pre().get(0).kind()).isEqualTo(CallKind.MODEL_CALL);
            assertThat(rec.pre().get(0).action()).as("the new message is not refused").isEqualTo(Action.ALLOW);
        }
        assertThat(rec.guard.ledger().openHolds()).isZero();
    }

    @Test
    void aRepeatedToolCallGetsFeedbackThenBlocksTheInvocationAttributedToTheMemoryIdSession() {
        Recorder rec = loopGuard();
        Weather weather = new Weather();
        try (StubServer stub = new StubServer().otherwise(r -> StubServer.Reply.json(WEATHER_CALL))) {
            Agent agent = GuardedAiServices.builder(Agent.class, rec.guard)
                    .chatModel(OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1").apiKey("k")
                            .modelName("gpt-4o-mini").maxRetries(0).build())
                    .tools(weather)
                    .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(50)))
                    .build();

            assertThatThrownBy(() -> agent.chat("alice", "What's the weather in Paris?"))
                    .isInstanceOfSatisfying(GuardBlockedException.class, e -> {
                        assertThat(e.decision().action()).isEqualTo(Action.BLOCK);
                        assertThat(e.decision().rule()).isEqualTo("loops.identicalToolCalls");
                    });

            assertThat(weather.runs).as("the refused calls did not run").hasValue(2);
            assertThat(toolActions(rec)).containsExactly(Action.ALLOW, Action.WARN, Action.FEEDBACK, Action.BLOCK);
            assertThat(stub.requests).hasSize(4);
            JsonNode messages = stub.requests.get(3).json().get("messages");
            JsonNode feedback = messages.get(messages.size() - 1);
            assertThat(feedback.get("role").asText()).isEqualTo("tool");
            assertThat(feedback.get("content").asText()).startsWith("The call to weather was not executed: the guard"
                    + " refused it (loops.identicalToolCalls: ");
            assertAttributed(rec.events, "alice", "Agent");

            // another session starts from scratch
            int before = rec.events.size();
            assertThatThrownBy(() -> agent.chat("bob", "And in Paris?")).isInstanceOf(GuardBlockedException.class);
            assertAttributed(rec.events.subList(before, rec.events.size()), "bob", "Agent");
        }
        assertThat(rec.guard.ledger().openHolds()).isZero();
    }

    @Test
    void aStreamingToolLoopIsAttributedOnEveryRoundThoughLaterRoundsRunOnAnotherThread() throws Exception {
        Recorder rec = loopGuard();
        List<String> admittingThreads = new CopyOnWriteArrayList<>();
        rec.guard.addListener(e -> {
            if (e.phase() == Phase.PRE && e.kind() == CallKind.MODEL_CALL) {
                admittingThreads.add(Thread.currentThread().getName());
            }
        });
        Weather weather = new Weather();
        try (StubServer stub = new StubServer().otherwise(r -> StubServer.Reply.sse(weatherCallStream()))) {
            StreamingAgent agent = GuardedAiServices.builder(StreamingAgent.class, rec.guard).agent("forecaster")
                    .streamingChatModel(OpenAiStreamingChatModel.builder().baseUrl(stub.baseUrl() + "/v1")
                            .apiKey("k").modelName("gpt-4o-mini").timeout(Duration.ofSeconds(10)).build())
                    .tools(weather)
                    .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(50)))
                    .build();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();

            agent.chat("carol", "What's the weather in Paris?").onPartialResponse(t -> { })
                    .onCompleteResponse(done::complete).onError(done::completeExceptionally).start();

            assertThatThrownBy(() -> done.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(GuardBlockedException.class);
            assertThat(weather.runs).hasValue(2);
            assertThat(toolActions(rec)).containsExactly(Action.ALLOW, Action.WARN, Action.FEEDBACK, Action.BLOCK);
            assertThat(admittingThreads).hasSize(4);
            assertThat(admittingThreads.get(0)).isEqualTo(Thread.currentThread().getName());
            assertThat(Set.copyOf(admittingThreads.subList(1, 4))).as("later rounds: the HTTP client's threads")
                    .doesNotContain(Thread.currentThread().getName());
            assertAttributed(rec.events, "carol", "forecaster");
        }
        assertThat(rec.guard.ledger().openHolds()).isZero();
    }

    /** Asks once for a better answer. */
    static final class AskTwice implements OutputGuardrail {
        final AtomicInteger seen = new AtomicInteger();

        @Override
        public OutputGuardrailResult validate(AiMessage responseFromLLM) {
            return seen.incrementAndGet() == 1 ? reprompt("too short", "Answer in one full sentence.") : success();
        }
    }

    @Test
    void anOutputGuardrailRepromptIsGuardedAndAttributedToTheSameTurn() {
        Recorder rec = new Recorder();
        AskTwice guardrail = new AskTwice();
        try (StubServer stub = new StubServer()
                .reply(StubServer.Reply.json(OpenAiCostIT.text("gpt-4o-mini",
                        "{\"prompt_tokens\":100,\"completion_tokens\":5,\"total_tokens\":105}")))
                .reply(StubServer.Reply.json(OpenAiCostIT.text("gpt-4o-mini",
                        "{\"prompt_tokens\":130,\"completion_tokens\":20,\"total_tokens\":150}")))) {
            Agent agent = GuardedAiServices.builder(Agent.class, rec.guard)
                    .chatModel(OpenAiChatModel.builder().baseUrl(stub.baseUrl() + "/v1").apiKey("k")
                            .modelName("gpt-4o-mini").maxRetries(0).build())
                    .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(50))
                            .outputGuardrails(guardrail))
                    .build();

            agent.chat("dave", "Hi");

            assertThat(stub.requests).hasSize(2);
            assertThat(stub.requests.get(1).body).contains("Answer in one full sentence.");
        }
        assertThat(rec.post()).hasSize(2).extracting(e -> TestEvents.settled(e).costNanos())
                .containsExactly(100L * 150 + 5 * 600, 130L * 150 + 20 * 600); // 18 000, then 31 500
        assertAttributed(rec.events, "dave", "Agent");
    }
}
