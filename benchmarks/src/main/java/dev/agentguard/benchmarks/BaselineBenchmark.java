package dev.agentguard.benchmarks;

import dev.agentguard.core.Usage;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The anchors the guard is compared with, in the same run: the undecorated in-memory "model" call, and the same
 * call decorated with Resilience4j's CircuitBreaker and RateLimiter (limits never reached).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BaselineBenchmark {

    private Supplier<Usage> resilience;

    @Setup(Level.Trial)
    public void setUp() {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("model");
        RateLimiter limiter = RateLimiter.of("model", RateLimiterConfig.custom()
                .limitForPeriod(Integer.MAX_VALUE).limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO).build());
        resilience = CircuitBreaker.decorateSupplier(breaker,
                RateLimiter.decorateSupplier(limiter, AdmissionBenchmark::model));
    }

    @Benchmark
    public Usage rawCall() {
        return AdmissionBenchmark.model();
    }

    @Benchmark
    public Usage resilience4jCall() {
        return resilience.get();
    }
}
