package dev.agentguard.core.common;

import java.util.Locale;

/**
 * What a decision does to a call. Pre-call actions are ordered from the mildest to the tightest; when several
 * rules fire, the tightest wins (see {@link #isTighterThan(Action)}).
 */
public enum Action {
    /** The call goes ahead unchanged. */
    ALLOW,
    /** The call goes ahead; something is worth knowing (a budget share crossed, an unpriced model). */
    WARN,
    /** The call goes ahead on another (cheaper, faster or healthier) model. */
    DOWNGRADE,
    /** The call goes ahead with a shortened prompt. */
    TRUNCATE,
    /** A model call goes ahead without tools, asked for a final answer from what is known: a cap was reached. */
    FINAL_ANSWER,
    /** A tool call is refused and the model is told why, so that it can change course. */
    FEEDBACK,
    /** The call is refused. */
    BLOCK,
    /** The call is refused, and so is every call of its scope until a time. */
    SUSPEND,
    /** Post-call: what happened was recorded. */
    RECORD;

    /** @return the id used in decision records, e.g. {@code block}, {@code finalAnswer} */
    public String id() {
        return this == FINAL_ANSWER ? "finalAnswer" : name().toLowerCase(Locale.ROOT);
    }

    /** @return true if a call with this decision does not go ahead */
    public boolean refuses() {
        return this == FEEDBACK || this == BLOCK || this == SUSPEND;
    }

    /**
     * @param other another pre-call action
     * @return true if this action wins over the other when both fire
     */
    public boolean isTighterThan(Action other) {
        return ordinal() > other.ordinal();
    }
}
