package dev.agentguard.core.common;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock for the few instructions that update a window every call passes through (a global or agent budget, the
 * process-wide telemetry): a compare-and-set that spins rather than parks.
 *
 * <p><b>Why not a monitor.</b> Such a lock is taken by every thread on every call. A contended monitor inflates,
 * and its waiters park and are woken: two threads then spent more time handing it over than inside it, and a
 * JFR lock profile showed single waits of several milliseconds when its holder was descheduled. Here a waiter
 * spins ({@link Thread#onSpinWait()}); past {@value #SPINS_BEFORE_YIELD} spins it yields its time slice, in case
 * the holder was descheduled. Never hold it across anything that blocks or takes long.
 *
 * <p>Not reentrant. Subclass it (the lock is then one {@code int} field of the guarded object, no object of its
 * own) and take it as {@code lock(); try { ... } finally { unlock(); }}.
 */
public class SpinLock {

    /** Busy-waits of a contended lock before the waiter yields its time slice. */
    public static final int SPINS_BEFORE_YIELD = 100;

    private static final VarHandle LOCKED;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(SpinLock.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 1 while a thread holds the lock. */
    private volatile int locked;

    /** Takes the lock, spinning (and past a while yielding) until it is free. */
    public final void lock() {
        int spins = 0;
        while (locked != 0 || !LOCKED.compareAndSet(this, 0, 1)) {
            spins = backOff(spins);
        }
    }

    /**
     * One wait of a thread that found a lock taken: spin, and past {@value #SPINS_BEFORE_YIELD} spins yield the time
     * slice (the holder may have been descheduled: let it run). Shared with {@link PaddedSpinLock}.
     *
     * @param spins the waits so far since the last yield
     * @return the waits since the last yield, this one included
     */
    static int backOff(int spins) {
        if (spins + 1 < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
            return spins + 1;
        }
        Thread.yield();
        return 0;
    }

    /** @return true if the lock was free and is now held by the caller; false, at once, if another holds it */
    public final boolean tryLock() {
        return locked == 0 && LOCKED.compareAndSet(this, 0, 1);
    }

    /** Releases the lock; only its holder may call this. */
    public final void unlock() {
        LOCKED.setRelease(this, 0);
    }
}
