package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.audit.DecisionRecord;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.redact.Redactor;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "The tightest action wins", as a table: for every pair of rules that can fire on the same model call, in both
 * orders of declaration, the decision takes the tighter action and lists both rules in {@link Decision#fired()}.
 * Each rule is set up so that it fires on the third call of session s1 (1,000 prompt tokens, 500 output, $0.0075
 * reserved), after two calls that each settle $0.0075.
 */
class PrecedenceTableTest {

    private static final String MODEL = "big";

    /** A rule, and the action it takes on the third call. */
    private static final class Rule {
        final String id;
        final Action action;
        final Consumer<GuardConfig.Builder> policy;

        Rule(String id, Action action, Consumer<GuardConfig.Builder> policy) {
            this.id = id;
            this.action = action;
            this.policy = policy;
        }

        @Override
        public String toString() {
            return id + "=" + action.id();
        }
    }

    private static Budget.Builder budget(String id, Scope scope) {
        return Budget.builder(id).scope(scope).sliding(Duration.ofHours(1));
    }

    private static List<Rule> rules() {
        // calls budgets fire on the third call whatever model answers it; the downgrade is a share of dollars
        return List.of(
                new Rule("budgets.block", Action.BLOCK, p -> p.budget(budget("block", Scope.SESSION)
                        .limitCalls(2).build())),
                new Rule("budgets.suspend", Action.SUSPEND, p -> p.budget(budget("suspend", Scope.AGENT)
                        .limitCalls(2).onExceed(OnExceed.suspend(Duration.ofMinutes(10))).build())),
                new Rule("budgets.soft", Action.WARN, p -> p.budget(budget("soft", Scope.USER)
                        .limitCalls(2).onExceed(OnExceed.warn()).build())),
                new Rule("budgets.share", Action.WARN, p -> p.budget(budget("share", Scope.GLOBAL)
                        .limitCalls(10).warnAt(30).build())),
                new Rule("budgets.cheaper", Action.DOWNGRADE, p -> p.budget(budget("cheaper", Scope.TENANT)
                        .limitUsd("1.00").downgradeAt(2).build())),
                new Rule("caps.promptTokens", Action.TRUNCATE, p -> p.caps(Caps.builder()
                        .promptTokens(900, Caps.PromptAction.TRUNCATE).build())),
                new Rule("caps.modelCallsPerSession", Action.BLOCK, p -> p.caps(Caps.builder()
                        .modelCallsPerSession(2).build())));
    }

    /** A downgrade happens only when the cheaper model fits: a call refused whatever the model has none. */
    private static boolean canFireTogether(Rule a, Rule b) {
        boolean downgrade = a.action == Action.DOWNGRADE || b.action == Action.DOWNGRADE;
        boolean refusal = a.action.refuses() || b.action.refuses();
        boolean bothCaps = a.id.startsWith("caps.") && b.id.startsWith("caps."); // one Caps object, one declaration
        return a != b && !(downgrade && refusal) && !bothCaps;
    }

    static Stream<Arguments> pairs() {
        List<Arguments> pairs = new ArrayList<>();
        List<Rule> rules = rules();
        for (Rule a : rules) {
            for (Rule b : rules) {
                if (canFireTogether(a, b)) {
                    pairs.add(Arguments.of(a, b));
                }
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} declared before {1}")
    @MethodSource("pairs")
    @SuppressWarnings("unchecked")
    void theTighterActionWinsAndBothAreRecorded(Rule first, Rule second) {
        GuardConfig.Builder b = GuardConfig.builder().name("table").ladder(List.of(MODEL, "small"))
                .price(MODEL, ModelPrice.builder().input(new BigDecimal("2.50")).output(new BigDecimal("10.00"))
                        .build())
                .price("small", ModelPrice.builder().input(new BigDecimal("0.25")).output(new BigDecimal("1.00"))
                        .build());
        first.policy.accept(b);
        second.policy.accept(b);
        FakeTicker ticker = new FakeTicker();
        List<DecisionEvent> events = new ArrayList<>();
        Guard guard = Guard.builder(b.build()).ticker(ticker).clock(FakeClock.at("2026-03-02T09:00:00Z"))
                .listener(events::add).build();
        GuardScope s1 = GuardScope.builder().agent("support").session("s1").user("u1").tenant("t1").build();
        for (int i = 0; i < 2; i++) {
            Admission a = guard.admitModelCall(ModelCall.builder(MODEL).scope(s1).promptTokens(800)
                    .maxOutputTokens(500).build());
            assertThat(a.proceeds()).as("priming call %d: %s", i, a.decision()).isTrue();
            a.settle(Usage.of(1_000, 500)); // $0.0075 each, whatever model answered
        }

        Admission third = guard.admitModelCall(ModelCall.builder(MODEL).scope(s1).promptTokens(1_000)
                .maxOutputTokens(500).truncator(target -> 800).build());

        Action tighter = first.action.isTighterThan(second.action) ? first.action : second.action;
        List<String> fired = third.decision().fired().stream().map(Decision.Fired::toString)
                .collect(Collectors.toList());
        assertThat(third.decision().action()).as("%s with %s: %s", first, second, third.decision())
                .isEqualTo(tighter);
        assertThat(fired).as("fired").contains(first.toString(), second.toString());
        assertThat(fired).as("the winner is among what fired").contains(third.decision().rule() + "="
                + tighter.id());
        // the audit record and the decision log carry the same list
        DecisionRecord record = DecisionRecord.of(events.get(events.size() - 1), Redactor.all());
        assertThat((java.util.Map<Object, Object>) record.get("fired")).containsEntry(first.id, first.action.id())
                .containsEntry(second.id, second.action.id());
        third.close();
    }
}
