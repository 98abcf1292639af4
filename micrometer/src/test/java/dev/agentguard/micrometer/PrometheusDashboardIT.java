package dev.agentguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.agentguard.core.Guard;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian package {@code prometheus}) on a free loopback port scrapes this test's registry every
 * second while a guard runs allowed, downgraded, blocked, streamed and failing calls; then every panel's expression of
 * the Grafana dashboard, with its variables set to "All", must return data through Prometheus's HTTP API, and the
 * figures Prometheus stored must be those of the registry.
 *
 * <p>Nothing waits a fixed time: the test's endpoint reports each scrape, and the test waits for a scrape that
 * happened after the traffic, then asks Prometheus, within a deadline.
 */
class PrometheusDashboardIT {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Process prometheus;
    private HttpServer endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** One element per scrape served: the time it started. */
    private final LinkedBlockingQueue<Long> scrapes = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (endpoint != null) {
            endpoint.stop(0);
        }
    }

    @Test
    void everyDashboardPanelReturnsDataFromARealPrometheus(@TempDir Path dir) throws Exception {
        Path binary = ExternalTools.find("prometheus");
        JsonNode dashboard = JSON.readTree(ExternalTools.observability().resolve("grafana/agent-guard.json").toFile());

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AuditSink audit = AuditSink.open(AuditConfig.builder().file(dir.resolve("audit/audit.jsonl")).build());
        GuardTraffic traffic = new GuardTraffic();
        Guard guard = Guard.builder(GuardTraffic.policy()).listener(audit).listener(traffic).build();
        GuardMetrics.bind(guard, registry);

        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpoint.createContext("/metrics", exchange -> {
            long started = System.nanoTime();
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            scrapes.add(started);
        });
        endpoint.start();

        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: agent-guard-it
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(endpoint.getAddress().getPort()));
        Path log = dir.resolve("prometheus.log");
        prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String base = "http://127.0.0.1:" + port;

        // first traffic, then a scrape after it, then more traffic and a scrape after that: counters move between
        // two samples, so that rate() and increase() have something to show
        for (int i = 0; i < 4; i++) {
            traffic.session(guard, GuardTraffic.AGENTS.get(i % 2), "a-" + i, null, Duration.ofMillis(400 + 300 * i));
        }
        awaitScrapeAfter(System.nanoTime(), log);
        for (int i = 0; i < 4; i++) {
            traffic.session(guard, GuardTraffic.AGENTS.get(i % 2), "b-" + i, null, Duration.ofMillis(500 + 300 * i));
        }
        assertThat(audit.flush()).isTrue();
        long decisions = Math.round(new Scrape(registry.scrape()).sum("agentguard_decisions_total"));
        awaitQuery(base, "sum(agentguard_decisions_total)", () -> decisions, log);
        // the writer may count its last records a moment after the flush: compare with its count when asked
        awaitQuery(base, "sum(agentguard_audit_records_written_total)", audit::writtenRecords, log);

        Map<String, String> failures = new LinkedHashMap<>();
        List<String> queried = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = substitute(target.path("expr").asText());
                queried.add(panel.path("title").asText());
                JsonNode result = query(base, expr);
                if (!"success".equals(result.path("status").asText())) {
                    failures.put(panel.path("title").asText() + ": " + expr, result.toString());
                } else if (!hasAValue(result.path("data").path("result"))) {
                    failures.put(panel.path("title").asText() + ": " + expr, "no data: " + result);
                }
            }
        }
        assertThat(queried).hasSizeGreaterThanOrEqualTo(14);
        assertThat(failures).as("panels without data").isEmpty();

        // what Prometheus stored is what the guard counted
        for (String agent : GuardTraffic.AGENTS) {
            for (String model : List.of(GuardTraffic.BIG, GuardTraffic.SMALL)) {
                JsonNode r = query(base, "sum(agentguard_cost_usd_total{agent=\"" + agent + "\",model=\"" + model
                        + "\"})");
                assertThat(value(r)).as("%s %s", agent, model).isEqualTo(traffic.costNanos(agent, model) / 1e9);
            }
        }
        guard.close();
    }

    /** Grafana's variables as "All" and its interval macros as fixed windows that cover the test's samples. */
    private static String substitute(String expr) {
        return expr.replace("$guard", ".*").replace("$agent", ".*").replace("$model", ".*")
                .replace("$__rate_interval", "5m").replace("$__range", "1h");
    }

    private static boolean hasAValue(JsonNode result) {
        for (JsonNode series : result) {
            String v = series.path("value").path(1).asText();
            if (!v.isEmpty() && !"NaN".equals(v)) {
                return true;
            }
        }
        return false;
    }

    private static double value(JsonNode response) {
        JsonNode result = response.path("data").path("result");
        assertThat(result).as(response.toString()).hasSize(1);
        return Double.parseDouble(result.get(0).path("value").path(1).asText());
    }

    private JsonNode query(String base, String expr) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(res.body());
    }

    /** Waits for a scrape of the test's endpoint that started after {@code afterNanos}. */
    private void awaitScrapeAfter(long afterNanos, Path log) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            Long started = scrapes.poll(1, TimeUnit.SECONDS); // wakes on a scrape, or to check the process
            if (started != null && started - afterNanos > 0) {
                return;
            }
            if (!prometheus.isAlive()) {
                fail("prometheus exited with " + prometheus.exitValue() + ":\n" + tail(log));
            }
        }
        fail("prometheus did not scrape the test's endpoint within " + DEADLINE + ":\n" + tail(log));
    }

    /**
     * Waits until Prometheus answers the query with the expected value: after each scrape of the endpoint, asks
     * once (the sample is appended right after the scrape).
     */
    private void awaitQuery(String base, String expr, LongSupplier expected, Path log) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = "";
        long want = expected.getAsLong();
        while (System.nanoTime() < deadline) {
            awaitScrapeAfter(System.nanoTime(), log);
            JsonNode r = query(base, expr);
            last = r.toString();
            JsonNode result = r.path("data").path("result");
            want = expected.getAsLong();
            if (want > 0 && result.size() == 1
                    && Math.round(Double.parseDouble(result.get(0).path("value").path(1).asText())) == want) {
                return;
            }
        }
        fail(expr + " did not reach " + want + " within " + DEADLINE + "; last answer " + last + "\n"
                + tail(log));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
