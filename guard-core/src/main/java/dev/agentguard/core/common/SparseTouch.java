package dev.agentguard.core.common;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.function.Function;

/**
 * Finds a key in a Caffeine cache that forgets idle keys (sessions, users), telling the cache of the use at most
 * once per {@value #INTERVAL_NANOS} ns of ticker time per key.
 *
 * <p><b>Why.</b> A full read ({@code get}) is what keeps a key from expiring and moves it in the eviction order;
 * it costs a read-buffer entry and its share of the cache's maintenance, several times a quiet lookup
 * ({@code policy().getIfPresentQuietly}), and a guarded call looks its session up more than once. A session's
 * idle expiry is minutes: a second's lag in its last use changes nothing that matters, and a session in steady
 * use is still read in full once a second, so it never expires.
 *
 * <p>The value remembers when it was last read in full ({@link Touched}). That field is written without
 * synchronisation: two threads may both read in full, which only costs a read.
 */
public final class SparseTouch {

    /** How often, at most, a key's use is told to its cache. */
    public static final long INTERVAL_NANOS = 1_000_000_000L;

    private SparseTouch() {
    }

    /** A cached value that remembers when its cache was last told of its use. */
    public abstract static class Touched {
        private long touched = Long.MIN_VALUE;
    }

    /**
     * @param touched when the cache was last told of a use, {@link Long#MIN_VALUE} if never
     * @param now a recent reading of the cache's ticker
     * @return true if the cache should be told of a use now: never yet, or not for {@value #INTERVAL_NANOS} ns
     */
    public static boolean due(long touched, long now) {
        return touched == Long.MIN_VALUE || now - touched >= INTERVAL_NANOS;
    }

    /**
     * @param cache the cache
     * @param key the key
     * @param factory makes the value of a key the cache does not hold
     * @param now a recent reading of the cache's ticker
     * @param <V> the values
     * @return the key's value, made if the cache did not hold it
     */
    public static <V extends Touched> V get(Cache<String, V> cache, String key, Function<String, V> factory,
            long now) {
        V v = cache.policy().getIfPresentQuietly(key);
        Touched t = v; // as Touched, whose private field is readable here
        if (t == null || due(t.touched, now)) {
            v = cache.get(key, factory);
            t = v;
            t.touched = now;
        }
        return v;
    }
}
