package dev.agentguard.core.telemetry;

import dev.agentguard.core.common.PaddedSpinLock;
import dev.agentguard.core.common.Padding;
import dev.agentguard.core.common.ThreadProbe;
import dev.agentguard.core.window.CounterWindow;
import dev.agentguard.core.window.LatencyRing;
import dev.agentguard.core.window.LatencySummary;
import dev.agentguard.core.window.WindowSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The figures of a key that many calls pass through (a route, an agent's own figures, a tenant, see
 * {@link Telemetry}): six counters over the window and up to three latency rings, split into parts by thread once
 * threads contend for them. A route can be retired ({@link #retire}): its figures, and the calls recorded into it
 * afterwards, go to its residual.
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
 * {@link Padding}); a contended key has up to {@link #MAX_PARTS} of them. Only the keys many calls pass through
 * (routes, agents, tenants) have parts: never sessions or users.
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
     * For a route (see {@link Telemetry}): the figures its calls go to once it has been {@link #retire retired},
     * its agent's own; null for a key that is never retired.
     */
    private final LevelStats residual;
    /** Set, with every part held, when this key's figures moved into {@link #residual}; never unset. */
    private volatile boolean retired;

    /**
     * @param window the counters' window
     * @param counters how many counters per bucket
     * @param samples the latency samples per ring
     * @param modelLatency whether to keep model-call latency and time to first token
     * @param toolLatency whether to keep tool durations
     */
    LevelStats(WindowSpec window, int counters, int samples, boolean modelLatency, boolean toolLatency) {
        this(window, counters, samples, modelLatency, toolLatency, null);
    }

    /**
     * @param residual where the figures go once this key is retired, and the calls recorded after that; its rings
     *     must include this key's kinds
     */
    LevelStats(WindowSpec window, int counters, int samples, boolean modelLatency, boolean toolLatency,
            LevelStats residual) {
        this.residual = residual;
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
        boolean moved = retired; // read under the part's lock, which retire() holds while it moves the figures
        try {
            if (!moved) {
                Telemetry.addModelCallLocked(p.counters, tick, millis, cost, tokens, errors);
                p.latency.record(latencyNanos, tick);
                if (ttftNanos >= 0) {
                    p.ttft.record(ttftNanos, tick);
                }
            }
        } finally {
            p.unlock();
        }
        if (moved) {
            residual.recordModelCall(probe, tick, millis, cost, tokens, errors, latencyNanos, ttftNanos);
        }
    }

    void recordToolCall(ThreadProbe probe, long tick, long millis, long errors, long durationNanos) {
        Part p = lock(probe);
        boolean moved = retired;
        try {
            if (!moved) {
                Telemetry.addToolCallLocked(p.counters, tick, millis, errors);
                p.toolDuration.record(durationNanos, tick);
            }
        } finally {
            p.unlock();
        }
        if (moved) {
            residual.recordToolCall(probe, tick, millis, errors, durationNanos);
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
        Part[] ps = lockAll();
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
            unlockAll(ps);
        }
    }

    /**
     * Adds this key's figures to a sum of several keys' (a level made of routes, see {@link Telemetry}): its totals,
     * and copies of its latency rings. A retired key adds nothing: its figures are its residual's.
     *
     * @param sum what is added up
     * @param tick now, on the ticker of the records
     * @param millis now, on the wall clock (read for a calendar window only)
     */
    void addTo(Sum sum, long tick, long millis) {
        Part[] ps = lockAll();
        try {
            if (retired) {
                return;
            }
            for (Part p : ps) {
                p.counters.roll(tick, millis);
                for (int i = 0; i < counters; i++) {
                    sum.totals[i] += p.counters.total(i);
                }
                Sum.copy(p.latency, sum.latency);
                Sum.copy(p.ttft, sum.ttft);
                Sum.copy(p.toolDuration, sum.toolDuration);
            }
        } finally {
            unlockAll(ps);
        }
    }

    /**
     * Moves this key's figures into its residual, and sends the calls recorded from now on there too: for a route
     * whose model has left the telemetry, so that its agent and the process keep counting its calls. Its totals join
     * the residual's newest bucket (they leave the residual's window up to one window later than they would have
     * here); its latency samples join the residual's rings by their ticks. Idempotent.
     *
     * @param tick now, on the ticker of the records
     * @param millis now, on the wall clock (read for a calendar window only)
     */
    void retire(long tick, long millis) {
        Part[] ps = lockAll();
        try {
            if (retired) {
                return;
            }
            retired = true;
            Part[] into = residual.lockAll(); // in this order only: a residual is never retired
            try {
                Part r = into[0];
                r.counters.roll(tick, millis);
                for (Part p : ps) {
                    p.counters.roll(tick, millis);
                    for (int i = 0; i < counters; i++) {
                        r.counters.add(i, p.counters.total(i));
                    }
                    absorb(r.latency, p.latency);
                    absorb(r.ttft, p.ttft);
                    absorb(r.toolDuration, p.toolDuration);
                }
            } finally {
                residual.unlockAll(into);
            }
        } finally {
            unlockAll(ps);
        }
    }

    private static void absorb(LatencyRing into, LatencyRing from) {
        if (from != null && from.count() > 0) {
            into.absorb(from);
        }
    }

    /** @return every part, each locked, parts added while locking them included */
    private Part[] lockAll() {
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
        return ps;
    }

    private static void unlockAll(Part[] ps) {
        for (Part p : ps) {
            p.unlock();
        }
    }

    /** The figures of several keys added up: totals, and copies of their rings to summarise together. */
    static final class Sum {
        final long[] totals;
        final List<LatencyRing> latency = new ArrayList<>();
        final List<LatencyRing> ttft = new ArrayList<>();
        final List<LatencyRing> toolDuration = new ArrayList<>();

        Sum(int counters) {
            this.totals = new long[counters];
        }

        private static void copy(LatencyRing ring, List<LatencyRing> into) {
            if (ring != null && ring.count() > 0) {
                into.add(ring.copy());
            }
        }

        /**
         * @param samples how many of the latest samples a latency summary describes at most
         * @return the totals, and the summaries of the latest samples of all rings of each kind (null when none)
         */
        Figures figures(int samples) {
            return new Figures(totals, summary(latency, samples), summary(ttft, samples),
                    summary(toolDuration, samples));
        }

        private static LatencySummary summary(List<LatencyRing> rings, int samples) {
            return rings.isEmpty() ? null
                    : LatencyRing.summaryOfLatest(rings.toArray(new LatencyRing[0]), samples).orElse(null);
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
