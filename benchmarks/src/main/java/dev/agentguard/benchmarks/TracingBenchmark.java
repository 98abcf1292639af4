package dev.agentguard.benchmarks;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedChatModel;
import dev.agentguard.opentelemetry.GuardTracing;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
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
 * What tracing adds to a guarded model call, in one run: the {@link ModelCallBenchmark} guarded call (one session,
 * starter-based policy) on a guard without tracing ({@code tracing=none}), with {@link GuardTracing} installed on
 * the OpenTelemetry API without an SDK ({@code noop}: what a library pays when the application has not set up
 * OpenTelemetry: {@code GuardTracing} then installs nothing), and on an SDK that records every span (sampling always
 * on) and hands it to an exporter that drops it: through a {@link BatchSpanProcessor} ({@code sdk}, the usual
 * production set-up: the caller's thread builds and ends the span and queues it) or a {@link SimpleSpanProcessor}
 * ({@code sdkSimple}: "exported" on the caller's thread too). The difference between {@code sdk} and {@code none}
 * is the cost the issue bounds (1 µs).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
public class TracingBenchmark {

    /** Accepts every span and does nothing with it. */
    static final class DroppingExporter implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** A guarded model whose guard is traced, or not. */
    @State(Scope.Benchmark)
    public static class Traced {
        @Param({"none", "noop", "sdk", "sdkSimple"})
        public String tracing;

        Guard guard;
        ChatModel model;
        OpenTelemetrySdk sdk;
        final Sessions.Refusals refusals = new Sessions.Refusals();

        @Setup(Level.Trial)
        public void setUp() {
            guard = StarterPolicy.guard();
            guard.addListener(refusals);
            if ("noop".equals(tracing)) {
                GuardTracing.install(guard, OpenTelemetry.noop());
            } else if (tracing.startsWith("sdk")) {
                SpanExporter exporter = new DroppingExporter();
                sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor("sdk".equals(tracing) ? BatchSpanProcessor.builder(exporter).build()
                                : SimpleSpanProcessor.create(exporter)).build()).build();
                GuardTracing.install(guard, sdk);
            }
            model = GuardedChatModel.wrap(new ModelCallBenchmark.FixedModel(), guard);
        }

        ChatResponse call(int request) {
            try (GuardScope scope = GuardScope.builder().agent("support").session("session-0").open()) {
                return model.chat(ModelCallBenchmark.REQUESTS[request]);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            refusals.check();
            guard.close();
            if (sdk != null) {
                sdk.close();
            }
        }
    }

    /**
     * @param traced the guarded model
     * @param c this thread's rounds, to alternate the two requests (so that no loop rule fires)
     * @return the response
     */
    @Benchmark
    public ChatResponse guardedCall(Traced traced, Sessions.Cursor c) {
        c.next(1);
        return traced.call(c.round() & 1);
    }
}
