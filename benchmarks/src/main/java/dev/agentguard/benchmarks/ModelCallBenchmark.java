package dev.agentguard.benchmarks;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A LangChain4j model call three ways, in one run: {@code rawCall} (an in-memory {@link ChatModel} answering a
 * fixed {@link ChatResponse} with its {@link TokenUsage}), {@code resilience4jCall} (the same model decorated with
 * Resilience4j's CircuitBreaker and RateLimiter, limits never reached) and {@code guardedCall} (the same model
 * wrapped by {@link GuardedChatModel} under the starter-based policy, see {@link StarterPolicy}). The guarded call
 * binds its caller's {@link GuardScope} (agent and session) around the call, as an application does.
 *
 * <p>{@code sessions} spreads the guarded calls over that many sessions (see {@link Sessions}); they are all
 * created before measurement starts, so that the figures are those of tracked sessions, not of new ones. Every
 * call is admitted: a trial in which any call was refused or warned fails.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
public class ModelCallBenchmark {

    static final String MODEL = "gpt-4o";

    /** Two requests that differ, sent alternately to a session so that loops.repeatedModelRequest never fires. */
    static final ChatRequest[] REQUESTS = {request("What is the weather in Paris today?"),
        request("And what will it be in Rome tomorrow?")};

    static ChatRequest request(String question) {
        return ChatRequest.builder()
                .messages(SystemMessage.from("You are a helpful travel assistant. Answer in one sentence."),
                        UserMessage.from(question))
                .parameters(ChatRequestParameters.builder().modelName(MODEL).maxOutputTokens(500).build())
                .build();
    }

    /** The "provider": an in-memory model with a fixed answer and usage. */
    static final class FixedModel implements ChatModel {
        private static final ChatResponse RESPONSE = ChatResponse.builder()
                .aiMessage(AiMessage.from("Sunny, 24 degrees."))
                .tokenUsage(new TokenUsage(1_000, 150))
                .modelName(MODEL)
                .finishReason(FinishReason.STOP)
                .build();

        @Override
        public ChatResponse doChat(ChatRequest request) {
            return RESPONSE;
        }
    }

    /** The undecorated model and its Resilience4j decoration. */
    @State(Scope.Benchmark)
    public static class Plain {
        final ChatModel model = new FixedModel();
        Supplier<ChatResponse> resilience;

        @Setup(Level.Trial)
        public void setUp() {
            resilience = Resilience4jPair.decorate("model", () -> model.chat(REQUESTS[0]));
        }
    }

    /** The guarded model, with every session already tracked. */
    @State(Scope.Benchmark)
    public static class Guarded {
        @Param({"1", "10000", "1000000"})
        public int sessions;

        Guard guard;
        ChatModel model;
        String[] ids;
        final Sessions.Refusals refusals = new Sessions.Refusals();

        @Setup(Level.Trial)
        public void setUp() {
            guard = StarterPolicy.guard();
            guard.addListener(refusals);
            model = GuardedChatModel.wrap(new FixedModel(), guard);
            ids = Sessions.ids(sessions);
            for (int i = 0; i < sessions; i++) {
                call(i, i & 1);
            }
        }

        ChatResponse call(int session, int request) {
            try (GuardScope scope = GuardScope.builder().agent("support").session(ids[session]).open()) {
                return model.chat(REQUESTS[request]);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            refusals.check();
            guard.close();
        }
    }

    /**
     * @param plain the model
     * @return the response
     */
    @Benchmark
    public ChatResponse rawCall(Plain plain) {
        return plain.model.chat(REQUESTS[0]);
    }

    /**
     * @param plain the decorated model
     * @return the response
     */
    @Benchmark
    public ChatResponse resilience4jCall(Plain plain) {
        return plain.resilience.get();
    }

    /**
     * @param guarded the guarded model
     * @param c this thread's place among the sessions
     * @return the response
     */
    @Benchmark
    public ChatResponse guardedCall(Guarded guarded, Sessions.Cursor c) {
        int session = c.next(guarded.sessions);
        // the setup sent request (session & 1) to each session; carry on alternating from there
        return guarded.call(session, (c.round() + session + 1) & 1);
    }
}
