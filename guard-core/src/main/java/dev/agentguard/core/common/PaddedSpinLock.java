package dev.agentguard.core.common;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link SpinLock} for one part of a structure split per thread (a level's telemetry part, a budget's credit lane,
 * a stripe of the open calls): its lock word, and the fields a subclass declares after it, start
 * {@value Padding#BYTES} bytes into the object ({@link Padding} says why and how the rest of a part is padded).
 *
 * <p>The locking is {@link SpinLock}'s (its back-off shared), not inherited: a superclass's fields come first, so the
 * lock word of a {@code SpinLock} subclass sits right after the object header, where no padding can precede it.
 */
public abstract class PaddedSpinLock extends Padding {

    private static final VarHandle LOCKED;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(PaddedSpinLock.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 1 while a thread holds the lock. */
    private volatile int locked;

    /** Takes the lock, spinning (and past a while yielding) until it is free; see {@link SpinLock#lock()}. */
    public final void lock() {
        int spins = 0;
        while (locked != 0 || !LOCKED.compareAndSet(this, 0, 1)) {
            spins = SpinLock.backOff(spins);
        }
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
