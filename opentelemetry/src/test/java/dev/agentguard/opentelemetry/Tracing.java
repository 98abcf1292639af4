package dev.agentguard.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.pricing.ModelPrice;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A guard on a fake ticker with tracing installed into an SDK that exports to memory, and the guard's own events
 * beside the spans so that a test can compare the two.
 */
final class Tracing {

    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    final OpenTelemetry openTelemetry;
    final Tracer callerTracer;
    final FakeTicker ticker = new FakeTicker();
    final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    final Guard guard;

    /** Prices "cheap" at $1/$2 and "pricey" at $10/$20 per million input/output tokens. */
    Tracing(Consumer<GuardConfig.Builder> policy, Consumer<GuardTracing.Builder> tracing) {
        this(policy, tracing, Sampler.alwaysOn());
    }

    Tracing(Consumer<GuardConfig.Builder> policy, Consumer<GuardTracing.Builder> tracing, Sampler sampler) {
        this.openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setSampler(sampler).addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        this.callerTracer = openTelemetry.getTracer("the-application");
        GuardConfig.Builder b = GuardConfig.builder().name("test")
                .price("cheap", ModelPrice.builder().input(BigDecimal.ONE).output(new BigDecimal(2))
                        .cacheRead(new BigDecimal("0.5")).build())
                .price("pricey", ModelPrice.builder().input(BigDecimal.TEN).output(new BigDecimal(20)).build());
        policy.accept(b);
        this.guard = Guard.builder(b.build()).ticker(ticker).listener(events::add).build();
        GuardTracing.Builder t = GuardTracing.builder(openTelemetry);
        tracing.accept(t);
        t.install(guard);
    }

    Tracing(Consumer<GuardConfig.Builder> policy) {
        this(policy, t -> { });
    }

    /** @return a started span of the application, the parent of what the test does under it */
    Span callerSpan() {
        return callerTracer.spanBuilder("handle request").startSpan();
    }

    List<SpanData> spans() {
        return exporter.getFinishedSpanItems();
    }

    SpanData span(String name) {
        List<SpanData> found = spans().stream().filter(s -> s.getName().equals(name)).collect(Collectors.toList());
        assertThat(found).as("one exported span named '%s' among %s", name, names()).hasSize(1);
        return found.get(0);
    }

    List<String> names() {
        return spans().stream().map(SpanData::getName).collect(Collectors.toList());
    }

    <T extends DecisionEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    <T extends DecisionEvent> T last(Class<T> type) {
        List<T> all = events(type);
        assertThat(all).as("a %s event", type.getSimpleName()).isNotEmpty();
        return all.get(all.size() - 1);
    }
}
