package dev.agentguard.benchmarks;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What tracing adds to a guarded model call, in CPU time of the calling thread and bytes it allocates, for a machine
 * whose load makes wall-clock benchmarks unreadable: the {@link TracingBenchmark} set-ups (without tracing, and
 * with GuardTracing on an SDK whose {@code SimpleSpanProcessor} hands every span to an exporter that drops it, on
 * the calling thread) in one JVM, measured in alternating rounds so that every pair of rounds shares the machine's
 * state; prints the median per call of each and of the difference within pairs.
 *
 * <p>{@code java -cp benchmarks.jar dev.agentguard.benchmarks.TracingCpuTime [rounds] [callsPerRound] [sdk]}: the
 * third argument {@code sdk} measures the {@code BatchSpanProcessor} set-up instead, whose export work runs on its
 * own thread and is not counted.
 */
public final class TracingCpuTime {

    private TracingCpuTime() {
    }

    /**
     * @param args rounds (default 30), calls per round (default 50,000), the traced set-up (default sdkSimple)
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        TracingBenchmark.Traced none = traced("none");
        TracingBenchmark.Traced sdk = traced(args.length > 2 ? args[2] : "sdkSimple");
        for (int i = 0; i < 4; i++) { // warm-up: compile both paths
            round(none, calls, threads);
            round(sdk, calls, threads);
        }
        List<long[]> without = new ArrayList<>();
        List<long[]> with = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            if ((r & 1) == 0) {
                without.add(round(none, calls, threads));
                with.add(round(sdk, calls, threads));
            } else {
                with.add(round(sdk, calls, threads));
                without.add(round(none, calls, threads));
            }
        }
        long[] cpuWithout = column(without, 0, calls);
        long[] cpuWith = column(with, 0, calls);
        long[] added = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            added[r] = cpuWith[r] - cpuWithout[r];
        }
        System.out.printf(Locale.ROOT, "rounds=%d callsPerRound=%d%n", rounds, calls);
        System.out.printf(Locale.ROOT, "none: cpu %d ns/call (median), %d B/call%n", median(cpuWithout),
                median(column(without, 1, calls)));
        System.out.printf(Locale.ROOT, "traced (" + sdk.tracing + "): cpu %d ns/call (median), %d B/call%n", median(cpuWith),
                median(column(with, 1, calls)));
        System.out.printf(Locale.ROOT, "added by tracing: %d ns/call (median of %d pairs; min %d, max %d)%n",
                median(added), rounds, Arrays.stream(added).min().getAsLong(), Arrays.stream(added).max().getAsLong());
        none.tearDown();
        sdk.tearDown();
    }

    private static TracingBenchmark.Traced traced(String tracing) {
        TracingBenchmark.Traced t = new TracingBenchmark.Traced();
        t.tracing = tracing;
        t.setUp();
        return t;
    }

    /** @return CPU nanoseconds and bytes allocated by this thread for {@code calls} guarded calls */
    private static long[] round(TracingBenchmark.Traced t, int calls, ThreadMXBean threads) {
        long id = Thread.currentThread().getId();
        long bytes = threads.getThreadAllocatedBytes(id);
        long cpu = threads.getCurrentThreadCpuTime();
        int sink = 0;
        for (int i = 0; i < calls; i++) {
            sink += t.call(i & 1).aiMessage().text().length();
        }
        cpu = threads.getCurrentThreadCpuTime() - cpu;
        bytes = threads.getThreadAllocatedBytes(id) - bytes;
        if (sink == 0) {
            throw new IllegalStateException("no answers");
        }
        return new long[] {cpu, bytes};
    }

    private static long[] column(List<long[]> rounds, int index, int calls) {
        return rounds.stream().mapToLong(r -> r[index] / calls).toArray();
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
