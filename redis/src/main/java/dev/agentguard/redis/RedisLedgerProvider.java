package dev.agentguard.redis;

import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.LedgerProvider;
import java.time.Duration;
import java.util.Map;

/**
 * Builds a {@link RedisBudgetLedger} from a policy's {@code ledger.redis} section (registered for
 * {@link java.util.ServiceLoader}, so {@code Policies.load} finds it when this module is on the class path). The
 * hold lease in Redis is the guard's {@code reservations.lease} plus a minute, so that a live JVM records its own
 * stalled calls before any other JVM charges them.
 */
public final class RedisLedgerProvider implements LedgerProvider {

    /** Past the guard's own lease, how long a hold stays in Redis before any JVM charges it. */
    static final Duration LEASE_GRACE = Duration.ofMinutes(1);

    @Override
    public String id() {
        return "redis";
    }

    @Override
    public BudgetLedger create(String guard, Map<String, String> settings, Duration reservationLease) {
        String uri = settings.get("uri");
        if (uri == null) {
            throw new IllegalArgumentException("ledger.redis.uri is required");
        }
        RedisBudgetLedger.Builder b = RedisBudgetLedger.builder(uri).guard(guard)
                .lease(reservationLease.plus(LEASE_GRACE));
        String prefix = settings.get("keyPrefix");
        if (prefix != null) {
            b.keyPrefix(prefix);
        }
        String timeout = settings.get("timeout");
        if (timeout != null) {
            b.timeout(Duration.parse(timeout));
        }
        String onUnavailable = settings.get("onUnavailable");
        if (onUnavailable != null) {
            b.onUnavailable(OnUnavailable.of(onUnavailable));
        }
        String share = settings.get("localShare");
        if (share != null) {
            b.localShare(Integer.parseInt(share));
        }
        return b.build();
    }
}
