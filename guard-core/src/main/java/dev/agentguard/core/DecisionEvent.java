package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Usage;
import java.time.Instant;
import java.util.Objects;

/**
 * One decision of a guard with its context: the data of one decision record (see the decision record in the
 * design: the audit file and the decision log carry the same fields).
 *
 * <p>A sealed set of records, one per kind of decision, each carrying only what applies to it:
 * <ul>
 *   <li>{@link CallAdmitted}: the pre-call decision of an admission (model or tool call);</li>
 *   <li>{@link CallSettled}: what happened to an admitted call (action {@link Action#RECORD}): usage, cost,
 *       latency and outcome, with the admission's decision it settles;</li>
 *   <li>{@link PolicyChanged}: a policy applied or rejected ({@link Guard#reconfigure}, {@link Guard#rejectPolicy});</li>
 *   <li>{@link GuardNotice}: something the guard noticed about itself, not about one call (a clock jump).</li>
 * </ul>
 * Listeners switch on the type ({@code if (event instanceof DecisionEvent.CallSettled s) ...}); what every event
 * has is on this interface.
 *
 * <p>{@link CallEvent#toolArguments()} is the raw text the model sent: sinks must redact it before writing it
 * anywhere.
 */
public sealed interface DecisionEvent {

    /** {@link CallSettled#outcome()} of a successful call. */
    String OK = "ok";
    /** {@link CallSettled#outcome()} of a call released without a result (cancelled, abandoned, never made). */
    String RELEASED = "released";
    /** Outcome of a call the caller cancelled before it ended (a stream abandoned through its handle). */
    String CANCELLED = "cancelled";
    /** Outcome of a call whose reservation outlived its lease: charged its worst case. */
    String EXPIRED = "expired";
    /** Outcome of a settlement that came after the lease had ended the call: recorded, not counted. */
    String LATE = "late";

    /** @return the sequence number, increasing in the order the guard decided */
    long seq();

    /** @return when the decision was taken (the guard's clock), in milliseconds since the epoch */
    long epochMillis();

    /** @return when the decision was taken (the guard's clock) */
    default Instant timestamp() {
        return Instant.ofEpochMilli(epochMillis());
    }

    /** @return the guard's (policy's) name */
    String guard();

    /** @return the guard's mode */
    Mode mode();

    /** @return what was decided: for a settlement, the decision of the call it settles */
    Decision decision();

    /** @return model call, tool call, policy or guard */
    CallKind kind();

    /** @return admission ({@link Phase#PRE}) or settlement ({@link Phase#POST}) */
    default Phase phase() {
        return Phase.PRE;
    }

    /** @return the action taken, or {@link Action#RECORD} for a settlement */
    default Action action() {
        return decision().action();
    }

    /** @return who called; {@link GuardScope#NONE} for a decision about no call */
    default GuardScope scope() {
        return GuardScope.NONE;
    }

    /** What admission and settlement events of one call share. */
    sealed interface CallEvent extends DecisionEvent {

        /** @return the tool name; null for a model call */
        String tool();

        /** @return the tool's raw arguments (redact before writing!); null for a model call */
        String toolArguments();

        /** @return the worst-case cost reserved at admission, in nano-dollars (0 when nothing was reserved) */
        long reservedNanos();

        /** @return false if the model's price was unknown (cost budgets could not count the call exactly) */
        boolean priced();

        /**
         * @return the call's id: its admission and its settlement (or expiry) carry the same one, unique among the
         *     calls of its guard, so that an observer can pair them whatever thread each runs on: the {@link #seq()}
         *     of its admission; 0 when not known (a call whose admission event no listener wanted, see
         *     {@link DecisionListener#wants})
         */
        long callId();

        /** @return the model actually used; null for a tool call */
        default String model() {
            return decision().model();
        }

        /** @return the model asked for; null for a tool call */
        default String requestedModel() {
            return decision().requestedModel();
        }
    }

