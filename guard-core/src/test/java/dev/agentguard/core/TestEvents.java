package dev.agentguard.core;

import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Usage;
import java.time.Instant;

/**
 * Builds {@link DecisionEvent}s directly (their constructor is the guard's), for sink tests that need texts no
 * rule would produce: secrets in a reason, an error message in an outcome.
 */
public final class TestEvents {

    private TestEvents() {
    }

    /**
     * @return a pre-call tool event with the given decision and arguments
     */
    public static DecisionEvent toolPre(long seq, Instant ts, Decision decision, GuardScope scope, String tool,
            String arguments) {
        return new DecisionEvent.CallAdmitted(seq, ts.toEpochMilli(), "test", Mode.ENFORCE, CallKind.TOOL_CALL, decision, scope, tool,
                arguments, 0, true, CallRequest.NONE, seq);
    }

    /**
     * @return a post-call tool event whose outcome is the given text (an error class and message)
     */
    public static DecisionEvent toolPost(long seq, Instant ts, Decision decision, GuardScope scope, String tool,
            String arguments, long latencyNanos, String outcome) {
        return new DecisionEvent.CallSettled(seq, ts.toEpochMilli(), "test", Mode.ENFORCE, CallKind.TOOL_CALL, decision, scope, tool,
                arguments, 0, true, Usage.NONE, 0, latencyNanos, -1, outcome, -1, -1, seq);
    }

    /**
     * @return a model event of either phase
     */
    public static DecisionEvent model(long seq, Instant ts, Phase phase, Decision decision, GuardScope scope,
            Usage usage, long costNanos, long reservedNanos, boolean priced, long latencyNanos, long ttftNanos,
            String outcome) {
        if (phase == Phase.PRE) {
            return new DecisionEvent.CallAdmitted(seq, ts.toEpochMilli(), "test", Mode.ENFORCE, CallKind.MODEL_CALL, decision, scope,
                    null, null, reservedNanos, priced, CallRequest.NONE, seq);
        }
        return new DecisionEvent.CallSettled(seq, ts.toEpochMilli(), "test", Mode.ENFORCE, CallKind.MODEL_CALL, decision, scope, null,
                null, reservedNanos, priced, usage, costNanos, latencyNanos, ttftNanos, outcome, -1, -1, seq);
    }

    /** @return the event as a settlement (fails the test if it is not one) */
    public static DecisionEvent.CallSettled settled(DecisionEvent event) {
        if (event instanceof DecisionEvent.CallSettled s) {
            return s;
        }
        throw new AssertionError("not a settlement: " + event);
    }

    /** @return the event as a call event, admission or settlement (fails the test if it is neither) */
    public static DecisionEvent.CallEvent call(DecisionEvent event) {
        if (event instanceof DecisionEvent.CallEvent c) {
            return c;
        }
        throw new AssertionError("not a call event: " + event);
    }

    /** @return the outcome of a settlement; null for any other event */
    public static String outcome(DecisionEvent event) {
        return event instanceof DecisionEvent.CallSettled s ? s.outcome() : null;
    }
}
