package dev.agentguard.core.ledger;

import java.util.List;

/**
 * Where budget state lives: per {@link BudgetKey}, a window of settled amounts plus the amounts reserved by
 * calls in flight.
 *
 * <p>The promises every ledger keeps (and {@code BudgetLedgerContract} in core's test jar checks):
 * <ol>
 *   <li>{@link #reserve} is all-or-nothing across its requests, and atomic per window: a request is granted only
 *       if {@code used + amount <= limit} at the moment it is taken, so concurrent reservations never take a
 *       window past its limit.</li>
 *   <li>{@link #settle} replaces a granted hold's reserved amounts by the actual ones, added to each window at
 *       the time of settlement; {@link #release} drops them. The first of the two takes effect; any later
 *       settle or release of the same hold does nothing.</li>
 *   <li>{@link #used} is the settled total within the window now plus every outstanding reservation.</li>
 * </ol>
 * The in-memory ledger ({@link InMemoryLedger}) is the default; a fleet-wide ledger (for example Redis, one
 * script per operation) can replace it without changing any rule. Ledgers read time themselves.
 */
public interface BudgetLedger {

    /**
     * Reserves every request or none.
     *
     * @param requests the windows and amounts; may be empty (granted, holds nothing). A ledger may keep the list
     *     until the hold ends (the in-memory one does, rather than copy the amounts): callers must not change it
     * @return the hold, granted or refused
     */
    Hold reserve(List<BudgetRequest> requests);

    /**
     * Settles a granted hold with the actual amounts, in request order. Does nothing for a refused hold or one
     * already settled or released.
     *
     * @param hold a hold from this ledger
     * @param actualAmounts one per request, each at least 0
     */
    void settle(Hold hold, long[] actualAmounts);

    /**
     * Releases a granted hold without adding anything to the windows. Does nothing for a refused hold or one
     * already settled or released.
     *
     * @param hold a hold from this ledger
     */
    void release(Hold hold);

    /**
     * @param key a window
     * @return settled within the window now plus outstanding reservations; 0 for a window never used
     */
    long used(BudgetKey key);

    /**
     * @param key a window
     * @return the amount reserved by holds not yet settled or released
     */
    long reserved(BudgetKey key);

    /** @return how many granted holds of this ledger are neither settled nor released */
    long openHolds();

    /**
     * Gives every window of a budget a new shape, now: a reloaded policy changed the budget's window (10 minutes
     * to a calendar day, say) but kept its id. Each window starts the new shape carrying what its old window held
     * at this moment, so that the reload neither forgives recent spend nor counts it twice. Reservations
     * outstanding stay. A ledger that cannot reshape may leave the old windows until they drain; the default
     * does nothing.
     *
     * @param budgetId the budget's id
     * @param window its new window shape
     */
    default void reshape(String budgetId, dev.agentguard.core.window.WindowSpec window) {
    }
}
