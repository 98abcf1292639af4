package dev.agentguard.core;

/**
 * The JMX view of a {@link GuardAdmin}, registered as {@code dev.agentguard:type=Guard,name=<guard>} by
 * {@link GuardAdmin#registerMBean()}, so that jconsole, jmxterm or any JVM tool can reach a running guard. Every
 * action takes the operator's identity and a reason, and is recorded as a decision.
 */
public interface GuardAdminMBean {

    /**
     * @return every key the ledger holds for the policy's budgets, one line each: {@code budget[key] used of limit,
     *     reserved, window ends <instant>, suspended until <instant>}
     */
    String[] getBudgetKeys();

    /**
     * Forgets a key's settled spend (reservations in flight and a suspension stay).
     *
     * @param budgetId a budget id
     * @param scopeKey a key at the budget's level
     * @param operator who acts
     * @param reason why
     * @return true if the key held spend
     */
    boolean resetKey(String budgetId, String scopeKey, String operator, String reason);

    /** @return the suspensions in force, one line each: {@code budget scope=key until <instant>} */
    String[] getSuspensions();

    /** @return the last refusals, oldest first, one line each */
    String[] getRecentRefusals();

    /** @return the sessions stopped by an operator */
    String[] getStoppedSessions();

    /**
     * @param budgetId a budget id
     * @param scopeKey the suspended key
     * @param operator who acts
     * @param reason why
     * @return true if a suspension was lifted
     */
    boolean lift(String budgetId, String scopeKey, String operator, String reason);

    /**
     * Grants a key an extra allowance for a while (replacing an earlier grant of that key).
     *
     * @param budgetId a budget id
     * @param scopeKey a key at its level
     * @param amount the extra amount in the budget's unit: decimal dollars ({@code 5.00}), tokens or calls
     * @param duration how long, ISO-8601 ({@code PT2H})
     * @param operator who acts
     * @param reason why
     */
    void grantAllowance(String budgetId, String scopeKey, String amount, String duration, String operator,
            String reason);

    /**
     * @param session a session id: its further model and tool calls are refused
     * @param operator who acts
     * @param reason why
     * @return true if the session was not stopped already
     */
    boolean stopSession(String session, String operator, String reason);

    /**
     * @param session a stopped session
     * @param operator who acts
     * @param reason why
     * @return true if it was stopped
     */
    boolean resumeSession(String session, String operator, String reason);

    /**
     * @param budgetId a budget id
     * @param scopeKey a key at the budget's level
     * @return {@code used/limit reserved=... suspendedUntil=...} of that key
     */
    String describe(String budgetId, String scopeKey);
}
