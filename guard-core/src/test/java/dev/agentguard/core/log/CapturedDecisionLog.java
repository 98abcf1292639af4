package dev.agentguard.core.log;

/**
 * Captures what the decision log ({@link DecisionLog#LOGGER_NAME}) writes during each test, every level from
 * DEBUG, without passing it on to the console; the logger is restored after the test. Register it with
 * {@code @RegisterExtension}.
 */
public final class CapturedDecisionLog extends CapturedLog {

    /** Captures {@link DecisionLog#LOGGER_NAME}. */
    public CapturedDecisionLog() {
        super(DecisionLog.LOGGER_NAME);
    }
}
