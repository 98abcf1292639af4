package dev.agentguard.core.ledger;

import dev.agentguard.core.common.Prefetch;
import dev.agentguard.core.common.SparseTouch;
import dev.agentguard.core.common.SpinLock;
import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.ThreadProbe;
import dev.agentguard.core.window.Window;
import dev.agentguard.core.window.WindowSpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;

/**
 * One window of the {@link InMemoryLedger} plus what is reserved on it: the unit of its locking.
 *
 * <p><b>Credits (pinned entries: process and agent windows).</b> Every thread's calls reserve and settle on the
 * same process window, and each cache line that two threads write in turn costs a transfer between cores
 * (40 to 250 ns measured on the 2-core benchmark machine) on every call. So while the window's used figure
 * stays at or below its key's {@link BudgetKey#creditCeiling ceiling} (below the lowest figure at which some
 * decision depends on the exact amount), the entry lends a share of the room left to each thread's
 * {@link CreditLane} as a credit (a quarter of the room divided among the lanes, at most 64 reservations' worth),
 * counted on the entry as used ({@link #lent}). A reservation then takes from its thread's credit, and a
 * settlement within the lane's life puts the spend in the lane, under the lane's lock only. A lane lives one
 * millisecond (never across a calendar period's end): then, or when its credit runs short, its next reservation
 * puts its spend in the window, at the time of its latest settlement, and takes a new credit. A settlement
 * after its lane's life goes to the entry, at its own time, as without credits.
 *
 * <p>Since a credit is counted as used, the window never holds more than its limit, credits included. Every
 * operation on the entry itself (a reservation, settlement or release that no lane serves, and every read)
 * first {@link #reclaim reclaims} every lane's unspent credit and spend, so that the figure it sees is exact.
 * Once the room left is too small to lend, lending pauses for a lane's life and every reservation is made on
 * the entry: near a threshold every figure is exact, as without credits. Below the ceiling, a reservation served
 * from a credit reports the figure of its lane's loan plus its own lane's use since: exact for one thread, and
 * with several, off by what the other threads did since (a decision it cannot change). An idle thread's lane
 * keeps its unspent credit and its spend until a read or an operation on the entry reclaims them: counted as
 * used meanwhile, on the safe side.
 *
 * <p>Locks: a lane's, then its entry's; never the other way round.
 */
final class LedgerEntry extends SpinLock implements LedgerAccount {
    /** What {@link #tryReserve} answers for an entry that was evicted: look the key up again. */
    static final long RETIRED = Long.MIN_VALUE;

    private static final VarHandle KEEP_UNTIL;

