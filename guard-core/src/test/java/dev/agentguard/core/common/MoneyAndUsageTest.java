package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyAndUsageTest {

    @Test
    void moneyIsExactNanoDollars() {
        assertThat(Money.usd("2.00").nanos()).isEqualTo(2_000_000_000L);
        assertThat(Money.usd("0.000000001").nanos()).isEqualTo(1);
        assertThat(Money.usd("0.0000000005").nanos()).as("half-up").isEqualTo(1);
        assertThat(Money.usd("0.0000000004").nanos()).isZero();
        // ten million calls of 0.1 cent add up to exactly $10,000: no floating-point drift
        Money sum = Money.ZERO;
        Money tenth = Money.usd("0.001");
        for (int i = 0; i < 10_000_000; i++) {
            sum = Money.ofNanos(sum.nanos() + tenth.nanos());
        }
        assertThat(sum).isEqualTo(Money.usd("10000"));
        assertThat(sum.toUsd()).isEqualByComparingTo(new BigDecimal("10000"));
    }

    @Test
    void moneyFormatsForRecords() {
        assertThat(Money.format(2_000_000_000L)).isEqualTo("2.00");
        assertThat(Money.format(125_000L)).isEqualTo("0.000125");
        assertThat(Money.format(0)).isEqualTo("0.00");
        assertThat(Money.usd("1.5").toString()).isEqualTo("$1.50");
        assertThat(Money.usd("1").plus(Money.usd("0.25")).minus(Money.usd("2"))).isEqualTo(Money.usd("-0.75"));
    }

    @Test
    void badAmountsAreClearErrors() {
        assertThatThrownBy(() -> Money.usd("two dollars")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two dollars");
        assertThatThrownBy(() -> Money.usd("1e30")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> Money.ofNanos(Long.MAX_VALUE).plus(Money.ofNanos(1)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void unknownCountsAreNotZero() {
        Usage u = Usage.of(100, Usage.UNKNOWN, 0, 20, Usage.UNKNOWN);
        assertThat(u.cacheRead()).isEqualTo(Usage.UNKNOWN);
        assertThat(Usage.isKnown(u.cacheRead())).isFalse();
        assertThat(u.isComplete()).isTrue();
        assertThat(u.totalTokens()).isEqualTo(120);
        assertThat(u.toString()).contains("cacheRead=unknown");
        assertThat(Usage.NONE.isComplete()).isFalse();
        assertThat(Usage.of(Usage.UNKNOWN, 5).isComplete()).isFalse();
        assertThatThrownBy(() -> Usage.of(-2, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("usage.input");
    }
}
