package dev.agentguard.core;

import dev.agentguard.core.common.SpinLock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The admissions whose reservation is still open, for the lease sweep ({@link Guard#expireStalled()}).
 *
 * <p><b>Why not a concurrent set.</b> Every admitted call is added here and removed when it ends. A
 * {@code ConcurrentHashMap} key set does each with a hash, a node and an update of its shared size counter, which
 * threads calling on distinct sessions then take turns owning. Here a thread adds to a stripe chosen by its id,
 * and the admission remembers where it sits, so that its removal (on whatever thread the call ends) is an index
 * and a swap with the stripe's last entry; each stripe has its own lock, held for a few instructions (a
 * {@link SpinLock}: one compare-and-set to take it and a store to release it, where a monitor takes two
 * compare-and-sets, twice per call). The sweep, once a second at most, copies each stripe under its lock.
 *
 * <p>Thread-safe. An admission's stripe is fixed when it is made ({@link Admission#openStripe}, final, so that
 * any thread reads it); its index ({@link Admission#openSlot}) is read and written only under that stripe's lock.
 */
final class OpenCalls {

    private final Stripe[] stripes;
    private final int mask;

    OpenCalls() {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1;
        this.stripes = new Stripe[Math.min(64, n)];
        this.mask = stripes.length - 1;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** @return the stripes, for tests */
    Stripe[] stripes() {
        return stripes;
    }

    /** Registers an admission whose reservation is open; at most once. */
    void add(Admission a) {
        Stripe s = stripes[a.openStripe & mask];
        s.lock();
        try {
            if (s.size == s.slots.length - Stripe.SLACK) {
                s.slots = Arrays.copyOf(s.slots, s.size * 2 + Stripe.SLACK);
            }
            s.slots[s.size] = a;
            a.openSlot = s.size++;
        } finally {
            s.unlock();
        }
    }

    /** Forgets an admission; nothing happens if it is not (or no longer) registered. */
    void remove(Admission a) {
        Stripe s = stripes[a.openStripe & mask];
        s.lock();
        try {
            int i = a.openSlot;
            if (i < 0) {
                return; // never added, or removed already
            }
            Admission last = s.slots[--s.size];
            s.slots[i] = last;
            last.openSlot = i;
            s.slots[s.size] = null;
            a.openSlot = -1;
        } finally {
            s.unlock();
        }
    }

    /** @return whether no admission is registered (exact at some moment of the call) */
    boolean isEmpty() {
        for (Stripe s : stripes) {
            s.lock();
            try {
                if (s.size > 0) {
                    return false;
                }
            } finally {
                s.unlock();
            }
        }
        return true;
    }

    /** @return the registered admissions, copied: the caller may end them (and so remove them) while it walks */
    List<Admission> snapshot() {
        List<Admission> all = new ArrayList<>();
        for (Stripe s : stripes) {
            s.lock();
            try {
                all.addAll(Arrays.asList(s.slots).subList(0, s.size)); // never the slack
            } finally {
                s.unlock();
            }
        }
        return all;
    }

    /**
     * One thread's share of the registry.
     *
     * <p><b>Why the slack.</b> A stripe's hot words are its lock (first in the object), its {@code size} and the
     * first slots of its array, which the JVM allocates right after the stripe, and the collector copies right after
     * it too; the next stripe follows that array. With an array of exactly the slots in use, the first slot of one
     * stripe and the lock of the next could share a cache line (seen in a heap laid out so: every call then moved
     * that line between two threads' cores). {@value #SLACK} slots past the last usable one, never written, keep
     * whatever follows the array 64 bytes or more away from the slots in use. (Padding fields would not serve: the
     * JVM lays out a class's fields by size, not in the order they are declared.)
     */
    static final class Stripe extends SpinLock {
        /** Unused slots at the end of {@link #slots}: 64 bytes with compressed references, 128 without. */
        static final int SLACK = 16;
        Admission[] slots = new Admission[8 + SLACK];
        int size;
    }
}
