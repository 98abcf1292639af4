package dev.agentguard.core.audit;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Counts the decision records an audit sink did not write, remembers why, and says so on the decision logger
 * (WARN, rule {@value AuditSink#RULE_LOSS}). Losses not yet reported in the file itself are {@link #unreported()}
 * until the writer puts an {@code audit.loss} record there. Thread-safe: callers count, the writer reports.
 */
final class LossAccounting {

    static final Logger LOG = LoggerFactory.getLogger(DecisionRecord.DECISION_LOGGER);

    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong unreported = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile String cause = "";

    /** One record was not written. */
    void lose(String why) {
        cause = why;
        lost.incrementAndGet();
        unreported.incrementAndGet();
    }

    /** One record was not written, and a record in the file says so already (an {@code audit.error}). */
    void loseReported(String why) {
        cause = why;
        lost.incrementAndGet();
    }

    /** Records buffered but not flushed when the file failed, and loss notices that went with them. */
    void lostBuffered(long records, long noticed, String why) {
        cause = why;
        lost.addAndGet(records);
        unreported.addAndGet(records + noticed);
    }

    void cause(String why) {
        cause = why;
    }

    String cause() {
        return cause;
    }

    void written(long records) {
        written.addAndGet(records);
    }

    long lost() {
        return lost.get();
    }

    long written() {
        return written.get();
    }

    long unreported() {
        return unreported.get();
    }

    /** @return the losses not reported in the file, now taken to report */
    long takeUnreported() {
        return unreported.getAndSet(0);
    }

    /** A report that could not be written: its losses are still to report. */
    void giveBack(long n) {
        unreported.addAndGet(n);
    }

    /** Logs a loss notice at WARN on the decision logger, with its fields as key-values. */
    static void warn(DecisionRecord notice) {
        String what = AuditSink.RULE_ERROR.equals(notice.rule()) ? "AUDIT ERROR" : "AUDIT LOSS";
        LoggingEventBuilder b = LOG.atWarn().setMessage(what + " rule=" + notice.rule() + ": " + notice.reason());
        notice.forEach(b::addKeyValue);
        b.log();
    }
}
