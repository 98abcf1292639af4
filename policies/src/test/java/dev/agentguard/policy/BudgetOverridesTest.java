package dev.agentguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.Limit;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Usage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code budgets[].overrides} reach the budget, and a guard built from the file applies them per tenant. */
class BudgetOverridesTest {

    private static final String YAML = """
            version: 1
            name: tiers
            pricing:
              m: { input: 1, output: 1 }
            budgets:
              - id: tenant-calls
                scope: tenant
                window: 1h
                limit: { calls: 3 }
                overrides:
                  "trial-*": { calls: 1 }
                  acme: { calls: 6 }
                  trial-acme: { calls: 4 }
            """;

    @Test
    void overridesBindInTheGivenOrder() {
        Budget b = PolicyBindingTest.parse(YAML).config().budgets().get(0);
        assertThat(b.overrides()).containsExactly(
                java.util.Map.entry("trial-*", Limit.calls(1)),
                java.util.Map.entry("acme", Limit.calls(6)),
                java.util.Map.entry("trial-acme", Limit.calls(4)));
    }

    @Test
    void exactKeyThenPatternThenResolverThenDefault() {
        Policy p = PolicyBindingTest.parse(YAML);
        Guard guard = Policies.builder(p)
                .limitResolver((budget, key) -> key.startsWith("pro-") || key.startsWith("trial-")
                        ? Limit.calls(9) : null, Duration.ofMinutes(5))
                .build();
        assertThat(callsAllowed(guard, "acme")).isEqualTo(6);
        assertThat(callsAllowed(guard, "trial-acme")).isEqualTo(4);
        assertThat(callsAllowed(guard, "trial-1")).as("the file's pattern beats the resolver").isEqualTo(1);
        assertThat(callsAllowed(guard, "pro-1")).isEqualTo(9);
        assertThat(callsAllowed(guard, "free-1")).isEqualTo(3);
    }

    @Test
    void matchAndKindsBind() {
        Budget b = PolicyBindingTest.parse("""
                version: 1
                budgets:
                  - id: gpt4o
                    scope: agent
                    window: 1h
                    limit: { calls: 5 }
                    match: { model: "gpt-4o*", provider: openai }
                  - id: searches
                    scope: session
                    window: 1h
                    limit: { calls: 10 }
                    match: { tool: search_web }
                  - id: everything
                    scope: session
                    window: 1h
                    limit: { calls: 50 }
                    kinds: [model, tool]
                """).config().budgets().get(0);
        assertThat(b.matchModel()).isEqualTo("gpt-4o*");
        assertThat(b.matchProvider()).isEqualTo("openai");
        assertThat(b.kinds()).containsExactly(dev.agentguard.core.common.CallKind.MODEL_CALL);
        java.util.List<Budget> all = PolicyBindingTest.parse("""
                version: 1
                budgets:
                  - id: searches
                    scope: session
                    window: 1h
                    limit: { calls: 10 }
                    match: { tool: search_web }
                  - id: everything
                    scope: session
                    window: 1h
                    limit: { calls: 50 }
                    kinds: [model, tool]
                """).config().budgets();
        assertThat(all.get(0).matchTool()).isEqualTo("search_web");
        assertThat(all.get(0).kinds()).containsExactly(dev.agentguard.core.common.CallKind.TOOL_CALL);
        assertThat(all.get(1).kinds()).containsExactlyInAnyOrder(dev.agentguard.core.common.CallKind.MODEL_CALL,
                dev.agentguard.core.common.CallKind.TOOL_CALL);
    }

    @Test
    void toolPricesBindExactly() {
        GuardConfigView c = new GuardConfigView(PolicyBindingTest.parse("""
                version: 1
                tools:
                  search_web: { costUsd: 0.01 }
                  run_sandbox: { costUsd: 0.000125 }
                """).config());
        assertThat(c.config.toolPrices()).containsExactly(
                java.util.Map.entry("search_web", dev.agentguard.core.common.Money.ofNanos(10_000_000)),
                java.util.Map.entry("run_sandbox", dev.agentguard.core.common.Money.ofNanos(125_000)));
    }

    @Test
    void aToolPricedPerUnitBindsItsUnitPriceAndMostUnits() {
        dev.agentguard.core.GuardConfig c = PolicyBindingTest.parse("""
                version: 1
                tools:
                  search_web: { costUsd: 0.01 }
                  scrape_pages: { costUsd: 0.001, maxUnits: 50 }
                """).config();
        assertThat(c.toolPrices()).containsEntry("scrape_pages", dev.agentguard.core.common.Money.ofNanos(1_000_000));
        assertThat(c.toolMaxUnits()).containsExactly(java.util.Map.entry("scrape_pages", 50L));
    }

    @Test
    void aBadMaxUnitsIsAProblemAtItsValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PolicyBindingTest.parse("""
                version: 1
                tools:
                  scrape_pages: { costUsd: 0.001, maxUnits: 0 }
                """)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("test.yaml:3:")
                .hasMessageContaining("tools.scrape_pages.maxUnits must be at least 1, was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PolicyBindingTest.parse("""
                version: 1
                tools:
                  scrape_pages: { costUsd: 0.001, maxUnits: "many" }
                """)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("test.yaml:3:")
                .hasMessageContaining("expected a whole number of units");
    }

    private record GuardConfigView(dev.agentguard.core.GuardConfig config) {
    }

    private static int callsAllowed(Guard guard, String tenant) {
        GuardScope scope = GuardScope.builder().tenant(tenant).build();
        for (int i = 0; i < 50; i++) {
            Admission a = guard.admitModelCall(ModelCall.builder("m").scope(scope).promptTokens(1).maxOutputTokens(1)
                    .build());
            if (!a.proceeds()) {
                return i;
            }
            a.settle(Usage.of(1, 1));
        }
        return 50;
    }
}
