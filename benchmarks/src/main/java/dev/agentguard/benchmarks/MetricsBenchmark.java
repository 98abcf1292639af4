package dev.agentguard.benchmarks;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Decision;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Usage;
import dev.agentguard.micrometer.GuardMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What binding the meters adds to a guarded call, in one run: {@code withoutMetrics} and {@code withMetrics} both
 * admit and settle a model call (the core protocol, as {@link AdmissionBenchmark}) on a guard built as
 * {@code Policies.load} builds one (the starter-based policy with its SLF4J decision log, see {@link StarterPolicy});
 * the second guard also has {@link GuardMetrics} bound to a {@link PrometheusMeterRegistry}, so that each call
 * also updates the decision counter, two token histograms, the duration timer and the cost counter. The
 * difference of the two is the cost of the meters. {@code metersAlone} hands the two events of one such call (its
 * admission and its settlement, taken from a real call) straight to the meters' listener: the same cost without
 * the guard's own work around it, whose noise on a shared machine can be larger than the difference.
 * {@code histogramsAlone} is the floor of that: only the three Micrometer histogram records a call makes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MetricsBenchmark {

    private static final Usage USAGE = Usage.of(800, 200, 0, 150, 0);
    private static final GuardScope SCOPE = GuardScope.builder().agent("support").session("session-1").build();

    /** A guard as {@code Policies.load} builds one; with {@code metered}, {@link GuardMetrics} bound to it. */
    abstract static class GuardState {
        Guard guard;
        /** The first decision that was not a plain allow, if any. */
        volatile Decision notAllowed;

        void check() {
            Decision d = notAllowed;
            if (d != null) {
                throw new IllegalStateException("a call was not simply allowed: " + d.action() + " " + d.rule()
                        + ": " + d.reason());
            }
        }
    }

    /** The guard without meters. */
    @State(Scope.Benchmark)
    public static class Plain extends GuardState {
        @Setup(Level.Trial)
        public void setUp() {
            guard = StarterPolicy.guard();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check();
        }
    }

    /** The same guard with {@link GuardMetrics} bound to a Prometheus registry. */
    @State(Scope.Benchmark)
    public static class Metered extends GuardState {
        PrometheusMeterRegistry registry;

        @Setup(Level.Trial)
        public void setUp() {
            guard = StarterPolicy.guard();
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            GuardMetrics.bind(guard, registry);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check();
            if (!registry.scrape().contains("agentguard_decisions_total{")) {
                throw new IllegalStateException("the meters did not move");
            }
        }
    }

    /**
     * The guard with one more listener that does nothing: what any second listener costs (the events are built
     * and handed over), as a control for {@link Metered}.
     */
    @State(Scope.Benchmark)
    public static class NoOpListener extends GuardState {
        @Setup(Level.Trial)
        public void setUp() {
            guard = StarterPolicy.guard();
            guard.addListener(event -> {
                if (event.seq() < 0) {
                    throw new IllegalStateException("negative sequence number: " + event);
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check();
        }
    }

    /**
     * The meters' listener of a bound guard and the two events of one admitted and settled call; and the three
     * histograms such a call records into (input and output tokens, duration), as the binding registered them.
     */
    @State(Scope.Benchmark)
    public static class Events {
        DecisionListener meters;
        DecisionEvent admitted;
        DecisionEvent settled;
        DistributionSummary inputTokens;
        DistributionSummary outputTokens;
        Timer duration;

        @Setup(Level.Trial)
        public void setUp() {
            Guard guard = StarterPolicy.guard();
            List<DecisionEvent> seen = new ArrayList<>();
            guard.addListener(seen::add);
            Admission a = guard.admitModelCall(ModelCall.builder(ModelCallBenchmark.MODEL).scope(SCOPE)
                    .promptTokens(1_000).maxOutputTokens(500).build());
            a.settle(USAGE, 1_200_000_000L, -1);
            admitted = seen.get(0);
            settled = seen.get(1);
            Guard metered = StarterPolicy.guard();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            GuardMetrics.bind(metered, registry);
            List<DecisionListener> listeners = metered.listeners();
            meters = listeners.get(listeners.size() - 1);
            meters.onDecision(admitted); // registers the call's meters, found below
            meters.onDecision(settled);
            inputTokens = registry.get(GuardMetrics.TOKEN_USAGE).tag("gen_ai.token.type", "input").summary();
            outputTokens = registry.get(GuardMetrics.TOKEN_USAGE).tag("gen_ai.token.type", "output").summary();
            duration = registry.get(GuardMetrics.OPERATION_DURATION).tag("error.type", "").timer();
        }
    }

    private static Usage call(GuardState state) {
        Admission a = state.guard.admitModelCall(ModelCall.builder(ModelCallBenchmark.MODEL).scope(SCOPE)
                .promptTokens(1_000).maxOutputTokens(500).build());
        if (a.decision().action() != Action.ALLOW) {
            state.notAllowed = a.decision();
        }
        a.settle(USAGE, 1_200_000_000L, -1);
        return USAGE;
    }

    /**
     * @param state the guard without meters
     * @return the usage settled
     */
    @Benchmark
    public Usage withoutMetrics(Plain state) {
        return call(state);
    }

    /**
     * @param state the guard with meters
     * @return the usage settled
     */
    @Benchmark
    public Usage withMetrics(Metered state) {
        return call(state);
    }

    /**
     * @param state the guard with a listener that does nothing
     * @return the usage settled
     */
    @Benchmark
    public Usage withNoOpListener(NoOpListener state) {
        return call(state);
    }

    /**
     * @param events the listener and a call's two events
     * @return the settled event
     */
    @Benchmark
    public DecisionEvent metersAlone(Events events) {
        events.meters.onDecision(events.admitted);
        events.meters.onDecision(events.settled);
        return events.settled;
    }

    /**
     * The floor under {@link #metersAlone}: only the three histogram records that a settled model call makes
     * (Micrometer's Prometheus histograms, each with its count, sum, time-window max and buckets), into the very
     * meters the binding registered. What {@code metersAlone} costs beyond this is the listener's own work.
     *
     * @param events the meters
     * @return the duration timer
     */
    @Benchmark
    public Timer histogramsAlone(Events events) {
        events.inputTokens.record(800);
        events.outputTokens.record(350);
        events.duration.record(1_200_000_000L, TimeUnit.NANOSECONDS);
        return events.duration;
    }
}
