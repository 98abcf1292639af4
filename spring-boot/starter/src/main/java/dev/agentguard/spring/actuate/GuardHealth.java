package dev.agentguard.spring.actuate;

import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.Guard;
import dev.agentguard.core.audit.AuditSink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.springframework.lang.Nullable;

/**
 * The guard's health, independent of any Spring Boot health API: up while every audit sink of the guard writes
 * (a flush completes; records written and lost are in the details) and its ledger answers; down otherwise. Each
 * Boot generation adapts it to its own health indicator type.
 *
 * <p>A check flushes the audit queue, so it waits at most the audit's {@code closeTimeout} for a stuck writer.
 */
public final class GuardHealth {

    /**
     * The outcome of a check.
     *
     * @param up whether the guard can audit and reach its ledger
     * @param details what was checked, for the health response
     */
    public record Result(boolean up, Map<String, Object> details) {
    }

    private final Guard guard;
    private final Predicate<Object> ledgerAvailable;
    /** Taken when built: a closed guard forgets its listeners, and a closed sink must then show as down. */
    private final List<AuditSink> sinks = new ArrayList<>();

    /**
     * @param guard the guard
     * @param ledgerAvailable says whether a ledger answers, or null to count every ledger available (an in-process
     *     ledger always is)
     */
    public GuardHealth(Guard guard, @Nullable Predicate<Object> ledgerAvailable) {
        this.guard = guard;
        this.ledgerAvailable = ledgerAvailable;
        for (DecisionListener l : guard.listeners()) {
            if (l instanceof AuditSink sink) {
                sinks.add(sink);
            }
        }
    }

    /** @return the health now */
    public Result check() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("guard", guard.config().name());
        details.put("mode", guard.config().mode().id());
        boolean up = true;
        for (int i = 0; i < sinks.size(); i++) {
            AuditSink sink = sinks.get(i);
            String prefix = i == 0 ? "audit" : "audit" + i;
            boolean writing = sink.flush();
            details.put(prefix + ".writing", writing);
            details.put(prefix + ".written", sink.writtenRecords());
            details.put(prefix + ".lost", sink.lostRecords());
            up &= writing;
        }
        Object ledger = guard.ledger();
        boolean reachable = ledgerAvailable == null || ledgerAvailable.test(ledger);
        details.put("ledger", ledger.getClass().getSimpleName());
        details.put("ledger.reachable", reachable);
        return new Result(up && reachable, details);
    }
}
