package dev.agentguard.examples.demo;

import com.sun.net.httpserver.HttpServer;
import dev.agentguard.core.Guard;
import dev.agentguard.micrometer.GuardMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The demo's meters ({@code -Ddemo.metrics=PORT}): {@link GuardMetrics} bound to a Prometheus registry, served at
 * {@code http://127.0.0.1:PORT/metrics} while the demo runs (0 picks a free port), and a few scraped lines printed
 * in the summary.
 */
final class MetricsEndpoint implements AutoCloseable {

    /** The system property that turns the endpoint on; its value is the port. */
    static final String PROPERTY = "demo.metrics";

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
        this.registry = registry;
        this.server = server;
    }

    /**
     * @param port the property's value; blank turns the endpoint off
     * @param guard the demo's guard
     * @return the endpoint, started, or empty when off
     * @throws IOException if the port cannot be bound
     */
    static Optional<MetricsEndpoint> start(String port, Guard guard) throws IOException {
        if (port == null || port.isBlank()) {
            return Optional.empty();
        }
        int p;
        try {
            p = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a port number (0 for any free one), got '"
                    + port + "'", e);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GuardMetrics.bind(guard, registry);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return Optional.of(new MetricsEndpoint(registry, server));
    }

    /** @return where Prometheus scrapes */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
    }

    /** Prints the scraped lines of the decisions, spend and budget fill: what the dashboard's panels start from. */
    void printSummary(PrintStream out) {
        List<String> lines = registry.scrape().lines()
                .filter(l -> l.startsWith("agentguard_decisions_total{") || l.startsWith("agentguard_cost_usd_total{")
                        || l.startsWith("agentguard_budget_used_ratio{"))
                .toList();
        out.println("Metrics: " + url() + " (" + registry.getMeters().size() + " meters); a few scraped lines:");
        lines.stream().limit(12).forEach(l -> out.println("  " + l));
        if (lines.size() > 12) {
            out.println("  ... " + (lines.size() - 12) + " more");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
