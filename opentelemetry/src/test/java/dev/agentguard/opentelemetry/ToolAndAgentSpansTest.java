package dev.agentguard.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent.CallAdmitted;
import dev.agentguard.core.DecisionEvent.CallSettled;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Money;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.langchain4j.GuardedAiServices;
import dev.agentguard.langchain4j.GuardedToolExecutor;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.service.TokenStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Tool calls ({@code execute_tool}) and AI-service invocations ({@code invoke_agent}) with their calls inside. */
@SuppressWarnings("try") // scopes are opened for their thread binding
class ToolAndAgentSpansTest {

    interface Assistant {
        String chat(@MemoryId String session, @UserMessage String message);
    }

    interface StreamingAssistant {
        TokenStream chat(@MemoryId String session, @UserMessage String message);
    }

    static final class Clock {
        final AtomicInteger runs = new AtomicInteger();

        @Tool("the time in a zone")
        String time(@P("zone") String zone) {
            runs.incrementAndGet();
            return "noon in " + zone;
        }
    }

    private static <T> T attr(SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    /** Asks for the clock tool until a tool result is the last message, then answers. */
    private static Fakes.Chat toolCallingModel() {
        Fakes.Chat fake = new Fakes.Chat("cheap");
        fake.answer = r -> r.messages().get(r.messages().size() - 1) instanceof ToolExecutionResultMessage
                ? Fakes.reply("cheap", "It is noon.", new TokenUsage(50, 5))
                : ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder().id("call-1")
                        .name("time").arguments("{\"zone\":\"UTC\"}").build())).modelName("cheap")
                        .tokenUsage(new TokenUsage(30, 8)).build();
        return fake;
    }

    @Test
    void aToolCallIsAnInternalSpanUnderTheCallersSpan() {
        Tracing t = new Tracing(p -> { });
        Span caller = t.callerSpan();
        try (io.opentelemetry.context.Scope c = caller.makeCurrent();
                GuardScope s = GuardScope.open("support", "s-7")) {
            String result = GuardedToolExecutor.wrap("search", (request, memory) -> "found it", t.guard)
                    .execute(ToolExecutionRequest.builder().name("search").arguments("{\"q\":\"alice@example.com\"}")
                            .build(), null);
            assertThat(result).isEqualTo("found it");
        } finally {
            caller.end();
        }

        SpanData tool = t.span("execute_tool search");
        assertThat(tool.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(tool.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(attr(tool, GenAiAttributes.OPERATION_NAME)).isEqualTo("execute_tool");
        assertThat(attr(tool, GenAiAttributes.TOOL_NAME)).isEqualTo("search");
        assertThat(attr(tool, GenAiAttributes.CONVERSATION_ID)).isEqualTo("s-7");
        assertThat(attr(tool, GenAiAttributes.AGENT_NAME)).isEqualTo("support");
        assertThat(attr(tool, GuardAttributes.ACTION)).isEqualTo("allow");
        assertThat(attr(tool, GuardAttributes.OUTCOME)).as("said only when it did not end well").isNull();
        assertThat(attr(tool, GenAiAttributes.TOOL_CALL_ARGUMENTS)).as("content is opt-in").isNull();
        assertThat(attr(tool, GuardAttributes.COST_USD)).as("an unpriced tool costs nothing to show").isNull();
        assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aToolRefusedWithFeedbackEndsItsSpanAsARefusalAndTheModelIsToldWhy() {
        Tracing t = new Tracing(p -> p.caps(Caps.builder().perTool("search", 1).build()));
        GuardedToolExecutor search = GuardedToolExecutor.wrap("search", (request, memory) -> "found it", t.guard);
        ToolExecutionRequest request = ToolExecutionRequest.builder().name("search").arguments("{}").build();
        try (GuardScope s = GuardScope.open("support", "s-8")) {
            search.execute(request, null);
            assertThat(search.execute(request, null)).contains("not executed");
        }

        List<SpanData> tools = t.spans().stream().filter(s -> s.getName().equals("execute_tool search")).toList();
        assertThat(tools).hasSize(2);
        SpanData refused = tools.get(1);
        assertThat(refused.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(refused, GenAiAttributes.ERROR_TYPE)).isEqualTo("agentguard.feedback");
        assertThat(attr(refused, GuardAttributes.RULE)).isEqualTo("caps.perTool.search");
        assertThat(refused.getEvents()).singleElement().satisfies(e -> assertThat(e.getAttributes()
                .get(GuardAttributes.REASON)).isEqualTo(t.last(CallAdmitted.class).decision().reason()));
    }

    @Test
    void anAiServiceInvocationIsAnInvokeAgentSpanParentOfItsModelAndToolCalls() {
        Tracing t = new Tracing(p -> { });
        Clock clock = new Clock();
        Assistant assistant = GuardedAiServices.builder(Assistant.class, t.guard).agent("clerk")
                .chatModel(toolCallingModel()).tools(clock)
                .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10))).build();
        Span caller = t.callerSpan();
        try (io.opentelemetry.context.Scope c = caller.makeCurrent()) {
            assertThat(assistant.chat("s-9", "what time is it?")).isEqualTo("It is noon.");
        } finally {
            caller.end();
        }

        assertThat(clock.runs).hasValue(1);
        SpanData agent = t.span("invoke_agent clerk");
        assertThat(agent.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(agent.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(attr(agent, GenAiAttributes.OPERATION_NAME)).isEqualTo("invoke_agent");
        assertThat(attr(agent, GenAiAttributes.AGENT_NAME)).isEqualTo("clerk");
        assertThat(attr(agent, GenAiAttributes.CONVERSATION_ID)).isEqualTo("s-9");
        assertThat(agent.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        List<SpanData> inside = t.spans().stream().filter(s -> s.getParentSpanId().equals(agent.getSpanId()))
                .toList();
        assertThat(inside).extracting(SpanData::getName)
                .containsExactly("chat cheap", "execute_tool time", "chat cheap");
        assertThat(inside).allSatisfy(s -> {
            assertThat(s.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
            assertThat(attr(s, GenAiAttributes.CONVERSATION_ID)).isEqualTo("s-9");
            assertThat(attr(s, GenAiAttributes.AGENT_NAME)).isEqualTo("clerk");
            assertThat(s.getEndEpochNanos()).isLessThanOrEqualTo(agent.getEndEpochNanos());
        });
        List<CallSettled> models = t.events(CallSettled.class).stream().filter(e -> e.kind() == CallKind.MODEL_CALL)
                .toList();
        assertThat(attr(inside.get(0), GenAiAttributes.RESPONSE_FINISH_REASONS)).isNull();
        assertThat(attr(inside.get(0), GenAiAttributes.USAGE_OUTPUT_TOKENS)).isEqualTo(8L);
        assertThat(attr(inside.get(0), GenAiAttributes.REQUEST_MAX_TOKENS)).as("the policy's default cap, sent")
                .isEqualTo(t.guard.config().defaultMaxOutputTokens());
        assertThat(attr(inside.get(0), GuardAttributes.COST_USD)).isEqualTo(Money.format(models.get(0).costNanos()));
        assertThat(attr(inside.get(2), GenAiAttributes.USAGE_INPUT_TOKENS)).isEqualTo(50L);
        assertThat(attr(inside.get(2), GuardAttributes.COST_USD)).isEqualTo(Money.format(models.get(1).costNanos()));
        assertThat(attr(inside.get(1), GenAiAttributes.TOOL_NAME)).isEqualTo("time");
    }

    @Test
    void aBlockThatEndsTheInvocationEndsItsSpanWithTheRefusal() {
        Tracing t = new Tracing(p -> p.caps(Caps.builder().perTool("time", 1, Caps.OnCap.BLOCK).build()));
        Fakes.Chat insisting = toolCallingModel();
        insisting.answer = r -> ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder()
                .id("call-" + r.messages().size()).name("time").arguments("{\"zone\":\"UTC\"}").build()))
                .modelName("cheap").tokenUsage(new TokenUsage(30, 8)).build();
        Assistant assistant = GuardedAiServices.builder(Assistant.class, t.guard).agent("clerk")
                .chatModel(insisting).tools(new Clock())
                .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10))).build();

        assertThatThrownBy(() -> assistant.chat("s-10", "what time is it?"))
                .isInstanceOf(GuardBlockedException.class);

        SpanData agent = t.span("invoke_agent clerk");
        List<SpanData> tools = t.spans().stream().filter(s -> s.getName().equals("execute_tool time")).toList();
        assertThat(tools).hasSize(2).allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(agent.getSpanId()));
        SpanData tool = tools.get(1);
        assertThat(attr(tool, GenAiAttributes.ERROR_TYPE)).isEqualTo("agentguard.block");
        assertThat(agent.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(agent, GenAiAttributes.ERROR_TYPE)).isEqualTo("agentguard.block");
    }

    @Test
    void aStreamingInvocationKeepsItsRoundsOnOtherThreadsUnderItsSpan() throws Exception {
        Tracing t = new Tracing(p -> { });
        ExecutorService provider = Executors.newSingleThreadExecutor(r -> new Thread(r, "provider"));
        List<String> admittingThreads = new CopyOnWriteArrayList<>();
        t.guard.addListener(e -> {
            if (e instanceof CallAdmitted) {
                admittingThreads.add(Thread.currentThread().getName());
            }
        });
        StreamingChatModel model = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                boolean answered = request.messages().get(request.messages().size() - 1)
                        instanceof ToolExecutionResultMessage;
                provider.execute(() -> handler.onCompleteResponse(answered
                        ? Fakes.reply("cheap", "It is noon.", new TokenUsage(50, 5))
                        : ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder().id("call-1")
                                .name("time").arguments("{\"zone\":\"UTC\"}").build())).modelName("cheap")
                                .tokenUsage(new TokenUsage(30, 8)).build()));
            }

            @Override
            public ChatRequestParameters defaultRequestParameters() {
                return ChatRequestParameters.builder().modelName("cheap").build();
            }
        };
        StreamingAssistant assistant = GuardedAiServices.builder(StreamingAssistant.class, t.guard).agent("clerk")
                .streamingChatModel(model).tools(new Clock())
                .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10))).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        Span caller = t.callerSpan();
        try (io.opentelemetry.context.Scope c = caller.makeCurrent()) {
            assistant.chat("s-11", "what time is it?").onPartialResponse(x -> { })
                    .onCompleteResponse(done::complete).onError(done::completeExceptionally).start();
        }
        try {
            assertThat(done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo("It is noon.");
        } finally {
            caller.end();
            provider.shutdownNow();
        }

        assertThat(admittingThreads).hasSize(3);
        assertThat(admittingThreads.get(0)).isEqualTo(Thread.currentThread().getName());
        assertThat(admittingThreads.subList(1, 3)).as("the tool call and the second round: the provider's thread")
                .containsOnly("provider");
        SpanData agent = t.span("invoke_agent clerk");
        assertThat(agent.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        List<SpanData> inside = t.spans().stream().filter(s -> s.getParentSpanId().equals(agent.getSpanId()))
                .toList();
        assertThat(inside).extracting(SpanData::getName)
                .containsExactlyInAnyOrder("chat cheap", "execute_tool time", "chat cheap");
        assertThat(inside).allSatisfy(s -> assertThat(s.hasEnded()).isTrue());
        assertThat(t.spans()).hasSize(5);
    }
}
