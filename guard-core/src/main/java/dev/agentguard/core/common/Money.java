package dev.agentguard.core.common;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An exact amount of US dollars, held as a whole number of nano-dollars (10<sup>-9</sup> USD).
 *
 * <p>Money is never floating point: a budget of $2.00 is exactly 2,000,000,000 nano-dollars, and a sum of a
 * million small costs is exactly the sum of their nano-dollars. Conversions from decimal text round half-up to
 * the nearest nano-dollar; nothing finer is ever billed.
 *
 * <p>Instances are immutable and compare by value. The hot path of the guard works on the raw {@code long}
 * ({@link #nanos()}); this class is for the API edges.
 */
public final class Money implements Comparable<Money> {

    /** Nano-dollars in one dollar. */
    public static final long NANOS_PER_USD = 1_000_000_000L;

    /** Zero dollars. */
    public static final Money ZERO = new Money(0);

    private final long nanos;

    private Money(long nanos) {
        this.nanos = nanos;
    }

    /**
     * Returns the amount of the given number of nano-dollars.
     *
     * @param nanos nano-dollars; may be negative (a refund or a difference)
     * @return the amount
     */
    public static Money ofNanos(long nanos) {
        return nanos == 0 ? ZERO : new Money(nanos);
    }

    /**
     * Parses a decimal amount of dollars such as {@code "2.00"} or {@code "0.000125"}.
     *
     * @param usd decimal dollars
     * @return the amount, rounded half-up to a nano-dollar
     * @throws IllegalArgumentException if {@code usd} is not a decimal number or does not fit in nano-dollars
     */
    public static Money usd(String usd) {
        try {
            return usd(new BigDecimal(usd.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a decimal amount of dollars: \"" + usd + "\"", e);
        }
    }

    /**
     * Returns the given amount of dollars.
     *
     * @param usd dollars
     * @return the amount, rounded half-up to a nano-dollar
     * @throws IllegalArgumentException if the amount does not fit in a {@code long} of nano-dollars
     */
    public static Money usd(BigDecimal usd) {
        try {
            return ofNanos(usd.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount out of range: " + usd.toPlainString() + " USD", e);
        }
    }

    /** @return the amount in nano-dollars */
    public long nanos() {
        return nanos;
    }

    /** @return the amount in dollars, exact (scale 9) */
    public BigDecimal toUsd() {
        return BigDecimal.valueOf(nanos, 9);
    }

    /**
     * @param other another amount
     * @return the exact sum
     * @throws ArithmeticException on overflow
     */
    public Money plus(Money other) {
        return ofNanos(Math.addExact(nanos, other.nanos));
    }

    /**
     * @param other another amount
     * @return the exact difference
     * @throws ArithmeticException on overflow
     */
    public Money minus(Money other) {
        return ofNanos(Math.subtractExact(nanos, other.nanos));
    }

    /** @return true when the amount is zero */
    public boolean isZero() {
        return nanos == 0;
    }

    @Override
    public int compareTo(Money o) {
        return Long.compare(nanos, o.nanos);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Money && ((Money) o).nanos == nanos;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nanos);
    }

    /**
     * Formats nano-dollars as a plain decimal string with trailing zeros removed but at least two decimals,
     * e.g. {@code 2.00}, {@code 0.000125}. This is the form used in decision records.
     *
     * @param nanos nano-dollars
     * @return the decimal text
     */
    public static String format(long nanos) {
        BigDecimal d = BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
        if (d.scale() < 2) {
            d = d.setScale(2);
        }
        return d.toPlainString();
    }

    /** @return the amount as decimal dollars, e.g. {@code "$0.000125"} */
    @Override
    public String toString() {
        return "$" + format(nanos);
    }
}
