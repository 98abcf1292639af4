package dev.agentguard.benchmarks;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.common.Usage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Retained heap per tracked session: the heap after a full GC with N sessions that each made one model call and
 * one tool call under the starter-based policy ({@link StarterPolicy}), minus the heap with the guard alone,
 * divided by N. The session ids are kept in an array on both sides, so their strings are not counted.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.agentguard.benchmarks.SessionMemory [sessions]}.
 * Prints {@code sessions=N bytesPerSession=B}.
 */
public final class SessionMemory {

    private SessionMemory() {
    }

    /**
     * @param args optional session count (default 200,000)
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        GuardScope[] scopes = new GuardScope[n];
        for (int i = 0; i < n; i++) {
            scopes[i] = GuardScope.builder().agent("support").session("session-" + i).turn("turn-1").build();
        }
        Guard guard = Guard.of(StarterPolicy.config().toBuilder()
                .telemetry(dev.agentguard.core.telemetry.TelemetryConfig.builder().maxSessions(n * 2L).build()).build());
        // warm the shared state (agent, global, model, price cache) before the baseline
        call(guard, GuardScope.builder().agent("support").session("warm-up").build());
        long before = usedAfterGc();
        for (GuardScope s : scopes) {
            call(guard, s);
        }
        long after = usedAfterGc();
        System.out.println("sessions=" + n + " bytesPerSession=" + (after - before) / n);
        if (guard.ledger().openHolds() != 0) {
            throw new IllegalStateException("reservations leaked");
        }
    }

    private static void call(Guard guard, GuardScope scope) {
        Admission a = guard.admitModelCall(ModelCall.builder(ModelCallBenchmark.MODEL).scope(scope).promptTokens(1_000)
                .maxOutputTokens(500).build());
        a.settle(Usage.of(800, 200, 0, 150, 0));
        guard.admitToolCall(ToolCall.of(scope, "search_web", "{\"q\":\"weather\"}")).complete();
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            memory.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
