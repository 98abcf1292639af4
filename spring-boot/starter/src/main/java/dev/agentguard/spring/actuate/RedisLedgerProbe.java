package dev.agentguard.spring.actuate;

import dev.agentguard.redis.RedisBudgetLedger;
import java.util.function.Predicate;

/**
 * Whether a Redis ledger answers now: one round trip ({@code ZCARD} of the open holds, bounded by the ledger's
 * {@code timeout}), then {@link RedisBudgetLedger#isAvailable()}. Asking is what makes it true: the ledger notices
 * an unreachable Redis only when a command fails, so a guard without traffic would otherwise report a Redis that
 * died meanwhile as up. Any other ledger is in the process and always answers. Loaded only when agent-guard-redis
 * is on the class path.
 */
public final class RedisLedgerProbe implements Predicate<Object> {

    /** A probe; construct it only when agent-guard-redis is on the class path. */
    public RedisLedgerProbe() {
    }

    @Override
    public boolean test(Object ledger) {
        if (!(ledger instanceof RedisBudgetLedger redis)) {
            return true;
        }
        redis.openHolds(); // a failed command marks the ledger unavailable (and starts its reconnection probe)
        return redis.isAvailable();
    }
}
