package dev.agentguard.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The amount and the suspension flag share one field: neither may leak into the other. */
class BudgetRequestTest {

    private static final BudgetKey KEY = new BudgetKey("b", Scope.SESSION, "s1",
            WindowSpec.sliding(Duration.ofMinutes(10)));

    @Property
    void amountAndFlagReadBackAsGiven(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long amount,
            @ForAll boolean checks) {
        BudgetRequest r = new BudgetRequest(KEY, amount, BudgetRequest.NO_LIMIT, checks);
        assertThat(r.amount()).isEqualTo(amount);
        assertThat(r.checksSuspension()).isEqualTo(checks);
        assertThat(r.limit()).isEqualTo(BudgetRequest.NO_LIMIT);
    }

    @Test
    void aNegativeAmountIsRefusedWhateverTheFlag() {
        assertThatThrownBy(() -> new BudgetRequest(KEY, -1, 5, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BudgetRequest(KEY, Long.MIN_VALUE, 5, false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
