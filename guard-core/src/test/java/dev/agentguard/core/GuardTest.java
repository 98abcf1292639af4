package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.telemetry.TelemetrySnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The admission protocol and the budget rules, with fake time. The test model costs $2.50 per million input
 * tokens and $10.00 per million output tokens, so 1,000 prompt tokens with a 500-token cap reserve
 * 1000 × 2,500 + 500 × 10,000 nano-dollars = $0.0075.
 */
class GuardTest {

    private static final String MODEL = "acme-model";
    private static final long WORST_CASE = 1_000 * 2_500 + 500 * 10_000; // 7,500,000 nano-dollars
    private static final GuardScope S1 = GuardScope.builder().agent("support").session("s1").build();
    private static final GuardScope S2 = GuardScope.builder().agent("support").session("s2").build();

    private final FakeTicker ticker = new FakeTicker(-5_000_000_000L);
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();

    private Guard guard(Consumer<GuardConfig.Builder> policy) {
        GuardConfig.Builder b = GuardConfig.builder().name("test")
                .price(MODEL, ModelPrice.builder().input(new BigDecimal("2.50")).output(new BigDecimal("10.00"))
                        .cacheRead(new BigDecimal("1.25")).build());
        policy.accept(b);
        return Guard.builder(b.build()).ticker(ticker).clock(clock).listener(events::add).build();
    }

    private static Budget.Builder sessionBudget(String usd) {
        return Budget.builder("session-10m").scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitUsd(usd);
    }

    private static Admission admit(Guard guard, GuardScope scope) {
        return guard.admitModelCall(ModelCall.builder(MODEL).scope(scope).promptTokens(1_000).maxOutputTokens(500).build());
    }

    private void advance(Duration d) {
        ticker.advance(d);
        clock.advance(d);
    }

    @Test
    void eachGuardNumbersItsOwnDecisions() {
        Guard first = guard(p -> { });
        Guard second = guard(p -> { });

        admit(first, S1).settle(Usage.of(10, 10));
        admit(second, S1).settle(Usage.of(10, 10));

        assertThat(events).extracting(DecisionEvent::seq).as("no counter shared between guards")
                .containsExactly(1L, 2L, 1L, 2L);
    }

    @Test
    void thePlainAllowOfTheHotPathIsTheAllowABuilderMakes() {
        Decision built = Decision.builder(Action.ALLOW).remaining("session-10m", 42, Unit.USD)
                .models("a", "b").shadow(true).build();

        Decision direct = Decision.allow("session-10m", 42, Unit.USD, "a", "b", true);

        assertThat(direct).isEqualTo(built);
        assertThat(direct.reason()).isEqualTo(built.reason());
        assertThat(direct.fired()).isEmpty();
        assertThat(direct.targetPromptTokens()).isEqualTo(built.targetPromptTokens());
    }

    @Test
    void aWarningCarriesTheTightestBudgetsRemainingShareToo() {
        // 10 calls' worth: the 5th call reaches 50 %
        Guard guard = guard(p -> p.budget(sessionBudget("0.075").warnAt(50).build()));
        for (int i = 0; i < 4; i++) {
            admit(guard, S1).settle(Usage.of(1_000, 500));
        }

        Admission a = admit(guard, S1);

        assertThat(a.decision().action()).isEqualTo(Action.WARN);
        assertThat(a.decision().remainingBudget()).isEqualTo("session-10m");
        assertThat(a.decision().remaining()).isEqualTo(75_000_000L - 5 * WORST_CASE);
        assertThat(a.decision().remainingUnit()).isEqualTo(Unit.USD);
    }