    /**
     * The pre-call decision of an admission.
     *
     * @param seq the guard's sequence number
     * @param epochMillis when it was decided, ms since the epoch
     * @param guard the policy's name
     * @param mode enforce or shadow
     * @param kind {@link CallKind#MODEL_CALL} or {@link CallKind#TOOL_CALL}
     * @param decision what was decided
     * @param scope who called
     * @param tool the tool, or null for a model call
     * @param toolArguments the tool's raw arguments, or null
     * @param reservedNanos the worst case reserved, nano-dollars
     * @param priced false if the model's price was unknown
     * @param request what the caller asked for ({@link CallRequest#NONE} when not known)
     * @param callId the call's id, the same on its settlement
     */
    record CallAdmitted(long seq, long epochMillis, String guard, Mode mode, CallKind kind, Decision decision,
            GuardScope scope, String tool, String toolArguments, long reservedNanos, boolean priced,
            CallRequest request, long callId) implements CallEvent {

        /** Checks what every reader relies on. */
        public CallAdmitted {
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(scope, "scope");
            request = request == null ? CallRequest.NONE : request;
        }

        /**
         * An admission without its request ({@link CallRequest#NONE}) or call id (0).
         *
         * @param seq the guard's sequence number
         * @param epochMillis when it was decided, ms since the epoch
         * @param guard the policy's name
         * @param mode enforce or shadow
         * @param kind {@link CallKind#MODEL_CALL} or {@link CallKind#TOOL_CALL}
         * @param decision what was decided
         * @param scope who called
         * @param tool the tool, or null for a model call
         * @param toolArguments the tool's raw arguments, or null
         * @param reservedNanos the worst case reserved, nano-dollars
         * @param priced false if the model's price was unknown
         */
        public CallAdmitted(long seq, long epochMillis, String guard, Mode mode, CallKind kind, Decision decision,
                GuardScope scope, String tool, String toolArguments, long reservedNanos, boolean priced) {
            this(seq, epochMillis, guard, mode, kind, decision, scope, tool, toolArguments, reservedNanos, priced,
                    CallRequest.NONE, 0);
        }

        @Override
        public String toString() {
            return "CallAdmitted{#" + seq + ' ' + kind.id() + ' ' + action().id()
                    + (tool == null ? " model=" + model() : " tool=" + tool) + " session=" + scope.session() + ' '
                    + decision + '}';
        }
    }

