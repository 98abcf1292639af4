package dev.agentguard.examples.demo;

import dev.agentguard.core.Guard;
import dev.agentguard.opentelemetry.GuardTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's traces: when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set (e.g. {@code http://localhost:4318}, a
 * collector, Jaeger or Tempo), every guarded call of the demo is exported there as a span over OTLP/HTTP
 * (protobuf, to {@code <endpoint>/v1/traces}), service {@code OTEL_SERVICE_NAME} or {@code agent-guard-demo}.
 * Otherwise nothing is set up.
 */
final class Traces implements AutoCloseable {

    static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    static final String SERVICE = "OTEL_SERVICE_NAME";

    private final OpenTelemetrySdk sdk;
    private final String endpoint;

    private Traces(OpenTelemetrySdk sdk, String endpoint) {
        this.sdk = sdk;
        this.endpoint = endpoint;
    }

    /** @return traces to the endpoint the environment names, or none */
    static Traces from(Map<String, String> env) {
        String base = env.get(ENDPOINT);
        if (base == null || base.isBlank()) {
            return new Traces(null, null);
        }
        String url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
        String service = env.getOrDefault(SERVICE, "agent-guard-demo");
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), service)));
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(url).build())
                        .build())
                .build()).build();
        return new Traces(sdk, url);
    }

    /** Traces the guard's calls, if an endpoint was given, and says where they go. */
    void install(Guard guard, PrintStream out) {
        if (sdk == null) {
            return;
        }
        GuardTracing.install(guard, sdk);
        out.println("traces: every guarded call is a span, exported over OTLP/HTTP to " + endpoint);
    }

    /** Sends what is still queued and stops the exporter. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
