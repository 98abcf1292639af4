package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session keeps its budget keys with its record, so that its calls ask the ledger with the same key objects; the
 * keys kept belong to one list of budgets, and a reload that reorders or replaces the session budgets must not send
 * a call to another budget's window.
 */
class SessionBudgetKeysTest {

    private final GuardScope scope = GuardScope.builder().agent("support").session("s1").build();

    private static Budget session(String id) {
        return Budget.builder(id).scope(Scope.SESSION).window(WindowSpec.sliding(Duration.ofMinutes(10), 10))
                .limitUsd("5").build();
    }

    private static GuardConfig config(Budget... budgets) {
        return GuardConfig.builder().name("test")
                .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.TEN).build())
                .budgets(List.of(budgets)).build();
    }

    private static void call(Guard guard, GuardScope scope) {
        guard.admitModelCall(ModelCall.builder("m").scope(scope).promptTokens(100).maxOutputTokens(10).build())
                .settle(Usage.of(100, 10));
    }

    private static long used(Guard guard, String budget) {
        return guard.ledger().windows(budget).stream().mapToLong(w -> w.used()).sum();
    }

    @Test
    void aReloadThatPutsAnotherSessionBudgetFirstCountsEachInItsOwnWindow() {
        Guard guard = Guard.builder(config(session("a"))).build();
        call(guard, scope);
        call(guard, scope);
        long perCall = used(guard, "a") / 2;
        assertThat(perCall).isPositive();

        guard.reconfigure(config(session("b"), session("a"))); // "a" moves from first to second
        call(guard, scope);
        assertThat(used(guard, "a")).isEqualTo(3 * perCall);
        assertThat(used(guard, "b")).isEqualTo(perCall);

        guard.reconfigure(config(session("a"))); // and back
        call(guard, scope);
        assertThat(used(guard, "a")).isEqualTo(4 * perCall);
        assertThat(used(guard, "b")).isEqualTo(perCall);
    }

    @Test
    void aReloadThatReplacesTheOnlySessionBudgetCountsInTheNewOne() {
        // one session budget: the record keeps its key itself, which must not outlive the budget that made it
        Guard guard = Guard.builder(config(session("a"))).build();
        call(guard, scope);
        long perCall = used(guard, "a");
        assertThat(perCall).isPositive();

        guard.reconfigure(config(session("b")));
        call(guard, scope);
        call(guard, scope);
        assertThat(used(guard, "a")).isEqualTo(perCall);
        assertThat(used(guard, "b")).isEqualTo(2 * perCall);
    }

    @Test
    void aReloadThatChangesTheOnlySessionBudgetsWindowUsesTheNewWindow() {
        Guard guard = Guard.builder(config(session("a"))).build();
        call(guard, scope);
        long perCall = used(guard, "a");

        Budget a = Budget.builder("a").scope(Scope.SESSION).window(WindowSpec.sliding(Duration.ofMinutes(30), 30))
                .limitUsd("5").build();
        guard.reconfigure(config(a)); // the same id over another window: its spend is kept, its new window is used
        call(guard, scope);
        assertThat(used(guard, "a")).isEqualTo(2 * perCall);
        assertThat(guard.ledger().windows("a")).singleElement().satisfies(w -> assertThat(w.windowEnd())
                .as("the newest spend leaves a 30 minute window, not a 10 minute one")
                .isAfter(java.time.Instant.now().plus(Duration.ofMinutes(20))));
    }

    @Test
    void threeSessionBudgetsEachCountInTheirOwnWindowCallAfterCall() {
        Guard guard = Guard.builder(config(session("a"), session("b"), session("c"))).build();
        for (int i = 0; i < 4; i++) {
            call(guard, scope);
        }
        long a = used(guard, "a");
        assertThat(a).isPositive();
        assertThat(used(guard, "b")).isEqualTo(a);
        assertThat(used(guard, "c")).isEqualTo(a);
        assertThat(guard.ledger().windows("b")).hasSize(1);
        assertThat(guard.ledger().windows("c")).hasSize(1);
    }

    @Test
    void sessionsKeepTheirOwnKeys() {
        Guard guard = Guard.builder(config(session("a"))).build();
        GuardScope other = GuardScope.builder().agent("support").session("s2").build();
        for (int i = 0; i < 3; i++) {
            call(guard, scope);
            call(guard, other);
            call(guard, other);
        }
        List<Long> perSession = guard.ledger().windows("a").stream().map(w -> w.used()).sorted().toList();
        assertThat(perSession).hasSize(2);
        assertThat(perSession.get(1)).isEqualTo(2 * perSession.get(0));
    }
}
