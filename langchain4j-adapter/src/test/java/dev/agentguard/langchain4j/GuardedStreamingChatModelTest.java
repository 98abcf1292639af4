package dev.agentguard.langchain4j;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.OnCancel;
import dev.agentguard.core.common.Scope;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** The streaming decorator: one-to-one callbacks, time to first token, settle once, release on cancel. */
@SuppressWarnings("try") // a GuardScope is opened for its thread binding, not referenced in the block
class GuardedStreamingChatModelTest {

    /** Plays a script against the handler it is given, as a provider's doChat would. */
    static final class FakeStreamingModel implements StreamingChatModel {
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        final List<ChatModelListener> listeners = new ArrayList<>();
        BiConsumer<ChatRequest, StreamingChatResponseHandler> script;

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
            requests.add(request);
            script.accept(request, handler);
        }

        @Override
        public ChatRequestParameters defaultRequestParameters() {
            return ChatRequestParameters.builder().modelName("cheap").build();
        }

        @Override
        public List<ChatModelListener> listeners() {
            return listeners;
        }

        @Override
        public ModelProvider provider() {
            return ModelProvider.OLLAMA;
        }

        @Override
        public Set<Capability> supportedCapabilities() {
            return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        }
    }

    /** Records every callback under its own name, overriding every overload. */
    static final class RecordingHandler implements StreamingChatResponseHandler {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        volatile StreamingHandle handle;

        @Override
        public void onPartialResponse(String s) {
            calls.add("partialResponse(" + s + ")");
        }

        @Override
        public void onPartialResponse(PartialResponse p, PartialResponseContext c) {
            handle = c.streamingHandle();
            calls.add("partialResponse(" + p.text() + ", ctx)");
        }

        @Override
        public void onPartialThinking(PartialThinking p) {
            calls.add("partialThinking(" + p.text() + ")");
        }

        @Override
        public void onPartialThinking(PartialThinking p, PartialThinkingContext c) {
            calls.add("partialThinking(" + p.text() + ", ctx)");
        }

        @Override
        public void onPartialToolCall(PartialToolCall p) {
            calls.add("partialToolCall(" + p.partialArguments() + ")");
        }

        @Override
        public void onPartialToolCall(PartialToolCall p, PartialToolCallContext c) {
            calls.add("partialToolCall(" + p.partialArguments() + ", ctx)");
        }

        @Override
        public void onCompleteToolCall(CompleteToolCall c) {
            calls.add("completeToolCall(" + c.toolExecutionRequest().name() + ")");
        }

        @Override
        public void onUnmappedRawEvent(Object e) {
            calls.add("raw(" + e + ")");
        }

        @Override
        public void onCompleteResponse(ChatResponse r) {
            calls.add("complete(" + r.aiMessage().text() + ")");
        }

        @Override
        public void onError(Throwable t) {
            errors.add(t);
            calls.add("error(" + t.getClass().getSimpleName() + ")");
        }
    }

    /** A handle that only remembers being cancelled. */
    static final class Handle implements StreamingHandle {
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }
    }

    private static ChatResponse done(String text) {
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).tokenUsage(new TokenUsage(10, 5)).build();
    }

    @Test
    void everyCallbackReachesTheCallerOneToOneAndTheCallSettlesOnceWithItsTimings() {
        TestGuards t = new TestGuards(p -> { });
        FakeStreamingModel fake = new FakeStreamingModel();
        Handle handle = new Handle();
        PartialToolCall partialCall = PartialToolCall.builder().index(0).id("c1").name("search")
                .partialArguments("{\"q\"").build();
        fake.script = (r, h) -> {
            t.ticker.advance(Duration.ofMillis(100));
            h.onPartialThinking(new PartialThinking("hmm"));
            h.onPartialThinking(new PartialThinking("so"), new PartialThinkingContext(handle));
            t.ticker.advance(Duration.ofMillis(50));
            h.onPartialResponse("He");
            h.onPartialResponse(new PartialResponse("llo"), new PartialResponseContext(handle));
            h.onPartialToolCall(partialCall);
            h.onPartialToolCall(partialCall, new PartialToolCallContext(handle));
            h.onCompleteToolCall(new CompleteToolCall(0, ToolExecutionRequest.builder().id("c1").name("search")
                    .arguments("{\"q\":1}").build()));
            h.onUnmappedRawEvent("ping");
            t.ticker.advance(Duration.ofMillis(350));
            h.onCompleteResponse(done("Hello"));
        };
        AtomicInteger listened = new AtomicInteger();
        fake.listeners.add(new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext c) {
                listened.incrementAndGet();
            }

            @Override
            public void onResponse(ChatModelResponseContext c) {
                listened.incrementAndGet();
            }
        });
        RecordingHandler caller = new RecordingHandler();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            GuardedStreamingChatModel.wrap(fake, t.guard).chat("hi", caller);
        }

        assertThat(caller.calls).containsExactly("partialThinking(hmm)", "partialThinking(so, ctx)",
                "partialResponse(He)", "partialResponse(llo, ctx)", "partialToolCall({\"q\")",
                "partialToolCall({\"q\", ctx)", "completeToolCall(search)", "raw(ping)", "complete(Hello)");
        assertThat(t.post()).hasSize(1);
        DecisionEvent post = t.lastPost();
        assertThat(TestEvents.settled(post).outcome()).isEqualTo(DecisionEvent.OK);
        assertThat(TestEvents.settled(post).ttftNanos()).as("first partial, thinking included").isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(TestEvents.settled(post).latencyNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(10 * 1_000 + 5 * 2_000);
        assertThat(listened).as("the delegate's listeners, once each").hasValue(2);
    }

    @Test
    void aRefusalGoesToOnErrorAndTheDelegateIsNotCalled() {
        TestGuards t = new TestGuards(p -> p.budget(Budget.builder("tiny").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(10)).limitUsd("0.000001").build()));
        FakeStreamingModel fake = new FakeStreamingModel();
        RecordingHandler caller = new RecordingHandler();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            GuardedStreamingChatModel.wrap(fake, t.guard).chat("hi", caller);
        }

        assertThat(fake.requests).isEmpty();
        assertThat(caller.errors).singleElement().isInstanceOfSatisfying(GuardBlockedException.class,
                e -> assertThat(e.decision().rule()).isEqualTo("budgets.tiny"));
        assertThat(t.guard.ledger().openHolds()).isZero();
    }

    @Test
    void anErrorFailsTheAdmissionOnceEvenIfTheProviderReportsMore() {
        TestGuards t = new TestGuards(p -> { });
        FakeStreamingModel fake = new FakeStreamingModel();
        fake.script = (r, h) -> {
            h.onError(new IllegalStateException("stream broke"));
            h.onError(new IllegalStateException("again"));
            h.onCompleteResponse(done("late"));
        };
        RecordingHandler caller = new RecordingHandler();

        GuardedStreamingChatModel.wrap(fake, t.guard).chat("hi", caller);

        assertThat(caller.calls).containsExactly("error(IllegalStateException)", "error(IllegalStateException)",
                "complete(late)");
        assertThat(t.post()).singleElement().satisfies(p -> {
            assertThat(TestEvents.settled(p).outcome()).isEqualTo(IllegalStateException.class.getName());
            assertThat(TestEvents.settled(p).costNanos()).as("a broken stream reports nothing: charged its worst case")
                    .isPositive().isEqualTo(TestEvents.call(p).reservedNanos());
        });
        assertThat(t.guard.ledger().openHolds()).isZero();
    }

    @Test
    void aCallerWhoCancelsTheStreamIsChargedTheWorstCaseNotNothing() {
        TestGuards t = new TestGuards(p -> p.budget(Budget.builder("session").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(10)).limitUsd("1.00").build()));
        FakeStreamingModel fake = new FakeStreamingModel();
        Handle handle = new Handle();
        List<StreamingChatResponseHandler> pending = new ArrayList<>();
        fake.script = (r, h) -> {
            h.onPartialResponse(new PartialResponse("He"), new PartialResponseContext(handle));
            pending.add(h);
        };
        RecordingHandler caller = new RecordingHandler();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            GuardedStreamingChatModel.wrap(fake, t.guard).chat("hi", caller);
        }
        assertThat(t.guard.ledger().openHolds()).as("in flight").isEqualTo(1);
        caller.handle.cancel();
        pending.get(0).onCompleteResponse(done("too late"));

        assertThat(handle.isCancelled()).isTrue();
        assertThat(caller.handle.isCancelled()).isTrue();
        DecisionEvent post = t.post().get(0);
        assertThat(t.post()).as("the late completion counts nothing").hasSize(1);
        assertThat(TestEvents.settled(post).outcome()).isEqualTo(DecisionEvent.CANCELLED);
        assertThat(TestEvents.settled(post).costNanos()).as("the provider may bill it all").isPositive().isEqualTo(TestEvents.call(post).reservedNanos());
        assertThat(t.guard.ledger().openHolds()).isZero();
        assertThat(t.guard.budgetUsed("session", "session-1")).isEqualTo(TestEvents.call(post).reservedNanos());
    }

    @Test
    void withOnCancelReceivedACancelledStreamIsChargedThePromptAndWhatArrived() {
        TestGuards t = new TestGuards(p -> p.onCancel(OnCancel.RECEIVED).budget(Budget.builder("session")
                .scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitUsd("1.00").build()));
        FakeStreamingModel fake = new FakeStreamingModel();
        Handle handle = new Handle();
        fake.script = (r, h) -> {
            h.onPartialResponse(new PartialResponse("Hello there, "), new PartialResponseContext(handle));
            h.onPartialResponse(new PartialResponse("general Kenobi"), new PartialResponseContext(handle));
        };
        RecordingHandler caller = new RecordingHandler();

        try (GuardScope s = GuardScope.open("support", "session-1")) {
            GuardedStreamingChatModel.wrap(fake, t.guard).chat("hi", caller);
        }
        caller.handle.cancel();

        DecisionEvent post = t.post().get(0);
        long prompt = (TestEvents.call(post).reservedNanos() - 1_024 * 2_000) / 1_000; // reserved: prompt at $1/M, the 1,024 cap at $2/M
        long received = t.guard.config().tokenEstimator().estimate("Hello there, ")
                + t.guard.config().tokenEstimator().estimate("general Kenobi");
        assertThat(TestEvents.settled(post).outcome()).isEqualTo(DecisionEvent.CANCELLED);
        assertThat(TestEvents.settled(post).costNanos()).as("prompt at $1/M plus received output at $2/M")
                .isEqualTo(prompt * 1_000 + received * 2_000).isLessThan(TestEvents.call(post).reservedNanos());
        assertThat(t.guard.budgetUsed("session", "session-1")).isEqualTo(TestEvents.settled(post).costNanos());
    }

    @Test
    void aDelegateThatThrowsInsteadOfStreamingFailsTheAdmission() {
        TestGuards t = new TestGuards(p -> { });
        FakeStreamingModel fake = new FakeStreamingModel();
        fake.script = (r, h) -> {
            throw new IllegalArgumentException("bad request");
        };

        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> GuardedStreamingChatModel.wrap(fake, t.guard).chat("hi", new RecordingHandler()))
                .hasMessage("bad request");
        assertThat(TestEvents.settled(t.lastPost()).outcome()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(t.guard.ledger().openHolds()).isZero();
    }

    @Test
    void defaultsProviderAndCapabilitiesAreTheDelegates() {
        TestGuards t = new TestGuards(p -> { });
        FakeStreamingModel fake = new FakeStreamingModel();
        GuardedStreamingChatModel model = GuardedStreamingChatModel.wrap(fake, t.guard);

        assertThat(model.defaultRequestParameters().modelName()).isEqualTo("cheap");
        assertThat(model.provider()).isEqualTo(ModelProvider.OLLAMA);
        assertThat(model.supportedCapabilities()).containsExactly(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }
}
