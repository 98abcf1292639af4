package dev.agentguard.core.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * A budget key refused until a moment: what a budget with {@code onExceed: suspend} leaves behind when a call would
 * pass its limit. Kept by the ledger ({@link BudgetLedger#suspend}), so that a ledger shared by many JVMs shares its
 * suspensions too.
 *
 * @param key the suspended window's key
 * @param until when the suspension ends, in the ledger's time
 * @param limit the key's limit when it was suspended, for the reason of later refusals
 */
public record Suspension(BudgetKey key, Instant until, long limit) {

    /** Checks what every reader relies on. */
    public Suspension {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(until, "until");
    }
}
