package dev.agentguard.core.common;

/**
 * Reads that start a cache line on its way without waiting for it. For this library's own use.
 *
 * <p><b>Why.</b> A session called again after thousands of others finds its records out of the processor's caches,
 * and a guarded call reaches them one after the other: its figures, its rule state, its budget key, the ledger's
 * entry, that entry's window, each a wait of tens of nanoseconds (more on a busy machine) before the next begins.
 * Read at once, right after the session is found, the waits overlap one another and the work in between; the call
 * then finds the lines at hand. A read that changes nothing and whose value nothing needs would be dropped by the
 * compiler, so the value is compared with one no record is meant to hold, and a match only pauses the processor
 * for a moment ({@link Thread#onSpinWait()}): one predicted branch per read, and no change whatever the value.
 */
public final class Prefetch {

    /** The value compared with: any would do; a match costs a pause, nothing else. */
    private static final long UNLIKELY = 0x5DEECE66DL * 0x9E3779B97F4A7C15L;

    private Prefetch() {
    }

    /** @param value a value just read, so that its read is kept */
    public static void use(long value) {
        if (value == UNLIKELY) {
            Thread.onSpinWait();
        }
    }

    /**
     * @param cells an array read without its owner's lock (a racy, stale or null reference does no harm)
     * @param i the cell whose line to start loading; nothing is read when it lies outside the array
     */
    public static void use(long[] cells, int i) {
        if (cells != null && i >= 0 && i < cells.length) {
            use(cells[i]);
        }
    }
}
