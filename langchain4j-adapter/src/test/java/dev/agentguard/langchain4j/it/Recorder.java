package dev.agentguard.langchain4j.it;

import dev.agentguard.core.TestEvents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.pricing.ModelPrice;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** A guard whose decision events a test reads, standing in for the decision log. */
final class Recorder {

    /** Every prompt is estimated at this many tokens, so that an unreported count has a known charge. */
    static final long ESTIMATED_PROMPT_TOKENS = 1_000;
    /** The output cap every cost test sends, charged when a response reports no output count. */
    static final int MAX_OUTPUT_TOKENS = 200;

    final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    final Guard guard;

    /**
     * The bundled catalog plus two local models, which no feed prices: {@code llama3.1} at $0.10/$0.40 and
     * {@code qwen3} at $0.20/$0.80 per million input/output tokens.
     */
    Recorder(Consumer<GuardConfig.Builder> policy) {
        ModelPrice llama = ModelPrice.builder().input(new BigDecimal("0.10")).output(new BigDecimal("0.40")).build();
        GuardConfig.Builder b = GuardConfig.builder().name("it")
                .tokenEstimator(text -> ESTIMATED_PROMPT_TOKENS)
                .price("llama3.1", llama).price("llama3.1:8b", llama)
                .price("qwen3", ModelPrice.builder().input(new BigDecimal("0.20")).output(new BigDecimal("0.80"))
                        .build());
        policy.accept(b);
        this.guard = Guard.builder(b.build()).listener(events::add).build();
    }

    Recorder() {
        this(b -> { });
    }

    List<DecisionEvent> pre() {
        return events.stream().filter(e -> e.phase() == Phase.PRE).collect(Collectors.toList());
    }

    List<DecisionEvent> post() {
        return events.stream().filter(e -> e.phase() == Phase.POST).collect(Collectors.toList());
    }

    DecisionEvent onlyPost() {
        List<DecisionEvent> post = post();
        if (post.size() != 1) {
            throw new AssertionError("expected one post event, got " + post);
        }
        return post.get(0);
    }

    /** Sends the cost tests' one request ("Hello", output cap {@link #MAX_OUTPUT_TOKENS}) as session-1. */
    static void sayHello(ChatModel model) {
        try (GuardScope s = GuardScope.open("cost-it", "session-1")) {
            model.chat(ChatRequest.builder().messages(UserMessage.from("Hello")).maxOutputTokens(MAX_OUTPUT_TOKENS)
                    .build());
        }
    }

    /** Asserts the one call succeeded and was recorded, priced, at exactly this cost, with nothing left reserved. */
    void assertSettledAt(long expectedNanos) {
        DecisionEvent post = onlyPost();
        assertThat(TestEvents.settled(post).outcome()).isEqualTo(DecisionEvent.OK);
        assertThat(TestEvents.call(post).priced()).isTrue();
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(expectedNanos);
        assertThat(guard.ledger().openHolds()).isZero();
    }
}
