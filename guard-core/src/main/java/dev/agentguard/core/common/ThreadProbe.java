package dev.agentguard.core.common;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread's place among the parts of a striped structure (telemetry's shared levels, the ledger's lanes): each
 * thread has one, read once per call, and moves it on when it meets another thread in a part, as
 * {@code java.util.concurrent.atomic.LongAdder} does with its cells. For this library's own use.
 *
 * <p>Not thread-safe, and need not be: only its thread uses it.
 */
public final class ThreadProbe {

    /**
     * The next thread's place: threads take consecutive places, so that the first threads of a process sit in
     * distinct parts from the start. (A hash of the thread id may put two threads in one part; they then share its
     * cache line until they happen to meet inside its lock, which may take long.)
     */
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ThreadLocal<ThreadProbe> PROBE = ThreadLocal.withInitial(
            () -> new ThreadProbe(NEXT.getAndIncrement()));

    private int value;

    private ThreadProbe(int place) {
        value = place;
    }

    /** @return the calling thread's probe */
    public static ThreadProbe current() {
        return PROBE.get();
    }

    /**
     * @param parts how many parts there are, a power of two
     * @return this thread's part among them
     */
    public int index(int parts) {
        return value & (parts - 1);
    }

    /** Moves this thread to another part, whatever the number of parts. */
    public void move() {
        value = value * 0x01000193 + 0x7F4A7C15;
    }

    /**
     * @return how many parts a striped structure may have at most on this machine: twice the processors, rounded
     *     up to a power of two, at least 2 and at most 64
     */
    public static int maxParts() {
        int twice = 2 * Runtime.getRuntime().availableProcessors();
        return Math.max(2, Math.min(64, Integer.highestOneBit(twice - 1) << 1));
    }
}
