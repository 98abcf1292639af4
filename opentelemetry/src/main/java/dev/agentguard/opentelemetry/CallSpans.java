package dev.agentguard.opentelemetry;

import dev.agentguard.core.Decision;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.redact.Redactor;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns a guard's decision events into spans: a span opens at a call's admission (on the caller's thread, so its
 * parent is the caller's current span, or the open {@code invoke_agent} span of the call's turn) and ends at its
 * settlement, found by the call's id whatever thread settles it (a streaming provider's callback, the lease sweep).
 * A refused call's span ends at once, status ERROR.
 *
 * <p>A model call decorated by the LangChain4j adapter starts its span before admission (see
 * {@code LangChain4jTracing}) and puts it in the context as {@link Pending}; the admission event then completes
 * that span instead of starting one.
 *
 * <p>Cost per call: two map operations, the span's attributes and one event per rule that fired. Open spans are
 * held until their settlement; every admitted call is settled, failed, released or expired by the guard's lease,
 * so the map does not grow without bound.
 */
final class CallSpans implements DecisionListener {

    /**
     * A model-call span started by the adapter, waiting for its admission event on the same thread. It is its own
     * claimed flag: one object per call, not two.
     */
    @SuppressWarnings("serial") // never serialised
    static final class Pending extends AtomicBoolean {
        final transient Span span;

        Pending(Span span) {
            this.span = span;
        }

        /** @return true for the first caller only: the admission event, or the close of a call never admitted */
        boolean claim() {
            return compareAndSet(false, true);
        }
    }

    static final ContextKey<Pending> PENDING = ContextKey.named("agentguard.pending-model-call");

    /** At most this many invocation spans are held open; past it, new invocations are not traced as such. */
    private static final int MAX_INVOCATIONS = 100_000;

    private final Tracer tracer;
    private final Redactor redactor;
    private final boolean captureContent;
    private final Map<Long, Span> open = new ConcurrentHashMap<>();
    /** Open {@code invoke_agent} spans by turn (the invocation id): the parents of the calls made in them. */
    private final Map<String, Span> invocations = new ConcurrentHashMap<>();

    CallSpans(Tracer tracer, Redactor redactor, boolean captureContent) {
        this.tracer = tracer;
        this.redactor = redactor;
        this.captureContent = captureContent;
    }

    Redactor redactor() {
        return redactor;
    }

    boolean captureContent() {
        return captureContent;
    }

    @Override
    public void onDecision(DecisionEvent event) {
        if (event instanceof DecisionEvent.CallAdmitted a) {
            admitted(a);
        } else if (event instanceof DecisionEvent.CallSettled s) {
            settled(s);
        }
    }

    /** @return the context a call of this scope is a child of: its invocation's span, else the current one */
    Context parent(GuardScope scope) {
        Context current = Context.current();
        String turn = scope.turn();
        Span invocation = turn == null ? null : invocations.get(turn);
        return invocation == null ? current : current.with(invocation);
    }

    /** Starts a model call's span: {@code chat {model}}, CLIENT. */
    Span startModelCall(GuardScope scope, String model) {
        return modelCall(scope, model).startSpan();
    }

    /** @return the builder of a model call's span, for a caller that has more attributes to give at its start */
    SpanBuilder modelCall(GuardScope scope, String model) {
        SpanBuilder b = tracer.spanBuilder(GenAiAttributes.CHAT + ' ' + model).setSpanKind(SpanKind.CLIENT)
                .setParent(parent(scope)).setAttribute(GenAiAttributes.OPERATION_NAME, GenAiAttributes.CHAT)
                .setAttribute(GenAiAttributes.REQUEST_MODEL, model);
        return scoped(b, scope);
    }

    private Span startToolCall(DecisionEvent.CallAdmitted a) {
        SpanBuilder b = tracer.spanBuilder(GenAiAttributes.EXECUTE_TOOL + ' ' + a.tool()).setSpanKind(SpanKind.INTERNAL)
                .setParent(parent(a.scope())).setAttribute(GenAiAttributes.OPERATION_NAME, GenAiAttributes.EXECUTE_TOOL)
                .setAttribute(GenAiAttributes.TOOL_NAME, a.tool());
        if (captureContent && a.toolArguments() != null) {
            b.setAttribute(GenAiAttributes.TOOL_CALL_ARGUMENTS, redactor.redactArguments(a.toolArguments()));
        }
        return scoped(b, a.scope()).startSpan();
    }

    private static SpanBuilder scoped(SpanBuilder b, GuardScope scope) {
        if (scope.session() != null) {
            b.setAttribute(GenAiAttributes.CONVERSATION_ID, scope.session());
        }
        if (scope.agent() != null) {
            b.setAttribute(GenAiAttributes.AGENT_NAME, scope.agent());
        }
        return b;
    }

