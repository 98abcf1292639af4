package dev.agentguard.opentelemetry;

import dev.agentguard.core.Guard;
import dev.agentguard.core.redact.Redactor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import java.util.Objects;

/**
 * Traces a guard's calls with OpenTelemetry, following the GenAI semantic conventions.
 *
 * <pre>{@code
 * GuardTracing.install(guard, openTelemetry);   // once, before the calls to trace
 * }</pre>
 *
 * <p>What it records:
 * <ul>
 *   <li>a {@code chat {model}} span (CLIENT) per model call, an {@code execute_tool {tool}} span (INTERNAL) per
 *       tool call and, for AI services built by {@code GuardedAiServices}, an {@code invoke_agent {agent}} span
 *       (INTERNAL) per invocation, parent of the calls made in it. Other spans are children of the caller's
 *       current span;</li>
 *   <li>the {@code gen_ai.*} attributes of {@link GenAiAttributes} and the guard's {@link GuardAttributes}: action,
 *       rule, cost, reservation, the model asked for when the guard sent another; one
 *       {@value GuardAttributes#DECISION_EVENT} span event per rule that fired, with its reason redacted;</li>
 *   <li>a call the guard refused ends its span at once with status ERROR and {@code error.type}
 *       {@code agentguard.<action>}; a call that failed, with the error's class.</li>
 * </ul>
 * A span ends when the guard settles its call, on whatever thread that happens: a stream's span ends on the
 * provider's callback thread. Provider, output cap, response model and finish reason come from the LangChain4j
 * decorators ({@code GuardedChatModel}, {@code GuardedStreamingChatModel}) when the adapter is on the class path;
 * calls made through the low-level protocol ({@code guard.admitModelCall}) get the rest.
 *
 * <p>Message content (prompts, answers, tool arguments) is never recorded unless {@link
 * Builder#captureContent(boolean)} is set, and then passes through the {@link Builder#redactor(Redactor)} first.
 *
 * <p>Install once per guard, before the calls: the spans live as long as the guard (there is no uninstall). Given
 * the API's no-op implementation ({@link OpenTelemetry#noop()}, what {@code GlobalOpenTelemetry} is without an SDK),
 * it installs nothing. A span that is not recorded (not sampled) costs a span builder and no more.
 */
public final class GuardTracing {

    /** The instrumentation scope name of the spans. */
    public static final String INSTRUMENTATION_NAME = "dev.agentguard.opentelemetry";

    private static final String ADAPTER = "dev.agentguard.langchain4j.GuardedCallObserver";

    private final boolean adapter;

    private GuardTracing(boolean adapter) {
        this.adapter = adapter;
    }

    /**
     * Traces every later call of a guard, without message content.
     *
     * @param guard the guard
     * @param openTelemetry where the spans go
     * @return what was installed
     */
    public static GuardTracing install(Guard guard, OpenTelemetry openTelemetry) {
        return builder(openTelemetry).install(guard);
    }

    /**
     * @param openTelemetry where the spans go
     * @return a builder, for content capture and its redaction
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    /** @return true if the LangChain4j decorators report to the spans (the adapter is on the class path) */
    public boolean tracesDecorators() {
        return adapter;
    }

    private static boolean adapterPresent() {
        try {
            Class.forName(ADAPTER, false, GuardTracing.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Configures and installs {@link GuardTracing}. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean captureContent;
        private Redactor redactor = Redactor.all();

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        }

        /**
         * @param capture whether to record prompts, answers and tool arguments ({@code gen_ai.input.messages},
         *     {@code gen_ai.output.messages}, {@code gen_ai.tool.call.arguments}), redacted; default false
         * @return this
         */
        public Builder captureContent(boolean capture) {
            this.captureContent = capture;
            return this;
        }

        /**
         * @param redactor what is removed from reasons, outcomes and captured content; default every built-in
         *     class ({@link Redactor#all()})
         * @return this
         */
        public Builder redactor(Redactor redactor) {
            this.redactor = Objects.requireNonNull(redactor, "redactor");
            return this;
        }

        /**
         * @param guard the guard whose later calls are traced
         * @return what was installed
         */
        public GuardTracing install(Guard guard) {
            Objects.requireNonNull(guard, "guard");
            if (openTelemetry.getTracerProvider() == TracerProvider.noop()) {
                return new GuardTracing(false); // the bare API records nothing: cost the calls nothing either
            }
            Tracer tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
            CallSpans spans = new CallSpans(tracer, redactor, captureContent);
            guard.addListener(spans);
            boolean adapter = adapterPresent();
            if (adapter) {
                LangChain4jTracing.register(guard, spans);
            }
            return new GuardTracing(adapter);
        }
    }
}
