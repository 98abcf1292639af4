package dev.agentguard.core.common;

/**
 * Who is calling, as one key per {@link Scope} level: what rules and telemetry need from a
 * {@link GuardScope} without depending on how scopes are opened and carried between threads.
 */
public interface ScopeKeys {

    /** @return the agent, or null when unknown */
    String agent();

    /** @return the session (conversation), or null when unknown */
    String session();

    /** @return the end user, or null when unknown */
    String user();

    /** @return the customer organisation, or null when unknown */
    String tenant();
}
