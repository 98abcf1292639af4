package dev.agentguard.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Money;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The span's money text is the decision record's, exactly. */
class UsdTest {

    @Test
    void formatsEveryAmountAsTheDecisionRecordsDo() {
        long[] edges = {0, 1, 9, 10, 99, 100, 999_999_999, 1_000_000_000, 1_000_000_001, 10_000_000, 180_000,
            -1, -180_000, -1_000_000_000, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE};
        for (long nanos : edges) {
            assertThat(Usd.format(nanos)).as("%d nano-dollars", nanos).isEqualTo(Money.format(nanos));
        }
        SplittableRandom random = new SplittableRandom(19);
        for (int i = 0; i < 100_000; i++) {
            long nanos = random.nextInt(4) == 0 ? random.nextLong() : random.nextLong(10_000_000_000L);
            assertThat(Usd.format(nanos)).as("%d nano-dollars", nanos).isEqualTo(Money.format(nanos));
        }
    }
}
