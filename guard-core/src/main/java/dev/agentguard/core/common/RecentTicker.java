package dev.agentguard.core.common;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A {@link Ticker} that answers the latest reading its owner made of a source ticker, without reading the source
 * again: the time of the Caffeine caches that keep sessions and windows.
 *
 * <p><b>Why.</b> A cache with expiry reads its ticker on every lookup, and a guarded call looks up a session in
 * several caches, each right after the guard has read the time itself: with {@link System#nanoTime()} at about 20
 * ns, those repeated readings were a sixth of a guarded call. Expiry is measured in minutes and hours, so the
 * caches do as well with the last reading. The owner passes each of its own readings to {@link #observe} (no
 * extra reading), and calls {@link #refresh} before a cache operation that no reading of its own precedes (a
 * status page, {@code cleanUp}), so that a cache never works with a time older than the owner's latest reading
 * by more than {@value #GRANULARITY_NANOS} ns.
 *
 * <p><b>Never ahead.</b> The answer is a past reading of the source, so a cache may see an entry as younger than
 * it is, never older: an entry is kept at worst a moment longer, never forgotten early.
 *
 * <p><b>Cheap under threads.</b> The shared field is written only when a reading is newer than the stored one by
 * more than {@value #GRANULARITY_NANOS} ns, so that threads calling at a high rate do not take turns owning its
 * cache line, and only by a compare-and-set from the value the writer read: the answer never goes back, even when
 * a thread that read the source earlier stores later.
 */
public final class RecentTicker implements Ticker {

    /** How much newer a reading must be to be stored: one millisecond. */
    public static final long GRANULARITY_NANOS = 1_000_000L;

    private static final VarHandle LAST;

    static {
        try {
            LAST = MethodHandles.lookup().findVarHandle(RecentTicker.class, "last", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Ticker source;
    @SuppressWarnings("unused") // through LAST
    private long last;

    /** @param source the ticker to read, once now and then on {@link #refresh} */
    public RecentTicker(Ticker source) {
        this.source = Objects.requireNonNull(source, "source");
        LAST.setOpaque(this, source.read());
    }

    /** @return the latest reading observed or refreshed (not a new reading of the source) */
    @Override
    public long read() {
        return (long) LAST.getOpaque(this);
    }

    /**
     * Takes note of a reading of the source that the caller made.
     *
     * @param tick a reading of the source ticker
     * @return {@code tick}
     */
    public long observe(long tick) {
        long seen = (long) LAST.getOpaque(this);
        if (tick - seen > GRANULARITY_NANOS) {
            LAST.compareAndSet(this, seen, tick); // lost to another thread: it stored a newer reading than seen
        }
        return tick;
    }

    /** @return a new reading of the source, observed (stored unless a newer one already is) */
    public long refresh() {
        long tick = source.read();
        long seen;
        do {
            seen = (long) LAST.getOpaque(this);
        } while (tick - seen > 0 && !LAST.compareAndSet(this, seen, tick));
        return tick;
    }
}
