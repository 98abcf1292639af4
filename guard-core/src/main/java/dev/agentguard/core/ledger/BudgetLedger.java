package dev.agentguard.core.ledger;

import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Unit;
import java.time.Instant;
import java.util.ArrayList;
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
 *   <li>A ledger that {@link #keepsSuspensions() keeps suspensions} refuses, in {@link #reserve} and before it
 *       takes anything, a reservation with a request that {@link BudgetRequest#checksSuspension() checks
 *       suspension} on a key {@link #suspend suspended} until a later moment; {@link Hold#suspension} names each
 *       one. {@link #lift} ends a suspension, and one ends by itself at its moment. A shared ledger shares them:
 *       a suspension set or lifted through one instance holds in every other.</li>
 *   <li>{@link #windows} lists the keys it holds spend, reservations or suspensions for; {@link #reset} forgets a
 *       key's settled spend.</li>
 * </ol>
 * A key may carry a {@link BudgetKey#creditCeiling credit ceiling}: below it the caller needs no exact
 * {@link Hold#usedBefore}, and a ledger may serve reservations from credits it lends each thread (the in-memory
 * ledger does, for process and agent windows), counting a credit as used while it is out and dating a spend up to
 * a millisecond late; a ledger may also ignore it.
 * The in-memory ledger ({@link InMemoryLedger}) is the default; a fleet-wide ledger (for example Redis, one
 * script per operation) can replace it without changing any rule. Ledgers read time themselves; a caller that has just
 * read its own ticker passes the reading along ({@link #reserve(List, Ticker, long)}), for a ledger on the same ticker
 * to use instead of reading it again.
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
     * As {@link #reserve(List)}, for a caller that has just read the time: {@code tick} is a reading of
     * {@code ticker}. A ledger whose windows keep time by that very ticker may take the reading instead of making
     * its own (the in-memory one does: the guard shares its ticker with the ledger it builds, and a clock read is a
     * measurable part of a guarded call). The default ignores both and calls {@link #reserve(List)}.
     *
     * @param requests as for {@link #reserve(List)}
     * @param ticker the caller's ticker
     * @param tick a reading of it, made for this call
     * @return the hold, granted or refused
     */
    default Hold reserve(List<BudgetRequest> requests, Ticker ticker, long tick) {
        return reserve(requests);
    }

    /**
     * Settles a granted hold with the actual amounts, in request order. Does nothing for a refused hold or one
     * already settled or released.
     *
     * @param hold a hold from this ledger
     * @param actualAmounts one per request, each at least 0
     */
    void settle(Hold hold, long[] actualAmounts);

    /**
     * Settles a granted hold whose requests each count one unit: a request in {@link Unit#USD} is settled at
     * {@code costNanos}, one in {@link Unit#TOKENS} at {@code tokens}, any other at one call. The guard settles
     * every call this way; the default builds the amounts and calls {@link #settle(Hold, long[])}, and a ledger may
     * override it to settle without that array (the in-memory one does: it is an allocation per call).
     *
     * @param hold a hold from this ledger
     * @param units the unit of each request, in request order
     * @param costNanos the call's actual cost, at least 0
     * @param tokens its actual tokens, at least 0
     */
    default void settle(Hold hold, Unit[] units, long costNanos, long tokens) {
        long[] actual = new long[units.length];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = units[i].amountOf(costNanos, tokens);
        }
        settle(hold, actual);
    }

    /**
     * As {@link #settle(Hold, Unit[], long, long)}, at a time the caller has just read (see
     * {@link #reserve(List, Ticker, long)}). The default ignores {@code ticker} and {@code tick}.
     *
     * @param hold a hold from this ledger
     * @param units the unit of each request, in request order
     * @param costNanos the call's actual cost, at least 0
     * @param tokens its actual tokens, at least 0
     * @param ticker the caller's ticker
     * @param tick a reading of it, made for this settlement
     */
    default void settle(Hold hold, Unit[] units, long costNanos, long tokens, Ticker ticker, long tick) {
        settle(hold, units, costNanos, tokens);
    }

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

    /**
     * Whether this ledger keeps suspensions itself (the methods below and the check in {@link #reserve}). The
     * default is false: a ledger written before suspensions joined the SPI compiles unchanged, and the guard keeps
     * its suspensions in its own process instead ({@link InProcessSuspensions}), as it did before.
     *
     * @return true if {@link #suspend}, {@link #suspension}, {@link #lift} and {@link #suspensions} are implemented
     *     and {@link #reserve} honours {@link BudgetRequest#checksSuspension()}
     */
    default boolean keepsSuspensions() {
        return false;
    }

    /**
     * Suspends a key until a moment, replacing a suspension of the key in force.
     *
     * @param key the key
     * @param until when it ends, in the ledger's time; a moment already past suspends nothing
     * @param limit the key's limit now, which later refusals name
     * @throws UnsupportedOperationException by default (see {@link #keepsSuspensions()})
     */
    default void suspend(BudgetKey key, Instant until, long limit) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no suspensions");
    }

    /**
     * @param key a key
     * @return its suspension in force now, or null
     * @throws UnsupportedOperationException by default (see {@link #keepsSuspensions()})
     */
    default Suspension suspension(BudgetKey key) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no suspensions");
    }

    /**
     * Reads several keys at once: one round trip for a ledger in another process. The default asks
     * {@link #suspension} for each.
     *
     * @param keys keys
     * @return the suspensions in force now among them, in the order of the keys
     */
    default List<Suspension> suspensionsOf(List<BudgetKey> keys) {
        List<Suspension> out = new ArrayList<>(0);
        for (BudgetKey k : keys) {
            Suspension s = suspension(k);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * @param key a key
     * @return true if a suspension of it was in force and is lifted
     * @throws UnsupportedOperationException by default (see {@link #keepsSuspensions()})
     */
    default boolean lift(BudgetKey key) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no suspensions");
    }

    /**
     * @return every suspension in force now; O(suspensions), for operators
     * @throws UnsupportedOperationException by default (see {@link #keepsSuspensions()})
     */
    default List<Suspension> suspensions() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no suspensions");
    }

    /**
     * Lists the keys this ledger holds something for: settled spend, a reservation or a suspension. For operators:
     * O(windows held) (a shared ledger scans its keys). The default lists none (a ledger that cannot enumerate).
     *
     * @param budgetId a budget id, or null for every budget
     * @return one entry per key, in no particular order
     */
    default List<WindowState> windows(String budgetId) {
        return List.of();
    }

    /**
     * @param key a key
     * @return what the ledger holds for it, as {@link #windows} would list it, or null when it holds nothing. The
     *     default looks through {@code windows(key.budgetId())}; the ledgers of this project read the key alone
     */
    default WindowState window(BudgetKey key) {
        for (WindowState w : windows(key.budgetId())) {
            if (w.scope() == key.scope() && w.scopeKey().equals(key.scopeKey())) {
                return w;
            }
        }
        return null;
    }

    /**
     * Forgets a key's settled spend, now: its window starts again empty. Reservations of calls in flight stay (their
     * settlement lands in the new window), and so does a suspension (lift it with {@link #lift}).
     *
     * @param key the key
     * @return true if the key held settled spend
     * @throws UnsupportedOperationException by default: a ledger that cannot reset
     */
    default boolean reset(BudgetKey key) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot reset a key");
    }
}
