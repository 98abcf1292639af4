package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SparseTouchTest {

    private static final class Value extends SparseTouch.Touched {
    }

    private final AtomicLong now = new AtomicLong(7_000_000_000L);
    private final Cache<String, Value> cache = Caffeine.newBuilder().executor(Runnable::run)
            .expireAfterAccess(Duration.ofMinutes(30)).ticker(now::get).recordStats().build();

    private static final long INTERVAL = SparseTouch.intervalFor(Duration.ofMinutes(30));

    private Value get(String key) {
        return SparseTouch.get(cache, key, k -> new Value(), now.get(), INTERVAL);
    }

    @Test
    void theIntervalIsA64thOfTheIdleExpiry() {
        assertThat(INTERVAL).isEqualTo(Duration.ofMinutes(30).toNanos() / 64); // 28.125 s
        assertThat(SparseTouch.intervalFor(Duration.ofNanos(10))).as("at least 1 ns").isEqualTo(1);
    }

    @Test
    void readsInFullOnlyOncePerIntervalPerKey() {
        Value first = get("s1");
        for (int i = 0; i < 99; i++) {
            now.addAndGet(INTERVAL / 100);
            assertThat(get("s1")).isSameAs(first);
        }
        assertThat(cache.stats().requestCount()).as("the first lookup only").isEqualTo(1);

        now.addAndGet(INTERVAL / 100);
        assertThat(get("s1")).isSameAs(first);
        assertThat(cache.stats().requestCount()).as("an interval later: one more full read").isEqualTo(2);
        get("s2");
        assertThat(cache.stats().requestCount()).as("another key is read in full").isEqualTo(3);
    }

    @Test
    void aKeyInSteadyUseNeverExpiresAndAnIdleOneDoes() {
        Value first = get("s1");
        for (int i = 0; i < 31 * 60 * 4; i++) { // every 250 ms for 31 minutes, against a 30-minute expiry
            now.addAndGet(250_000_000L);
            assertThat(get("s1")).isSameAs(first);
        }
        now.addAndGet(Duration.ofMinutes(31).toNanos());
        assertThat(get("s1")).as("idle for 31 minutes: made again").isNotSameAs(first);
    }

    @Test
    void anIdleKeyIsForgottenOneIdleExpiryAfterItsLastFullRead() {
        Value first = get("s1");
        now.addAndGet(INTERVAL - 1);
        assertThat(get("s1")).isSameAs(first); // a use the cache is not told of
        now.addAndGet(Duration.ofMinutes(30).toNanos() - INTERVAL);
        assertThat(get("s1")).as("30 minutes after the last full read, less 1 ns").isSameAs(first);
        now.addAndGet(Duration.ofMinutes(30).toNanos() + 1);
        assertThat(get("s1")).as("idle for 30 minutes").isNotSameAs(first);
    }
}
