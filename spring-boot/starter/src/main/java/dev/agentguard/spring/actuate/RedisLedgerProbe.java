package dev.agentguard.spring.actuate;

import dev.agentguard.redis.RedisBudgetLedger;
import java.util.function.Predicate;

/**
 * Whether a Redis ledger answers ({@link RedisBudgetLedger#isAvailable()}); any other ledger is in the process and
 * always answers. Loaded only when agent-guard-redis is on the class path.
 */
public final class RedisLedgerProbe implements Predicate<Object> {

    /** A probe; construct it only when agent-guard-redis is on the class path. */
    public RedisLedgerProbe() {
    }

    @Override
    public boolean test(Object ledger) {
        return !(ledger instanceof RedisBudgetLedger redis) || redis.isAvailable();
    }
}
