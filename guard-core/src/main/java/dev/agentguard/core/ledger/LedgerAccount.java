package dev.agentguard.core.ledger;

import dev.agentguard.core.common.SpinLock;
import dev.agentguard.core.common.SteadyClock;

/** Where a request was reserved, and where it settles: an entry, or a lane of one. */
abstract class LedgerAccount extends SpinLock {

    /** Settles a reservation of {@code amount} at {@code actual}. */
    abstract void settle(long tick, SteadyClock wall, long amount, long actual, long idleNanos);

    /** Gives back a reservation of {@code amount}, nothing spent. */
    abstract void unreserve(long tick, SteadyClock wall, long amount);
}
