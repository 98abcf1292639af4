package dev.agentguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Decision;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters as Prometheus shows them: every assertion reads a real {@link PrometheusMeterRegistry#scrape()}. */
class GuardMetricsTest {

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GuardTraffic traffic = new GuardTraffic();

    private Guard guard(GuardConfig config) {
        return Guard.builder(config).ticker(ticker).clock(clock).listener(traffic).build();
    }

    private Scrape scrape() {
        return new Scrape(registry.scrape());
    }

    private void run(Guard guard, int sessions) {
        for (int i = 0; i < sessions; i++) {
            traffic.session(guard, GuardTraffic.AGENTS.get(i % 2), "session-" + i, i % 3 == 0 ? "acme" : "trial-" + i,
                    Duration.ofMillis(700 + 100 * i));
        }
    }

    @Test
    void everyMeterHasTheNamesAndTagsOfTheIssue() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics.bind(guard, registry);
        run(guard, 4);
        Scrape s = scrape();

        Set<String> genAi = Set.of("guard", "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model");
        assertThat(s.labelKeys("gen_ai_client_token_usage_bucket"))
                .containsExactlyInAnyOrderElementsOf(with(genAi, "gen_ai_token_type", "le"));
        assertThat(s.labelKeys("gen_ai_client_token_usage_count")).contains("gen_ai_token_type");
        assertThat(s.labelKeys("gen_ai_client_operation_duration_seconds_bucket"))
                .containsExactlyInAnyOrderElementsOf(with(genAi, "error_type", "le"));
        assertThat(s.labelKeys("gen_ai_client_operation_time_to_first_chunk_seconds_bucket"))
                .containsExactlyInAnyOrderElementsOf(with(genAi, "le"));
        assertThat(s.labelKeys("agentguard_decisions_total"))
                .containsExactlyInAnyOrder("guard", "mode", "kind", "action", "rule");
        assertThat(s.labelKeys("agentguard_cost_usd_total")).containsExactlyInAnyOrder("guard", "agent", "model");
        assertThat(s.labelKeys("agentguard_budget_used_ratio"))
                .containsExactlyInAnyOrder("guard", "budget", "scope", "key");
        assertThat(s.labelKeys("agentguard_downgrades_total"))
                .containsExactlyInAnyOrder("guard", "requested_model", "model");
        assertThat(s.named("agentguard_reservations_open")).singleElement()
                .satisfies(r -> assertThat(r.value()).isZero());

        assertThat(s.find("gen_ai_client_token_usage_count", "gen_ai_operation_name", "chat",
                "gen_ai_request_model", GuardTraffic.SMALL)).extracting(x -> x.label("gen_ai_token_type"))
                .containsExactlyInAnyOrder("input", "output");
        // the guard's prices are overrides, which the catalog attributes to provider "custom"
        assertThat(s.named("gen_ai_client_token_usage_count")).extracting(x -> x.label("gen_ai_provider_name"))
                .containsOnly("custom");
        assertThat(s.named("agentguard_decisions_total")).extracting(x -> x.label("guard"))
                .containsOnly(GuardTraffic.POLICY);
    }

    @Test
    void histogramsUseTheGenAiConventionBuckets() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics.bind(guard, registry);
        run(guard, 1);
        Scrape s = scrape();

        assertThat(bounds(s, "gen_ai_client_token_usage_bucket")).containsExactly("1.0", "4.0", "16.0", "64.0",
                "256.0", "1024.0", "4096.0", "16384.0", "65536.0", "262144.0", "1048576.0", "4194304.0",
                "1.6777216E7", "6.7108864E7", "+Inf");
        assertThat(bounds(s, "gen_ai_client_operation_duration_seconds_bucket")).containsExactly("0.01", "0.02",
                "0.04", "0.08", "0.16", "0.32", "0.64", "1.28", "2.56", "5.12", "10.24", "20.48", "40.96", "81.92",
                "+Inf");
    }

    private static List<String> bounds(Scrape s, String bucket) {
        Scrape.Sample first = s.named(bucket).get(0);
        List<String> les = new ArrayList<>();
        for (Scrape.Sample b : s.named(bucket)) {
            if (b.labels().entrySet().stream().filter(e -> !e.getKey().equals("le"))
                    .allMatch(e -> e.getValue().equals(first.labels().get(e.getKey())))) {
                les.add(b.label("le"));
            }
        }
        return les;
    }

    @Test
    void figuresAreTheGuardsOwnEvents() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics metrics = GuardMetrics.bind(guard, registry);
        run(guard, 6);
        Scrape s = scrape();

        for (Action action : List.of(Action.ALLOW, Action.DOWNGRADE, Action.BLOCK, Action.FEEDBACK)) {
            for (String rule : List.of("none", "budgets.session-10m", "caps.perTool.search_web")) {
                assertThat(s.sum("agentguard_decisions_total", "action", action.id(), "rule", rule))
                        .as("%s %s", action, rule).isEqualTo((double) traffic.decisions(action, rule));
            }
        }
        assertThat(traffic.decisions(Action.BLOCK, "budgets.session-10m")).isEqualTo(6);
        assertThat(s.sum("agentguard_downgrades_total", "requested_model", "big", "model", "small"))
                .isEqualTo((double) traffic.decisions(Action.DOWNGRADE, "budgets.session-10m")).isPositive();

        long total = 0;
        for (String agent : GuardTraffic.AGENTS) {
            for (String model : List.of(GuardTraffic.BIG, GuardTraffic.SMALL)) {
                long nanos = traffic.costNanos(agent, model);
                total += nanos;
                assertThat(nanos).isPositive();
                assertThat(s.sum("agentguard_cost_usd_total", "agent", agent, "model", model)).as("%s %s", agent, model)
                        .isEqualTo(nanos / 1e9);
                assertThat(metrics.cost(agent, model).nanos()).isEqualTo(nanos);
            }
        }
        assertThat(metrics.cost().nanos()).isEqualTo(total);

        for (String model : List.of(GuardTraffic.BIG, GuardTraffic.SMALL)) {
            assertThat(s.sum("gen_ai_client_operation_duration_seconds_count", "gen_ai_request_model", model))
                    .isEqualTo((double) GuardTraffic.count(traffic.settledModelCalls, model));
            assertThat(s.sum("gen_ai_client_operation_duration_seconds_count", "gen_ai_request_model", model,
                    "error_type", "")).isEqualTo((double) GuardTraffic.count(traffic.okModelCalls, model));
            assertThat(s.sum("gen_ai_client_operation_time_to_first_chunk_seconds_count", "gen_ai_request_model",
                    model)).isEqualTo((double) GuardTraffic.count(traffic.streamedModelCalls, model));
        }
        assertThat(s.find("gen_ai_client_operation_duration_seconds_count", "error_type", "java.io.IOException"))
                .isNotEmpty();
    }

    @Test
    void noSessionUserOrTenantReachesATagWithoutAnAllowList() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics.bind(guard, registry);
        run(guard, 5);
        Scrape s = scrape();

        Set<String> keys = s.all().stream().flatMap(x -> x.labels().keySet().stream()).collect(Collectors.toSet());
        assertThat(keys).doesNotContain("session", "user", "tenant", "request_id");
        Set<String> values = s.all().stream().flatMap(x -> x.labels().values().stream()).collect(Collectors.toSet());
        assertThat(traffic.sessions).hasSize(5).noneMatch(values::contains);
        assertThat(values).doesNotContain("acme", "trial-1");
    }

    @Test
    void tenantsAreTaggedOnlyWhenAllowedTheRestIsOther() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics metrics = GuardMetrics.builder().tenants(Set.of("acme")).bind(guard, registry);
        run(guard, 5);
        Scrape s = scrape();

        assertThat(s.named("agentguard_cost_usd_total")).extracting(x -> x.label("tenant"))
                .containsOnly("acme", "_other");
        double all = s.sum("agentguard_cost_usd_total");
        assertThat(all).isEqualTo(metrics.cost().toUsd().doubleValue(), org.assertj.core.data.Offset.offset(1e-12));
        assertThatThrownBy(() -> GuardMetrics.builder().tenants(Set.of(" ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant");
    }

    @Test
    void tagValuesAreBoundedPastTheirLimit() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics.builder().maxTagValues(2).bind(guard, registry);
        for (int i = 0; i < 7; i++) {
            traffic.session(guard, "agent-" + i, "s-" + i, null, Duration.ofSeconds(1));
        }
        Scrape s = scrape();

        assertThat(s.named("agentguard_cost_usd_total")).extracting(x -> x.label("agent"))
                .containsOnly("agent-0", "agent-1", "_other");
        assertThat(s.sum("agentguard_cost_usd_total", "agent", "_other")).isEqualTo(
                (double) (traffic.costNanos.entrySet().stream().filter(e -> !e.getKey().startsWith("agent-0|")
                        && !e.getKey().startsWith("agent-1|")).mapToLong(e -> e.getValue().sum()).sum()) / 1e9,
                org.assertj.core.data.Offset.offset(1e-12));
        // budget gauges exist for kept agents only
        assertThat(s.find("agentguard_budget_used_ratio", "scope", "agent")).extracting(x -> x.label("key"))
                .containsExactlyInAnyOrder("agent-0", "agent-1");
        assertThatThrownBy(() -> GuardMetrics.builder().maxTagValues(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTagValues");
    }

    @Test
    void spendIsExactWhereADoubleCounterDrifts() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics metrics = GuardMetrics.bind(guard, registry);
        DecisionListener listener = guard.listeners().get(guard.listeners().size() - 1);
        Counter naive = Counter.builder("naive.cost").baseUnit("usd").register(registry);
        GuardScope scope = GuardScope.builder().agent("support").session("s").build();
        Decision d = Decision.builder(Action.ALLOW).models("small", "small").build();
        int calls = 1_000_000;
        for (int i = 0; i < calls; i++) { // 7 nano-dollars a call: $0.007 in all
            listener.onDecision(new DecisionEvent.CallSettled(i, clock.millis(), GuardTraffic.POLICY, Mode.ENFORCE,
                    CallKind.MODEL_CALL, d, scope, null, null, 7, true, Usage.of(1, 1), 7, 1_000, -1,
                    DecisionEvent.OK, -1, -1));
            naive.increment(7 / 1e9);
        }
        Scrape s = scrape();

        assertThat(metrics.cost().toUsd()).isEqualByComparingTo(new BigDecimal("0.007"));
        assertThat(s.sum("agentguard_cost_usd_total", "agent", "support", "model", "small")).isEqualTo(0.007);
        assertThat(s.sum("naive_cost_usd_total")).isNotEqualTo(0.007); // why the sum is kept in nano-dollars
    }

    @Test
    void budgetGaugesReadTheLedgerAndFollowAPolicyChange() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics.bind(guard, registry);
        run(guard, 3);
        Scrape s = scrape();

        Budget global = budget(guard.config(), "global-hour");
        assertThat(s.find("agentguard_budget_used_ratio", "budget", "global-hour", "scope", "global", "key", "*"))
                .singleElement().satisfies(r -> assertThat(r.value())
                        .isEqualTo((double) guard.budgetUsed("global-hour", null) / global.limit()).isPositive());
        for (String agent : GuardTraffic.AGENTS) {
            assertThat(s.find("agentguard_budget_used_ratio", "budget", "agent-hour", "key", agent)).singleElement()
                    .satisfies(r -> assertThat(r.value()).isEqualTo(
                            (double) guard.budgetUsed("agent-hour", agent) / budget(guard.config(), "agent-hour")
                                    .limit()));
        }
        assertThat(s.find("agentguard_budget_used_ratio", "scope", "model")).extracting(x -> x.label("key"))
                .containsExactlyInAnyOrder("big", "small");
        assertThat(s.find("agentguard_budget_used_ratio", "budget", "session-10m")).isEmpty();

        GuardConfig.Builder next = GuardConfig.builder().name(GuardTraffic.POLICY)
                .budget(Budget.builder("global-day").scope(Scope.GLOBAL).sliding(Duration.ofDays(1)).limitUsd("50")
                        .build());
        guard.reconfigure(next.build());
        Scrape after = scrape();

        assertThat(after.named("agentguard_budget_used_ratio")).extracting(x -> x.label("budget"))
                .containsExactly("global-day");
        assertThat(after.find("agentguard_decisions_total", "kind", "policy", "rule", "policy.reload")).isNotEmpty();
    }

    private static Budget budget(GuardConfig config, String id) {
        return config.budgets().stream().filter(b -> b.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void auditRecordsWrittenAndLostAreReportedForASinkAmongTheListeners(@TempDir Path dir) {
        AuditSink sink = AuditSink.open(AuditConfig.builder().file(dir.resolve("audit.jsonl")).build());
        Guard guard = Guard.builder(GuardTraffic.policy()).ticker(ticker).clock(clock).listener(sink)
                .listener(traffic).build();
        GuardMetrics.bind(guard, registry);
        run(guard, 2);
        guard.close(); // drains the sink: its counts are final, and still read by the meters
        System.gc(); // a function counter holds its object weakly: what it reads must be held elsewhere
        Scrape s = scrape();

        assertThat(sink.writtenRecords()).isPositive();
        assertThat(s.named("agentguard_audit_records_written_total")).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualTo((double) sink.writtenRecords()));
        assertThat(s.named("agentguard_audit_records_lost_total")).singleElement()
                .satisfies(r -> assertThat(r.value()).isZero());
        // the spend too is still read after the guard dropped its listeners
        assertThat(s.sum("agentguard_cost_usd_total", "agent", "support", "model", "small"))
                .isEqualTo(traffic.costNanos("support", "small") / 1e9).isPositive();
    }

    @Test
    void aGuardWithoutAuditSinkHasNoAuditMeters() {
        Guard guard = guard(GuardTraffic.policy());
        GuardMetrics.bind(guard, registry);
        assertThat(scrape().all()).noneMatch(x -> x.name().startsWith("agentguard_audit"));
    }

    private static Set<String> with(Set<String> base, String... more) {
        Set<String> all = new java.util.TreeSet<>(base);
        all.addAll(Arrays.asList(more));
        return all;
    }
}
