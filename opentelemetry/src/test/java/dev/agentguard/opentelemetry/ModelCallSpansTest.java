package dev.agentguard.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Caps;
import dev.agentguard.core.DecisionEvent.CallAdmitted;
import dev.agentguard.core.DecisionEvent.CallSettled;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Scope;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.langchain4j.GuardedStreamingChatModel;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Model calls through the LangChain4j decorators: one {@code chat {model}} span each, with the guard on it. */
@SuppressWarnings("try") // scopes are opened for their thread binding
class ModelCallSpansTest {

    private static final GuardScope WHO = GuardScope.builder().agent("support").session("s-42").build();

    private final ExecutorService providerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "provider"));

    @AfterEach
    void stop() {
        providerThread.shutdownNow();
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).maxOutputTokens(64).build();
    }

    private static <T> T attr(SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    @Test
    void aSyncCallIsAClientSpanUnderTheCallersSpanWithTheGenAiAttributesAndTheGuardsFigures() {
        Tracing t = new Tracing(p -> { });
        Fakes.Chat fake = new Fakes.Chat("cheap");
        Span caller = t.callerSpan();
        try (io.opentelemetry.context.Scope c = caller.makeCurrent(); GuardScope s = bind(WHO)) {
            GuardedChatModel.wrap(fake, t.guard).chat(ask("hello"));
        } finally {
            caller.end();
        }

        SpanData chat = t.span("chat cheap");
        assertThat(chat.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(chat.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(chat.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
        assertThat(attr(chat, GenAiAttributes.OPERATION_NAME)).isEqualTo("chat");
        assertThat(attr(chat, GenAiAttributes.PROVIDER_NAME)).isEqualTo("openai");
        assertThat(attr(chat, GenAiAttributes.REQUEST_MODEL)).isEqualTo("cheap");
        assertThat(attr(chat, GenAiAttributes.RESPONSE_MODEL)).isEqualTo("cheap-2026-01-01");
        assertThat(attr(chat, GenAiAttributes.RESPONSE_ID)).isEqualTo("resp-1");
        assertThat(attr(chat, GenAiAttributes.RESPONSE_FINISH_REASONS)).containsExactly("stop");
        assertThat(attr(chat, GenAiAttributes.REQUEST_MAX_TOKENS)).isEqualTo(64L)
                .isEqualTo(fake.requests.get(0).maxOutputTokens().longValue());
        assertThat(attr(chat, GenAiAttributes.USAGE_INPUT_TOKENS)).isEqualTo(120L);
        assertThat(attr(chat, GenAiAttributes.USAGE_OUTPUT_TOKENS)).isEqualTo(30L);
        assertThat(attr(chat, GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS)).as("not reported").isNull();
        assertThat(attr(chat, GenAiAttributes.CONVERSATION_ID)).isEqualTo("s-42");
        assertThat(attr(chat, GenAiAttributes.AGENT_NAME)).isEqualTo("support");
        assertThat(attr(chat, GenAiAttributes.ERROR_TYPE)).isNull();
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        // the guard's figures are the guard's own records, exactly
        CallAdmitted admitted = t.last(CallAdmitted.class);
        CallSettled settled = t.last(CallSettled.class);
        assertThat(attr(chat, GuardAttributes.ACTION)).isEqualTo("allow");
        assertThat(attr(chat, GuardAttributes.RULE)).isNull();
        assertThat(attr(chat, GuardAttributes.RESERVED_USD)).isEqualTo(Money.format(admitted.reservedNanos()));
        assertThat(attr(chat, GuardAttributes.COST_USD)).isEqualTo(Money.format(settled.costNanos()))
                .isEqualTo(Money.format(120 * 1_000 + 30 * 2_000)); // $1/M in, $2/M out
        assertThat(attr(chat, GuardAttributes.REQUESTED_MODEL)).as("not downgraded").isNull();
        assertThat(attr(chat, GuardAttributes.PRICED)).as("said only when false").isNull();
        assertThat(attr(chat, GuardAttributes.OUTCOME)).as("said only when it did not end well").isNull();
        assertThat(chat.getEvents()).as("no rule fired").isEmpty();
        assertThat(attr(chat, GenAiAttributes.INPUT_MESSAGES)).as("content is opt-in").isNull();
        assertThat(attr(chat, GenAiAttributes.OUTPUT_MESSAGES)).isNull();
    }

    @Test
    void theChatSpanIsCurrentWhileTheProviderRunsSoItsOwnSpansAreChildren() {
        Tracing t = new Tracing(p -> { });
        Fakes.Chat fake = new Fakes.Chat("cheap");
        AtomicReference<String> currentInProvider = new AtomicReference<>();
        fake.answer = r -> {
            currentInProvider.set(Span.current().getSpanContext().getSpanId());
            return Fakes.reply("cheap", "ok", new dev.langchain4j.model.output.TokenUsage(1, 1));
        };

        GuardedChatModel.wrap(fake, t.guard).chat(ask("hello"));

        assertThat(currentInProvider.get()).isEqualTo(t.span("chat cheap").getSpanId());
        assertThat(Span.current().getSpanContext().isValid()).as("the caller's context is back").isFalse();
    }

    @Test
    void aStreamEndsItsSpanOnTheProvidersThreadUnderTheCallersSpan() throws Exception {
        Tracing t = new Tracing(p -> { });
        CountDownLatch release = new CountDownLatch(1);
        Fakes.Streaming fake = new Fakes.Streaming("cheap", task -> providerThread.execute(() -> {
            try {
                release.await(10, TimeUnit.SECONDS); // the stream answers only when the test says so
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        }));
        List<String> settlingThreads = new ArrayList<>();
        t.guard.addListener(e -> {
            if (e instanceof CallSettled) {
                settlingThreads.add(Thread.currentThread().getName());
            }
        });
        CountDownLatch done = new CountDownLatch(1);
        Span caller = t.callerSpan();
        try (io.opentelemetry.context.Scope c = caller.makeCurrent(); GuardScope s = bind(WHO)) {
            GuardedStreamingChatModel.wrap(fake, t.guard).chat(ask("hello"), new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partialResponse) {
                }

                @Override
                public void onCompleteResponse(ChatResponse completeResponse) {
                    done.countDown();
                }

                @Override
                public void onError(Throwable error) {
                    done.countDown();
                }
            });
        }
        assertThat(t.names()).as("the stream has not ended: its span is open").doesNotContain("chat cheap");

        release.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        caller.end();

        assertThat(settlingThreads).containsExactly("provider");
        SpanData chat = t.span("chat cheap");
        assertThat(chat.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(chat.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(attr(chat, GenAiAttributes.PROVIDER_NAME)).isEqualTo("anthropic");
        assertThat(attr(chat, GenAiAttributes.USAGE_INPUT_TOKENS)).isEqualTo(40L);
        assertThat(attr(chat, GenAiAttributes.USAGE_OUTPUT_TOKENS)).isEqualTo(2L);
        assertThat(attr(chat, GenAiAttributes.RESPONSE_MODEL)).isEqualTo("cheap");
        assertThat(attr(chat, GenAiAttributes.CONVERSATION_ID)).isEqualTo("s-42");
        assertThat(attr(chat, GuardAttributes.COST_USD)).isEqualTo(Money.format(t.last(CallSettled.class).costNanos()));
        assertThat(chat.hasEnded()).isTrue();
    }

    @Test
    void aDowngradeNamesTheModelSentAndTheModelAskedForAndSaysWhy() {
        Tracing t = new Tracing(p -> p.ladder(List.of("pricey", "cheap")).budget(Budget.builder("session-day")
                .scope(Scope.SESSION).sliding(Duration.ofDays(1)).limitUsd("0.01").downgradeAt(50).build()));
        Fakes.Chat fake = new Fakes.Chat("pricey");
        try (GuardScope s = bind(WHO)) {
            GuardedChatModel.wrap(fake, t.guard).chat(ChatRequest.builder().messages(UserMessage.from("hello"))
                    .maxOutputTokens(500).build());
        }

        assertThat(fake.requests.get(0).modelName()).isEqualTo("cheap");
        SpanData chat = t.span("chat cheap");
        assertThat(attr(chat, GenAiAttributes.REQUEST_MODEL)).isEqualTo("cheap");
        assertThat(attr(chat, GuardAttributes.REQUESTED_MODEL)).isEqualTo("pricey");
        assertThat(attr(chat, GuardAttributes.ACTION)).isEqualTo("downgrade");
        assertThat(attr(chat, GuardAttributes.RULE)).isEqualTo(t.last(CallAdmitted.class).decision().rule())
                .startsWith("budgets.session-day");
        assertThat(chat.getEvents()).hasSize(1);
        EventData event = chat.getEvents().get(0);
        assertThat(event.getName()).isEqualTo(GuardAttributes.DECISION_EVENT);
        assertThat(event.getAttributes().get(GuardAttributes.ACTION)).isEqualTo("downgrade");
        assertThat(event.getAttributes().get(GuardAttributes.REASON))
                .isEqualTo(t.last(CallAdmitted.class).decision().reason()).contains("instead of pricey");
        assertThat(attr(chat, GuardAttributes.COST_USD)).isEqualTo(Money.format(t.last(CallSettled.class).costNanos()));
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aTruncationSaysHowMuchWasDropped() {
        Tracing t = new Tracing(p -> p.caps(Caps.builder().promptTokens(60, Caps.PromptAction.TRUNCATE).build()));
        Fakes.Chat fake = new Fakes.Chat("cheap");
        List<ChatMessage> history = new ArrayList<>();
        history.add(SystemMessage.from("You are terse."));
        for (int i = 0; i < 6; i++) {
            history.add(UserMessage.from("an old question, number " + i + ", long enough to count for something"));
            history.add(AiMessage.from("an old answer, number " + i + ", long enough to count for something too"));
        }
        history.add(UserMessage.from("the question"));
        try (GuardScope s = bind(WHO)) {
            GuardedChatModel.wrap(fake, t.guard).chat(ChatRequest.builder().messages(history).build());
        }

        CallSettled settled = t.last(CallSettled.class);
        assertThat(settled.droppedMessages()).isPositive();
        assertThat(fake.requests.get(0).messages()).hasSize(history.size() - settled.droppedMessages());
        SpanData chat = t.span("chat cheap");
        assertThat(attr(chat, GuardAttributes.ACTION)).isEqualTo("truncate");
        assertThat(attr(chat, GuardAttributes.RULE)).isEqualTo("caps.promptTokens");
        assertThat(attr(chat, GuardAttributes.DROPPED_MESSAGES)).isEqualTo((long) settled.droppedMessages());
        assertThat(attr(chat, GuardAttributes.DROPPED_TOKENS)).isEqualTo(settled.droppedTokens()).isPositive();
        assertThat(chat.getEvents()).extracting(e -> e.getAttributes().get(GuardAttributes.RULE))
                .containsExactly("caps.promptTokens");
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aBlockedCallIsStillExportedEndedWithStatusErrorAndTheRefusalNamed() {
        Tracing t = new Tracing(p -> p.caps(Caps.builder().modelCallsPerSession(1).build()));
        Fakes.Chat fake = new Fakes.Chat("cheap");
        GuardedChatModel model = GuardedChatModel.wrap(fake, t.guard);
        Span caller = t.callerSpan();
        try (io.opentelemetry.context.Scope c = caller.makeCurrent(); GuardScope s = bind(WHO)) {
            model.chat(ask("one"));
            assertThatThrownBy(() -> model.chat(ask("two"))).isInstanceOf(GuardBlockedException.class);
        } finally {
            caller.end();
        }

        assertThat(fake.requests).hasSize(1);
        List<SpanData> chats = t.spans().stream().filter(s -> s.getName().equals("chat cheap")).toList();
        assertThat(chats).hasSize(2);
        SpanData blocked = chats.get(1);
        CallAdmitted refusal = t.last(CallAdmitted.class);
        assertThat(blocked.hasEnded()).isTrue();
        assertThat(blocked.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(blocked.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(blocked.getStatus().getDescription()).isEqualTo(refusal.decision().reason());
        assertThat(attr(blocked, GenAiAttributes.ERROR_TYPE)).isEqualTo("agentguard.block");
        assertThat(attr(blocked, GuardAttributes.ACTION)).isEqualTo("block");
        assertThat(attr(blocked, GuardAttributes.RULE)).isEqualTo("caps.modelCallsPerSession");
        assertThat(attr(blocked, GenAiAttributes.PROVIDER_NAME)).isEqualTo("openai");
        assertThat(attr(blocked, GenAiAttributes.REQUEST_MAX_TOKENS)).as("the request's own cap").isEqualTo(64L);
        assertThat(attr(blocked, GuardAttributes.COST_USD)).as("never made, never charged").isNull();
        assertThat(attr(blocked, GuardAttributes.RESERVED_USD)).isEqualTo("0.00");
        assertThat(blocked.getEvents()).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(GuardAttributes.RULE)).isEqualTo("caps.modelCallsPerSession");
            assertThat(e.getAttributes().get(GuardAttributes.ACTION)).isEqualTo("block");
            assertThat(e.getAttributes().get(GuardAttributes.REASON)).isEqualTo(refusal.decision().reason());
        });
    }

    @Test
    void aProviderErrorEndsTheSpanWithTheErrorsClassAndWhatTheFailureWasCharged() {
        Tracing t = new Tracing(p -> { });
        Fakes.Chat fake = new Fakes.Chat("cheap");
        fake.answer = r -> {
            throw new IllegalStateException("connection reset");
        };
        try (GuardScope s = bind(WHO)) {
            assertThatThrownBy(() -> GuardedChatModel.wrap(fake, t.guard).chat(ask("hello")))
                    .isInstanceOf(IllegalStateException.class);
        }

        SpanData chat = t.span("chat cheap");
        CallSettled settled = t.last(CallSettled.class);
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(chat, GenAiAttributes.ERROR_TYPE)).isEqualTo(IllegalStateException.class.getName())
                .isEqualTo(settled.outcome()).isEqualTo(attr(chat, GuardAttributes.OUTCOME));
        assertThat(attr(chat, GuardAttributes.ACTION)).isEqualTo("allow");
        assertThat(attr(chat, GuardAttributes.COST_USD)).as("the worst case, by streaming.onCancel")
                .isEqualTo(Money.format(settled.costNanos())).isEqualTo(attr(chat, GuardAttributes.RESERVED_USD));
        assertThat(attr(chat, GenAiAttributes.RESPONSE_MODEL)).isNull();
        assertThat(attr(chat, GenAiAttributes.USAGE_INPUT_TOKENS)).isNull();
    }

    @Test
    void aCallWhoseSpanIsNotSampledIsNotTracedByAnotherSpanAndItsProviderFollowsTheDecision() {
        AtomicInteger decisions = new AtomicInteger();
        Sampler firstDropped = new Sampler() { // drops the first span it is asked about, keeps any other
            @Override
            public SamplingResult shouldSample(io.opentelemetry.context.Context parent, String traceId, String name,
                    SpanKind kind, io.opentelemetry.api.common.Attributes attributes,
                    List<io.opentelemetry.sdk.trace.data.LinkData> links) {
                return decisions.getAndIncrement() == 0 ? SamplingResult.drop() : SamplingResult.recordAndSample();
            }

            @Override
            public String getDescription() {
                return "first dropped";
            }
        };
        Tracing t = new Tracing(p -> { }, b -> { }, firstDropped);
        Fakes.Chat fake = new Fakes.Chat("cheap");
        AtomicReference<io.opentelemetry.api.trace.SpanContext> inProvider = new AtomicReference<>();
        fake.answer = r -> {
            inProvider.set(Span.current().getSpanContext());
            return Fakes.reply("cheap", "ok", new dev.langchain4j.model.output.TokenUsage(1, 1));
        };

        GuardedChatModel.wrap(fake, t.guard).chat(ask("hello"));

        assertThat(decisions).as("one sampling decision for the call").hasValue(1);
        assertThat(t.spans()).isEmpty();
        assertThat(inProvider.get().isValid()).isTrue();
        assertThat(inProvider.get().isSampled()).as("the provider's spans follow the call's decision").isFalse();
    }

    static GuardScope bind(GuardScope scope) {
        return scope.toBuilder().open();
    }
}
