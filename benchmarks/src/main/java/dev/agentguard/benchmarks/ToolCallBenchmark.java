package dev.agentguard.benchmarks;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.langchain4j.GuardedToolExecutor;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * A LangChain4j tool call three ways, in one run: {@code rawCall} (an in-memory {@link ToolExecutor} returning a
 * fixed text), {@code resilience4jCall} (the same executor decorated with Resilience4j's CircuitBreaker and
 * RateLimiter, limits never reached) and {@code guardedCall} (the same executor wrapped by
 * {@link GuardedToolExecutor} under the starter-based policy, whose loop rules are on: identical calls, cycles,
 * repeated errors). The guarded call binds its caller's {@link GuardScope} around the call, as an application
 * does.
 *
 * <p>The arguments vary: each thread cycles through {@value #ARGUMENTS} queries of its own, so that no session
 * sees the same call twice in a row or a short cycle, and the loop rules check every call without firing.
 * {@code sessions} spreads the guarded calls over that many sessions, all created before measurement (see
 * {@link Sessions}). A trial in which any call was refused or warned fails.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
public class ToolCallBenchmark {

    static final String TOOL = "search_web";
    static final int ARGUMENTS = 64;
    private static final int MAX_THREADS = 64;

    /** {@code REQUESTS[thread % MAX_THREADS][k]}: the k-th query of a thread, distinct from every other thread's. */
    static final ToolExecutionRequest[][] REQUESTS = new ToolExecutionRequest[MAX_THREADS][ARGUMENTS];

    static {
        for (int t = 0; t < MAX_THREADS; t++) {
            for (int k = 0; k < ARGUMENTS; k++) {
                REQUESTS[t][k] = ToolExecutionRequest.builder().id("call-" + t + "-" + k).name(TOOL)
                        .arguments("{\"q\":\"weather in city " + k + "\",\"lang\":\"en\",\"page\":" + t + "}")
                        .build();
            }
        }
    }

    /** The "tool": an in-memory executor with a fixed answer. */
    static final ToolExecutor TOOL_EXECUTOR = (request, memoryId) -> "Sunny, 24 degrees.";

    /** The undecorated executor and its Resilience4j decoration. */
    @State(Scope.Benchmark)
    public static class Plain {
        Supplier<String> resilience;

        @Setup(Level.Trial)
        public void setUp() {
            resilience = Resilience4jPair.decorate("tool", () -> TOOL_EXECUTOR.execute(REQUESTS[0][0], null));
        }
    }

    /** The guarded executor, with every session already tracked. */
    @State(Scope.Benchmark)
    public static class Guarded {
        @Param({"1", "10000", "1000000"})
        public int sessions;

        Guard guard;
        ToolExecutor tool;
        String[] ids;
        final Sessions.Refusals refusals = new Sessions.Refusals();

        @Setup(Level.Trial)
        public void setUp() {
            guard = StarterPolicy.guard();
            guard.addListener(refusals);
            tool = GuardedToolExecutor.wrap(TOOL, TOOL_EXECUTOR, guard);
            ids = Sessions.ids(sessions);
            for (int i = 0; i < sessions; i++) {
                call(i, REQUESTS[MAX_THREADS - 1][i % ARGUMENTS]); // a query no benchmark thread sends
            }
        }

        String call(int session, ToolExecutionRequest request) {
            try (GuardScope scope = GuardScope.builder().agent("support").session(ids[session]).open()) {
                return tool.execute(request, null);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            refusals.check();
            guard.close();
        }
    }

    /** A thread's own queries. */
    @State(Scope.Thread)
    public static class Queries {
        ToolExecutionRequest[] requests;

        @Setup(Level.Trial)
        public void setUp(ThreadParams params) {
            requests = REQUESTS[params.getThreadIndex() % (MAX_THREADS - 1)];
        }
    }

    /** @return the result */
    @Benchmark
    public String rawCall() {
        return TOOL_EXECUTOR.execute(REQUESTS[0][0], null);
    }

    /**
     * @param plain the decorated executor
     * @return the result
     */
    @Benchmark
    public String resilience4jCall(Plain plain) {
        return plain.resilience.get();
    }

    /**
     * @param guarded the guarded executor
     * @param c this thread's place among the sessions
     * @param queries this thread's queries
     * @return the result
     */
    @Benchmark
    public String guardedCall(Guarded guarded, Sessions.Cursor c, Queries queries) {
        int session = c.next(guarded.sessions);
        return guarded.call(session, queries.requests[c.round() % ARGUMENTS]);
    }
}