    @Test
    void reservesTheWorstCaseThenSettlesTheActualCost() {
        Guard guard = guard(p -> p.budget(sessionBudget("1.00").build()));

        Admission a = admit(guard, S1);

        assertThat(a.proceeds()).isTrue();
        assertThat(a.decision().action()).isEqualTo(Action.ALLOW);
        assertThat(a.model()).isEqualTo(MODEL);
        assertThat(a.reservedNanos()).isEqualTo(WORST_CASE);
        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(WORST_CASE);
        assertThat(a.decision().remainingBudget()).isEqualTo("session-10m");
        assertThat(a.decision().remaining()).isEqualTo(1_000_000_000L - WORST_CASE);

        advance(Duration.ofMillis(1_200));
        // 800 uncached in × $2.50/M + 100 cached × $1.25/M + 150 out × $10/M + 50 reasoning × $10/M
        // = 2,000,000 + 125,000 + 1,500,000 + 500,000 = 4,125,000 nano-dollars
        assertThat(a.settle(Usage.of(800, 100, 0, 150, 50))).isTrue();

        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(4_125_000);
        assertThat(guard.ledger().openHolds()).isZero();
        DecisionEvent post = events.get(1);
        assertThat(post.phase()).isEqualTo(Phase.POST);
        assertThat(post.action()).isEqualTo(Action.RECORD);
        assertThat(TestEvents.settled(post).costNanos()).isEqualTo(4_125_000);
        assertThat(TestEvents.call(post).reservedNanos()).isEqualTo(WORST_CASE);
        assertThat(TestEvents.settled(post).latencyNanos()).isEqualTo(Duration.ofMillis(1_200).toNanos());
        assertThat(TestEvents.settled(post).outcome()).isEqualTo("ok");
        assertThat(TestEvents.call(post).priced()).isTrue();
        assertThat(post.seq()).isGreaterThan(events.get(0).seq());
    }

    @Test
    void liveFiguresAreReadableThroughTheApi() {
        Guard guard = guard(p -> p.budget(sessionBudget("1.00").build()));
        for (int i = 1; i <= 10; i++) {
            Admission a = admit(guard, S1);
            advance(Duration.ofMillis(100 * i));
            a.settle(Usage.of(1_000, 100)); // 2,500,000 + 1,000,000 nano-dollars
        }
        guard.admitModelCall(ModelCall.builder(MODEL).scope(S1).promptTokens(10).build())
                .fail(new IllegalStateException("400"), Usage.of(0, 0)); // refused by the provider: billed nothing

        TelemetrySnapshot session = guard.telemetry().snapshot(Scope.SESSION, "s1").orElseThrow();
        assertThat(session.costNanos()).isEqualTo(10 * 3_500_000L);
        assertThat(session.tokens()).isEqualTo(10 * 1_100L);
        assertThat(session.modelCalls()).isEqualTo(11);
        assertThat(session.modelErrors()).isEqualTo(1);
        TelemetrySnapshot model = guard.telemetry().snapshot(Scope.MODEL, MODEL).orElseThrow();
        assertThat(model.latency().orElseThrow().p90()).isEqualTo(Duration.ofMillis(900));
        assertThat(guard.telemetry().snapshot(Scope.AGENT, "support").orElseThrow().costNanos())
                .isEqualTo(10 * 3_500_000L);

        advance(Duration.ofMinutes(11));
        assertThat(guard.telemetry().snapshot(Scope.SESSION, "s1").orElseThrow().costNanos())
                .as("out of the 10-minute window").isZero();
    }

    @Test
    void blocksACallWhoseReservationWouldPassTheLimit() {
        Guard guard = guard(p -> p.budget(sessionBudget("0.01").build()));

        Admission first = admit(guard, S1);
        Admission second = admit(guard, S1);
        Admission otherSession = admit(guard, S2);

        assertThat(first.proceeds()).isTrue();
        assertThat(second.proceeds()).isFalse();
        Decision d = second.decision();
        assertThat(d.action()).isEqualTo(Action.BLOCK);
        assertThat(d.rule()).isEqualTo("budgets.session-10m");
        assertThat(d.observed()).isEqualTo(2 * WORST_CASE);
        assertThat(d.limit()).isEqualTo(10_000_000);
        assertThat(d.unit()).isEqualTo(Unit.USD);
        assertThat(d.reason()).isEqualTo("session budget session-10m for s1 (per 10m) would pass its limit:"
                + " $0.0075 used or reserved + $0.0075 for this call > $0.01");
        assertThat(second.settle(Usage.of(1, 1))).as("a refused admission holds nothing").isFalse();
        assertThat(otherSession.proceeds()).as("budgets are per session").isTrue();

        first.settle(Usage.of(400, 100)); // 1,000,000 + 1,000,000 = $0.002
        assertThat(admit(guard, S1).proceeds()).as("0.002 + 0.0075 fits in 0.01").isTrue();
    }

