package dev.agentguard.benchmarks;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.ledger.InMemoryLedger;
import dev.agentguard.core.window.WindowSpec;
import dev.agentguard.redis.RedisBudgetLedger;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One admission and its settlement at the ledger level: reserve on an agent window, a tenant window and the
 * thread's own session window (all sliding, 1 h in 60 buckets, no limit reached), then settle. {@code ledger=redis}
 * runs {@link RedisBudgetLedger} against a {@code redis-server} on loopback that the benchmark starts (it must be on
 * the PATH; persistence off), so each pair is two round trips; {@code ledger=memory} is the in-process ledger, the
 * baseline. Threads 1, 8 and 32 share one connection. Sample mode gives p50/p99 per pair; throughput is pairs/s.
 *
 * <p>Not part of {@code benchmarks/run.sh}, which runs on machines without Redis: run it as recorded in
 * BENCHMARKS.md.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class RedisLedgerBenchmark {

    private static final WindowSpec HOUR = WindowSpec.sliding(Duration.ofHours(1), 60);
    private static final BudgetKey AGENT = new BudgetKey("agent-1h", Scope.AGENT, "support", HOUR);
    private static final BudgetKey TENANT = new BudgetKey("tenant-1h", Scope.TENANT, "acme", HOUR);
    private static final long[] ACTUAL = {70, 70, 70};

    @Param({"memory", "redis"})
    public String ledger;

    private Process server;
    private BudgetLedger budgets;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        if (ledger.equals("memory")) {
            budgets = InMemoryLedger.builder().build();
            return;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("Ready to accept connections")) {
            // the server's start-up lines
        }
        if (line == null) {
            throw new IllegalStateException("redis-server did not start");
        }
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // stopped
            }
        });
        drain.setDaemon(true);
        drain.start();
        budgets = RedisBudgetLedger.builder("redis://127.0.0.1:" + port).guard("bench")
                .timeout(Duration.ofSeconds(2)).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (budgets instanceof AutoCloseable) {
            try {
                ((AutoCloseable) budgets).close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** One session per thread. */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class Session {
        private static final AtomicInteger IDS = new AtomicInteger();
        List<BudgetRequest> requests;

        @Setup(Level.Trial)
        public void setUp() {
            BudgetKey session = new BudgetKey("session-1h", Scope.SESSION, "s" + IDS.incrementAndGet(), HOUR);
            requests = List.of(new BudgetRequest(AGENT, 100, BudgetRequest.NO_LIMIT),
                    new BudgetRequest(TENANT, 100, BudgetRequest.NO_LIMIT),
                    new BudgetRequest(session, 100, BudgetRequest.NO_LIMIT));
        }
    }

    private Hold pair(Session s) {
        Hold h = budgets.reserve(s.requests);
        if (!h.granted()) {
            throw new IllegalStateException("refused: " + h.unavailableReason());
        }
        budgets.settle(h, ACTUAL);
        return h;
    }

    @Benchmark
    @Threads(1)
    public Hold admitAndSettle1(Session s) {
        return pair(s);
    }

    @Benchmark
    @Threads(8)
    public Hold admitAndSettle8(Session s) {
        return pair(s);
    }

    @Benchmark
    @Threads(32)
    public Hold admitAndSettle32(Session s) {
        return pair(s);
    }
}
