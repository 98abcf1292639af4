package dev.agentguard.benchmarks;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.Admission;
import dev.agentguard.core.Decision;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Usage;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The guard's own cost, without LangChain4j: the low-level protocol (admit a model call, then settle it with a
 * fixed usage) on the core {@link Guard} under the starter-based policy ({@link StarterPolicy}), with no
 * listener. {@link ModelCallBenchmark} measures the same through the decorator, beside the raw call and
 * Resilience4j.
 *
 * <p>{@code sessions} spreads the calls over that many sessions (see {@link Sessions}), all created before
 * measurement; every call also reserves on the agent budget and the one global budget, which all threads share.
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
    /** The first decision that was not a plain allow, if any: the figures would not be those of admitted calls. */
    private volatile Decision notAllowed;

    @Setup(Level.Trial)
    public void setUp() {
        guard = Guard.of(StarterPolicy.config());
        scopes = new GuardScope[sessions];
        String[] ids = Sessions.ids(sessions);
        for (int i = 0; i < sessions; i++) {
            scopes[i] = GuardScope.builder().agent("support").session(ids[i]).build();
            call(scopes[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Decision d = notAllowed;
        if (d != null) {
            throw new IllegalStateException("a call was not simply allowed: " + d.action() + " " + d.rule() + ": "
                    + d.reason());
        }
    }

    private Usage call(GuardScope scope) {
        Admission a = guard.admitModelCall(ModelCall.builder(ModelCallBenchmark.MODEL).scope(scope)
                .promptTokens(1_000).maxOutputTokens(500).build());
        if (a.decision().action() != Action.ALLOW) {
            notAllowed = a.decision();
        }
        a.settle(USAGE);
        return USAGE;
    }

    /**
     * @param cursor this thread's place
     * @return the usage settled
     */
    @Benchmark
    public Usage admitAndSettle(Sessions.Cursor cursor) {
        return call(scopes[cursor.next(sessions)]);
    }
}
