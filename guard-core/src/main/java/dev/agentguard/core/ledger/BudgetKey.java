package dev.agentguard.core.ledger;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.window.WindowSpec;
import java.util.Objects;

/**
 * Names one budget window in a ledger: a budget id, the level it applies at, the key at that level (a session
 * id, an agent name, {@link Scope#GLOBAL_KEY}) and the window shape.
 *
 * <p>Equality is on budget id, scope and key only: the window travels with the key so that a ledger can create
 * the entry on first use, but a reloaded policy that keeps a budget id keeps its spend.
 *
 * <p>A key object also carries what the in-memory ledger last found for it (not part of its value): the guard asks
 * with the same key objects call after call (a session's are kept with the session), and the ledger then finds the
 * window without a lookup.
 */
public final class BudgetKey {

    private final String budgetId;
    private final Scope scope;
    private final String scopeKey;
    private final WindowSpec window;
    private final int hash;
    /**
     * The in-memory ledger's last finding for this object, checked by the ledger before use (whose it is, whether
     * it still counts); written only when a lookup was needed.
     */
    private volatile Object found;
    /** See {@link #creditCeiling(long)}; 0 (no credit) until the caller sets it. */
    private volatile long creditCeiling;

    /**
     * @param budgetId the budget id from the policy
     * @param scope the level
     * @param scopeKey the key at that level
     * @param window the window shape
     */
    public BudgetKey(String budgetId, Scope scope, String scopeKey, WindowSpec window) {
        this.budgetId = Objects.requireNonNull(budgetId, "budgetId");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.scopeKey = Objects.requireNonNull(scopeKey, "scopeKey");
        this.window = Objects.requireNonNull(window, "window");
        this.hash = (budgetId.hashCode() * 31 + scope.hashCode()) * 31 + scopeKey.hashCode();
    }

    /** @return the budget id */
    public String budgetId() {
        return budgetId;
    }

    /** @return the level */
    public Scope scope() {
        return scope;
    }

    /** @return the key at the level */
    public String scopeKey() {
        return scopeKey;
    }

    /** @return the window shape */
    public WindowSpec window() {
        return window;
    }

    /**
     * Starts loading, without waiting, what the in-memory ledger found for this key object last time (its entry and
     * that entry's window), for a caller about to reserve with it whose session has probably left the processor's
     * caches (see {@link dev.agentguard.core.common.Prefetch}). Changes nothing; does nothing for a key no in-memory
     * ledger has seen.
     */
    public void prefetch() {
        if (found instanceof LedgerEntry e) {
            e.prefetch();
        }
    }

    /** @return what the in-memory ledger last found for this object, or null */
    Object found() {
        return found;
    }

    /** @param found what the in-memory ledger found for this object */
    void found(Object found) {
        this.found = found;
    }

    /**
     * @return the used figure up to which the caller needs no exact {@link Hold#usedBefore}; 0 when
     *     it always does
     */
    public long creditCeiling() {
        return creditCeiling;
    }

    /**
     * Tells the ledger up to which used figure no decision of the caller depends on the exact amount used: below
     * its lowest warning share, its downgrade share and its limit, a call is allowed and says nothing whatever the
     * exact figure. The in-memory ledger then may lend a process or agent window's room to each thread as a
     * credit, so that threads reserve without taking the window's lock in turn; a reservation served from a credit
     * reports a {@code usedBefore} as of its credit's loan plus its own thread's use since (off by what other
     * threads did meanwhile), but the window's used figure, credits included, never passes this ceiling or the
     * limit through a credit, and the reported figure plus the request stays within it. Past the ceiling every
     * reservation is exact, as without it. Not part of the key's value; the guard sets it on every key from the
     * budget's limit and shares (writing only when it changes, since a process key is read by every thread), and
     * the ledger decides where to use it.
     *
     * @param ceiling the used figure, at least 0; 0 turns credits off for this key
     */
    public void creditCeiling(long ceiling) {
        if (ceiling < 0) {
            throw new IllegalArgumentException("ceiling must be >= 0, was " + ceiling);
        }
        if (creditCeiling != ceiling) {
            creditCeiling = ceiling;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BudgetKey)) {
            return false;
        }
        BudgetKey k = (BudgetKey) o;
        return hash == k.hash && budgetId.equals(k.budgetId) && scope == k.scope && scopeKey.equals(k.scopeKey);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return budgetId + "[" + scope.id() + "=" + scopeKey + "]";
    }
}