    static {
        try {
            KEEP_UNTIL = MethodHandles.lookup().findVarHandle(LedgerEntry.class, "keepUntil", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The ledger that holds it: a key object's hint ({@link BudgetKey#found()}) may come from another one. */
    final InMemoryLedger ledger;
    /** The cache key for cached entries (to refresh their expiry); null for pinned entries. */
    final BudgetKey key;
    private WindowSpec spec; // written and read under the entry's lock
    Window window; // written and read under the lock, by a lane too (see CreditLane)
    private long reserved;
    /** Credit lent to lanes and not yet given back: their unspent credit, open holds and unapplied spend. */
    long lent;
    /** How many lanes hold a credit: while none does, {@link #lent} is their open holds, exactly. */
    int openLanes;
    /** One slot per thread probe index; made on the first loan, each lane on first use. */
    private volatile CreditLane[] lanes;
    /** Ticker reading of the last loan refused for lack of room; lending is tried again a lane's life later. */
    private volatile long pausedAt;
    private volatile boolean paused;
    private boolean retired;
    // holds and keepUntil are written under the lock, and read under it by the eviction listener, which
    // decides; the cache's expiry reads them without it, for a first guess only. So no volatile store (a
    // fence) per call.
    private int holds;
    /**
     * Ticker reading until which the entry must be kept: the later of idle expiry after its last use and its
     * spend's drain. Read and written through {@link #KEEP_UNTIL} (opaque: a racy reader never sees it torn).
     */
    @SuppressWarnings("unused") // through KEEP_UNTIL
    private long keepUntil;
    /** When the cache was last told of this entry's use (see {@link SparseTouch}); racy, which costs a read. */
    private long touched = Long.MIN_VALUE;

    LedgerEntry(InMemoryLedger ledger, BudgetKey key, WindowSpec spec, long keepUntil) {
        this.ledger = ledger;
        this.key = key;
        this.spec = spec;
        this.window = spec.newWindow();
        KEEP_UNTIL.setOpaque(this, keepUntil);
    }

    /** A budget reloaded with another window shape: start the new shape with what the old one holds now. */
    private void reshape(long tick, SteadyClock wall, WindowSpec to) {
        if (to == spec || to.equals(spec)) {
            spec = to;
            return;
        }
        long epoch = wall.millisAt(tick);
        long carried = window.total(tick, epoch);
        spec = to;
        window = to.newWindow();
        if (carried != 0) {
            window.add(tick, epoch, carried);
        }
    }

    /**
     * Starts loading this entry and its window (see {@link BudgetKey#prefetch()}); without the lock, and changes
     * nothing.
     */
    void prefetch() {
        Prefetch.use(reserved);
        Window w = window; // racy: a reshape may be replacing it, which does no harm here
        if (w != null) {
            w.prefetch();
        }
    }

    /** @return the wall time for this entry's window: read only for a calendar window */
    long epoch(long tick, SteadyClock wall) {
        return spec.isCalendar() ? wall.millisAt(tick) : 0;
    }

    void reshapeNow(long tick, SteadyClock wall, WindowSpec to) {
        reclaim(tick, wall);
        lock();
        try {
            reshape(tick, wall, to);
        } finally {
            unlock();
        }
    }

    /**
     * @return the amount used before, its complement ({@code ~used}, negative) when refused, or
     *     {@link #RETIRED} when the entry was evicted
     */
    long tryReserve(long tick, SteadyClock wall, WindowSpec spec, long amount, long limit, long idleNanos) {
        lockClosed(tick, wall);
        try {
            if (retired) {
                return RETIRED;
            }
            long idle = InMemoryLedger.saturatedAdd(tick, idleNanos); // granted or refused, a reservation is use
            if (idle > (long) KEEP_UNTIL.getOpaque(this)) {
                KEEP_UNTIL.setOpaque(this, idle);
            }
            reshape(tick, wall, spec);
            long used = window.total(tick, epoch(tick, wall)) + reserved + lent;
            if (amount > limit - used) {
                return ~used;
            }
            reserved += amount;
            holds++;
            return used;
        } finally {
            unlock();
        }
    }

    /**
     * Takes the entry's lock with no lane open, their credits taken back first, so that its figure is exact
     * and a lane's spend goes into the window before anything later does. A lane given a loan again meanwhile
     * (lending is not paused) is taken back again; past {@link #MAX_RECLAIMS} tries the lock is taken as it
     * is, and the figure counts the credits as used: on the safe side.
     */
    private void lockClosed(long tick, SteadyClock wall) {
        for (int attempt = 0; ; attempt++) {
            lock();
            if (openLanes == 0 || attempt == MAX_RECLAIMS) {
                return;
            }
            unlock();
            reclaim(tick, wall);
        }
    }

    /** How often an operation on the entry takes the credits back before it counts them as used. */
    private static final int MAX_RECLAIMS = 16;

    /** @return whether a reservation may try its thread's lane: lending is not paused, or was long enough ago */
    boolean lends(long tick) {
        return !paused || tick - pausedAt >= CreditLane.LIFE_NANOS || tick - pausedAt < 0;
    }

    /** @return the calling thread's lane, made on first use */
    CreditLane lane(ThreadProbe probe) {
        CreditLane[] ls = lanes;
        CreditLane lane;
        if (ls != null && (lane = ls[probe.index(ls.length)]) != null) {
            return lane;
        }
        lock();
        try {
            ls = lanes;
            if (ls == null) {
                ls = new CreditLane[ThreadProbe.maxParts()];
            }
            int i = probe.index(ls.length);
            if (ls[i] == null) {
                ls[i] = CreditLane.of(this);
            }
            lanes = ls; // volatile: publishes the new slot
            return ls[i];
        } finally {
            unlock();
        }
    }

    /**
     * Gives {@code lane} its spend's place in the window and, room allowing, a new credit. Both locks held.
     *
     * @return false when there is too little room to lend (the lane is closed, lending pauses)
     */
    boolean lendTo(CreditLane lane, long tick, SteadyClock wall, WindowSpec spec, long amount, long limit,
            long ceiling) {
        reshape(tick, wall, spec);
        long epoch = epoch(tick, wall);
        lane.close(this, epoch);
        long used = window.total(tick, epoch) + reserved + lent;
        long room = Math.min(limit, ceiling) - used;
        long loan = Math.min(room / (4L * lanes.length), CreditLane.creditFor(amount));
        if (loan < Math.max(1, amount)) { // no room left (room <= 0 lends nothing), or too little for this call
            pausedAt = tick;
            paused = true;
            return false;
        }
        if (paused) {
            paused = false;
        }
        long life = CreditLane.LIFE_NANOS;
        long end = window.periodEnd(); // of the period the total above rolled to: a lane serves within it
        if (end != Long.MAX_VALUE) {
            long millisLeft = end - epoch; // at least 1: the period holds epoch
            life = millisLeft < life / 1_000_000 ? millisLeft * 1_000_000 : life;
        }
        lent += loan;
        openLanes++;
        lane.open(loan, used - lane.lent, tick, life, end, limit, ceiling);
        return true;
    }

    /**
     * Takes back every lane's unspent credit and puts their spend in the window, so that the entry's figure is
     * exact: what is left lent is what the lanes' open holds reserved. Takes each lane's lock, then this
     * entry's, in turn; the caller holds neither.
     */
    void reclaim(long tick, SteadyClock wall) {
        CreditLane[] ls = lanes;
        if (ls == null) {
            return;
        }
        for (CreditLane lane : ls) {
            if (lane == null) {
                continue;
            }
            lane.lock();
            try {
                lock();
                try {
                    lane.close(this, epoch(tick, wall));
                } finally {
                    unlock();
                }
            } finally {
                lane.unlock();
            }
        }
    }

    @Override
    public void unreserve(long tick, SteadyClock wall, long amount) {
        lockClosed(tick, wall);
        try {
            reserved -= amount;
            holds--;
        } finally {
            unlock();
        }
    }

    @Override
    public void settle(long tick, SteadyClock wall, long amount, long actual, long idleNanos) {
        lockClosed(tick, wall);
        try {
            long epoch = epoch(tick, wall);
            reserved -= amount;
            window.add(tick, epoch, actual);
            if (key != null) { // a cached entry: how long it must be kept (pinned ones are kept anyway)
                long keep = Math.max(InMemoryLedger.saturatedAdd(tick, idleNanos), window.drainedAt(tick, epoch));
                KEEP_UNTIL.setOpaque(this, keep);
            }
            holds--;
        } finally {
            unlock();
        }
    }

    long used(long tick, SteadyClock wall, WindowSpec spec) {
        reclaim(tick, wall);
        lock();
        try {
            reshape(tick, wall, spec);
            return window.total(tick, epoch(tick, wall)) + reserved + lent;
        } finally {
            unlock();
        }
    }

    WindowState state(BudgetKey k, long tick, long epoch, SteadyClock wall, Suspension suspended) {
        long used;
        long reserved;
        long drained;
        reclaim(tick, wall);
        lock();
        try {
            long e = spec.isCalendar() ? epoch : 0;
            long settled = window.total(tick, e);
            used = settled + this.reserved + lent;
            reserved = this.reserved + lent;
            drained = settled == 0 ? Long.MIN_VALUE : window.drainedAt(tick, e);
        } finally {
            unlock();
        }
        Instant end = drained == Long.MIN_VALUE || drained - tick < 0 ? null
                : Instant.ofEpochMilli(epoch + (drained - tick) / 1_000_000);
        return new WindowState(k.budgetId(), k.scope(), k.scopeKey(), used, reserved, end,
                suspended == null ? null : suspended.until());
    }

    /** @return true if the window held settled spend; it is empty now, its reservations kept */
    boolean reset(long tick, SteadyClock wall) {
        reclaim(tick, wall);
        lock();
        try {
            boolean held = window.total(tick, epoch(tick, wall)) != 0;
            window = spec.newWindow();
            return held;
        } finally {
            unlock();
        }
    }

    long reserved(long tick, SteadyClock wall) {
        reclaim(tick, wall);
        lock();
        try {
            return reserved + lent;
        } finally {
            unlock();
        }
    }

    /**
     * Marks the entry forgotten, and unhooks it from its cache key object, which a session may keep for a while
     * yet (a hint to a retired entry would only be checked and dropped, but it would keep the window alive).
     * The caller holds the lock.
     */
    private void retireLocked() {
        retired = true;
        if (key != null && key.found() == this) {
            key.found(null);
        }
    }

    /** @return true if the entry was retired now (it had no hold); later reservations look the key up again */
    boolean retire() {
        lock();
        try {
            if (holds > 0 || retired) {
                return false;
            }
            retireLocked();
            return true;
        } finally {
            unlock();
        }
    }

    /**
     * Called by the eviction listener, inside the removal of this entry from the cache.
     *
     * @return true if the entry was retired now, false if it still counts (a hold, or spend or use to keep)
     */
    boolean retireUnlessCounting(long now) {
        lock();
        try {
            if (retired) {
                return true;
            }
            if (holds > 0 || (long) KEEP_UNTIL.getOpaque(this) > now) {
                return false;
            }
            retireLocked();
            return true;
        } finally {
            unlock();
        }
    }

    /** @return true, at most once per the ledger's touch interval, when the cache should hear of a use */
    boolean touchDue(long now) {
        if (!SparseTouch.due(touched, now, ledger.touchNanos)) {
            return false;
        }
        touched = now;
        return true;
    }

    /**
     * @return the cache's expiry for this entry, in nanoseconds from {@code now}: when it stops counting, as far
     *     as is known now; a hold outlasting that is looked at again after idle expiry
     */
    long expiresIn(long now, long idleNanos) {
        long keep = (long) KEEP_UNTIL.getOpaque(this);
        if (keep > now) {
            long left = keep - now;
            return left < 0 ? Long.MAX_VALUE : left; // negative: overflowed, far away
        }
        return holds > 0 ? idleNanos : 0;
    }
}
