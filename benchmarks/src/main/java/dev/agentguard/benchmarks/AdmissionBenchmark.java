package dev.agentguard.benchmarks;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.Usage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of guarding a call with the low-level protocol (admit, then settle); {@link BaselineBenchmark} measures
 * the undecorated call and the Resilience4j pair (circuit breaker + rate limiter) in the same run. The "model" is an in-memory function
 * returning a fixed usage, so the figures are the guard's own overhead.
 *
 * <p>The policy is close to the starter preset: session, agent and global budgets, caps, loop rules and a
 * two-model ladder. {@code sessions} spreads the calls over that many sessions (1, 10k, 1M).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AdmissionBenchmark {

    private static final Usage USAGE = Usage.of(800, 200, 0, 150, 0);

    @Param({"1", "10000", "1000000"})
    public int sessions;

    private Guard guard;
    private GuardScope[] scopes;

    @Setup(Level.Trial)
    public void setUp() {
        GuardConfig config = StarterPolicy.config();
        guard = Guard.of(config);
        scopes = new GuardScope[sessions];
        for (int i = 0; i < sessions; i++) {
            scopes[i] = GuardScope.builder().agent("support").session("session-" + i).build();
        }
    }

    static Usage model() {
        return USAGE;
    }

    /** Per-thread position in the session array, so threads spread over distinct sessions. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            next = (int) (Thread.currentThread().getId() * 7919);
        }
    }

    @Benchmark
    public Usage guardedModelCall(Cursor cursor) {
        GuardScope scope = scopes[Math.floorMod(cursor.next++, sessions)];
        Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").scope(scope).promptTokens(1_000)
                .maxOutputTokens(500).build());
        Usage u = model();
        a.settle(u);
        return u;
    }

    @Benchmark
    public boolean guardedToolCall(Cursor cursor) {
        GuardScope scope = scopes[Math.floorMod(cursor.next++, sessions)];
        Admission a = guard.admitToolCall(ToolCall.of(scope, "search_web",
                (cursor.next & 1) == 0 ? "{\"q\":\"weather in Paris\"}" : "{\"q\":\"weather in Rome\"}"));
        return a.complete();
    }
}