    /**
     * What happened to an admitted call: settled, failed, cancelled, released, expired or late.
     *
     * @param seq the guard's sequence number
     * @param epochMillis when it was recorded, ms since the epoch
     * @param guard the policy's name
     * @param mode enforce or shadow
     * @param kind {@link CallKind#MODEL_CALL} or {@link CallKind#TOOL_CALL}
     * @param decision the decision of the call settled (its model is the model used)
     * @param scope who called
     * @param tool the tool, or null for a model call
     * @param toolArguments the tool's raw arguments, or null
     * @param reservedNanos the worst case reserved at admission, nano-dollars
     * @param priced false if the model's price was unknown
     * @param usage the usage as reported (unknown counts stay unknown); null when the call ended without one
     *     (released, expired)
     * @param costNanos the cost counted for the call, nano-dollars
     * @param latencyNanos the call's total latency in nanoseconds; -1 when it was never made (released)
     * @param ttftNanos time to the first token of a streamed call in nanoseconds; -1 when not streamed or unknown
     * @param outcome {@link #OK}, {@link #RELEASED}, {@link #CANCELLED}, {@link #EXPIRED}, {@link #LATE} or the
     *     error's class name
     * @param droppedMessages after a {@link Action#TRUNCATE}: how many messages the caller dropped to fit the
     *     prompt ({@link Admission#truncated(int, long)}); -1 when the caller reported none
     * @param droppedTokens after a {@link Action#TRUNCATE}: the estimated tokens dropped; -1 when none reported
     * @param callId the id of the call settled, the same as on its admission
     */
    record CallSettled(long seq, long epochMillis, String guard, Mode mode, CallKind kind, Decision decision,
            GuardScope scope, String tool, String toolArguments, long reservedNanos, boolean priced, Usage usage,
            long costNanos, long latencyNanos, long ttftNanos, String outcome, int droppedMessages,
            long droppedTokens, long callId) implements CallEvent {

        /** Checks what every reader relies on. */
        public CallSettled {
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(outcome, "outcome");
        }

        /**
         * A settlement without its call id (0), for events built outside a guard.
         *
         * @param seq the guard's sequence number
         * @param epochMillis when it was recorded, ms since the epoch
         * @param guard the policy's name
         * @param mode enforce or shadow
         * @param kind {@link CallKind#MODEL_CALL} or {@link CallKind#TOOL_CALL}
         * @param decision the decision of the call settled
         * @param scope who called
         * @param tool the tool, or null for a model call
         * @param toolArguments the tool's raw arguments, or null
         * @param reservedNanos the worst case reserved at admission, nano-dollars
         * @param priced false if the model's price was unknown
         * @param usage the usage as reported, or null
         * @param costNanos the cost counted for the call, nano-dollars
         * @param latencyNanos the call's total latency in nanoseconds, or -1
         * @param ttftNanos time to the first token in nanoseconds, or -1
         * @param outcome how the call ended
         * @param droppedMessages messages dropped by a truncation, or -1
         * @param droppedTokens tokens dropped by a truncation, or -1
         */
        public CallSettled(long seq, long epochMillis, String guard, Mode mode, CallKind kind, Decision decision,
                GuardScope scope, String tool, String toolArguments, long reservedNanos, boolean priced, Usage usage,
                long costNanos, long latencyNanos, long ttftNanos, String outcome, int droppedMessages,
                long droppedTokens) {
            this(seq, epochMillis, guard, mode, kind, decision, scope, tool, toolArguments, reservedNanos, priced,
                    usage, costNanos, latencyNanos, ttftNanos, outcome, droppedMessages, droppedTokens, 0);
        }

        @Override
        public Phase phase() {
            return Phase.POST;
        }

        @Override
        public Action action() {
            return Action.RECORD;
        }

        @Override
        public String toString() {
            return "CallSettled{#" + seq + ' ' + kind.id() + (tool == null ? " model=" + model() : " tool=" + tool)
                    + " session=" + scope.session() + " outcome=" + outcome + " cost=" + costNanos + '}';
        }
    }

    /**
     * A policy applied (action allow) or rejected (action warn), rule {@value Guard#RULE_POLICY_RELOAD}.
     *
     * @param seq the guard's sequence number
     * @param epochMillis when, ms since the epoch
     * @param guard the name of the policy in force afterwards
     * @param mode its mode
     * @param decision the action, rule and reason
     */
    record PolicyChanged(long seq, long epochMillis, String guard, Mode mode, Decision decision)
            implements DecisionEvent {

        /** Checks what every reader relies on. */
        public PolicyChanged {
            Objects.requireNonNull(decision, "decision");
        }

        @Override
        public CallKind kind() {
            return CallKind.POLICY;
        }
    }

    /**
     * Something the guard noticed about itself, not about one call: a wall clock that jumped, say.
     *
     * @param seq the guard's sequence number
     * @param epochMillis when, ms since the epoch
     * @param guard the policy's name
     * @param mode its mode
     * @param decision the action, rule, reason and figures
     */
    record GuardNotice(long seq, long epochMillis, String guard, Mode mode, Decision decision)
            implements DecisionEvent {

        /** Checks what every reader relies on. */
        public GuardNotice {
            Objects.requireNonNull(decision, "decision");
        }

        @Override
        public CallKind kind() {
            return CallKind.GUARD;
        }
    }
}
