package dev.agentguard.benchmarks;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Budget;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.LoopRules;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.audit.AuditConfig;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.audit.DecisionRecord;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Audit records per second. {@code auditSink} hands decisions to an {@link AuditSink} writing a real file; once
 * its bounded queue is full the caller waits for the writer, so the steady-state score is what the writer thread
 * sustains: redaction, the JSON line, the SHA-256 (or HMAC-SHA256) chain and the write. Beside it, the baselines:
 * {@code mapAndSerialize} (the same record built and serialised on the caller's thread, no queue, no hash, no
 * I/O) and {@code decisionLogDisabled} (the SLF4J decision log when its level is off: no backend here).
 *
 * <p>The events are real ones from a guard: allowed, warned and downgraded model calls with their settlements,
 * and tool calls with JSON arguments up to a loop block, replayed in turn.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuditSinkBenchmark {

    /** Real decision events, replayed round-robin. */
    @State(Scope.Thread)
    public static class Events {
        List<DecisionEvent> events;
        int next;

        @Setup(Level.Trial)
        public void record() {
            events = sessionEvents();
        }

        DecisionEvent next() {
            DecisionEvent e = events.get(next);
            next = next + 1 == events.size() ? 0 : next + 1;
            return e;
        }
    }

    /** An open audit sink on a temporary directory, deleted after the trial. */
    @State(Scope.Benchmark)
    public static class Sink {
        @Param({"sha256", "hmac-sha256"})
        public String chain;

        Path dir;
        AuditSink sink;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("agentguard-audit-bench");
            AuditConfig.Builder config = AuditConfig.builder().file(dir.resolve("audit.jsonl"))
                    .rotateAtBytes(256L << 20).shutdownHook(false).closeTimeout(Duration.ofMinutes(2));
            if (chain.equals("hmac-sha256")) {
                config.hmacKeyEnv("AGENTGUARD_BENCH_KEY");
            }
            sink = AuditSink.builder(config.build())
                    .environment(Map.of("AGENTGUARD_BENCH_KEY", "benchmark-key-0123456789abcdef")::get).build();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            sink.close();
            if (sink.lostRecords() > 0) {
                throw new IllegalStateException(sink.lostRecords() + " records lost");
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** The redactor of the baseline and the disabled decision log. */
    @State(Scope.Benchmark)
    public static class Baselines {
        final Redactor redactor = Redactor.all();
        final DecisionLog log = new DecisionLog();
    }

    /**
     * @param sink the sink
     * @param events the events
     */
    @Benchmark
    public void auditSink(Sink sink, Events events) {
        sink.sink.onDecision(events.next());
    }

    /**
     * @param b the redactor
     * @param events the events
     * @return the JSON line, so that it is not optimised away
     */
    @Benchmark
    public String mapAndSerialize(Baselines b, Events events) {
        return DecisionRecord.of(events.next(), b.redactor).toJson();
    }

    /**
     * @param b the decision log
     * @param events the events
     */
    @Benchmark
    public void decisionLogDisabled(Baselines b, Events events) {
        b.log.onDecision(events.next());
    }

    static List<DecisionEvent> sessionEvents() {
        GuardConfig config = GuardConfig.builder().name("support-bot")
                .price("big", ModelPrice.builder().input(BigDecimal.TEN).output(BigDecimal.TEN).build())
                .price("small", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.ONE).build())
                .ladder(List.of("big", "small"))
                .budget(Budget.builder("session-10m").scope(dev.agentguard.core.common.Scope.SESSION)
                        .sliding(Duration.ofMinutes(10)).limitUsd("0.01").warnAt(30).downgradeAt(50).build())
                .loops(LoopRules.builder().identicalToolCalls(LoopRules.Threshold.of(3, 5)).build())
                .build();
        List<DecisionEvent> events = new ArrayList<>();
        Guard guard = Guard.builder(config).listener(events::add).build();
        GuardScope scope = GuardScope.builder().agent("support").session("s-42").user("u-7").build();
        for (int i = 0; i < 4; i++) {
            Admission a = guard.admitModelCall(ModelCall.builder("big").scope(scope).promptTokens(100)
                    .maxOutputTokens(100).build());
            a.settle(Usage.of(90, 10, 0, 100, 5));
        }
        for (int i = 0; i < 6; i++) {
            guard.admitToolCall(ToolCall.of(scope, "search_web",
                    "{\"q\":\"opening hours of the Louvre\",\"lang\":\"en\",\"max\":5}")).complete();
        }
        guard.close();
        return events;
    }
}
