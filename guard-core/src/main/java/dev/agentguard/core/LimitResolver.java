package dev.agentguard.core;

/**
 * Gives a budget's limit for one scope key from outside the policy, e.g. a tenant's plan tier read from a
 * database. Set with {@link Guard.Builder#limitResolver(LimitResolver, java.time.Duration)}.
 *
 * <p>The guard never calls it for every call: answers are kept in a cache per budget and scope key and refreshed
 * in the background once they are older than the stated refresh (the old answer serves until the new one is in).
 * Only the first call of a key that is not cached yet waits for the resolver. A resolver that throws on a first
 * lookup gives the budget's own limit until the next refresh; one that throws on a refresh keeps the last answer.
 * An answer whose unit is not the budget's is ignored (logged at WARN).
 *
 * <p>Precedence, per budget and key: the policy's exact override, then its matching pattern override, then this
 * resolver, then the budget's limit.
 */
@FunctionalInterface
public interface LimitResolver {

    /**
     * @param budget the budget (its id, scope, unit and default limit)
     * @param scopeKey the key at the budget's level, e.g. a tenant id
     * @return the limit for that key in the budget's unit, or null to keep the budget's own limit
     * @throws Exception if the answer cannot be had now
     */
    Limit limitFor(Budget budget, String scopeKey) throws Exception;
}