    private void admitted(DecisionEvent.CallAdmitted a) {
        Span span = null;
        if (a.kind() == CallKind.MODEL_CALL) {
            Pending pending = Context.current().get(PENDING);
            if (pending != null && pending.claim()) {
                span = pending.span;
            } else {
                span = startModelCall(a.scope(), a.model());
            }
        } else if (a.kind() == CallKind.TOOL_CALL) {
            span = startToolCall(a);
        }
        if (span == null || !span.isRecording()) {
            return; // no SDK, or not sampled: nothing to add, nothing to end
        }
        Decision d = a.decision();
        span.setAttribute(GuardAttributes.ACTION, d.action().id());
        if (d.rule() != null) {
            span.setAttribute(GuardAttributes.RULE, d.rule());
        }
        if (d.isShadow()) {
            span.setAttribute(GuardAttributes.SHADOW, true);
        }
        if (a.kind() == CallKind.MODEL_CALL) {
            String model = a.model();
            if (a.requestedModel() != null && !a.requestedModel().equals(model)) {
                // the span was named after the model asked for: it goes to another
                span.updateName(GenAiAttributes.CHAT + ' ' + model);
                span.setAttribute(GenAiAttributes.REQUEST_MODEL, model);
                span.setAttribute(GuardAttributes.REQUESTED_MODEL, a.requestedModel());
            }
            span.setAttribute(GuardAttributes.RESERVED_USD, Usd.format(a.reservedNanos()));
            if (!a.priced()) {
                span.setAttribute(GuardAttributes.PRICED, false);
            }
        } else if (a.reservedNanos() > 0) {
            span.setAttribute(GuardAttributes.RESERVED_USD, Usd.format(a.reservedNanos()));
        }
        for (Decision.Fired f : d.fired()) {
            String reason = f.reason() != null ? f.reason() : f.rule().equals(d.rule()) ? d.reason() : null;
            decisionEvent(span, f.rule(), f.action().id(), reason);
        }
        if (!d.proceeds()) {
            String type = GuardAttributes.REFUSAL_PREFIX + d.action().id();
            span.setAttribute(GenAiAttributes.ERROR_TYPE, type);
            span.setStatus(StatusCode.ERROR, redactor.redact(d.reason()));
            span.end();
            return;
        }
        open.put(a.callId(), span);
    }

    private void decisionEvent(Span span, String rule, String action, String reason) {
        Attributes attributes = reason == null
                ? Attributes.of(GuardAttributes.RULE, rule, GuardAttributes.ACTION, action)
                : Attributes.of(GuardAttributes.RULE, rule, GuardAttributes.ACTION, action, GuardAttributes.REASON,
                        redactor.redact(reason));
        span.addEvent(GuardAttributes.DECISION_EVENT, attributes);
    }

    private void settled(DecisionEvent.CallSettled s) {
        Span span = open.remove(s.callId());
        if (span == null) {
            return; // admitted before tracing was installed, or a late settlement of an expired call
        }
        if (s.kind() == CallKind.MODEL_CALL) {
            usage(span, s.usage());
            span.setAttribute(GuardAttributes.COST_USD, Usd.format(s.costNanos()));
        } else if (s.costNanos() > 0) {
            span.setAttribute(GuardAttributes.COST_USD, Usd.format(s.costNanos()));
        }
        if (s.droppedMessages() >= 0) {
            span.setAttribute(GuardAttributes.DROPPED_MESSAGES, (long) s.droppedMessages());
        }
        if (s.droppedTokens() >= 0) {
            span.setAttribute(GuardAttributes.DROPPED_TOKENS, s.droppedTokens());
        }
        String outcome = s.outcome();
        boolean ok = DecisionEvent.OK.equals(outcome);
        String shown = ok ? null : redactor.redact(outcome); // an error's name may carry its message
        Decision d = s.decision();
        if (DecisionEvent.EXPIRED.equals(outcome) && d.rule() != null) {
            decisionEvent(span, d.rule(), d.action().id(), d.reason()); // the lease's record, not the admission's
        }
        if (!ok) {
            span.setAttribute(GuardAttributes.OUTCOME, shown);
            span.setAttribute(GenAiAttributes.ERROR_TYPE, shown);
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    private static void usage(Span span, Usage u) {
        if (u == null || !u.hasAnyCount()) {
            return;
        }
        if (Usage.isKnown(u.input()) || Usage.isKnown(u.cacheRead()) || Usage.isKnown(u.cacheWrite())) {
            span.setAttribute(GenAiAttributes.USAGE_INPUT_TOKENS, u.promptTokens());
        }
        if (Usage.isKnown(u.output()) || Usage.isKnown(u.reasoning())) {
            span.setAttribute(GenAiAttributes.USAGE_OUTPUT_TOKENS, u.completionTokens());
        }
        if (Usage.isKnown(u.cacheRead())) {
            span.setAttribute(GenAiAttributes.USAGE_CACHE_READ_INPUT_TOKENS, u.cacheRead());
        }
        if (Usage.isKnown(u.cacheWrite())) {
            span.setAttribute(GenAiAttributes.USAGE_CACHE_CREATION_INPUT_TOKENS, u.cacheWrite());
        }
    }

    /** Opens an {@code invoke_agent {agent}} span for an AI-service invocation; its calls become its children. */
    void invocationStarted(String turn, GuardScope scope) {
        if (turn == null || invocations.size() >= MAX_INVOCATIONS) {
            return;
        }
        String agent = scope.agent();
        SpanBuilder b = tracer.spanBuilder(agent == null ? GenAiAttributes.INVOKE_AGENT
                : GenAiAttributes.INVOKE_AGENT + ' ' + agent).setSpanKind(SpanKind.INTERNAL)
                .setParent(Context.current()).setAttribute(GenAiAttributes.OPERATION_NAME, GenAiAttributes.INVOKE_AGENT);
        Span span = scoped(b, scope).startSpan();
        if (span.getSpanContext().isValid()) { // not with the bare API: nothing to parent, nothing to end
            invocations.put(turn, span);
        }
    }

    /** Ends an invocation's span; an error names its class and, for a refusal, the refusal. */
    void invocationEnded(String turn, Throwable error, String refusal) {
        Span span = turn == null ? null : invocations.remove(turn);
        if (span == null) {
            return;
        }
        if (error != null) {
            span.setAttribute(GenAiAttributes.ERROR_TYPE, refusal != null ? refusal : error.getClass().getName());
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** @return how many call spans are open (for tests) */
    int openSpans() {
        return open.size() + invocations.size();
    }
}
