package dev.agentguard.redis;

import java.util.Locale;

/**
 * What {@link RedisBudgetLedger} does while Redis cannot be reached (refused, timed out, stopped). Policy key
 * {@code ledger.redis.onUnavailable}. Whatever the choice, spend settled meanwhile is kept in this process and
 * added to Redis once it answers again.
 */
public enum OnUnavailable {
    /** Refuse every call that needs a budget (the default): no spend goes unchecked. */
    FAIL_CLOSED("failClosed"),
    /** Grant every call without checking the shared budget; its spend is counted once Redis is back. */
    FAIL_OPEN("failOpen"),
    /**
     * Check calls against an in-process ledger that allows this process a stated share of each limit
     * ({@link RedisBudgetLedger.Builder#localShare}), then add what was spent to Redis once it is back.
     */
    LOCAL("local");

    private final String id;

    OnUnavailable(String id) {
        this.id = id;
    }

    /** @return the policy form: {@code failClosed}, {@code failOpen} or {@code local} */
    public String id() {
        return id;
    }

    /**
     * @param id the policy form, case-insensitive
     * @return the constant
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static OnUnavailable of(String id) {
        for (OnUnavailable o : values()) {
            if (o.id.toLowerCase(Locale.ROOT).equals(id.toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new IllegalArgumentException("onUnavailable must be failClosed, failOpen or local, was '" + id + "'");
    }
}
