package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Usage;
import java.time.Instant;

/**
 * One decision of a guard with its context: the data of one decision record (see the decision record in the
 * design: the audit file and the decision log carry the same fields).
 *
 * <p>A {@link Phase#PRE pre} event carries the admission's {@link #decision()}; a {@link Phase#POST post} event
 * records what happened ({@link #action()} is {@link Action#RECORD}) and carries the usage, cost, latency and
 * outcome, plus the pre-call decision it settles. Figures that do not apply are {@code -1} (counts, durations)
 * or null (objects).
 *
 * <p>{@link #toolArguments()} is the raw text the model sent: sinks must redact it before writing it anywhere.
 */
public final class DecisionEvent {

    /** {@link #outcome()} of a successful call. */
    public static final String OK = "ok";
    /** {@link #outcome()} of a call released without a result (cancelled, abandoned, never made). */
    public static final String RELEASED = "released";
    /** Outcome of a call the caller cancelled before it ended (a stream abandoned through its handle). */
    public static final String CANCELLED = "cancelled";
    /** Outcome of a call whose reservation outlived its lease: charged its worst case. */
    public static final String EXPIRED = "expired";
    /** Outcome of a settlement that came after the lease had ended the call: recorded, not counted. */
    public static final String LATE = "late";

    private final long seq;
    private final Instant timestamp;
    private final String guard;
    private final Mode mode;
    private final CallKind kind;
    private final Phase phase;
    private final Decision decision;
    private final GuardScope scope;
    private final String tool;
    private final String toolArguments;
    private final Usage usage;
    private final long costNanos;
    private final long reservedNanos;
    private final boolean priced;
    private final long latencyNanos;
    private final long ttftNanos;
    private final String outcome;
    private final int droppedMessages;
    private final long droppedTokens;

    DecisionEvent(long seq, Instant timestamp, String guard, Mode mode, CallKind kind, Phase phase, Decision decision,
            GuardScope scope, String tool, String toolArguments, Usage usage, long costNanos, long reservedNanos,
            boolean priced, long latencyNanos, long ttftNanos, String outcome) {
        this(seq, timestamp, guard, mode, kind, phase, decision, scope, tool, toolArguments, usage, costNanos,
                reservedNanos, priced, latencyNanos, ttftNanos, outcome, -1, -1);
    }

    DecisionEvent(long seq, Instant timestamp, String guard, Mode mode, CallKind kind, Phase phase, Decision decision,
            GuardScope scope, String tool, String toolArguments, Usage usage, long costNanos, long reservedNanos,
            boolean priced, long latencyNanos, long ttftNanos, String outcome, int droppedMessages,
            long droppedTokens) {
        this.seq = seq;
        this.timestamp = timestamp;
        this.guard = guard;
        this.mode = mode;
        this.kind = kind;
        this.phase = phase;
        this.decision = decision;
        this.scope = scope;
        this.tool = tool;
        this.toolArguments = toolArguments;
        this.usage = usage;
        this.costNanos = costNanos;
        this.reservedNanos = reservedNanos;
        this.priced = priced;
        this.latencyNanos = latencyNanos;
        this.ttftNanos = ttftNanos;
        this.outcome = outcome;
        this.droppedMessages = droppedMessages;
        this.droppedTokens = droppedTokens;
    }

    /** @return the per-process sequence number, increasing */
    public long seq() {
        return seq;
    }

    /** @return when the decision was taken (the guard's clock) */
    public Instant timestamp() {
        return timestamp;
    }

    /** @return the guard's (policy's) name */
    public String guard() {
        return guard;
    }

    /** @return the guard's mode */
    public Mode mode() {
        return mode;
    }

    /** @return model call or tool call */
    public CallKind kind() {
        return kind;
    }

    /** @return admission or settlement */
    public Phase phase() {
        return phase;
    }

    /** @return the pre-call action, or {@link Action#RECORD} for a post event */
    public Action action() {
        return phase == Phase.PRE ? decision.action() : Action.RECORD;
    }

    /** @return the admission's decision (for a post event: the decision of the call it settles) */
    public Decision decision() {
        return decision;
    }

    /** @return who called */
    public GuardScope scope() {
        return scope;
    }

    /** @return the model actually used; null for a tool call */
    public String model() {
        return decision.model();
    }

    /** @return the model asked for; null for a tool call */
    public String requestedModel() {
        return decision.requestedModel();
    }

    /** @return the tool name; null for a model call */
    public String tool() {
        return tool;
    }

    /** @return the tool's raw arguments (redact before writing!); null for a model call */
    public String toolArguments() {
        return toolArguments;
    }

    /** @return post: the usage as reported (unknown counts stay unknown); pre: null */
    public Usage usage() {
        return usage;
    }

    /** @return post: the cost counted for the call in nano-dollars; pre: -1 */
    public long costNanos() {
        return costNanos;
    }

    /** @return the worst-case cost reserved at admission, in nano-dollars (0 when nothing was reserved) */
    public long reservedNanos() {
        return reservedNanos;
    }

    /** @return false if the model's price was unknown (cost budgets could not count the call exactly) */
    public boolean priced() {
        return priced;
    }

    /** @return post: the call's total latency in nanoseconds; otherwise -1 */
    public long latencyNanos() {
        return latencyNanos;
    }

    /** @return post, streaming: time to the first token in nanoseconds; otherwise -1 */
    public long ttftNanos() {
        return ttftNanos;
    }

    /**
     * @return post: {@link #OK}, {@link #RELEASED}, {@link #CANCELLED}, {@link #EXPIRED}, {@link #LATE} or the
     *     error's class name; pre: null
     */
    public String outcome() {
        return outcome;
    }

    /**
     * @return post, after a {@link Action#TRUNCATE}: how many messages the caller dropped to fit the prompt (see
     *     {@link Admission#truncated(int, long)}); otherwise -1
     */
    public int droppedMessages() {
        return droppedMessages;
    }

    /** @return post, after a {@link Action#TRUNCATE}: the estimated tokens the caller dropped; otherwise -1 */
    public long droppedTokens() {
        return droppedTokens;
    }

    @Override
    public String toString() {
        return "DecisionEvent{#" + seq + ' ' + kind.id() + ' ' + phase.id() + ' ' + action().id()
                + (tool == null ? " model=" + model() : " tool=" + tool) + " session=" + scope.session()
                + (phase == Phase.PRE ? " " + decision : " outcome=" + outcome) + '}';
    }
}