    @Test
    void spendLeavesTheSlidingWindow() {
        Guard guard = guard(p -> p.budget(sessionBudget("0.01").build()));
        admit(guard, S1).settle(Usage.of(1_000, 500));

        assertThat(admit(guard, S1).decision().action()).isEqualTo(Action.BLOCK);
        advance(Duration.ofMinutes(11));
        assertThat(admit(guard, S1).decision().action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void warnsWhenAReservationCrossesAWarnShare() {
        Guard guard = guard(p -> p.budget(sessionBudget("0.02").warnAt(50, 80).build()));

        Admission first = admit(guard, S1); // 37.5%
        first.settle(Usage.of(1_000, 500));
        Admission second = admit(guard, S1); // 75%: crosses 50%

        assertThat(first.decision().action()).isEqualTo(Action.ALLOW);
        Decision d = second.decision();
        assertThat(d.action()).isEqualTo(Action.WARN);
        assertThat(d.proceeds()).isTrue();
        assertThat(d.rule()).isEqualTo("budgets.session-10m");
        assertThat(d.observed()).isEqualTo(15_000_000);
        assertThat(d.limit()).isEqualTo(20_000_000);
        assertThat(d.reason()).contains("reached 50% of its limit: $0.015 of $0.02");
        second.release();
        assertThat(admit(guard, S1).decision().action()).as("crossing again warns again").isEqualTo(Action.WARN);
    }

    @Test
    void aWarnOnlyBudgetLetsTheCallThrough() {
        Guard guard = guard(p -> p.budget(sessionBudget("0.01").onExceed(OnExceed.warn()).build()));

        admit(guard, S1);
        Admission over = admit(guard, S1);

        assertThat(over.proceeds()).isTrue();
        assertThat(over.decision().action()).isEqualTo(Action.WARN);
        assertThat(over.decision().reason()).contains("is past its limit").contains("onExceed: warn");
        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(2 * WORST_CASE);
    }

    @Test
    void suspendRefusesTheScopeUntilTheSuspensionEnds() {
        Guard guard = guard(p -> p.budget(Budget.builder("calls").scope(Scope.SESSION)
                .sliding(Duration.ofMinutes(1)).limitCalls(2).onExceed(OnExceed.suspend(Duration.ofMinutes(10))).build()));
        admit(guard, S1).settle(Usage.of(10, 10));
        admit(guard, S1).settle(Usage.of(10, 10));

        Admission third = admit(guard, S1);

        assertThat(third.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(third.decision().suspendedUntil()).isEqualTo(Instant.parse("2026-03-02T09:10:00Z"));
        assertThat(third.decision().reason()).contains("suspended until 2026-03-02T09:10:00Z");
        advance(Duration.ofMinutes(2)); // the calls window has emptied, the suspension has not
        Admission fourth = admit(guard, S1);
        assertThat(fourth.decision().action()).isEqualTo(Action.SUSPEND);
        assertThat(fourth.decision().reason()).contains("is suspended until 2026-03-02T09:10:00Z");
        assertThat(admit(guard, S2).proceeds()).as("other sessions go on").isTrue();
        advance(Duration.ofMinutes(8));
        assertThat(admit(guard, S1).decision().action()).isEqualTo(Action.ALLOW);
    }

    @Test
    void tokenAndCallBudgetsCountTokensAndCalls() {
        Guard guard = guard(p -> p
                .budget(Budget.builder("tokens").scope(Scope.AGENT).sliding(Duration.ofHours(1)).limitTokens(3_000).build())
                .budget(Budget.builder("calls").scope(Scope.GLOBAL).sliding(Duration.ofHours(1)).limitCalls(3).build()));

        Admission a = admit(guard, S1); // reserves 1,500 tokens
        assertThat(guard.budgetUsed("tokens", "support")).isEqualTo(1_500);
        a.settle(Usage.of(700, 0, 0, 200, 100));
        assertThat(guard.budgetUsed("tokens", "support")).isEqualTo(1_000);
        assertThat(guard.budgetUsed("calls", "ignored")).isEqualTo(1);

        admit(guard, S2).settle(Usage.of(10, 10));
        admit(guard, S2).settle(Usage.of(10, 10));
        Decision d = admit(guard, S2).decision();
        assertThat(d.action()).isEqualTo(Action.BLOCK);
        assertThat(d.rule()).isEqualTo("budgets.calls");
        assertThat(d.unit()).isEqualTo(Unit.CALLS);
        assertThat(d.reason()).isEqualTo("global budget calls (per 1h) would pass its limit: 3 calls used or reserved"
                + " + 1 call for this call > 3 calls");
    }

    @Test
    void aCalendarBudgetStartsAgainAtMidnightInItsZone() {
        Guard guard = guard(p -> p.budget(Budget.builder("tenant-day").scope(Scope.TENANT)
                .window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("America/New_York"))).limitUsd("0.01").build()));
        GuardScope acme = GuardScope.builder().tenant("acme").build();
        admit(guard, acme).settle(Usage.of(1_000, 500));
        assertThat(admit(guard, acme).proceeds()).isFalse();

        advance(Duration.ofHours(19).plusMinutes(59)); // 04:59Z on 3 March is 23:59 in New York (EST)
        assertThat(admit(guard, acme).proceeds()).isFalse();
        advance(Duration.ofMinutes(1));
        assertThat(admit(guard, acme).proceeds()).isTrue();
    }

    @Test
    void aBudgetWhoseScopeKeyIsUnknownDoesNotApply() {
        Guard guard = guard(p -> p.budget(Budget.builder("per-user").scope(Scope.USER).sliding(Duration.ofMinutes(1))
                .limitCalls(1).build()));

        assertThat(admit(guard, S1).proceeds()).isTrue();
        assertThat(admit(guard, S1).proceeds()).as("no user: the user budget does not apply").isTrue();
        Admission a = admit(guard, S1);
        assertThat(a.decision().remainingBudget()).isNull();
    }

    @Test
    void shadowModeRecordsTheRefusalButLetsTheCallThrough() {
        Guard guard = guard(p -> p.mode(Mode.SHADOW).budget(sessionBudget("0.01").build()));

        admit(guard, S1);
        Admission over = admit(guard, S1);

        assertThat(over.proceeds()).isTrue();
        assertThat(over.decision().action()).isEqualTo(Action.BLOCK);
        assertThat(over.decision().isShadow()).isTrue();
        assertThat(over.decision().rule()).isEqualTo("budgets.session-10m");
        assertThat(guard.budgetUsed("session-10m", "s1")).as("still counted").isEqualTo(2 * WORST_CASE);
        assertThat(events.get(1).mode()).isEqualTo(Mode.SHADOW);
    }

    @Test
    void anUnknownModelIsBlockedByDefault() {
        Guard guard = guard(p -> p.budget(sessionBudget("1.00").build()));

        Admission a = guard.admitModelCall(ModelCall.builder("no-such-model-xyz").scope(S1).promptTokens(10).build());

        assertThat(a.proceeds()).isFalse();
        assertThat(a.decision().rule()).isEqualTo(Guard.RULE_UNKNOWN_MODEL);
        assertThat(a.decision().reason()).contains("no-such-model-xyz").contains("unknownModel: block");
        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(TestEvents.call(events.get(0)).priced()).isFalse();
    }

    @Test
    void anUnknownModelUnderWarnIsNotPricedButCountsTokens() {
        Guard guard = guard(p -> p.unknownModel(UnknownModelPolicy.warn()).budget(sessionBudget("1.00").build())
                .budget(Budget.builder("tokens").scope(Scope.SESSION).sliding(Duration.ofMinutes(1)).limitTokens(10_000).build()));

        Admission a = guard.admitModelCall(ModelCall.builder("no-such-model-xyz").scope(S1).promptTokens(10)
                .maxOutputTokens(20).build());

        assertThat(a.proceeds()).isTrue();
        assertThat(a.decision().action()).isEqualTo(Action.WARN);
        assertThat(a.decision().rule()).isEqualTo(Guard.RULE_UNKNOWN_MODEL);
        assertThat(a.priced()).isFalse();
        a.settle(Usage.of(10, 20));
        DecisionEvent post = events.get(1);
        assertThat(TestEvents.call(post).priced()).isFalse();
        assertThat(TestEvents.settled(post).costNanos()).isZero();
        assertThat(guard.budgetUsed("tokens", "s1")).isEqualTo(30);
    }

    @Test
    void anUnknownModelUnderAssumeIsPricedAsTheAssumedModelAndRecordedUnpriced() {
        Guard guard = guard(p -> p.unknownModel(UnknownModelPolicy.assume(MODEL)).budget(sessionBudget("1.00").build()));

        Admission a = guard.admitModelCall(ModelCall.builder("my-finetune").scope(S1).promptTokens(1_000)
                .maxOutputTokens(500).build());

        assertThat(a.proceeds()).isTrue();
        assertThat(a.decision().action()).isEqualTo(Action.ALLOW);
        assertThat(a.reservedNanos()).isEqualTo(WORST_CASE);
        assertThat(a.priced()).isFalse();
        a.settle(Usage.of(1_000, 0));
        assertThat(TestEvents.settled(events.get(1)).costNanos()).isEqualTo(2_500_000);
        assertThat(TestEvents.call(events.get(1)).priced()).isFalse();
    }

    @Test
    void reservesThePolicyDefaultOutputAndEstimatesPromptText() {
        Guard guard = guard(p -> p.defaultMaxOutputTokens(100).budget(sessionBudget("1.00").build()));

        String prompt = "Where is my order? ".repeat(150);
        Admission a = guard.admitModelCall(ModelCall.builder(MODEL).scope(S1).promptText(prompt).build());

        // the default estimator's count × 2,500 + 100 output × 10,000
        long tokens = TokenEstimator.conservative().estimate(prompt);
        assertThat(tokens).isGreaterThan(0);
        assertThat(a.reservedNanos()).isEqualTo(tokens * 2_500 + 1_000_000);
    }

    @Test
    void unreportedCountsOfASuccessAreChargedAtTheEstimate() {
        Guard guard = guard(p -> p.budget(sessionBudget("1.00").build()));

        admit(guard, S1).settle(Usage.of(200, Usage.UNKNOWN));
        // input 200 × 2,500 + output unknown, charged at the 500-token cap × 10,000
        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(500_000 + 5_000_000);
        assertThat(TestEvents.settled(events.get(1)).usage().output()).as("recorded as reported").isEqualTo(Usage.UNKNOWN);

        admit(guard, S2).settle(null);
        assertThat(guard.budgetUsed("session-10m", "s2")).as("no usage at all: the worst case").isEqualTo(WORST_CASE);
    }

    @Test
    void aFailureCountsOnlyWhatWasReportedAndAReleaseNothing() {
        Guard guard = guard(p -> p.budget(sessionBudget("1.00").build()));

        Admission failed = admit(guard, S1);
        assertThat(failed.fail(new java.net.SocketTimeoutException("read timed out"), Usage.of(1_000, Usage.UNKNOWN)))
                .isTrue();
        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(2_500_000);
        assertThat(TestEvents.settled(events.get(1)).outcome()).isEqualTo("java.net.SocketTimeoutException");

        Admission released = admit(guard, S2);
        released.release();
        assertThat(guard.budgetUsed("session-10m", "s2")).isZero();
        assertThat(TestEvents.settled(events.get(3)).outcome()).isEqualTo(DecisionEvent.RELEASED);

        Admission abandoned = admit(guard, S2);
        abandoned.close();
        assertThat(abandoned.isDone()).isTrue();
        assertThat(guard.budgetUsed("session-10m", "s2")).isZero();
        assertThat(guard.ledger().openHolds()).isZero();
    }

    @Test
    void onlyTheFirstSettlementTakesEffect() {
        Guard guard = guard(p -> p.budget(sessionBudget("1.00").build()));
        Admission a = admit(guard, S1);

        assertThat(a.settle(Usage.of(100, 0))).isTrue();
        assertThat(a.settle(Usage.of(1_000, 500))).isFalse();
        assertThat(a.fail(new RuntimeException(), Usage.of(1_000, 500))).isFalse();
        assertThat(a.release()).isFalse();
        a.close();

        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(250_000);
        assertThat(events).hasSize(2);
    }

    @Test
    void streamingRecordsTimeToFirstToken() {
        Guard guard = guard(p -> { });
        Admission a = admit(guard, S1);
        advance(Duration.ofMillis(300));
        a.firstToken();
        advance(Duration.ofMillis(900));
        a.firstToken(); // only the first counts
        a.settle(Usage.of(10, 10));

        assertThat(TestEvents.settled(events.get(1)).ttftNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(TestEvents.settled(events.get(1)).latencyNanos()).isEqualTo(Duration.ofMillis(1_200).toNanos());
    }

    @Test
    void toolCallsAreAdmittedAndRecorded() {
        Guard guard = guard(p -> { });
        Admission a = guard.admitToolCall(ToolCall.of(S1, "search_web", "{\"q\":\"x\"}"));
        advance(Duration.ofMillis(40));
        a.complete();

        assertThat(events).hasSize(2);
        assertThat(events.get(0).kind()).isEqualTo(CallKind.TOOL_CALL);
        assertThat(TestEvents.call(events.get(0)).tool()).isEqualTo("search_web");
        assertThat(TestEvents.settled(events.get(1)).latencyNanos()).isEqualTo(Duration.ofMillis(40).toNanos());
    }

    @Test
    void aThrowingListenerIsIsolated() {
        List<DecisionEvent> after = new CopyOnWriteArrayList<>();
        GuardConfig config = GuardConfig.builder()
                .price(MODEL, ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .budget(sessionBudget("1.00").build()).build();
        Guard guard = Guard.builder(config).ticker(ticker).clock(clock)
                .listener(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(after::add).build();

        Admission a = admit(guard, S1);
        assertThat(a.proceeds()).isTrue();
        assertThat(a.settle(Usage.of(10, 10))).isTrue();

        assertThat(after).hasSize(2);
        assertThat(guard.budgetUsed("session-10m", "s1")).isEqualTo(20_000);
    }

    @Test
    void closingTheGuardClosesClosableListenersOnce() {
        int[] closed = new int[1];
        class Sink implements DecisionListener, AutoCloseable {
            @Override
            public void onDecision(DecisionEvent event) {
            }

            @Override
            public void close() {
                closed[0]++;
            }
        }
        Guard guard = Guard.builder(GuardConfig.builder().build()).listener(new Sink()).build();
        guard.close();
        guard.close();
        assertThat(closed[0]).isEqualTo(1);
    }

    @Test
    void configurationErrorsNameThePropertyAndValue() {
        assertThatThrownBy(() -> Budget.builder("b").scope(Scope.SESSION).sliding(Duration.ofMinutes(1)).limitUsd("0").build())
                .hasMessage("budget 'b': limit must be > 0, was $0.00");
        assertThatThrownBy(() -> Budget.builder("b").scope(Scope.SESSION).sliding(Duration.ofMinutes(1)).limitCalls(5)
                .warnAt(50, 120).build()).hasMessage("budget 'b': warnAt must be between 1% and 100%, was 120%");
        assertThatThrownBy(() -> Budget.builder("has space").build()).hasMessageContaining("'has space'");
        assertThatThrownBy(() -> Budget.builder("b").sliding(Duration.ofMinutes(1)).limitCalls(1).build())
                .hasMessage("budget 'b': scope is required");
        assertThatThrownBy(() -> GuardConfig.builder().defaultMaxOutputTokens(0).build())
                .hasMessage("defaultMaxOutputTokens must be > 0, was 0");
        Budget b = Budget.builder("dup").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(1)).limitCalls(1).build();
        assertThatThrownBy(() -> GuardConfig.builder().budget(b).budget(b).build())
                .hasMessage("budgets: id 'dup' is used twice");
        assertThatThrownBy(() -> OnExceed.suspend(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> UnknownModelPolicy.assume(" ")).hasMessageContaining("assume:gpt-4o");
    }

    @Test
    void theTightestBudgetIsChosenByExactShares() {
        assertThat(BudgetRules.lessShareLeft(1, 3, 1, 2)).isTrue();
        assertThat(BudgetRules.lessShareLeft(1, 2, 1, 3)).isFalse();
        assertThat(BudgetRules.lessShareLeft(2, 4, 1, 2)).as("equal shares").isFalse();
        assertThat(BudgetRules.lessShareLeft(-5, 10, 0, 10)).as("past the limit").isTrue();
        // cross products far beyond a long: (10^18 - 1) / 10^18 against (10^18 - 2) / (10^18 - 1)
        long e18 = 1_000_000_000_000_000_000L;
        assertThat(BudgetRules.lessShareLeft(e18 - 2, e18 - 1, e18 - 1, e18)).isTrue();
        assertThat(BudgetRules.lessShareLeft(e18 - 1, e18, e18 - 2, e18 - 1)).isFalse();
    }

    @Test
    void sharesAreExactWithoutOverflow() {
        assertThat(BudgetRules.share(2_000_000_000L, 80)).isEqualTo(1_600_000_000L);
        assertThat(BudgetRules.share(Long.MAX_VALUE, 100)).isEqualTo(Long.MAX_VALUE);
        assertThat(BudgetRules.share(3, 50)).isEqualTo(1);
    }
}
