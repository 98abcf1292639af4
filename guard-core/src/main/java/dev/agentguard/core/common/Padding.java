package dev.agentguard.core.common;

/**
 * Room at the front of an object that one thread writes on every call among other threads' objects (a part of a
 * structure split per thread): the fields a subclass declares start {@value #BYTES} bytes into the object, so that
 * no other object shares their cache line or the one the processor fetches with it.
 *
 * <p><b>Why.</b> The JVM lays out objects next to each other, in allocation order and again wherever the collector
 * copies them. One thread's part whose written fields share a cache line with another thread's part, or with
 * anything another thread reads on every call, makes two threads on distinct sessions hand that line back and
 * forth on every call. On the two-core benchmark machine, when its cores are far apart (a line takes about 250 ns to
 * move rather than 25), that made two threads slower than one. Java offers no annotation for it
 * ({@code @Contended} is reserved to the JDK unless the JVM runs with {@code -XX:-RestrictContended}), so padding is
 * done with fields, as in JCTools and Caffeine:
 * <ul>
 *   <li>before: this class, a superclass, because the JVM lays out a superclass's fields first whatever their order
 *       in the source (the {@code int} takes the four bytes after the object header, where the JVM would otherwise
 *       put a subclass's {@code int});</li>
 *   <li>after: a subclass whose fields are {@value #LONGS} longs and nothing else, when the written fields end the
 *       object;</li>
 *   <li>arrays: {@value #LONGS} unused elements at each end of a {@code long[]} the part writes.</li>
 * </ul>
 * Read-only objects need none: what they neighbour is either padded or not written on every call.
 */
@SuppressWarnings("unused") // never read: they only take room
public abstract class Padding {

    /** The room kept before and after the fields a part writes: two cache lines of 64 bytes. */
    public static final int BYTES = 128;
    /** {@link #BYTES} in longs: the unused elements at each end of a padded {@code long[]}. */
    public static final int LONGS = BYTES / Long.BYTES;

    private int p00;
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;

    /** For subclasses. */
    protected Padding() {
    }
}
