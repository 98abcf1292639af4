package dev.agentguard.core;

import dev.agentguard.core.common.PaddedSpinLock;
import dev.agentguard.core.common.Padding;
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
            stripes[i] = new Stripe.Padded();
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
            if (Stripe.PAD + s.size == s.slots.length - Stripe.PAD) {
                s.slots = Arrays.copyOf(s.slots, Stripe.PAD + s.size * 2 + Stripe.PAD);
            }
            s.slots[Stripe.PAD + s.size] = a;
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
            Admission last = s.slots[Stripe.PAD + --s.size];
            s.slots[Stripe.PAD + i] = last;
            last.openSlot = i;
            s.slots[Stripe.PAD + s.size] = null;
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
                all.addAll(Arrays.asList(s.slots).subList(Stripe.PAD, Stripe.PAD + s.size));
            } finally {
                s.unlock();
            }
        }
        return all;
    }

    /**
     * One thread's share of the registry, padded ({@link Padding}): every call writes its lock, its {@code size} and
     * a slot, and so do other threads to their own stripes. Its fields start after the room of
     * {@link PaddedSpinLock}, {@link Padded} adds room after them, and its array keeps {@value #PAD} unused slots at
     * each end, so that no stripe shares a cache line with another object, wherever the JVM lays them out.
     */
    static class Stripe extends PaddedSpinLock {
        /** Unused slots at each end of {@link #slots}: {@value Padding#BYTES} bytes with compressed references. */
        static final int PAD = Padding.BYTES / 4;
        /** The admissions at {@code PAD .. PAD + size)}; an admission's {@link Admission#openSlot} counts from 0. */
        Admission[] slots = new Admission[PAD + 8 + PAD];
        int size;

        /** The room after a stripe's fields. */
        @SuppressWarnings("unused")
        static final class Padded extends Stripe {
            private long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15, q16;
        }
    }
}
