package dev.agentguard.core.ledger;

/**
 * The answer of {@link BudgetLedger#reserve}: either every request of the reservation was granted, or none was
 * (all-or-nothing), in which case {@link #refusedIndex()} names the request that did not fit.
 *
 * <p>A granted hold must be passed to exactly one of {@link BudgetLedger#settle} or {@link BudgetLedger#release};
 * ledgers ignore a second call. A refused hold holds nothing.
 */
public interface Hold {

    /** @return true if every request was reserved */
    boolean granted();

    /** @return the number of requests in the reservation */
    int size();

    /**
     * @return the index of the first request that did not fit, or -1 when granted. When a hold is refused, the
     *     requests before this index were reserved and then rolled back; later ones were not tried.
     */
    int refusedIndex();

    /**
     * What the window of request {@code i} had used (committed in the window plus outstanding reservations)
     * just before this reservation: the figure a decision reports. For a refused hold, known for the requests up
     * to and including {@link #refusedIndex()}. A granted request whose key sets a
     * {@link BudgetKey#creditCeiling(long) credit ceiling} may, below that ceiling, report a figure off by what
     * other threads did in the last moment (exact for one thread); never one that, with the request's amount,
     * passes the ceiling.
     *
     * @param i the request index
     * @return the amount used before
     */
    long usedBefore(int i);

    /**
     * @return true if the hold was refused because the ledger could not keep one more window (it is full of
     *     windows that still count and refuses new ones), not because a limit would be passed; then
     *     {@link #refusedIndex()} names the request whose window could not be made
     */
    default boolean refusedForCapacity() {
        return false;
    }

    /**
     * @return how many windows that still held spend the ledger forgot to make room for this reservation (a full
     *     ledger that evicts the oldest); 0 normally
     */
    default int evictedWindows() {
        return 0;
    }

    /**
     * @param i the request index
     * @return the suspension in force that refused request {@code i} (one that {@link BudgetRequest#checksSuspension
     *     checks suspension}), or null. A hold refused for suspensions reserved nothing: every request that checks
     *     suspension was looked at, {@link #refusedIndex()} names the first suspended one, and {@link #usedBefore}
     *     is 0 for all
     */
    default Suspension suspension(int i) {
        return null;
    }

    /** @return true if the hold was refused because a key it checks is suspended */
    default boolean refusedForSuspension() {
        return !granted() && refusedIndex() >= 0 && suspension(refusedIndex()) != null;
    }

    /**
     * @return null normally; when the ledger's shared store could not be reached, what it did instead, as a
     *     sentence: a refused hold with a reason was refused for that (the budgets were not checked), a granted
     *     one was granted by the ledger's fallback. The guard records it under the rule {@code ledger.unavailable}
     */
    default String unavailableReason() {
        return null;
    }
}
