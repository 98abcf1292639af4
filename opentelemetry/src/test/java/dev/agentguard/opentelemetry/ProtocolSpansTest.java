package dev.agentguard.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionEvent.CallSettled;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.UnknownModelPolicy;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Calls made through the guard's low-level protocol, without the LangChain4j decorators: the spans come from the
 * guard's events alone, and end wherever the call is settled, the lease's sweep included.
 */
@SuppressWarnings("try") // scopes are opened for their thread binding
class ProtocolSpansTest {

    private static final GuardScope WHO = GuardScope.builder().agent("batch").session("s-1").build();

    private static <T> T attr(SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    private static ModelCall call(String model) {
        return ModelCall.builder(model).scope(WHO).promptTokens(1_000).maxOutputTokens(100).build();
    }

    @Test
    void cachedInputIsCountedInTheInputTokensAndShownApartAndASettlementOnAnotherThreadEndsTheSpan()
            throws Exception {
        Tracing t = new Tracing(p -> { });
        Span caller = t.callerSpan();
        Admission admission;
        try (io.opentelemetry.context.Scope c = caller.makeCurrent()) {
            admission = t.guard.admitModelCall(call("cheap"));
        }
        AtomicReference<Boolean> settled = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            settled.set(admission.settle(Usage.of(200, 800, 0, 40, 10)));
            done.countDown();
        });
        other.start();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        caller.end();

        assertThat(settled.get()).isTrue();
        SpanData chat = t.span("chat cheap");
        assertThat(chat.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(chat.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(attr(chat, GenAiAttributes.USAGE_INPUT_TOKENS)).isEqualTo(200L + 800L);
        assertThat(attr(chat, GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS)).isEqualTo(800L);
        assertThat(attr(chat, GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS)).isEqualTo(0L);
        assertThat(attr(chat, GenAiAttributes.USAGE_OUTPUT_TOKENS)).as("reasoning included").isEqualTo(50L);
        // $1/M uncached, $0.50/M cached, $2/M output and reasoning
        assertThat(attr(chat, GuardAttributes.COST_USD)).isEqualTo(Money.format(200 * 1_000 + 800 * 500 + 50 * 2_000))
                .isEqualTo(Money.format(t.last(CallSettled.class).costNanos()));
        assertThat(attr(chat, GenAiAttributes.PROVIDER_NAME)).as("only the decorators know it").isNull();
        assertThat(attr(chat, GenAiAttributes.CONVERSATION_ID)).isEqualTo("s-1");
        assertThat(attr(chat, GenAiAttributes.AGENT_NAME)).isEqualTo("batch");
    }

    @Test
    void aCallThatOutlivesItsLeaseIsEndedByTheSweepChargedItsWorstCase() {
        Tracing t = new Tracing(p -> p.reservationLease(Duration.ofSeconds(30)).budget(Budget.builder("day")
                .scope(Scope.SESSION).sliding(Duration.ofDays(1)).limitUsd("1.00").build()));
        Admission stalled = t.guard.admitModelCall(call("cheap"));
        assertThat(t.names()).isEmpty();

        t.ticker.advance(Duration.ofSeconds(31));
        assertThat(t.guard.expireStalled()).isEqualTo(1);
        assertThat(stalled.settle(Usage.of(10, 10))).as("too late").isFalse();

        SpanData chat = t.span("chat cheap");
        CallSettled expired = t.events(CallSettled.class).get(0);
        assertThat(expired.outcome()).isEqualTo(DecisionEvent.EXPIRED);
        assertThat(chat.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attr(chat, GenAiAttributes.ERROR_TYPE)).isEqualTo("expired");
        assertThat(attr(chat, GuardAttributes.COST_USD)).isEqualTo(Money.format(expired.costNanos()))
                .isEqualTo(attr(chat, GuardAttributes.RESERVED_USD));
        assertThat(chat.getEvents()).singleElement().satisfies(e -> {
            assertThat(e.getAttributes().get(GuardAttributes.RULE)).isEqualTo("reservation.expired");
            assertThat(e.getAttributes().get(GuardAttributes.REASON)).isEqualTo(expired.decision().reason());
        });
        assertThat(t.spans()).as("the late settlement opens nothing").hasSize(1);
    }

    @Test
    void inShadowModeTheSpanSaysWhatWouldHaveBeenDoneAndTheCallGoesAhead() {
        Tracing t = new Tracing(p -> p.mode(Mode.SHADOW).budget(Budget.builder("tiny").scope(Scope.SESSION)
                .sliding(Duration.ofDays(1)).limitUsd("0.000001").build()));
        try (Admission a = t.guard.admitModelCall(call("cheap"))) {
            assertThat(a.proceeds()).isTrue();
            a.settle(Usage.of(1_000, 100));
        }

        SpanData chat = t.span("chat cheap");
        assertThat(attr(chat, GuardAttributes.ACTION)).isEqualTo("block");
        assertThat(attr(chat, GuardAttributes.SHADOW)).isTrue();
        assertThat(attr(chat, GuardAttributes.RULE)).startsWith("budgets.tiny");
        assertThat(chat.getStatus().getStatusCode()).as("nothing was refused").isEqualTo(StatusCode.UNSET);
        assertThat(attr(chat, GenAiAttributes.ERROR_TYPE)).isNull();
        assertThat(attr(chat, GuardAttributes.COST_USD)).isEqualTo(Money.format(t.last(CallSettled.class).costNanos()));
    }

    @Test
    void aModelWithoutAPriceIsSaidToBeUnpriced() {
        Tracing t = new Tracing(p -> p.unknownModel(UnknownModelPolicy.warn()));
        try (Admission a = t.guard.admitModelCall(call("home-grown-llm"))) {
            a.settle(Usage.of(1_000, 100));
        }

        SpanData chat = t.span("chat home-grown-llm");
        assertThat(attr(chat, GuardAttributes.PRICED)).isFalse();
        assertThat(attr(chat, GuardAttributes.ACTION)).isEqualTo("warn");
        assertThat(attr(chat, GuardAttributes.RULE)).isEqualTo("pricing.unknownModel");
        assertThat(attr(chat, GuardAttributes.COST_USD)).isEqualTo("0.00");
    }
}
