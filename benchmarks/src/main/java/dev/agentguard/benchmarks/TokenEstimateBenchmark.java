package dev.agentguard.benchmarks;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.TokenCounting;
import dev.agentguard.core.TokenEstimator;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * What sizing a 4 KB prompt costs, English or Chinese, in one run. Alone: {@code threeCharsPerToken} (the former
 * default, {@code (length + 2) / 3}, the baseline), {@code scriptAware} (today's default,
 * {@code TokenEstimator.conservative()}) and {@code jtokkitO200k} (OpenAI's tokenizer). In the adapter, a whole
 * guarded call of an in-memory model ({@link ModelCallBenchmark.FixedModel}) whose prompt is sized three ways:
 * {@code adapterThreeCharsPerToken} (the former default, given as the guard's estimator), {@code adapterDefault}
 * ({@code tokens.estimator: conservative}: the default estimate, walked in the prompt fingerprint's loop) and
 * {@code adapterOpenAi} ({@code tokens.estimator: openai}). The difference {@code adapterDefault -
 * adapterThreeCharsPerToken} is what the default estimate adds to a call; {@code Report} states it.
 *
 * <p>The adapter benchmarks send each call a prompt as a new message, whose text the adapter has not walked yet:
 * two copies of the prompt (equal, but distinct strings) in turn, which take the same slot of the adapter's table of
 * texts walked lately. {@code adapterDefaultResent} sends the same string every time, as a conversation resends
 * its history: the estimate is then taken from that table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
public class TokenEstimateBenchmark {

    /** Characters of the prompt. */
    static final int LENGTH = 4_096;

    static final String ENGLISH = "Hello, I ordered a pair of running shoes three weeks ago (order A-1042) and the"
            + " tracking page still says the parcel is waiting at the distribution centre. Could you please check"
            + " where it is and tell me when it will be delivered? ";
    static final String CHINESE = "您好，我三周前订购了一双跑步鞋（订单号 A-1042），但物流跟踪页面仍然显示包裹在配送中心等待。"
            + "请您帮我查一下包裹现在在哪里，并告诉我什么时候能送到？";

    static String prompt(String script) {
        String sentence = "zh".equals(script) ? CHINESE : ENGLISH;
        StringBuilder sb = new StringBuilder(LENGTH);
        while (sb.length() < LENGTH) {
            sb.append(sentence);
        }
        sb.setLength(LENGTH);
        return sb.toString();
    }

    /** The prompt alone. */
    @State(Scope.Benchmark)
    public static class Text {
        @Param({"en", "zh"})
        public String script;

        String text;
        StringBuilder builder;
        final TokenEstimator estimator = TokenEstimator.conservative();
        final Encoding o200k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

        @Setup(Level.Trial)
        public void setUp() {
            text = prompt(script);
            builder = new StringBuilder(text); // what the adapter hands the estimator
        }
    }

    /** A guarded model per way of sizing, each with a budget so that every call reserves. */
    @State(Scope.Benchmark)
    public static class Adapter {
        @Param({"en", "zh"})
        public String script;

        /** The prompt twice, as distinct strings: sent in turn, each call's text is new to the adapter. */
        ChatRequest[] fresh;
        /** One request sent every time. */
        ChatRequest resent;
        private int next;
        Guard threeChars;
        Guard conservative;
        Guard openAi;
        ChatModel threeCharsModel;
        ChatModel conservativeModel;
        ChatModel openAiModel;

        private static Guard guard(GuardConfig.Builder b) {
            return Guard.of(b.name("estimate").budget(Budget.builder("global").scope(dev.agentguard.core.common.Scope.GLOBAL)
                    .sliding(Duration.ofMinutes(10)).limitUsd("1000000000").build()).build());
        }

        @Setup(Level.Trial)
        public void setUp() {
            String prompt = prompt(script);
            fresh = new ChatRequest[] {request(prompt), request(new String(prompt))};
            resent = request(prompt);
            threeChars = guard(GuardConfig.builder().tokenEstimator(t -> (t.length() + 2) / 3));
            conservative = guard(GuardConfig.builder().tokenCounting(TokenCounting.CONSERVATIVE));
            openAi = guard(GuardConfig.builder().tokenCounting(TokenCounting.OPENAI));
            threeCharsModel = GuardedChatModel.wrap(new ModelCallBenchmark.FixedModel(), threeChars);
            conservativeModel = GuardedChatModel.wrap(new ModelCallBenchmark.FixedModel(), conservative);
            openAiModel = GuardedChatModel.wrap(new ModelCallBenchmark.FixedModel(), openAi);
        }

        private static ChatRequest request(String prompt) {
            return ChatRequest.builder().messages(UserMessage.from(prompt))
                    .parameters(ChatRequestParameters.builder().modelName(ModelCallBenchmark.MODEL).maxOutputTokens(500)
                            .build()).build();
        }

        /** Sends the next of the two fresh requests (threads racing on the turn only change which one). */
        ChatResponse call(ChatModel model) {
            return call(model, fresh[next++ & 1]);
        }

        ChatResponse call(ChatModel model, ChatRequest request) {
            try (GuardScope scope = GuardScope.builder().agent("support").session("s-1").open()) {
                return model.chat(request);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            threeChars.close();
            conservative.close();
            openAi.close();
        }
    }

    /**
     * @param t the prompt
     * @return the former default's estimate
     */
    @Benchmark
    public long threeCharsPerToken(Text t) {
        return (t.builder.length() + 2) / 3;
    }

    /**
     * @param t the prompt
     * @return the default estimate
     */
    @Benchmark
    public long scriptAware(Text t) {
        return t.estimator.estimate(t.builder);
    }

    /**
     * @param t the prompt
     * @return OpenAI's count
     */
    @Benchmark
    public long jtokkitO200k(Text t) {
        return t.o200k.countTokensOrdinary(t.text);
    }

    /**
     * @param a the guarded models
     * @return the response
     */
    @Benchmark
    public ChatResponse adapterThreeCharsPerToken(Adapter a) {
        return a.call(a.threeCharsModel);
    }

    /**
     * @param a the guarded models
     * @return the response
     */
    @Benchmark
    public ChatResponse adapterDefault(Adapter a) {
        return a.call(a.conservativeModel);
    }

    /**
     * @param a the guarded models
     * @return the response
     */
    /**
     * @param a the guarded models
     * @return the response
     */
    @Benchmark
    public ChatResponse adapterDefaultResent(Adapter a) {
        return a.call(a.conservativeModel, a.resent);
    }

    /**
     * @param a the guarded models
     * @return the response
     */
    @Benchmark
    public ChatResponse adapterOpenAi(Adapter a) {
        return a.call(a.openAiModel);
    }
}
