package dev.agentguard.core.window;

import dev.agentguard.core.common.Padding;
import dev.agentguard.core.common.Prefetch;
import java.util.Arrays;
import java.util.Objects;

/**
 * A ring of buckets with a running total. See {@link WindowSpec} for the exact coverage.
 *
 * <p>Bucket {@code i} (absolute index {@code floor(tick / bucketNanos)}) lives in slot {@code floorMod(i, buckets)}.
 * Moving the head forward clears the slots it passes and subtracts them from the running totals, so an add and a
 * total cost O(1) amortised: a roll clears at most {@code buckets} slots, and a jump of more than a whole window
 * clears the array in one pass instead of stepping through every elapsed bucket.
 *
 * <p><b>Memory grows with use.</b> Most session windows see a handful of calls, so a window starts
 * <em>compact</em>: a short list of the buckets it has seen, oldest first, each as its absolute index and its
 * amounts, beside the running totals. The list doubles when full, and the window turns into the ring once the list
 * would be as large as the ring; a roll past a whole window (everything has left it) turns it back into an empty
 * list. Both forms hold the same buckets, so coverage, totals and complexity do not depend on the form.
 *
 * <p>Memory: one {@code long[]} and a 48-byte object. Compact, {@code counters + k * (counters + 1)} longs for room
 * for {@code k} buckets (k = 1, 2, 4...); as a ring, at most {@code (buckets + 1) * counters} longs (the running
 * totals and one row per bucket). For a single counter in 60 buckets: 88 bytes with one bucket seen, 536 as a
 * ring. No per-event storage.
 */
final class SlidingWindow implements Window, CounterWindow {

    /** The head of a window that has never been rolled; any real bucket index is taken as newer. */
    private static final long EMPTY = Long.MIN_VALUE;

    private final long bucketNanos;
    private final int buckets;
    private final int counters;
    /** Length of the ring form's array. */
    private final int ringLength;
    /**
     * The running totals at {@code 0 .. counters - 1}, then: as a ring, slot {@code s}, counter {@code c} at
     * {@code counters + s * counters + c}; compact, bucket {@code j} of the list (0 = oldest) at
     * {@code counters + j * (counters + 1)}: its absolute index, then its amounts.
     */
    private long[] cells;
    /**
     * Where the running totals start in {@link #cells}: 0, or {@link Padding#LONGS} for a
     * {@linkplain CounterWindow#padded padded} window, which is a ring from the start with that many unused longs at
     * each end of its array.
     */
    private final int pad;
    /** The number of buckets in the compact list; {@code -1} in the ring form. */
    private int listed;
    /** Absolute index of the newest bucket seen. */
    private long head = EMPTY;
    /**
     * Where the bucket after the head starts, in ticker time ({@link Long#MIN_VALUE} before the first roll,
     * {@link Long#MAX_VALUE} when that is past the ticker's range): a reading below it is in the head bucket (or, the
     * ticker having stepped back, an older one), which a roll tells with one comparison instead of a division. Most
     * rolls are of that kind: a call rolls several windows, and buckets last seconds.
     */
    private long nextBucketAt = Long.MIN_VALUE;
    /** In the ring form, {@code floorMod(head, buckets)}, kept so that an add costs no division. */
    private int headSlot;

    SlidingWindow(long lengthNanos, int buckets) {
        this(lengthNanos, buckets, 1);
    }

    SlidingWindow(long lengthNanos, int buckets, int counters) {
        this(lengthNanos, buckets, counters, false);
    }

    /** @param padded whether to keep its array a padded ring (see {@link CounterWindow#padded}) */
    SlidingWindow(long lengthNanos, int buckets, int counters, boolean padded) {
        if (buckets < 1 || lengthNanos < buckets || lengthNanos % buckets != 0) {
            throw new IllegalArgumentException("window length " + lengthNanos + " ns does not divide into "
                    + buckets + " buckets of whole nanoseconds");
        }
        this.bucketNanos = lengthNanos / buckets;
        this.buckets = buckets;
        this.counters = counters;
        this.ringLength = (buckets + 1) * counters;
        this.pad = padded ? Padding.LONGS : 0;
        empty();
    }

    /** @return the length of a compact array with room for {@code k} buckets */
    private int listLength(int k) {
        return counters + k * (counters + 1);
    }

    /** Forgets everything: an empty list, or an empty ring when even one listed bucket would take more room. */
    private void empty() {
        if (pad == 0 && listLength(1) < ringLength) {
            if (cells != null && cells.length == listLength(1)) {
                Arrays.fill(cells, 0L);
            } else {
                cells = new long[listLength(1)]; // a ring or a grown list gives its memory back
            }
            listed = 0;
        } else {
            if (cells == null) {
                cells = new long[pad + ringLength + pad];
            } else {
                Arrays.fill(cells, 0L);
            }
            listed = -1;
        }
    }

    @Override
    public void add(long tickNanos, long epochMillis, long amount) {
        roll(tickNanos, epochMillis);
        add(0, amount);
    }

    @Override
    public long total(long tickNanos, long epochMillis) {
        roll(tickNanos, epochMillis);
        return total(0);
    }

    @Override
    public long drainedAt(long tickNanos, long epochMillis) {
        roll(tickNanos, epochMillis);
        if (head == EMPTY || isEmpty()) {
            return tickNanos;
        }
        // the newest bucket leaves when bucket head + buckets starts
        long lastIndex = head + buckets;
        if (lastIndex > Long.MAX_VALUE / bucketNanos) {
            return Long.MAX_VALUE;
        }
        return lastIndex * bucketNanos;
    }

