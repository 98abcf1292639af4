package dev.agentguard.benchmarks;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The comparison anchor of every benchmark: a call decorated with a Resilience4j {@link CircuitBreaker} (its
 * defaults) and a {@link RateLimiter} whose limit is never reached, built the same way for model and tool calls.
 */
final class Resilience4jPair {

    private Resilience4jPair() {
    }

    /**
     * @param name the breaker's and limiter's name
     * @param call the undecorated call
     * @param <T> what it returns
     * @return the call behind the breaker and the limiter
     */
    static <T> Supplier<T> decorate(String name, Supplier<T> call) {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults(name);
        RateLimiter limiter = RateLimiter.of(name, RateLimiterConfig.custom()
                .limitForPeriod(Integer.MAX_VALUE).limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO).build());
        return CircuitBreaker.decorateSupplier(breaker, RateLimiter.decorateSupplier(limiter, call));
    }
}
