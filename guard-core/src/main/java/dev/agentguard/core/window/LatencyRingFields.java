package dev.agentguard.core.window;

import dev.agentguard.core.common.Padding;

/**
 * The fields of a {@link LatencyRing}, in a class of their own so that the JVM lays them out between
 * {@link Padding}'s room and the padding fields of {@code LatencyRing} (see {@link Padding}).
 */
abstract class LatencyRingFields extends Padding {

    /** Unused elements at each end of {@link #ring} and {@link #ticks}. */
    static final int PAD = Padding.LONGS;

    /** The samples, from {@link #PAD}: slot {@code i} at {@code PAD + i}. */
    final long[] ring;
    /** When each sample of {@link #ring} was recorded (a ticker reading), laid out alike; null unless timed. */
    final long[] ticks;
    /** How many samples the ring keeps at most. */
    final int capacity;
    /** Slot of the next record. */
    int next;
    /** Samples held: min(records, capacity). While below capacity, they are slots {@code 0 .. count)}. */
    int count;
    /** Ascending copy of the samples (from index 0), or null until the first read. */
    long[] sorted;
    /** True when {@link #sorted} and {@link #mean} no longer describe the ring. */
    boolean stale = true;
    long mean;

    LatencyRingFields(int samples, boolean timed) {
        this.capacity = samples;
        this.ring = new long[PAD + samples + PAD];
        this.ticks = timed ? new long[PAD + samples + PAD] : null;
    }
}
