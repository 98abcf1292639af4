package dev.agentguard.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code -Ddemo.metrics=PORT}: the demo's guard meters, served over HTTP and summed up in its summary. */
class MetricsEndpointTest {

    @Test
    void servesTheGuardsMetersAndPrintsAFewLines() throws Exception {
        Guard guard = Guard.of(GuardConfig.builder().name("demo")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(Budget.builder("day").scope(Scope.GLOBAL).sliding(Duration.ofDays(1)).limitUsd("1").build())
                .build());
        Optional<MetricsEndpoint> started = MetricsEndpoint.start("0", guard);
        assertThat(started).isPresent();
        try (MetricsEndpoint metrics = started.get()) {
            Admission a = guard.admitModelCall(ModelCall.builder("m")
                    .scope(GuardScope.builder().agent("support").session("s").build())
                    .promptTokens(10).maxOutputTokens(10).build());
            a.settle(Usage.of(10, 10));

            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(metrics.url())).GET().build(), HttpResponse.BodyHandlers.ofString());
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            metrics.printSummary(new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("agentguard_decisions_total{action=\"allow\",guard=\"demo\"",
                    "agentguard_cost_usd_total{agent=\"support\",guard=\"demo\",model=\"m\"} 2.0E-5",
                    "gen_ai_client_token_usage_bucket{");
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains(metrics.url(),
                    "agentguard_budget_used_ratio{budget=\"day\"");
        }
    }

    @Test
    void isOffWithoutAPortAndRefusesAnythingElse() throws Exception {
        Guard guard = Guard.of(GuardConfig.builder().name("demo").build());
        assertThat(MetricsEndpoint.start("", guard)).isEmpty();
        assertThat(MetricsEndpoint.start(null, guard)).isEmpty();
        assertThatThrownBy(() -> MetricsEndpoint.start("http", guard)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Ddemo.metrics must be a port number");
    }
}
