package dev.agentguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Guard;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Prometheus's own checker on what this project ships: the meters' exposition ({@code promtool check metrics}),
 * the alert rules ({@code promtool check rules}) and their unit tests ({@code promtool test rules}), in which every
 * alert has a case that fires and one that does not.
 */
class PromtoolIT {

    @Test
    void theScrapeOfEveryMeterPassesPromtoolCheckMetrics() throws Exception {
        Path promtool = ExternalTools.find("promtool");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GuardTraffic traffic = new GuardTraffic();
        Guard guard = Guard.builder(GuardTraffic.policy()).listener(traffic).build();
        GuardMetrics.bind(guard, registry);
        traffic.session(guard, "support", "s-1", null, Duration.ofMillis(900));
        traffic.session(guard, "billing", "s-2", null, Duration.ofMillis(1900));
        String scrape = registry.scrape();
        assertThat(scrape).contains("agentguard_decisions_total{", "gen_ai_client_token_usage_bucket{");

        ExternalTools.Result r = ExternalTools.run(Path.of("."), List.of(promtool.toString(), "check", "metrics"),
                scrape);

        // check metrics exits 0 when it finds nothing (lint problems make it exit 1 and list them)
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).as("promtool's findings").isBlank();
    }

    @Test
    void theAlertRulesPassPromtoolCheckRules() throws Exception {
        Path promtool = ExternalTools.find("promtool");
        Path rules = ExternalTools.observability().resolve("prometheus/agent-guard-rules.yml");

        ExternalTools.Result r = ExternalTools.run(rules.getParent(),
                List.of(promtool.toString(), "check", "rules", rules.getFileName().toString()), null);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: 7 rules found");
    }

    @Test
    void everyAlertHasAUnitTestThatFiresAndOneThatDoesNotAndTheyPass() throws Exception {
        Path promtool = ExternalTools.find("promtool");
        Path dir = ExternalTools.observability().resolve("prometheus");
        String rules = Files.readString(dir.resolve("agent-guard-rules.yml"));
        String tests = Files.readString(dir.resolve("tests/agent-guard-rules.test.yml"));
        List<String> alerts = Stream.of(rules.split("\n")).map(String::trim).filter(l -> l.startsWith("- alert: "))
                .map(l -> l.substring("- alert: ".length())).toList();
        assertThat(alerts).hasSize(7);
        for (String alert : alerts) {
            // a firing case lists exp_labels under the alert; a quiet one has exp_alerts: []
            String[] cases = tests.split("alertname: " + alert + "\n", -1);
            assertThat(cases.length - 1).as("test cases of %s", alert).isGreaterThanOrEqualTo(2);
            boolean fires = false;
            boolean quiet = false;
            for (int i = 1; i < cases.length; i++) {
                String next = cases[i].stripLeading();
                fires |= next.startsWith("exp_alerts:\n") && next.substring(12).stripLeading().startsWith("- exp_labels");
                quiet |= next.startsWith("exp_alerts: []");
            }
            assertThat(fires).as("%s has a case where it fires", alert).isTrue();
            assertThat(quiet).as("%s has a case where it does not fire", alert).isTrue();
        }

        ExternalTools.Result r = ExternalTools.run(dir,
                List.of(promtool.toString(), "test", "rules", "tests/agent-guard-rules.test.yml"), null);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }
}
