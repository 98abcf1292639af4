package dev.agentguard.core;

import dev.agentguard.core.common.Action;

/**
 * Receives every decision of a {@link Guard}: the pre-call decision of each admission and the post-call record
 * of each settlement, failure or release.
 *
 * <p>Listeners run on the calling thread, after the guard's own bookkeeping and outside any lock; keep them
 * quick (hand I/O to another thread, as the audit sink does). A listener that throws is logged at WARN and
 * isolated: the call, the accounting and the other listeners go on. A listener that is also
 * {@link AutoCloseable} is closed by {@link Guard#close()}.
 *
 * <p>A listener that reads only some actions says which in {@link #wants}: the guard builds no event that no
 * listener wants, and draws no sequence number for it, so that a listener of refusals only (or a decision log
 * whose DEBUG level is off) costs allowed calls nothing.
 */
@FunctionalInterface
public interface DecisionListener {

    /**
     * @param event the decision and its context; new fields may be added to the event without breaking
     *     implementations
     */
    void onDecision(DecisionEvent event);

    /**
     * Whether this listener wants the events of decisions with this action now. The guard asks before it builds an
     * event and calls {@link #onDecision} only on the listeners that said yes; the answer may change over time (a
     * log level turned on), and is asked again for every event.
     *
     * @param action the event's {@link DecisionEvent#action()}: the decision's action at admission, {@link
     *     Action#RECORD} for a settlement
     * @return true (the default) if {@link #onDecision} should see such events
     */
    default boolean wants(Action action) {
        return true;
    }
}