    private boolean isEmpty() {
        for (int c = 0; c < counters; c++) {
            if (cells[pad + c] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int counters() {
        return counters;
    }

    @Override
    public void prefetch() {
        Prefetch.use(cells, pad); // racy: the array may be being replaced, which does no harm here
    }

    @Override
    public void roll(long tickNanos, long epochMillis) {
        if (tickNanos < nextBucketAt) {
            return; // index <= head below, known without the division
        }
        // floorDiv, not '/': a ticker reading may be negative, and -1 ns belongs to bucket -1, not bucket 0
        long index = Math.floorDiv(tickNanos, bucketNanos);
        if (index <= head) {
            // same bucket, or the ticker stepped back: stay on the newest bucket rather than write into one
            // that may already have been recycled for a later time
            return;
        }
        long steps = index - head; // negative only on overflow, i.e. from EMPTY or an astronomically large jump
        if (steps < 0 || steps >= buckets) {
            empty(); // everything has left the window
            if (listed < 0) {
                headSlot = (int) Math.floorMod(index, (long) buckets);
            }
        } else if (listed < 0) {
            int slot = headSlot;
            for (long s = 0; s < steps; s++) {
                slot = slot + 1 == buckets ? 0 : slot + 1;
                int base = pad + counters + slot * counters;
                for (int c = 0; c < counters; c++) {
                    cells[pad + c] -= cells[base + c];
                    cells[base + c] = 0L;
                }
            }
            headSlot = slot;
        } else {
            dropListedBefore(index - buckets + 1);
        }
        head = index;
        nextBucketAt = index >= Long.MAX_VALUE / bucketNanos ? Long.MAX_VALUE : (index + 1) * bucketNanos;
    }

    /** Removes the listed buckets older than {@code oldest} from the list and the totals. */
    private void dropListedBefore(long oldest) {
        int stride = counters + 1;
        int gone = 0;
        while (gone < listed && cells[counters + gone * stride] < oldest) {
            int base = counters + gone * stride + 1;
            for (int c = 0; c < counters; c++) {
                cells[c] -= cells[base + c];
            }
            gone++;
        }
        if (gone > 0) {
            int from = counters + gone * stride;
            int kept = (listed - gone) * stride;
            System.arraycopy(cells, from, cells, counters, kept);
            Arrays.fill(cells, counters + kept, counters + listed * stride, 0L);
            listed -= gone;
        }
    }

    @Override
    public void add(int counter, long amount) {
        int bucket = bucketFor(counter, 1);
        long[] cs = cells; // after bucketFor, which may have replaced the array
        cs[pad + counter] += amount;
        cs[bucket] += amount;
    }

    @Override
    public void add(int first, long a, long b) {
        int bucket = bucketFor(first, 2);
        long[] cs = cells; // after bucketFor, which may have replaced the array
        addPair(cs, pad + first, a, b);
        addPair(cs, bucket, a, b);
    }

    @Override
    public void add(int first, long a, long b, long c, long d) {
        int bucket = bucketFor(first, 4);
        long[] cs = cells;
        addPair(cs, pad + first, a, b);
        addPair(cs, pad + first + 2, c, d);
        addPair(cs, bucket, a, b);
        addPair(cs, bucket + 2, c, d);
    }

    /** @return where counter {@code first} of the head bucket lies, once {@code first..first + n} is checked */
    private int bucketFor(int first, int n) {
        // without the check, counter == counters would silently land in another bucket's cell
        Objects.checkFromIndexSize(first, n, counters);
        return headBucket() + first;
    }

    private static void addPair(long[] cs, int at, long a, long b) {
        cs[at] += a;
        cs[at + 1] += b;
    }

    /** @return where the head bucket's first counter lies in {@link #cells}, a listed bucket added if need be */
    private int headBucket() {
        if (listed < 0) {
            return pad + counters + headSlot * counters;
        }
        int stride = counters + 1;
        if (listed == 0 || cells[counters + (listed - 1) * stride] != head) {
            newListedBucket();
            if (listed < 0) {
                return counters + headSlot * counters; // turned into a ring, which a list never is padded
            }
        }
        return counters + (listed - 1) * stride + 1;
    }

    private void newListedBucket() {
        int stride = counters + 1;
        if (listLength(listed + 1) > cells.length) {
            int room = (cells.length - counters) / stride * 2;
            if (listLength(room) >= ringLength) {
                toRing();
                return;
            }
            cells = Arrays.copyOf(cells, listLength(room));
        }
        cells[counters + listed * stride] = head;
        listed++;
    }

    /** Moves the listed buckets into their ring slots. */
    private void toRing() {
        long[] ring = new long[ringLength];
        System.arraycopy(cells, 0, ring, 0, counters);
        int stride = counters + 1;
        for (int j = 0; j < listed; j++) {
            int base = counters + j * stride;
            int slot = (int) Math.floorMod(cells[base], (long) buckets);
            System.arraycopy(cells, base + 1, ring, counters + slot * counters, counters);
        }
        cells = ring;
        listed = -1;
        headSlot = (int) Math.floorMod(head, (long) buckets);
    }

    @Override
    public long total(int counter) {
        Objects.checkIndex(counter, counters);
        return cells[pad + counter];
    }

    @Override
    public String toString() {
        return "SlidingWindow{" + buckets + " x " + bucketNanos + " ns, counters=" + counters + ", head=" + head
                + (listed < 0 ? ", ring" : ", " + listed + " buckets listed") + '}';
    }
}
