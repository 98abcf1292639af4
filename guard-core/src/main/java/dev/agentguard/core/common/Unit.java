package dev.agentguard.core.common;

import java.util.Locale;

/** The unit of a decision's {@code observed} and {@code limit} figures and of a budget's limit. */
public enum Unit {
    /** US dollars; figures are held in nano-dollars and printed as decimal dollars. */
    USD,
    /** Tokens. */
    TOKENS,
    /** Calls. */
    CALLS,
    /** Milliseconds. */
    MILLIS,
    /** Percent. */
    PERCENT;

    /**
     * What one call counts in a budget of this unit: its cost in nano-dollars, its tokens, or one call.
     *
     * @param costNanos the call's cost
     * @param tokens the call's tokens
     * @return the amount
     */
    public long amountOf(long costNanos, long tokens) {
        return this == USD ? costNanos : this == TOKENS ? tokens : 1;
    }

    /** @return the lower-case id used in decision records, e.g. {@code usd} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Formats a figure of this unit for people and records: dollars as a decimal ({@code 1.85}), counts as
     * integers.
     *
     * @param value the figure (nano-dollars for {@link #USD})
     * @return the text
     */
    public String format(long value) {
        return this == USD ? Money.format(value) : Long.toString(value);
    }

    /**
     * Formats a figure with its unit for a reason sentence: {@code $1.85}, {@code 1200 tokens}, {@code 3 calls}.
     *
     * @param value the figure
     * @return the text
     */
    public String describe(long value) {
        switch (this) {
            case USD:
                return "$" + Money.format(value);
            case TOKENS:
                return value + (value == 1 ? " token" : " tokens");
            case MILLIS:
                return value + " ms";
            case PERCENT:
                return value + "%";
            default:
                return value + (value == 1 ? " call" : " calls");
        }
    }
}
