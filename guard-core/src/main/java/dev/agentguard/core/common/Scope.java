package dev.agentguard.core.common;

/**
 * The level at which telemetry is kept and a budget applies.
 *
 * <p>A budget on {@link #SESSION} keeps one window per session; a budget on {@link #GLOBAL} keeps one for the
 * whole process. The key of a call at a level comes from its {@link ScopeKeys} (a {@code GuardScope}) (or, for {@link #MODEL}, the
 * model name); a call whose key is unknown at a level (no user set, say) is not counted against that level's
 * budgets.
 */
public enum Scope {
    /** The whole process (or, with a fleet-wide ledger, the whole fleet). */
    GLOBAL,
    /** One agent, e.g. one AI-service interface. */
    AGENT,
    /** One conversation, e.g. one {@code @MemoryId}. */
    SESSION,
    /** One end user. */
    USER,
    /** One customer organisation. */
    TENANT,
    /** One model name, across all callers. */
    MODEL;

    /** The key of the single {@link #GLOBAL} bucket. */
    public static final String GLOBAL_KEY = "*";

    /**
     * Returns the key of a call at this level.
     *
     * @param scope who is calling
     * @param model the model used, or null for a tool call
     * @return the key, or null when the call has none at this level
     */
    public String keyOf(ScopeKeys scope, String model) {
        return switch (this) {
            case GLOBAL -> GLOBAL_KEY;
            case AGENT -> scope.agent();
            case SESSION -> scope.session();
            case USER -> scope.user();
            case TENANT -> scope.tenant();
            case MODEL -> model;
        };
    }

    /** @return the lower-case name used in policies and decision records, e.g. {@code session} */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
