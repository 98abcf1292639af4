package dev.agentguard.core.ledger;

/**
 * What a ledger that keeps a bounded number of windows does when a call needs a new window and every window it
 * holds still counts (holds spend within its window, or a reservation). The policy key is
 * {@code telemetry.onFull}; the decision that records it has the rule {@code telemetry.full}.
 */
public enum OnFull {
    /** Forget the window that would expire soonest and has no reservation outstanding: its spend is lost. */
    EVICT_OLDEST("evictOldest"),
    /** Refuse the call that needs the new window: every window held keeps its spend (the default). */
    REFUSE_NEW("refuseNew");

    private final String id;

    OnFull(String id) {
        this.id = id;
    }

    /** @return the policy form: {@code evictOldest} or {@code refuseNew} */
    public String id() {
        return id;
    }
}
