package dev.agentguard.core;

/**
 * Receives every decision of a {@link Guard}: the pre-call decision of each admission and the post-call record
 * of each settlement, failure or release.
 *
 * <p>Listeners run on the calling thread, after the guard's own bookkeeping and outside any lock; keep them
 * quick (hand I/O to another thread, as the audit sink does). A listener that throws is logged at WARN and
 * isolated: the call, the accounting and the other listeners go on. A listener that is also
 * {@link AutoCloseable} is closed by {@link Guard#close()}.
 */
@FunctionalInterface
public interface DecisionListener {

    /**
     * @param event the decision and its context; new fields may be added to the event without breaking
     *     implementations
     */
    void onDecision(DecisionEvent event);
}
