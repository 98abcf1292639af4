package dev.agentguard.core.common;

import com.github.benmanes.caffeine.cache.Cache;
import java.time.Duration;
import java.util.function.Function;

/**
 * Finds a key in a Caffeine cache that forgets idle keys (sessions, users), telling the cache of the use at most
 * once per {@link #intervalFor interval} of ticker time per key: 1/{@value #SHARE_OF_IDLE} of the cache's idle
 * expiry (28 seconds for 30 minutes).
 *
 * <p><b>Why.</b> A full read ({@code get}) is what keeps a key from expiring and moves it in the eviction order;
 * it costs a read-buffer entry and its share of the cache's maintenance, several times a quiet lookup
 * ({@code policy().getIfPresentQuietly}). With a million sessions each called about once a second, a full read a
 * second per session was a full read on nearly every call: the maintenance relinks nodes all over the heap, and
 * the collector's card refinement that follows took a quarter of the machine. The cost of a longer interval: the
 * cache learns of a use up to one interval late, so an idle key may be forgotten up to 1/{@value #SHARE_OF_IDLE}
 * of its idle expiry early (after 29 minutes 32 seconds instead of 30 minutes). A key in steady use is still read
 * in full once an interval, so it never expires.
 *
 * <p>The value remembers when it was last read in full ({@link Touched}). That field is written without
 * synchronisation: two threads may both read in full, which only costs a read.
 */
public final class SparseTouch {

    /** A key's use is told to its cache at most once per this fraction of the cache's idle expiry. */
    public static final int SHARE_OF_IDLE = 64;

    private SparseTouch() {
    }

    /** A cached value that remembers when its cache was last told of its use. */
    public abstract static class Touched {
        private long touched = Long.MIN_VALUE;
    }

    /**
     * @param idleExpiry how long the cache keeps a key without a full read
     * @return how often, at most, a key's use is told to that cache: 1/{@value #SHARE_OF_IDLE} of it, at least
     *     1 ns
     */
    public static long intervalFor(Duration idleExpiry) {
        long idle = idleExpiry.toNanos(); // saturates: an idle expiry past 292 years is as good as never
        return Math.max(1, idle / SHARE_OF_IDLE);
    }

    /**
     * @param touched when the cache was last told of a use, {@link Long#MIN_VALUE} if never
     * @param now a recent reading of the cache's ticker
     * @param interval the cache's {@link #intervalFor interval}
     * @return true if the cache should be told of a use now: never yet, or not for {@code interval} ns
     */
    public static boolean due(long touched, long now, long interval) {
        return touched == Long.MIN_VALUE || now - touched >= interval;
    }

    /**
     * @param cache the cache
     * @param key the key
     * @param factory makes the value of a key the cache does not hold
     * @param now a recent reading of the cache's ticker
     * @param interval the cache's {@link #intervalFor interval}
     * @param <V> the values
     * @return the key's value, made if the cache did not hold it
     */
    public static <V extends Touched> V get(Cache<String, V> cache, String key, Function<String, V> factory,
            long now, long interval) {
        V v = cache.policy().getIfPresentQuietly(key);
        Touched t = v; // as Touched, whose private field is readable here
        if (t == null || due(t.touched, now, interval)) {
            v = cache.get(key, factory);
            t = v;
            t.touched = now;
        }
        return v;
    }
}
