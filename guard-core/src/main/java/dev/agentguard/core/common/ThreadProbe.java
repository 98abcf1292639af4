package dev.agentguard.core.common;

/**
 * A thread's place among the parts of a striped structure (telemetry's shared levels): each thread has one, read
 * once per call, and moves it on when it meets another thread in a part, as
 * {@code java.util.concurrent.atomic.LongAdder} does with its cells. For this library's own use.
 *
 * <p>Not thread-safe, and need not be: only its thread uses it.
 */
public final class ThreadProbe {

    private static final ThreadLocal<ThreadProbe> PROBE = ThreadLocal.withInitial(
            () -> new ThreadProbe(Thread.currentThread().getId()));

    private int value;

    private ThreadProbe(long seed) {
        value = (int) (seed * 0x9E3779B97F4A7C15L >>> 32); // spread consecutive thread ids apart
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
