package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
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

    /**
     * A reservation that leaves a window at or under {@code quietUpTo} skips the warning and downgrade checks: no
     * call that ends there may cross a warnAt share, pass the downgradeAt share or the limit, and one more unit
     * from below does one of these (the figure is the highest such, not just a safe one).
     */
    @Property(tries = 2_000)
    void quietUpToIsTheLastFigureAtWhichNothingFires(@ForAll @Size(max = 3) java.util.List<@IntRange(min = 1,
            max = 100) Integer> warnAt, @ForAll @IntRange(min = 0, max = 100) int downgradeAt,
            @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long limit,
            @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long before) {
        Budget.Builder builder = budget().limitCalls(limit);
        if (!warnAt.isEmpty()) {
            builder.warnAt(warnAt.stream().mapToInt(Integer::intValue).distinct().toArray());
        }
        if (downgradeAt > 0) {
            builder.downgradeAt(downgradeAt);
        }
        Budget b = builder.build();
        long quiet = BudgetRules.quietUpTo(b, limit);
        long from = Math.min(before, Math.max(0, quiet));

        if (quiet >= 0) {
            assertThat(BudgetRules.crossedWarnShare(b, limit, from, quiet)).isZero();
            assertThat(quiet).isLessThanOrEqualTo(limit);
            if (downgradeAt > 0) {
                assertThat(quiet).isLessThanOrEqualTo(BudgetRules.share(limit, downgradeAt));
            }
        }
        long next = quiet + 1;
        boolean fires = next > limit || BudgetRules.crossedWarnShare(b, limit, Math.min(0, quiet), next) > 0
                || downgradeAt > 0 && next > BudgetRules.share(limit, downgradeAt);
        assertThat(fires).as("one more than %d", quiet).isTrue();
    }
}
