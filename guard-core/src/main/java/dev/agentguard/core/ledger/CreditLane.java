package dev.agentguard.core.ledger;

import dev.agentguard.core.common.PaddedSpinLock;
import dev.agentguard.core.common.Padding;
import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.ThreadProbe;
import dev.agentguard.core.window.WindowSpec;

/**
 * One thread's credit on a process or agent window ({@link LedgerEntry}, which says how credits work): its fields
 * are written under its own lock, and {@link #lent} (which the entry counts) under the entry's too. Each thread
 * writes its own lane on every call, so a lane is padded ({@link Padding}): its fields come after the room of
 * {@link PaddedSpinLock}, and {@link Padded} adds room after them.
 */
abstract sealed class CreditLane extends PaddedSpinLock implements LedgerAccount permits CreditLane.Padded {
    /** What {@link #tryReserve} answers when there is too little room to lend: reserve on the entry itself. */
    static final long NOT_SERVED = Long.MIN_VALUE;
    /** What {@link #tryReserve} answers when another thread holds the lane: try another one. */
    static final long BUSY = Long.MIN_VALUE + 1;
    /** Lanes a reservation tries before it reserves on the entry itself. */
    static final int TRIES = 3;
    /** How long a lane serves after a loan before it gives its spend to the window: one millisecond. */
    static final long LIFE_NANOS = 1_000_000L;
    /** A loan covers this many reservations of the size that asked for it, room allowing. */
    static final long CREDIT_CALLS = 64;

    final LedgerEntry entry;
    /** Lent to this lane and counted on the entry: {@code credit + held + spent}. */
    long lent;
    /** What reservations may still take; negative after a spend past the reservation. */
    long credit;
    /** Reserved by this lane's open holds. */
    long held;
    /** Settled here and not yet in the window. */
    long spent;
    /** The entry's used figure at the loan, less this lane's own: a reservation reports it plus its lane's. */
    long base;
    /** Ticker reading of the loan, and how long the lane may serve after it. */
    long since;
    long life;
    /** The end of the calendar period of the loan, in epoch ms; {@code Long.MAX_VALUE} for a sliding window. */
    long periodEnd;
    /** Ticker reading of the latest settlement in {@link #spent}: all of it is put in the window then. */
    long spentAt;
    /** The request's limit and the key's credit ceiling the loan was made under. */
    long loanLimit;
    long loanCeiling;
    /** Serving reservations from its credit; a closed lane only settles its open holds on the entry. */
    boolean open;

    private CreditLane(LedgerEntry entry) {
        this.entry = entry;
    }

    /** @return a new lane of {@code entry}, padded so that two threads' lanes never share a cache line */
    static CreditLane of(LedgerEntry entry) {
        return new Padded(entry);
    }

    /** @return the loan to ask for, for reservations of {@code amount} */
    static long creditFor(long amount) {
        return amount > Long.MAX_VALUE / CREDIT_CALLS ? amount : Math.max(1, amount) * CREDIT_CALLS;
    }

    /**
     * Reserves from this lane's credit, asking the entry for a loan when the credit is short or stale.
     *
     * @return the used figure to report (see {@link #base}); {@link #BUSY} when another thread holds
     *     the lane (the caller's probe moves on); {@link #NOT_SERVED} when there is too little room left to lend
     */
    long tryReserve(ThreadProbe probe, long tick, SteadyClock wall, WindowSpec spec, long amount, long limit,
            long ceiling) {
        if (!tryLock()) {
            probe.move();
            return BUSY;
        }
        try {
            // a limit or ceiling lowered since the loan (a reload): the loan may be more than they now allow
            if (!open || credit < amount || !fresh(tick) || limit < loanLimit || ceiling < loanCeiling) {
                entry.lock();
                try {
                    if (!entry.lendTo(this, tick, wall, spec, amount, limit, ceiling)) {
                        return NOT_SERVED;
                    }
                } finally {
                    entry.unlock();
                }
            }
            long before = base + held + spent;
            credit -= amount;
            held += amount;
            return before;
        } finally {
            unlock();
        }
    }

    private boolean fresh(long tick) {
        long age = tick - since;
        return age >= 0 && age < life;
    }

    /** Opens the lane with a new loan. Both locks held; the lane is closed. */
    void open(long loan, long base, long tick, long life, long periodEnd, long limit, long ceiling) {
        this.lent += loan;
        this.loanLimit = limit;
        this.loanCeiling = ceiling;
        this.credit = loan;
        this.base = base;
        this.since = tick;
        this.life = life;
        this.periodEnd = periodEnd;
        this.open = true;
    }

    /**
     * Puts the lane's spend in the window (unless its calendar period has ended: the window has dropped that
     * period, and with it this spend) and gives back its credit: what stays lent is its open holds. Both locks
     * held.
     */
    void close(LedgerEntry e, long epoch) {
        if (spent != 0 && (periodEnd == Long.MAX_VALUE || epoch < periodEnd)) {
            e.window.add(spentAt, epoch, spent); // when it was spent: it leaves a sliding window from then
        }
        e.lent -= lent - held;
        if (open) {
            e.openLanes--;
        }
        lent = held;
        spent = 0;
        credit = 0;
        open = false;
    }

    @Override
    public void settle(long tick, SteadyClock wall, long amount, long actual, long idleNanos) {
        lock();
        try {
            held -= amount;
            boolean here = open && fresh(tick);
            if (here) {
                if (spent == 0 || tick - spentAt > 0) {
                    spentAt = tick;
                }
                spent += actual;
                credit += amount - actual;
                if (credit >= 0) {
                    return;
                }
            }
            // spent past the credit (the entry must count it now), or the lane is closed or past its life: the
            // settlement goes to the entry, at this moment's time, as it would without lanes
            entry.lock();
            try {
                long epoch = entry.epoch(tick, wall);
                close(entry, epoch); // gives back this hold's amount with the rest
                if (!here) {
                    entry.window.add(tick, epoch, actual);
                }
            } finally {
                entry.unlock();
            }
        } finally {
            unlock();
        }
    }

    @Override
    public void unreserve(long tick, SteadyClock wall, long amount) {
        lock();
        try {
            held -= amount;
            if (open) {
                credit += amount;
                return;
            }
            lent -= amount;
            entry.lock();
            try {
                entry.lent -= amount;
            } finally {
                entry.unlock();
            }
        } finally {
            unlock();
        }
    }

    /** The lane with room after its state, which the next object in memory would otherwise share a line with. */
    static final class Padded extends CreditLane {
        @SuppressWarnings("unused")
        private long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15, q16;

        Padded(LedgerEntry entry) {
            super(entry);
        }
    }
}
