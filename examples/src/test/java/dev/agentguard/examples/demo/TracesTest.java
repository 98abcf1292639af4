package dev.agentguard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The demo's trace export: nothing without the variable; with it, OTLP/HTTP requests to the collector's path. */
class TracesTest {

    @Test
    void withoutTheVariableNothingIsSetUp() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (Traces traces = Traces.from(Map.of())) {
            traces.install(Guard.of(GuardConfig.builder().name("demo").build()), new PrintStream(console, true,
                    StandardCharsets.UTF_8));
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void withTheVariableEveryGuardedCallReachesTheCollectorAsAnOtlpSpan() throws IOException {
        List<String> paths = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", exchange -> {
            paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                synchronized (received) {
                    received.write(body);
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try {
            String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
            Guard guard = Guard.of(GuardConfig.builder().name("demo").build());
            try (Traces traces = Traces.from(Map.of(Traces.ENDPOINT, endpoint, Traces.SERVICE, "demo-under-test"))) {
                traces.install(guard, new PrintStream(console, true, StandardCharsets.UTF_8));
                try (GuardScope s = GuardScope.open("support", "session-1");
                        Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").promptTokens(100)
                                .maxOutputTokens(10).build())) {
                    a.settle(Usage.of(100, 10));
                }
            } // close flushes the batch
        } finally {
            collector.stop(0);
        }

        assertThat(console.toString(StandardCharsets.UTF_8)).contains("exported over OTLP/HTTP to http://127.0.0.1:")
                .contains("/v1/traces");
        assertThat(paths).isNotEmpty().allSatisfy(p -> assertThat(p).isEqualTo("POST /v1/traces"));
        assertThat(contentTypes).allSatisfy(t -> assertThat(t).isEqualTo("application/x-protobuf"));
        // protobuf carries strings as raw UTF-8: the span's name and attributes are in the payload as written
        String payload = received.toString(StandardCharsets.ISO_8859_1);
        assertThat(payload).contains("chat gpt-4o-mini", "gen_ai.operation.name", "agentguard.action", "session-1",
                "demo-under-test", "dev.agentguard.opentelemetry");
    }
}
