package dev.agentguard.core;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.ledger.BudgetKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LimitResolver} behind a cache: one answer per budget and scope key, refreshed in the background once it
 * is older than the refresh interval, the old answer serving meanwhile. The resolver is called only on a miss (the
 * first call of a key, or one the bounded cache evicted) and by refreshes.
 *
 * <p>A cached lookup is O(1) and allocates nothing; memory is one entry per key seen, bounded.
 */
final class ResolvedLimits {

    private static final Logger LOG = LoggerFactory.getLogger(ResolvedLimits.class);
    /** The answer "no limit for this key": the budget's own applies. Compared by identity. */
    private static final Limit NONE = Limit.calls(Long.MAX_VALUE);

    private final LimitResolver resolver;
    private final LoadingCache<BudgetKey, Limit> cache;
    /** The budgets of the current policy by id, for the loader (a cache key names its budget by id). */
    private volatile Map<String, Budget> budgets = Map.of();

    ResolvedLimits(LimitResolver resolver, Duration refresh, long maxKeys, Ticker ticker, Executor executor) {
        this.resolver = resolver;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .refreshAfterWrite(refresh)
                .ticker(ticker::read)
                .executor(executor)
                .build(new Loader());
    }

    void policy(Map<String, Budget> byId) {
        this.budgets = byId;
    }

    /**
     * @param b the budget
     * @param key its window for the caller's key
     * @return the resolver's limit for that key in the budget's unit, or 0 when it has none
     */
    long limitOf(Budget b, BudgetKey key) {
        Limit l = cache.get(key);
        if (l == NONE || l == null) {
            return 0;
        }
        if (l.unit() != b.unit()) { // a budget reloaded with another unit, until the next refresh
            return 0;
        }
        return l.amount();
    }

    private final class Loader implements CacheLoader<BudgetKey, Limit> {
        @Override
        public Limit load(BudgetKey key) {
            try {
                return ask(key);
            } catch (Exception | LinkageError e) {
                LOG.warn("limit resolver failed for budget {} key {}: {}; the budget's own limit applies until the"
                        + " next refresh", key.budgetId(), key.scopeKey(), e.toString());
                return NONE;
            }
        }

        @Override
        public Limit reload(BudgetKey key, Limit old) throws Exception {
            return ask(key); // a failure keeps the old answer (Caffeine logs it)
        }

        private Limit ask(BudgetKey key) throws Exception {
            Budget b = budgets.get(key.budgetId());
            if (b == null) {
                return NONE;
            }
            Limit l = resolver.limitFor(b, key.scopeKey());
            if (l == null) {
                return NONE;
            }
            if (l.unit() != b.unit()) {
                LOG.warn("limit resolver gave {} for budget {} key {}, whose limit is in {}: ignored", l, b.id(),
                        key.scopeKey(), b.unit().id());
                return NONE;
            }
            return l;
        }
    }
}
