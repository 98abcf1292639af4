package dev.agentguard.benchmarks;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.common.Phase;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * How the guarded benchmarks spread their calls over sessions, and the check that none of their calls was
 * refused or warned (a figure measured on refusals would flatter the guard).
 *
 * <p>With N sessions and T threads, thread {@code t} calls the sessions of its own block,
 * {@code t * N/T ... (t + 1) * N/T - 1}, in turn, so that threads never share a session (except with one session,
 * which all threads share: the contended case). Each pass over a thread's sessions is one
 * {@link Cursor#round() round}; the benchmarks vary their requests by round, so that no session sees the same
 * request or tool call twice in a row and the loop rules never fire.
 *
 * <p><b>Why blocks.</b> Sessions are created in order before measurement, so the JVM lays session {@code i}'s
 * records next to session {@code i + 1}'s. Threads that took every T-th session ({@code t, t + T...}) walked
 * neighbouring sessions in step, each call writing a cache line the other thread was writing at the same moment:
 * a pattern no real traffic keeps up, which cost two threads a line transfer per call (on the benchmark machine, when
 * its cores were far apart, the two-thread tool call dropped to 1.3-1.5 times one thread; with blocks, 1.9-2.1).
 */
public final class Sessions {

    private Sessions() {
    }

    /** @return the session ids {@code session-0 ... session-(n-1)} */
    static String[] ids(int n) {
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = "session-" + i;
        }
        return ids;
    }

    /**
     * A thread's position (a JMH thread state): which of its sessions comes next, and how many passes it has made
     * over them.
     */
    @State(Scope.Thread)
    public static class Cursor {
        private int thread;
        private int threads;
        private int slot;
        private int perThread;
        private int round;

        /** @param params which thread this is, of how many */
        @Setup(Level.Trial)
        public void setUp(ThreadParams params) {
            place(params.getThreadIndex(), params.getThreadCount());
        }

        /** Makes this the cursor of thread {@code thread} of {@code threads}; for the setup above and for tests. */
        void place(int thread, int threads) {
            this.thread = thread;
            this.threads = threads;
        }

        /**
         * @param sessions how many sessions the benchmark spreads over
         * @return the index of the session to call next
         */
        int next(int sessions) {
            if (perThread == 0) {
                perThread = sessions == 1 ? 1 : Math.max(1, sessions / threads);
            }
            int i = sessions == 1 ? 0 : thread * perThread + slot;
            if (++slot == perThread) {
                slot = 0;
                round++;
            }
            return i;
        }

        /** @return how many passes over its sessions this thread has completed */
        int round() {
            return round;
        }

        /** @return this thread's index, from 0 */
        int thread() {
            return thread;
        }
    }

    /** Counts the decisions that were not a plain allow, so that a trial can fail when there were any. */
    static final class Refusals implements DecisionListener {
        private final LongAdder count = new LongAdder();
        private volatile DecisionEvent first;

        /** Only what is not a plain allow: an application's listener of refusals costs allowed calls no event. */
        @Override
        public boolean wants(Action action) {
            return action != Action.ALLOW && action != Action.RECORD;
        }

        @Override
        public void onDecision(DecisionEvent event) {
            if (event.phase() == Phase.PRE && event.action() != Action.ALLOW) {
                if (first == null) {
                    first = event;
                }
                count.increment();
            }
        }

        /** @throws IllegalStateException if any decision was not an allow */
        void check() {
            if (count.sum() > 0) {
                throw new IllegalStateException(count.sum() + " calls were not simply allowed, so the figures are"
                        + " not those of admitted calls; first: " + first.action() + " " + first.decision().rule()
                        + ": " + first.decision().reason());
            }
        }
    }
}
