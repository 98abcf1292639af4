package dev.agentguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard's shape, without a server: importable (a uid, no fixed data source), the variables of the
 * issue, the panels it asks for, and queries that name only meters this module registers. That each query returns
 * data from a real Prometheus is {@code PrometheusDashboardIT}'s business.
 */
class DashboardTest {

    private final JsonNode dashboard;

    DashboardTest() throws Exception {
        dashboard = new ObjectMapper().readTree(ExternalTools.observability().resolve("grafana/agent-guard.json")
                .toFile());
    }

    @Test
    void hasTheVariablesOfTheIssueAndNoFixedDataSource() {
        List<String> vars = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(v -> vars.add(v.path("name").asText()));
        assertThat(vars).containsExactly("datasource", "guard", "agent", "model");
        assertThat(dashboard.path("uid").asText()).isEqualTo("agent-guard");
        for (JsonNode panel : dashboard.path("panels")) {
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                        .isEqualTo("${datasource}");
                assertThat(panel.path("description").asText()).as(panel.path("title").asText()).isNotBlank();
                for (JsonNode t : panel.path("targets")) {
                    assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                    assertThat(t.path("expr").asText()).as(panel.path("title").asText()).contains("guard=~\"$guard\"");
                }
            }
        }
    }

    @Test
    void hasThePanelsTheIssueAsksFor() {
        List<String> titles = new ArrayList<>();
        dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        assertThat(titles).contains("Spend per hour by model", "Spend per hour by agent", "Tokens by type",
                "Latency p50 / p95 by model", "Time to first token p50 / p95 by model", "Decisions by action",
                "Decisions by rule", "Budget fill", "Downgrades", "Audit health");
    }

    @Test
    void queriesNameOnlyMetersThisModuleRegisters() {
        Pattern metric = Pattern.compile("\\b(gen_ai_[a-z_]+|agentguard_[a-z_]+)\\{");
        List<String> names = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                Matcher m = metric.matcher(t.path("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertThat(names).isNotEmpty().allSatisfy(n -> assertThat(n).matches(
                "gen_ai_client_token_usage_sum|gen_ai_client_operation_duration_seconds_(bucket|count)"
                        + "|gen_ai_client_operation_time_to_first_chunk_seconds_bucket|agentguard_cost_usd_total"
                        + "|agentguard_decisions_total|agentguard_budget_used_ratio|agentguard_downgrades_total"
                        + "|agentguard_reservations_open|agentguard_audit_records_(written|lost)_total"));
    }
}
