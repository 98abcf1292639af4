package dev.agentguard.core.audit;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.redact.Redactor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * A bounded ring of the most recent decisions, for status pages and the command line: register it as a
 * listener, read {@link #snapshot()}.
 *
 * <p>Recording costs one atomic increment and one array store on the caller's thread; events are mapped to
 * (redacted) {@link DecisionRecord}s only when read, so nothing raw ever leaves this class. Memory: the last
 * {@code capacity} events. Under concurrent writers a snapshot may miss an event being overwritten at that very
 * moment; it never holds one twice. Thread-safe.
 */
public final class RecentDecisions implements DecisionListener {

    private final AtomicReferenceArray<DecisionEvent> ring;
    private final AtomicLong next = new AtomicLong();
    private final Redactor redactor;

    /**
     * @param capacity how many decisions to keep
     * @param redactor what to remove from texts when records are read
     * @throws IllegalArgumentException if the capacity is not positive
     */
    public RecentDecisions(int capacity, Redactor redactor) {
        if (capacity < 1) {
            throw new IllegalArgumentException("recent decisions capacity must be >= 1, was " + capacity);
        }
        this.ring = new AtomicReferenceArray<>(capacity);
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    /** @param capacity how many decisions to keep, redacted with every built-in class when read */
    public RecentDecisions(int capacity) {
        this(capacity, Redactor.all());
    }

    @Override
    public void onDecision(DecisionEvent event) {
        long i = next.getAndIncrement();
        ring.set((int) (i % ring.length()), event);
    }

    /** @return the decisions kept, oldest first, redacted */
    public List<DecisionRecord> snapshot() {
        return snapshot(r -> true);
    }

    /**
     * @param filter which records to return (say, only refusals, or one session's)
     * @return the matching decisions kept, oldest first, redacted
     */
    public List<DecisionRecord> snapshot(Predicate<DecisionRecord> filter) {
        List<DecisionEvent> events = new ArrayList<>(ring.length());
        for (int i = 0; i < ring.length(); i++) {
            DecisionEvent e = ring.get(i);
            if (e != null) {
                events.add(e);
            }
        }
        events.sort(Comparator.comparingLong(DecisionEvent::seq));
        List<DecisionRecord> out = new ArrayList<>(events.size());
        for (DecisionEvent e : events) {
            DecisionRecord r = DecisionRecord.of(e, redactor);
            if (filter.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** @return how many decisions were ever recorded (kept or overwritten) */
    public long total() {
        return next.get();
    }

    /** @return how many decisions are kept at most */
    public int capacity() {
        return ring.length();
    }

    @Override
    public String toString() {
        return "RecentDecisions{capacity=" + ring.length() + ", total=" + next.get() + '}';
    }
}
