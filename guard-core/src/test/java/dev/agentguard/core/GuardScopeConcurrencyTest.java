package dev.agentguard.core;

import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * {@link GuardScope#wrap} under load: 32 callers, each in its own session, hand chains of tasks back and forth
 * between two small shared pools (so that every pool thread runs work of many sessions in turn). Every call made
 * in a task is attributed to the session of the caller that started the chain, the guard counts exactly each
 * session's calls, and no pool thread keeps a binding afterwards.
 */
@SuppressWarnings("try") // scopes are opened for their thread binding, not referenced in the block
class GuardScopeConcurrencyTest {

    private static final int CALLERS = 32;
    private static final int HOPS = 40;
    private static final int POOL_THREADS = 4;

    @Test
    void everyCallInAHoppingTaskIsAttributedToItsOwnSession() throws Exception {
        GuardConfig config = GuardConfig.builder().name("hops").budget(Budget.builder("session-calls")
                .scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitCalls(HOPS).build()).build();
        Queue<String> misattributed = new ConcurrentLinkedQueue<>();
        LongAdder toolCalls = new LongAdder();
        Guard guard = Guard.builder(config).ticker(new FakeTicker()).listener(e -> {
            if (e.kind() == CallKind.TOOL_CALL && e.phase() == Phase.PRE) {
                toolCalls.increment();
                // the tool's arguments name the session that started the chain
                if (!TestEvents.call(e).toolArguments().equals("{\"session\":\"" + e.scope().session() + "\"}")) {
                    misattributed.add(TestEvents.call(e).toolArguments() + " admitted in " + e.scope());
                }
            }
        }).build();
        ExecutorService poolA = Executors.newFixedThreadPool(POOL_THREADS);
        ExecutorService poolB = Executors.newFixedThreadPool(POOL_THREADS);
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            Executor a = GuardScope.wrap((Executor) poolA);
            Executor b = GuardScope.wrap((Executor) poolB);
            CyclicBarrier start = new CyclicBarrier(CALLERS);
            List<Future<CompletableFuture<Void>>> chains = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                String session = "s-" + c;
                boolean closeBeforeTheChainEnds = c % 2 == 1;
                chains.add(callers.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                    try (GuardScope s = GuardScope.open("agent", session)) {
                        for (int h = 0; h < HOPS; h++) {
                            chain = chain.thenRunAsync(() -> hop(guard, session, misattributed), h % 2 == 0 ? a : b);
                        }
                        if (!closeBeforeTheChainEnds) {
                            chain.join();
                        }
                    }
                    return chain;
                }));
            }
            for (Future<CompletableFuture<Void>> f : chains) {
                f.get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
            }

            assertThat(misattributed).as("calls attributed to another session than their caller's").isEmpty();
            assertThat(toolCalls.sum()).isEqualTo((long) CALLERS * HOPS);
            for (int c = 0; c < CALLERS; c++) {
                assertThat(guard.budgetUsed("session-calls", "s-" + c)).as("model calls counted for s-" + c)
                        .isEqualTo(HOPS);
                assertThat(guard.telemetry().snapshot(Scope.SESSION, "s-" + c).orElseThrow().toolCalls())
                        .isEqualTo(HOPS);
            }
            assertThat(bindingsLeft(poolA)).as("pool A threads still bound").isEmpty();
            assertThat(bindingsLeft(poolB)).as("pool B threads still bound").isEmpty();
        } finally {
            callers.shutdownNow();
            poolA.shutdownNow();
            poolB.shutdownNow();
        }
    }

    /** One step of a chain: checks its scope, then a tool call and a model call attributed through it. */
    private static void hop(Guard guard, String session, Queue<String> misattributed) {
        if (!session.equals(GuardScope.current().session())) {
            misattributed.add(session + " ran in " + GuardScope.current());
        }
        guard.admitToolCall(ToolCall.of("hop", "{\"session\":\"" + session + "\"}")).complete();
        try (Admission adm = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").promptTokens(10)
                .maxOutputTokens(10).build())) {
            if (adm.proceeds()) {
                adm.settle(Usage.of(10, 0, 0, 10, 0));
            } else {
                misattributed.add(session + " refused: " + adm.decision().reason());
            }
        }
    }

    /** Runs one plain task on each thread of a pool at once and returns the scopes they found bound. */
    private static List<GuardScope> bindingsLeft(ExecutorService pool) throws Exception {
        CyclicBarrier all = new CyclicBarrier(POOL_THREADS);
        List<Future<GuardScope>> seen = new ArrayList<>();
        for (int i = 0; i < POOL_THREADS; i++) {
            seen.add(pool.submit(() -> {
                all.await(10, TimeUnit.SECONDS); // every thread of the pool holds one of these tasks
                return GuardScope.current();
            }));
        }
        List<GuardScope> bound = new ArrayList<>();
        for (Future<GuardScope> f : seen) {
            GuardScope s = f.get(30, TimeUnit.SECONDS);
            if (s != GuardScope.NONE) {
                bound.add(s);
            }
        }
        return bound;
    }
}
