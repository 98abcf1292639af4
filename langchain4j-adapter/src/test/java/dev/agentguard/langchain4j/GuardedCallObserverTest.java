package dev.agentguard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The observer seam: what a decorator reports, in which order relative to the guard's own events. */
class GuardedCallObserverTest {

    interface Assistant {
        String chat(@MemoryId String session, @UserMessage String message);
    }

    static final class Clock {
        @Tool("the time")
        String time(@P("zone") String zone) {
            return "noon in " + zone;
        }
    }

    /** Writes every report and every guard event into one list, in the order they happen. */
    static final class Journal implements GuardedCallObserver {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public ModelCallObservation modelCallStarting(ModelCall call, ModelProvider provider, ChatRequest request) {
            lines.add("starting " + call.model() + " " + provider + " session=" + call.scope().session());
            return new ModelCallObservation() {
                @Override
                public void admitted(Admission admission, ChatRequest sent, ModelProvider p) {
                    lines.add("admitted " + admission.model() + " cap=" + admission.maxOutputTokens());
                }

                @Override
                public void responded(ChatResponse response) {
                    lines.add("responded " + response.aiMessage().text());
                }

                @Override
                public void close() {
                    lines.add("close");
                }
            };
        }

        @Override
        public void invocationStarted(InvocationContext context, GuardScope scope) {
            lines.add("invocation started agent=" + scope.agent() + " turn=" + scope.turn().equals(
                    context.invocationId().toString()));
        }

        @Override
        public void invocationEnded(InvocationContext context, Throwable error) {
            lines.add("invocation ended " + (error == null ? "ok" : error.getClass().getSimpleName()));
        }

        void event(DecisionEvent e) {
            lines.add(e.phase().name().toLowerCase() + " " + e.kind().id() + " " + e.action().id());
        }
    }

    @Test
    void aModelCallIsReportedAroundTheGuardsAdmissionAndBeforeItsSettlement() {
        TestGuards t = new TestGuards(p -> { });
        Journal journal = new Journal();
        t.guard.addListener(journal::event);
        GuardedCallObserver.register(t.guard, journal);
        FakeChatModel fake = new FakeChatModel("cheap");

        try (GuardScope s = GuardScope.open("a", "s1")) {
            GuardedChatModel.wrap(fake, t.guard).chat(ChatRequest.builder()
                    .messages(dev.langchain4j.data.message.UserMessage.from("hi")).maxOutputTokens(64).build());
        }

        assertThat(journal.lines).containsExactly("starting cheap OPEN_AI session=s1", "pre model_call allow",
                "admitted cheap cap=64", "responded ok", "post model_call record", "close");
    }

    @Test
    void aRefusedCallIsNeitherAdmittedNorAnsweredButClosed() {
        TestGuards t = new TestGuards(p -> p.caps(Caps.builder().modelCallsPerSession(1).build()));
        Journal journal = new Journal();
        GuardedChatModel model = GuardedChatModel.wrap(new FakeChatModel("cheap"), t.guard);

        try (GuardScope s = GuardScope.open("a", "s1")) {
            model.chat("hi");
            t.guard.addListener(journal::event);
            GuardedCallObserver.register(t.guard, journal);
            assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(GuardBlockedException.class);
        }

        assertThat(journal.lines).containsExactly("starting cheap OPEN_AI session=s1", "pre model_call block", "close");
    }

    @Test
    void anUnregisteredObserverHearsNothingAndAnotherGuardsCallsNeverReachIt() {
        TestGuards t = new TestGuards(p -> { });
        TestGuards other = new TestGuards(p -> { });
        Journal journal = new Journal();
        GuardedCallObserver.register(t.guard, journal);

        GuardedChatModel.wrap(new FakeChatModel("cheap"), other.guard).chat("hi");
        assertThat(journal.lines).isEmpty();

        GuardedCallObserver.unregister(t.guard, journal);
        GuardedChatModel.wrap(new FakeChatModel("cheap"), t.guard).chat("hi");
        assertThat(journal.lines).isEmpty();
    }

    @Test
    void anAiServiceInvocationIsReportedAroundItsModelAndToolCalls() {
        TestGuards t = new TestGuards(p -> { });
        Journal journal = new Journal();
        t.guard.addListener(journal::event);
        GuardedCallObserver.register(t.guard, journal);
        FakeChatModel fake = new FakeChatModel("cheap");
        fake.answer = r -> r.messages().get(r.messages().size() - 1) instanceof ToolExecutionResultMessage
                ? FakeChatModel.reply("done", new TokenUsage(20, 3))
                : ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder().id("call-1")
                        .name("time").arguments("{\"zone\":\"UTC\"}").build())).tokenUsage(new TokenUsage(10, 5))
                        .build();
        Assistant assistant = GuardedAiServices.builder(Assistant.class, t.guard).agent("clerk").chatModel(fake)
                .tools(new Clock())
                .configure(ai -> ai.chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(10))).build();

        assertThat(assistant.chat("s9", "what time is it?")).isEqualTo("done");

        assertThat(journal.lines).containsExactly("invocation started agent=clerk turn=true",
                "starting cheap OPEN_AI session=s9", "pre model_call allow", "admitted cheap cap=1024", "responded null",
                "post model_call record", "close",
                "pre tool_call allow", "post tool_call record",
                "starting cheap OPEN_AI session=s9", "pre model_call allow", "admitted cheap cap=1024", "responded done",
                "post model_call record", "close",
                "invocation ended ok");
    }
}
