package dev.agentguard.core.telemetry;

import dev.agentguard.core.common.PaddedSpinLock;
import dev.agentguard.core.common.Padding;
import dev.agentguard.core.common.ThreadProbe;
import dev.agentguard.core.window.CounterWindow;
import dev.agentguard.core.window.LatencyRing;
import dev.agentguard.core.window.LatencySummary;
import dev.agentguard.core.window.WindowSpec;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The figures of a key that every call of its level passes through (the process, an agent, a tenant, a model, a
 * tool): six counters over the window and up to three latency rings, split into parts by thread once threads
 * contend for them.
 *
 * <p><b>Why parts.</b> Every call of the process writes the process's figures, and every call of an agent its
 * agent's. Under one lock, two threads on distinct sessions took turns owning those cache lines on every call; on
 * a host whose two cores are far apart (a cache line moving between them in about 270 ns rather than 40, measured
 * on the benchmark machine), that made two threads slower than one. A key starts with one part. A record that
 * finds its part's lock taken doubles the parts, up to {@link #MAX_PARTS}, and once at the most moves its thread
 * to another part ({@link ThreadProbe}), as {@code java.util.concurrent.atomic.LongAdder} does with its cells. Threads
 * then record into parts of their own, and a read adds the parts up. A key that threads never contend for keeps
 * one part.
 *
 * <p><b>What a read sees.</b> The counters: the sum of the parts, each rolled to the time of the read. Latency:
 * the latest {@code samples} records of all parts together, by the tick of each record; each part keeps its own
 * latest {@code samples}, so none of those is missing. A read takes the parts' locks in order and holds them
 * while it adds up, parts added meanwhile included (records take one part's lock at a time, so this cannot
 * deadlock): it is one instant's cut.
 *
 * <p><b>Memory.</b> A part with three rings of 100 samples takes about 7.5 KB (each ring keeps its samples' ticks
 * too, and every object and array a record writes keeps {@value Padding#BYTES} unused bytes at each end, see
 * {@link Padding}); a contended key has up to {@link #MAX_PARTS} of them. Only the levels every call passes through
 * (the process, agents, tenants, models, tools) have parts: never sessions or users.
 *
 * <p>Thread-safe.
 */
final class LevelStats {

    /** The most parts a key is split into: twice the processors (fewer threads meet), at least 2, at most 64. */
    static final int MAX_PARTS = ThreadProbe.maxParts();

    /** What a read of the figures returns: the six totals and the latency summaries (null when none). */
    record Figures(long[] totals, LatencySummary latency, LatencySummary ttft, LatencySummary toolDuration) {
    }

    private final WindowSpec window;
    private final int counters;
    private final int samples;
    private final boolean modelLatency;
    private final boolean toolLatency;
    /** Replaced whole by {@link #grow}, never changed; its length is a power of two. */
    private volatile Part[] parts;

    /**
     * @param window the counters' window
     * @param counters how many counters per bucket
     * @param samples the latency samples per ring
     * @param modelLatency whether to keep model-call latency and time to first token
     * @param toolLatency whether to keep tool durations
     */
    LevelStats(WindowSpec window, int counters, int samples, boolean modelLatency, boolean toolLatency) {
        this.window = window;
        this.counters = counters;
        this.samples = samples;
        this.modelLatency = modelLatency;
        this.toolLatency = toolLatency;
        this.parts = new Part[] {newPart()};
    }

    private Part newPart() {
        return new Part(CounterWindow.padded(window, counters),
                modelLatency ? LatencyRing.timed(samples) : null,
                modelLatency ? LatencyRing.timed(samples) : null,
                toolLatency ? LatencyRing.timed(samples) : null);
    }

    /** @return how many parts the key is split into now */
    int parts() {
        return parts.length;
    }

    void recordModelCall(ThreadProbe probe, long tick, long millis, long cost, long tokens, long errors,
            long latencyNanos, long ttftNanos) {
        Part p = lock(probe);
        try {
            Telemetry.addModelCallLocked(p.counters, tick, millis, cost, tokens, errors);
            p.latency.record(latencyNanos, tick);
            if (ttftNanos >= 0) {
                p.ttft.record(ttftNanos, tick);
            }
        } finally {
            p.unlock();
        }
    }

    void recordToolCall(ThreadProbe probe, long tick, long millis, long errors, long durationNanos) {
        Part p = lock(probe);
        try {
            Telemetry.addToolCallLocked(p.counters, tick, millis, errors);
            p.toolDuration.record(durationNanos, tick);
        } finally {
            p.unlock();
        }
    }

    /** @return the probe's part, locked: at once if free, else after growing the parts or moving the probe */
    private Part lock(ThreadProbe probe) {
        Part[] ps = parts;
        Part p = ps[probe.index(ps.length)];
        if (p.tryLock()) {
            return p;
        }
        if (ps.length < MAX_PARTS) {
            grow(ps);
        } else {
            probe.move();
        }
        ps = parts;
        p = ps[probe.index(ps.length)];
        p.lock();
        return p;
    }

    /** Doubles the parts, unless another thread did since {@code seen} was read. Rare: a monitor serves. */
    private synchronized void grow(Part[] seen) {
        if (parts != seen) {
            return;
        }
        Part[] more = Arrays.copyOf(seen, seen.length * 2);
        for (int i = seen.length; i < more.length; i++) {
            more[i] = newPart();
        }
        parts = more;
    }

    /**
     * @param tick now, on the ticker of the records
     * @param millis now, on the wall clock (read for a calendar window only)
     * @return the totals over the window and the latency of the latest records
     */
    Figures read(long tick, long millis) {
        Part[] ps = parts;
        for (Part p : ps) {
            p.lock();
        }
        while (parts != ps) { // grown meanwhile: a record may have gone to a part not held; hold those too
            Part[] more = parts;
            for (int i = ps.length; i < more.length; i++) {
                more[i].lock();
            }
            ps = more; // a grown array keeps the parts before it, in the same places
        }
        try {
            long[] totals = new long[counters];
            for (Part p : ps) {
                p.counters.roll(tick, millis);
                for (int i = 0; i < counters; i++) {
                    totals[i] += p.counters.total(i);
                }
            }
            return new Figures(totals, summary(ps, p -> p.latency), summary(ps, p -> p.ttft),
                    summary(ps, p -> p.toolDuration));
        } finally {
            for (Part p : ps) {
                p.unlock();
            }
        }
    }

    /** @return the latest samples of one kind of ring over every part; null without such rings or samples */
    private LatencySummary summary(Part[] ps, Function<Part, LatencyRing> kind) {
        if (kind.apply(ps[0]) == null) {
            return null;
        }
        if (ps.length == 1) {
            return kind.apply(ps[0]).summary().orElse(null); // keeps its sorted copy between reads
        }
        LatencyRing[] rings = new LatencyRing[ps.length];
        for (int i = 0; i < ps.length; i++) {
            rings[i] = kind.apply(ps[i]);
        }
        return LatencyRing.summaryOfLatest(rings, samples).orElse(null);
    }

    /**
     * One part: its lock guards its counters and rings. Everything a record writes is padded ({@link Padding}): the
     * lock word ({@link PaddedSpinLock}), the window's array ({@link CounterWindow#padded}) and the rings
     * ({@link LatencyRing}); the references after the lock are only read.
     */
    static final class Part extends PaddedSpinLock {
        final CounterWindow counters;
        final LatencyRing latency;
        final LatencyRing ttft;
        final LatencyRing toolDuration;

        Part(CounterWindow counters, LatencyRing latency, LatencyRing ttft, LatencyRing toolDuration) {
            this.counters = counters;
            this.latency = latency;
            this.ttft = ttft;
            this.toolDuration = toolDuration;
        }
    }
}
