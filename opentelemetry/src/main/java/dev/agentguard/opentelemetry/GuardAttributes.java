package dev.agentguard.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The guard's own attributes on a span, and its span events. Money is a decimal string of US dollars (exact, as in
 * the decision records: {@code "0.000125"}), never a floating-point number.
 */
public final class GuardAttributes {

    /** {@code agentguard.action}: the decision's action ({@code allow}, {@code downgrade}, {@code block}...). */
    public static final AttributeKey<String> ACTION = AttributeKey.stringKey("agentguard.action");
    /** {@code agentguard.rule}: the rule that decided, e.g. {@code budgets.session-10m}; absent for a plain allow. */
    public static final AttributeKey<String> RULE = AttributeKey.stringKey("agentguard.rule");
    /** {@code agentguard.reason}: on a span event, the rule's sentence, redacted. */
    public static final AttributeKey<String> REASON = AttributeKey.stringKey("agentguard.reason");
    /** {@code agentguard.cost_usd}: what the call was charged. */
    public static final AttributeKey<String> COST_USD = AttributeKey.stringKey("agentguard.cost_usd");
    /** {@code agentguard.reserved_usd}: the worst case reserved at admission. */
    public static final AttributeKey<String> RESERVED_USD = AttributeKey.stringKey("agentguard.reserved_usd");
    /** {@code agentguard.requested_model}: the model the caller asked for, when the guard sent another. */
    public static final AttributeKey<String> REQUESTED_MODEL = AttributeKey.stringKey("agentguard.requested_model");
    /** {@code agentguard.priced}: false when the model had no known price (absent when it had one). */
    public static final AttributeKey<Boolean> PRICED = AttributeKey.booleanKey("agentguard.priced");
    /** {@code agentguard.shadow}: true when the policy only records (the action was not applied). */
    public static final AttributeKey<Boolean> SHADOW = AttributeKey.booleanKey("agentguard.shadow");
    /**
     * {@code agentguard.outcome}: how a call that did not end well ended: {@code cancelled}, {@code expired},
     * {@code released} or the error's class (absent when it ended well).
     */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("agentguard.outcome");
    /** {@code agentguard.dropped_messages}: after a truncation, the messages dropped. */
    public static final AttributeKey<Long> DROPPED_MESSAGES = AttributeKey.longKey("agentguard.dropped_messages");
    /** {@code agentguard.dropped_tokens}: after a truncation, the (estimated) tokens dropped. */
    public static final AttributeKey<Long> DROPPED_TOKENS = AttributeKey.longKey("agentguard.dropped_tokens");

    /** Name of the span event recorded for each rule that fired (attributes: rule, action, reason). */
    public static final String DECISION_EVENT = "agentguard.decision";
    /** Prefix of {@code error.type} for a call the guard refused: {@code agentguard.block}, ... */
    public static final String REFUSAL_PREFIX = "agentguard.";

    private GuardAttributes() {
    }
}
