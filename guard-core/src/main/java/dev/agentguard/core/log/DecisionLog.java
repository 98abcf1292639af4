package dev.agentguard.core.log;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.audit.DecisionRecord;
import dev.agentguard.core.redact.Redactor;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The decision log: one SLF4J event per decision on the logger {@value #LOGGER_NAME}.
 *
 * <p>The message is a sentence a person can scan:
 * <pre>
 * BLOCK tool_call search_web session=s-42 rule=loops.identicalToolCalls: identical call to search_web repeated 5 times (limit 5)
 * DOWNGRADE model_call gpt-4o-&gt;gpt-4o-mini session=s-42 rule=budgets.session-10m: session budget ... using gpt-4o-mini instead of gpt-4o
 * RECORD model_call gpt-4o-mini session=s-42: ok in 840 ms, cost $0.00041 (reserved $0.0012)
 * </pre>
 * and the fields of the decision record ({@link DecisionRecord}, redacted) travel as SLF4J 2 key-values, so that
 * a JSON encoder such as logstash-logback-encoder renders them as fields. Levels: {@code allow} and
 * {@code record} DEBUG; {@code warn}, {@code downgrade}, {@code truncate}, {@code finalAnswer} and {@code feedback} INFO;
 * {@code block} and {@code suspend} WARN.
 *
 * <p>Never throws: should the record of an event fail to build, the decision is logged without its texts (no
 * text is ever logged unredacted) and the caller's call goes on.
 *
 * <p>Cost: when the level of an event is disabled, nothing is built (one level check, made by the guard before
 * it builds the event, see {@link #wants}). Otherwise the record is
 * mapped once, tool arguments redacted first, on the calling thread; what the backend does with the event is the
 * backend's business (use an asynchronous appender if it writes to a slow place).
 */
public final class DecisionLog implements DecisionListener {

    /** The logger every decision goes to. */
    public static final String LOGGER_NAME = DecisionRecord.DECISION_LOGGER;

    private final Logger logger;
    private final Redactor redactor;

    /** A decision log that applies every built-in redaction class. */
    public DecisionLog() {
        this(Redactor.all());
    }

    /** @param redactor what to remove from texts before they are logged */
    public DecisionLog(Redactor redactor) {
        this(LoggerFactory.getLogger(LOGGER_NAME), redactor);
    }

    DecisionLog(Logger logger, Redactor redactor) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    /**
     * @param action a decision's action
     * @return the level its decision log event is logged at
     */
    public static Level levelOf(Action action) {
        switch (action) {
            case ALLOW:
            case RECORD:
                return Level.DEBUG;
            case BLOCK:
            case SUSPEND:
                return Level.WARN;
            default:
                return Level.INFO;
        }
    }

    /** @return whether this action's level is enabled: else the guard builds no event for this log */
    @Override
    public boolean wants(Action action) {
        return logger.isEnabledForLevel(levelOf(action));
    }

    @Override
    public void onDecision(DecisionEvent event) {
        Level level = levelOf(event.action());
        if (logger.isEnabledForLevel(level)) { // the check alone, small enough to inline where events are published
            log(event, level);
        }
    }

    private void log(DecisionEvent event, Level level) {
        LoggingEventBuilder b;
        try {
            DecisionRecord record = DecisionRecord.of(event, redactor);
            b = logger.atLevel(level).setMessage(message(record, event.phase()));
            record.forEach(b::addKeyValue);
        } catch (RuntimeException | StackOverflowError e) {
            // whatever the texts of the event do to the mapping, the caller's call goes on and the decision is
            // still logged: without its texts, which are what could not be redacted
            b = logger.atLevel(level).setMessage(event.action().id().toUpperCase(java.util.Locale.ROOT) + ' '
                    + event.kind().id() + " decision #" + event.seq() + ": its record could not be built ("
                    + e.getClass().getName() + "); logged without its texts")
                    .addKeyValue("seq", event.seq()).addKeyValue("rule", event.decision().rule());
        }
        b.log();
    }

    /**
     * The sentence of a record: action, kind, target, session, rule and reason (pre), or what happened (post).
     *
     * @param r the record
     * @param phase its phase
     * @return the message
     */
    static String message(DecisionRecord r, Phase phase) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(r.action().toUpperCase(java.util.Locale.ROOT));
        if (r.shadow()) {
            sb.append(" (shadow)");
        }
        sb.append(' ').append(r.get("kind")).append(' ');
        // identifiers come from callers and models: a newline in a session id must not start a forged log line
        if (r.tool() != null) {
            printable(sb, r.tool());
        } else if (r.requestedModel() != null && !r.requestedModel().equals(r.model())) {
            printable(sb, r.requestedModel());
            printable(sb.append("->"), r.model());
        } else {
            printable(sb, r.model());
        }
        if (r.session() != null) {
            printable(sb.append(" session="), r.session());
        } else if (r.agent() != null) {
            printable(sb.append(" agent="), r.agent());
        }
        if (phase == Phase.PRE) {
            if (r.rule() != null) {
                printable(sb.append(" rule="), r.rule());
            }
            return printable(sb.append(": "), r.reason()).toString();
        }
        printable(sb.append(": "), r.outcome());
        if (r.latencyMs() != null) {
            sb.append(" in ").append(r.latencyMs()).append(" ms");
        }
        if (r.costUsd() != null) {
            sb.append(", cost $").append(r.costUsd()).append(" (reserved $").append(r.get("reservedUsd")).append(')');
        }
        return sb.toString();
    }

    /**
     * Appends a text with its control characters escaped ({@code \n} as {@code \\n}, others as
     * {@code \\uXXXX}), so that one decision is one log line whatever its identifiers hold.
     *
     * @return the builder
     */
    static StringBuilder printable(StringBuilder sb, String text) {
        if (text == null) {
            return sb.append("null");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb;
    }

    @Override
    public String toString() {
        return "DecisionLog{" + LOGGER_NAME + ", " + redactor + '}';
    }
}
