package dev.agentguard.redis;

import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.ledger.Suspension;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A hold of {@link RedisBudgetLedger}: either held in Redis (an id in the sorted set of holds), or, while Redis
 * could not be reached, held in this process only ({@link #local} is the in-process ledger's hold, or null under
 * failOpen).
 */
final class RedisHold implements Hold {

    /** The hold's id in Redis; null for an empty reservation and for a hold taken while Redis was away. */
    final String id;
    final BudgetKey[] keys;
    final boolean granted;
    final int refusedIndex;
    final long[] usedBefore;
    final String unavailable;
    final boolean inProcess;
    final Hold local;
    final dev.agentguard.core.ledger.InMemoryLedger localLedger;
    final AtomicBoolean done = new AtomicBoolean();
    /** For a hold refused because keys it checks are suspended: one per request, null for the others; else null. */
    final Suspension[] suspensions;

    RedisHold(String id, BudgetKey[] keys, boolean granted, int refusedIndex, long[] usedBefore, String unavailable,
            boolean inProcess, Hold local, dev.agentguard.core.ledger.InMemoryLedger localLedger) {
        this(id, keys, granted, refusedIndex, usedBefore, unavailable, inProcess, local, localLedger, null);
    }

    RedisHold(String id, BudgetKey[] keys, boolean granted, int refusedIndex, long[] usedBefore, String unavailable,
            boolean inProcess, Hold local, dev.agentguard.core.ledger.InMemoryLedger localLedger,
            Suspension[] suspensions) {
        this.suspensions = suspensions;
        this.id = id;
        this.keys = keys;
        this.granted = granted;
        this.refusedIndex = refusedIndex;
        this.usedBefore = usedBefore;
        this.unavailable = unavailable;
        this.inProcess = inProcess;
        this.local = local;
        this.localLedger = localLedger;
    }

    @Override
    public boolean granted() {
        return granted;
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public int refusedIndex() {
        return refusedIndex;
    }

    @Override
    public long usedBefore(int i) {
        return usedBefore[i];
    }

    @Override
    public Suspension suspension(int i) {
        return suspensions == null ? null : suspensions[i];
    }

    @Override
    public String unavailableReason() {
        return unavailable;
    }

    @Override
    public String toString() {
        return "RedisHold[" + (id != null ? id : inProcess ? "in-process" : "empty") + (granted ? ", granted" : ", refused")
                + "]";
    }
}
