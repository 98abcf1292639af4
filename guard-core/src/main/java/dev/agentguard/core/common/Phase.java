package dev.agentguard.core.common;

/** When a decision event is published. */
public enum Phase {
    /** Before the call: admission. */
    PRE,
    /** After the call: settlement (success, failure or release). */
    POST;

    /** @return {@code pre} or {@code post} */
    public String id() {
        return this == PRE ? "pre" : "post";
    }
}
