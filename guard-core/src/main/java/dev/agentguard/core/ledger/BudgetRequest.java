package dev.agentguard.core.ledger;

import java.util.Objects;

/**
 * One line of a reservation: take {@code amount} from the window named by {@code key} if what is already used
 * there plus {@code amount} stays within {@code limit}.
 */
public final class BudgetRequest {

    /** A limit that never refuses (a budget whose {@code onExceed} only warns still reserves, to be counted). */
    public static final long NO_LIMIT = Long.MAX_VALUE;

    /** The sign bit of {@link #amountAndFlag}: set when the request checks suspension. */
    private static final long CHECKS_SUSPENSION = Long.MIN_VALUE;

    private final BudgetKey key;
    /**
     * The amount (never negative), with the suspension flag in its sign bit: a separate boolean would take the
     * object from 32 to 40 bytes, and every model call builds one request per budget that applies.
     */
    private final long amountAndFlag;
    private final long limit;

    /**
     * @param key the window
     * @param amount what to reserve, at least 0
     * @param limit the hard limit of the window, or {@link #NO_LIMIT}
     * @throws IllegalArgumentException if the amount is negative or the limit below 0
     */
    public BudgetRequest(BudgetKey key, long amount, long limit) {
        this(key, amount, limit, false);
    }

    /**
     * @param key the window
     * @param amount what to reserve, at least 0
     * @param limit the hard limit of the window, or {@link #NO_LIMIT}
     * @param checksSuspension whether a suspension of the key in force refuses the reservation (see
     *     {@link BudgetLedger#suspend}): set for a budget with {@code onExceed: suspend}
     * @throws IllegalArgumentException if the amount is negative or the limit below 0
     */
    public BudgetRequest(BudgetKey key, long amount, long limit, boolean checksSuspension) {
        this.key = Objects.requireNonNull(key, "key");
        if (amount < 0) {
            throw new IllegalArgumentException("amount must be >= 0, was " + amount);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        this.amountAndFlag = checksSuspension ? amount | CHECKS_SUSPENSION : amount;
        this.limit = limit;
    }

    /** @return the window */
    public BudgetKey key() {
        return key;
    }

    /** @return what to reserve */
    public long amount() {
        return amountAndFlag & ~CHECKS_SUSPENSION;
    }

    /** @return the hard limit */
    public long limit() {
        return limit;
    }

    /** @return whether a suspension of the key in force refuses the reservation */
    public boolean checksSuspension() {
        return amountAndFlag < 0;
    }

    @Override
    public String toString() {
        return key + " +" + amount() + (limit == NO_LIMIT ? "" : " <= " + limit)
                + (checksSuspension() ? " unless suspended" : "");
    }
}
