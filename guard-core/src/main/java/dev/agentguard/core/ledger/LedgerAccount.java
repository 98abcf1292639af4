package dev.agentguard.core.ledger;

import dev.agentguard.core.common.SteadyClock;

/**
 * Where a request was reserved, and where it settles: an entry, or a lane of one. An interface, not a common
 * superclass, because the two lock differently: an entry with a compact {@code SpinLock} (there is one per session
 * window), a lane with a {@code PaddedSpinLock} (one per thread, written on every call beside other threads' lanes).
 */
sealed interface LedgerAccount permits LedgerEntry, CreditLane {

    /** Settles a reservation of {@code amount} at {@code actual}. */
    void settle(long tick, SteadyClock wall, long amount, long actual, long idleNanos);

    /** Gives back a reservation of {@code amount}, nothing spent. */
    void unreserve(long tick, SteadyClock wall, long amount);
}
