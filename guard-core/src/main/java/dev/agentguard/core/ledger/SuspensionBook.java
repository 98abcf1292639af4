package dev.agentguard.core.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Suspensions kept in this process: a bounded Caffeine cache of key to suspension, each entry expiring at its
 * suspension's end. Used by {@link InMemoryLedger} and {@link InProcessSuspensions}. A lookup is O(1); until the
 * first suspension a check costs one volatile read.
 */
final class SuspensionBook {

    private final SteadyClock clock;
    private final Cache<BudgetKey, Suspension> cache;
    /** False until the first suspension: a reservation then skips the lookups. */
    private volatile boolean used;

    SuspensionBook(Ticker ticker, SteadyClock clock, long maxSuspensions) {
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumSize(maxSuspensions)
                .expireAfter(Expiry.<BudgetKey, Suspension>writing((k, s) -> Duration.ofMillis(
                        Math.max(1, s.until().toEpochMilli() - clock.millis()))))
                .ticker(ticker::read)
                .build();
    }

    void suspend(BudgetKey key, Instant until, long limit) {
        if (until.toEpochMilli() <= clock.millis()) {
            return;
        }
        used = true;
        cache.put(key, new Suspension(key, until, limit));
    }

    /** @return the suspension of the key in force at {@code epochMillis}, or null */
    Suspension get(BudgetKey key, long epochMillis) {
        if (!used) {
            return null;
        }
        Suspension s = cache.getIfPresent(key);
        return s == null || s.until().toEpochMilli() <= epochMillis ? null : s;
    }

    Suspension get(BudgetKey key) {
        return get(key, clock.millis());
    }

    boolean lift(BudgetKey key) {
        Suspension s = cache.asMap().remove(key);
        return s != null && s.until().toEpochMilli() > clock.millis();
    }

    List<Suspension> all() {
        long now = clock.millis();
        List<Suspension> out = new ArrayList<>();
        for (Suspension s : cache.asMap().values()) {
            if (s.until().toEpochMilli() > now) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * @param requests a reservation
     * @return null when no request that checks suspension is suspended; else one entry per request, the
     *     suspension of each that is suspended, null for the others
     */
    Suspension[] check(List<BudgetRequest> requests) {
        if (!used) {
            return null;
        }
        Suspension[] found = null;
        long now = Long.MIN_VALUE;
        for (int i = 0, n = requests.size(); i < n; i++) {
            BudgetRequest r = requests.get(i);
            if (!r.checksSuspension()) {
                continue;
            }
            if (now == Long.MIN_VALUE) {
                now = clock.millis();
            }
            Suspension s = get(r.key(), now);
            if (s != null) {
                if (found == null) {
                    found = new Suspension[n];
                }
                found[i] = s;
            }
        }
        return found;
    }

    /** @return the index of the first suspended request */
    static int first(Suspension[] found) {
        for (int i = 0; i < found.length; i++) {
            if (found[i] != null) {
                return i;
            }
        }
        throw new IllegalArgumentException("no suspension");
    }
}
