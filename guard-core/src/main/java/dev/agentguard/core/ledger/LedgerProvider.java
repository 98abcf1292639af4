package dev.agentguard.core.ledger;

import java.time.Duration;
import java.util.Map;

/**
 * Makes a {@link BudgetLedger} from the settings of a policy's {@code ledger.<id>} section, found with
 * {@link java.util.ServiceLoader}: a module that brings a ledger (agent-guard-redis: {@code redis}) registers one in
 * {@code META-INF/services/dev.agentguard.core.ledger.LedgerProvider}, so that the policy layer can build that ledger
 * without depending on the module.
 */
public interface LedgerProvider {

    /** @return the key under {@code ledger:} that this provider reads, e.g. {@code redis} */
    String id();

    /**
     * @param guard the guard's name (the policy's {@code name})
     * @param settings the section's values as written, after environment substitution, by key
     * @param reservationLease the guard's {@code reservations.lease}: holds must outlive it in a shared store
     * @return the ledger
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    BudgetLedger create(String guard, Map<String, String> settings, Duration reservationLease);
}
