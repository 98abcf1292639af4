package dev.agentguard.core.ledger;

import dev.agentguard.core.common.Scope;
import java.time.Instant;
import java.util.Objects;

/**
 * What a ledger holds for one budget key, as {@link BudgetLedger#windows} lists it.
 *
 * @param budgetId the budget
 * @param scope its level
 * @param scopeKey the key at that level
 * @param used settled within the window now plus outstanding reservations (as {@link BudgetLedger#used})
 * @param reserved what open holds reserve on it
 * @param windowEnd when what the window holds now will have left it (a sliding window's newest spend leaving it, a
 *     calendar period's end), in the ledger's time; null when it holds no settled spend
 * @param suspendedUntil the end of a suspension of the key in force, or null
 */
public record WindowState(String budgetId, Scope scope, String scopeKey, long used, long reserved,
        Instant windowEnd, Instant suspendedUntil) {

    /** Checks what every reader relies on. */
    public WindowState {
        Objects.requireNonNull(budgetId, "budgetId");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(scopeKey, "scopeKey");
    }
}
