package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The figure up to which a process or agent window may lend credits ({@code BudgetKey.creditCeiling}): the last
 * used figure at which no warnAt share has been reached, no downgradeAt share passed and the limit not passed.
 */
class CreditCeilingTest {

    private static Budget.Builder budget() {
        return Budget.builder("b").scope(Scope.GLOBAL).sliding(Duration.ofMinutes(10)).limitCalls(1_000);
    }

    @Test
    void theLimitWithoutShares() {
        assertThat(BudgetRules.creditCeiling(budget().build(), 1_000)).isEqualTo(1_000);
    }

    @Test
    void oneBelowTheLowestWarnShareWhichWarnsOnReachingIt() {
        assertThat(BudgetRules.creditCeiling(budget().warnAt(80, 50).build(), 1_000)).isEqualTo(499);
    }

    @Test
    void theDowngradeShareWhichActsOnlyPastIt() {
        assertThat(BudgetRules.creditCeiling(budget().warnAt(50).downgradeAt(30).build(), 1_000)).isEqualTo(300);
    }

    @Test
    void neverNegativeAndOfTheKeysOwnLimit() {
        assertThat(BudgetRules.creditCeiling(budget().warnAt(1).build(), 50)).isZero();
        assertThat(BudgetRules.creditCeiling(budget().warnAt(50).build(), 10_000)).isEqualTo(4_999);
    }
}
