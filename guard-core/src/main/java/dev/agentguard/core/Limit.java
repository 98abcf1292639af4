package dev.agentguard.core;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Unit;
import java.util.Objects;

/**
 * A budget limit with its unit: dollars (held in nano-dollars), tokens or calls. Used for the limit of one scope
 * key ({@link Budget.Builder#override(String, Limit)}, {@link LimitResolver}); its unit must be the budget's.
 */
public final class Limit {

    private final Unit unit;
    private final long amount;

    private Limit(Unit unit, long amount) {
        this.unit = unit;
        this.amount = amount;
        if (amount <= 0) {
            throw new IllegalArgumentException("a limit must be > 0, was " + unit.describe(amount));
        }
    }

    /** @param usd dollars, more than 0 @return the limit */
    public static Limit usd(Money usd) {
        return new Limit(Unit.USD, Objects.requireNonNull(usd, "usd").nanos());
    }

    /** @param usd decimal dollars, e.g. {@code "500"}, more than 0 @return the limit */
    public static Limit usd(String usd) {
        return usd(Money.usd(usd));
    }

    /** @param tokens tokens, more than 0 @return the limit */
    public static Limit tokens(long tokens) {
        return new Limit(Unit.TOKENS, tokens);
    }

    /** @param calls calls, more than 0 @return the limit */
    public static Limit calls(long calls) {
        return new Limit(Unit.CALLS, calls);
    }

    /** @return the unit */
    public Unit unit() {
        return unit;
    }

    /** @return the amount: nano-dollars for {@link Unit#USD}, else tokens or calls */
    public long amount() {
        return amount;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Limit && ((Limit) o).unit == unit && ((Limit) o).amount == amount;
    }

    @Override
    public int hashCode() {
        return unit.hashCode() * 31 + Long.hashCode(amount);
    }

    @Override
    public String toString() {
        return unit.describe(amount);
    }
}
