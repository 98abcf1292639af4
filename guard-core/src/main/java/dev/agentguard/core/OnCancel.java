package dev.agentguard.core;

/**
 * What a model call that ends without reported usage is charged: a stream the caller cancelled, a call that failed
 * or timed out before the provider said what it billed. The policy key is {@code streaming.onCancel}. A call whose
 * provider did report usage is charged that usage, whatever this says.
 */
public enum OnCancel {
    /**
     * The call's worst case, as reserved: its prompt and its whole output cap (the default). The provider may
     * have generated, and will bill, output that never reached the caller.
     */
    WORST_CASE("worstCase"),
    /** The prompt, plus the output received before the end (estimated from its text; none for a failed call). */
    RECEIVED("received");

    private final String id;

    OnCancel(String id) {
        this.id = id;
    }

    /** @return the policy form: {@code worstCase} or {@code received} */
    public String id() {
        return id;
    }
}
