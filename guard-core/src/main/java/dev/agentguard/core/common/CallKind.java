package dev.agentguard.core.common;

/** What kind of call a decision is about. */
public enum CallKind {
    /** A call to a chat model. */
    MODEL_CALL("model_call"),
    /** A call to a tool the agent uses. */
    TOOL_CALL("tool_call"),
    /** Not a call: a change of the guard's policy, applied or rejected ({@link Guard#reconfigure}). */
    POLICY("policy"),
    /** Not a call: something the guard noticed about itself, such as a wall clock that jumped. */
    GUARD("guard");

    private final String id;

    CallKind(String id) {
        this.id = id;
    }

    /** @return the id used in decision records: {@code model_call} or {@code tool_call} */
    public String id() {
        return id;
    }
}
