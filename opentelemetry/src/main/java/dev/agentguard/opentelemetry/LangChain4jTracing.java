package dev.agentguard.opentelemetry;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.langchain4j.GuardBlockedException;
import dev.agentguard.langchain4j.GuardedCallObserver;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Locale;

/**
 * What the LangChain4j adapter adds to the spans: a model call's span starts before its admission and is the
 * current span while the delegate runs (the HTTP client's spans are its children), and carries the provider, the
 * output cap sent, the response's model, id and finish reason, and, when content capture is on, the messages
 * (redacted). AI services get an {@code invoke_agent} span per invocation. Loaded only when the adapter is on the
 * class path.
 */
final class LangChain4jTracing implements GuardedCallObserver {

    private final CallSpans spans;

    private LangChain4jTracing(CallSpans spans) {
        this.spans = spans;
    }

    static void register(Guard guard, CallSpans spans) {
        GuardedCallObserver.register(guard, new LangChain4jTracing(spans));
    }

    @Override
    public ModelCallObservation modelCallStarting(ModelCall call, ModelProvider provider, ChatRequest request) {
        SpanBuilder b = spans.modelCall(call.scope(), call.model()); // attributes given here: no lock per attribute
        if (provider != null) {
            b.setAttribute(GenAiAttributes.PROVIDER_NAME, providerName(provider));
        }
        if (call.maxOutputTokens() > 0) {
            b.setAttribute(GenAiAttributes.REQUEST_MAX_TOKENS, call.maxOutputTokens());
        }
        Span span = b.startSpan();
        // a span not sampled still goes into the context: the provider's own spans follow its decision, and the
        // admission event finds it instead of starting (and sampling) another
        if (spans.captureContent() && span.isRecording()) {
            span.setAttribute(GenAiAttributes.INPUT_MESSAGES, Messages.input(request.messages(), spans.redactor()));
        }
        CallSpans.Pending pending = new CallSpans.Pending(span);
        Scope scope = Context.current().with(span).with(CallSpans.PENDING, pending).makeCurrent();
        return new Observation(pending, scope, call.maxOutputTokens(), provider);
    }

    /** The rest of one model call. */
    private final class Observation implements ModelCallObservation {
        private final CallSpans.Pending pending;
        private final Scope scope;
        private final long requestedCap;
        private final ModelProvider started;

        Observation(CallSpans.Pending pending, Scope scope, long requestedCap, ModelProvider started) {
            this.pending = pending;
            this.scope = scope;
            this.requestedCap = requestedCap;
            this.started = started;
        }

        @Override
        public void admitted(Admission admission, ChatRequest sent, ModelProvider provider) {
            Span span = pending.span;
            if (provider != null && provider != started) {
                span.setAttribute(GenAiAttributes.PROVIDER_NAME, providerName(provider)); // a route's provider
            }
            if (admission.maxOutputTokens() > 0 && admission.maxOutputTokens() != requestedCap) {
                span.setAttribute(GenAiAttributes.REQUEST_MAX_TOKENS, admission.maxOutputTokens()); // the policy's default
            }
        }

        @Override
        public void responded(ChatResponse response) {
            Span span = pending.span;
            if (response.modelName() != null) {
                span.setAttribute(GenAiAttributes.RESPONSE_MODEL, response.modelName());
            }
            if (response.id() != null) {
                span.setAttribute(GenAiAttributes.RESPONSE_ID, response.id());
            }
            if (response.finishReason() != null) {
                span.setAttribute(GenAiAttributes.RESPONSE_FINISH_REASONS,
                        List.of(Messages.finishReason(response.finishReason())));
            }
            if (spans.captureContent() && span.isRecording()) {
                span.setAttribute(GenAiAttributes.OUTPUT_MESSAGES, Messages.output(response, spans.redactor()));
            }
        }

        @Override
        public void close() {
            scope.close();
            if (pending.claim()) { // the guard never admitted it (its admission threw): end the span here
                pending.span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, "not admitted");
                pending.span.end();
            }
        }
    }

    @Override
    public void invocationStarted(InvocationContext context, GuardScope scope) {
        spans.invocationStarted(turn(context), scope);
    }

    @Override
    public void invocationEnded(InvocationContext context, Throwable error) {
        String refusal = null;
        for (Throwable t = error; t != null && refusal == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof GuardBlockedException) {
                refusal = GuardAttributes.REFUSAL_PREFIX + ((GuardBlockedException) t).decision().action().id();
            }
        }
        spans.invocationEnded(turn(context), error, refusal);
    }

    private static String turn(InvocationContext context) {
        return context == null || context.invocationId() == null ? null : context.invocationId().toString();
    }

    /** @return the conventions' {@code gen_ai.provider.name} of a LangChain4j provider */
    static String providerName(ModelProvider provider) {
        switch (provider) {
            case OPEN_AI:
                return "openai";
            case AZURE_OPEN_AI:
                return "azure.ai.openai";
            case MICROSOFT_FOUNDRY:
                return "azure.ai.inference";
            case ANTHROPIC:
                return "anthropic";
            case AMAZON_BEDROCK:
                return "aws.bedrock";
            case GOOGLE_AI_GEMINI:
                return "gcp.gemini";
            case GOOGLE_GENAI:
                return "gcp.gen_ai";
            case GOOGLE_VERTEX_AI_GEMINI:
            case GOOGLE_VERTEX_AI_ANTHROPIC:
                return "gcp.vertex_ai";
            case MISTRAL_AI:
                return "mistral_ai";
            case WATSONX:
                return "ibm.watsonx.ai";
            default:
                return provider.name().toLowerCase(Locale.ROOT).replace("_", ""); // ollama, cohere, other...
        }
    }
}
