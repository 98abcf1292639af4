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
        return new DecisionEvent(seq, ts, "test", Mode.ENFORCE, CallKind.TOOL_CALL, Phase.PRE, decision, scope, tool,
                arguments, null, -1, 0, true, -1, -1, null);
    }

    /**
     * @return a post-call tool event whose outcome is the given text (an error class and message)
     */
    public static DecisionEvent toolPost(long seq, Instant ts, Decision decision, GuardScope scope, String tool,
            String arguments, long latencyNanos, String outcome) {
        return new DecisionEvent(seq, ts, "test", Mode.ENFORCE, CallKind.TOOL_CALL, Phase.POST, decision, scope, tool,
                arguments, Usage.NONE, 0, 0, true, latencyNanos, -1, outcome);
    }

    /**
     * @return a model event of either phase
     */
    public static DecisionEvent model(long seq, Instant ts, Phase phase, Decision decision, GuardScope scope,
            Usage usage, long costNanos, long reservedNanos, boolean priced, long latencyNanos, long ttftNanos,
            String outcome) {
        return new DecisionEvent(seq, ts, "test", Mode.ENFORCE, CallKind.MODEL_CALL, phase, decision, scope, null,
                null, usage, costNanos, reservedNanos, priced, latencyNanos, ttftNanos, outcome);
    }
}
