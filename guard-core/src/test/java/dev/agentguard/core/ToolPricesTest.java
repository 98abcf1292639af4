package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.audit.DecisionRecord;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.redact.Redactor;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code tools: { search_web: { costUsd: 0.01 } }}: a priced tool call is reserved on cost budgets before it runs,
 * settled once at its price whether it returns or throws, given back when released, and recorded.
 */
class ToolPricesTest {

    private static final GuardScope SCOPE = GuardScope.builder().agent("a").session("s1").build();
    private static final long CENT = Money.usd("0.01").nanos();

    private final List<DecisionEvent.CallSettled> settled = new CopyOnWriteArrayList<>();

    private Guard guard(Budget... budgets) {
        GuardConfig.Builder c = GuardConfig.builder().name("tools").toolPrice("search_web", Money.usd("0.01"))
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build());
        for (Budget b : budgets) {
            c.budget(b);
        }
        return Guard.builder(c.build()).ticker(new FakeTicker())
                .clock(new FakeClock(Instant.parse("2026-03-01T10:00:00Z")))
                .listener(e -> {
                    if (e instanceof DecisionEvent.CallSettled s) {
                        settled.add(s);
                    }
                }).build();
    }

    private static Budget.Builder sessionUsd(String id, String usd) {
        return Budget.builder(id).scope(Scope.SESSION).sliding(Duration.ofHours(1)).limitUsd(usd);
    }

    /** {@code scrape: { costUsd: 0.001, maxUnits: 20 }}: a tenth of a cent per page, at most 20 pages a call. */
    private Guard perPageGuard(Budget budget) {
        GuardConfig config = GuardConfig.builder().name("pages").toolPrice("scrape", Money.usd("0.001"), 20)
                .budget(budget).build();
        return Guard.builder(config).ticker(new FakeTicker())
                .clock(new FakeClock(Instant.parse("2026-03-01T10:00:00Z")))
                .listener(e -> {
                    if (e instanceof DecisionEvent.CallSettled s) {
                        settled.add(s);
                    }
                }).build();
    }

    @Test
    void aToolPricedPerUnitReservesItsMostUnitsAndIsChargedTheUnitsItReportsOnce() {
        long milli = Money.usd("0.001").nanos();
        Guard guard = perPageGuard(sessionUsd("spend", "0.05").build());

        Admission a = guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{\"url\":1}"));
        Admission b = guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{\"url\":2}"));
        assertThat(guard.budgetUsed("spend", "s1")).as("20 pages reserved per call").isEqualTo(40 * milli);
        Admission c = guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{\"url\":3}"));
        assertThat(c.proceeds()).as("$0.04 held + $0.02 > $0.05").isFalse();

        assertThat(a.complete(7)).isTrue();
        assertThat(a.complete(7)).isFalse();
        assertThat(guard.budgetUsed("spend", "s1")).as("7 pages charged, 20 still held by b").isEqualTo(27 * milli);
        assertThat(b.complete()).as("no units reported: charged what it reserved").isTrue();
        assertThat(guard.budgetUsed("spend", "s1")).isEqualTo(27 * milli);
        Admission d = guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{\"url\":4}"));
        assertThat(d.fail(new IllegalStateException("timeout"), null)).as("a throw is charged its reservation").isTrue();
        assertThat(guard.budgetUsed("spend", "s1")).isEqualTo(47 * milli);
        Admission e = guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{\"url\":5}"));
        assertThat(e.proceeds()).as("$0.047 + $0.02 > $0.05").isFalse();
        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(settled).extracting(DecisionEvent.CallSettled::costNanos)
                .containsExactly(7 * milli, 20 * milli, 20 * milli);
        assertThatThrownBy(() -> guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{}")).complete(-1))
                .hasMessage("units must be >= 0, was -1");
    }

    @Test
    void aToolPricedPerUnitMayReportMoreThanItReservedAndIsChargedWhatItReports() {
        long milli = Money.usd("0.001").nanos();
        Guard guard = perPageGuard(sessionUsd("spend", "1").build());

        guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{}")).complete(30);
        guard.admitToolCall(ToolCall.of(SCOPE, "scrape", "{}")).complete(0);

        assertThat(guard.budgetUsed("spend", "s1")).isEqualTo(30 * milli);
    }

    @Test
    void aPerUnitPriceIsValidatedWithItsMostUnits() {
        assertThatThrownBy(() -> GuardConfig.builder().toolPrice("scrape", Money.usd("0.001"), 0))
                .hasMessage("tools.scrape.maxUnits must be at least 1, was 0");
        assertThatThrownBy(() -> GuardConfig.builder().toolPrice("scrape", Money.usd("1000"), 1_000_000_000L))
                .hasMessageContaining("tools.scrape.costUsd x maxUnits is more than one call can be charged");
        GuardConfig perCall = GuardConfig.builder().toolPrice("scrape", Money.usd("0.001"), 20)
                .toolPrice("scrape", Money.usd("0.01")).build();
        assertThat(perCall.toolMaxUnits()).as("priced per call again").isEmpty();
    }

    @Test
    void aPricedToolIsReservedBeforeItRunsAndSettledOnceEvenWhenItThrows() {
        Guard guard = guard(sessionUsd("spend", "0.025").build());
        Admission first = guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{\"q\":1}"));
        assertThat(first.proceeds()).isTrue();
        assertThat(guard.budgetUsed("spend", "s1")).as("reserved before the tool runs").isEqualTo(CENT);
        Admission second = guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{\"q\":2}"));
        assertThat(second.proceeds()).isTrue();

        Admission third = guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{\"q\":3}"));
        assertThat(third.proceeds()).as("$0.02 held + $0.01 > $0.025").isFalse();
        assertThat(third.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(third.decision().rule()).isEqualTo("budgets.spend");
        assertThat(third.decision().reason()).contains("$0.02 used or reserved + $0.01 for this call > $0.025");

        assertThat(first.complete()).isTrue();
        assertThat(first.complete()).isFalse();
        assertThat(second.fail(new IllegalStateException("search down"), null)).isTrue();
        assertThat(second.complete()).isFalse();
        assertThat(second.release()).isFalse();
        assertThat(guard.budgetUsed("spend", "s1")).as("two calls, each charged once").isEqualTo(2 * CENT);
        assertThat(guard.ledger().openHolds()).isZero();

        assertThat(settled).hasSize(2);
        assertThat(settled).allSatisfy(s -> {
            assertThat(s.kind()).isEqualTo(CallKind.TOOL_CALL);
            assertThat(s.tool()).isEqualTo("search_web");
            assertThat(s.costNanos()).as("recorded at its price").isEqualTo(CENT);
        });
    }

    @Test
    void aPricedToolCallsCostIsInItsAuditRecordAndAnUnpricedOneHasNone() {
        Guard guard = guard(sessionUsd("spend", "1").build());
        guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{}")).complete();
        guard.admitToolCall(ToolCall.of(SCOPE, "lookup_order", "{}")).complete();

        assertThat(settled).hasSize(2);
        DecisionRecord priced = DecisionRecord.of(settled.get(0), Redactor.all());
        DecisionRecord free = DecisionRecord.of(settled.get(1), Redactor.all());
        assertThat(priced.costUsd()).as("README: recorded as the call's costUsd").isEqualTo("0.01");
        assertThat(priced.get("reservedUsd")).isEqualTo("0.01");
        assertThat(free.costUsd()).isNull();
        assertThat(free.get("reservedUsd")).isNull();
    }

    @Test
    void aReleasedToolCallIsNotCharged() {
        Guard guard = guard(sessionUsd("spend", "1").build());
        Admission a = guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{}"));
        assertThat(a.release()).isTrue();
        assertThat(guard.budgetUsed("spend", "s1")).isZero();
        assertThat(settled).singleElement().satisfies(s -> assertThat(s.costNanos()).isZero());
    }

    @Test
    void toolsAndModelsShareACostBudget() {
        Guard guard = guard(sessionUsd("spend", "0.02").build());
        // $1 per million tokens: 5,000 + 5,000 tokens reserve exactly $0.01
        Admission model = guard.admitModelCall(ModelCall.builder("m").scope(SCOPE).promptTokens(5_000)
                .maxOutputTokens(5_000).build());
        assertThat(model.proceeds()).isTrue();
        model.settle(Usage.of(5_000, 5_000));
        guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{}")).complete();
        assertThat(guard.budgetUsed("spend", "s1")).isEqualTo(2 * CENT);
        assertThat(guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{\"again\":1}")).proceeds()).isFalse();
        assertThat(guard.admitToolCall(ToolCall.of(SCOPE, "read_file", "{}")).proceeds())
                .as("an unpriced tool costs nothing").isTrue();
    }

    @Test
    void aModelMatchedCostBudgetDoesNotCountTools() {
        Guard guard = guard(sessionUsd("gpt", "0.005").matchModel("gpt-*").build());
        assertThat(guard.admitToolCall(ToolCall.of(SCOPE, "search_web", "{}")).complete()).isTrue();
        assertThat(guard.budgetUsed("gpt", "s1")).isZero();
    }

    @Test
    void badToolPricesAreRefused() {
        assertThatThrownBy(() -> GuardConfig.builder().toolPrice(" ", Money.usd("0.01")))
                .hasMessageContaining("tools: a tool name is required");
        assertThatThrownBy(() -> Budget.builder("t").scope(Scope.SESSION).sliding(Duration.ofHours(1))
                .limitTokens(10).kinds(CallKind.TOOL_CALL).build())
                .hasMessageContaining("kinds: tool needs a calls or costUsd limit");
    }
}
