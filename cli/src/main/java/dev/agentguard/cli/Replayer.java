package dev.agentguard.cli;

import dev.agentguard.core.Admission;
import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.agentguard.core.ToolCall;
import dev.agentguard.core.common.Usage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Feeds recorded calls through a guard built from a candidate policy, on recorded time, and tallies what would have
 * changed. One pass in time order: each admission record is admitted again; each settlement record settles the
 * replayed call it belongs to (the oldest open call of the same session, kind and model or tool) with the recorded
 * usage, latency and outcome, priced as the candidate would have (a downgrade is cheaper).
 *
 * <p>What a recording cannot tell is decided here, and stated in {@code --help}: a call the recording refused but
 * the candidate admits has no recorded usage, so it is charged its worst case (prompt plus output cap); a failure is
 * replayed as an error whose message is the recorded error class (messages are not recorded). Version-1 records have
 * no prompt size: their calls are replayed with a prompt of 0 tokens (settlements stay exact) and counted. Calls
 * that raced for one budget are in the file in the order their decisions were published, not always the order in
 * which they reserved, so replay may refuse a different one of them.
 */
final class Replayer implements AuditReader.RecordConsumer {

    private final ReplayTime time = new ReplayTime();
    private final Guard guard;
    private final Map<String, Deque<Pending>> open = new HashMap<>();

    final ReplayTally tally = new ReplayTally();

    private record Pending(Admission replayed) {
    }

    /** An error replayed from its recorded class name. */
    static final class ReplayedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplayedFailure(String outcome) {
            super(outcome, null, false, false);
        }
    }

    Replayer(GuardConfig candidate) {
        this.guard = Guard.builder(candidate).ticker(time).clock(time).listener(this::settled).build();
    }

    private void settled(DecisionEvent e) {
        if (e instanceof DecisionEvent.CallSettled s && s.costNanos() > 0) {
            tally.replayedSpendNanos += s.costNanos();
        }
    }

    /** Releases what is still open (calls whose settlement is not in the files) and closes the guard. */
    void finish() {
        open.values().forEach(q -> q.forEach(p -> p.replayed().release()));
        open.clear();
        guard.close();
    }

    @Override
    public void accept(AuditRecord r) {
        if (!r.isModelCall() && !r.isToolCall()) {
            return;
        }
        time.moveTo(r.tsMillis);
        if (r.isPre()) {
            admit(r);
        } else if (r.isPost()) {
            settle(r);
        }
    }

    private static String key(AuditRecord r, String subject) {
        return r.session + '\u0000' + r.agent + '\u0000' + r.kind + '\u0000' + subject;
    }

    private static String subject(AuditRecord r) {
        return r.isToolCall() ? r.tool : r.requestedModel != null ? r.requestedModel : r.model;
    }

    private void admit(AuditRecord r) {
        tally.decisions++;
        GuardScope scope = GuardScope.builder().agent(r.agent).session(r.session).user(r.user).tenant(r.tenant)
                .turn(r.turn).build();
        Admission a;
        if (r.isModelCall()) {
            ModelCall.Builder call = ModelCall.builder(subject(r)).scope(scope).provider(r.provider)
                    .continuesToolResult(r.continuesToolResult);
            if (r.promptTokens >= 0) {
                call.promptTokens(r.promptTokens);
            } else {
                tally.version1++;
                call.promptTokens(0);
            }
            if (r.maxOutputTokens > 0) {
                call.maxOutputTokens(r.maxOutputTokens);
            }
            if (r.requestFingerprint != null) {
                call.requestFingerprint(Long.parseUnsignedLong(r.requestFingerprint, 16));
            }
            a = guard.admitModelCall(call.build());
        } else {
            String arguments = r.argumentsFingerprint != null ? "{\"fingerprint\":\"" + r.argumentsFingerprint + "\"}"
                    : r.arguments;
            if (r.argumentsFingerprint == null) {
                tally.version1++;
            }
            a = guard.admitToolCall(ToolCall.of(scope, r.tool, arguments));
        }
        compare(r, a);
        boolean recordedProceeds = r.shadow || !ReportData.refuses(r.action);
        if (recordedProceeds) {
            open.computeIfAbsent(key(r, subject(r)), k -> new ArrayDeque<>()).addLast(new Pending(a));
        } else if (a.proceeds()) {
            // refused in the recording: nothing was sent, so there is no usage to replay; count its worst case
            tally.withoutRecordedUsage++;
            if (r.isModelCall()) {
                a.settle(Usage.NONE, 0, -1);
            } else {
                a.complete();
            }
        }
    }

    private void compare(AuditRecord r, Admission a) {
        String was = r.action;
        String now = a.decision().action().id();
        String rule = a.decision().rule();
        boolean same = was.equals(now) && java.util.Objects.equals(r.rule, rule);
        if (same) {
            tally.unchanged++;
            return;
        }
        tally.transitions.merge(was + " -> " + now, 1L, Long::sum);
        boolean wasRefused = ReportData.refuses(was);
        boolean nowRefused = ReportData.refuses(now);
        if (nowRefused && !wasRefused) {
            tally.refusedNow++;
            tally.refusedNowByRule.merge(rule == null ? ReportData.NONE : rule, 1L, Long::sum);
        } else if (wasRefused && !nowRefused) {
            tally.allowedNow++;
        } else if (now.equals("downgrade") && !was.equals("downgrade")) {
            tally.downgradedNow++;
        } else if (now.equals("truncate") && !was.equals("truncate")) {
            tally.truncatedNow++;
        } else {
            tally.otherChanges++;
        }
        tally.diverged(r.session == null ? ReportData.NONE : r.session,
                new ReplayTally.Divergence(r.seq, r.tsMillis, subject(r), was, r.rule, now, rule));
    }

    private void settle(AuditRecord r) {
        if (r.isModelCall() && r.costNanos > 0) {
            tally.recordedSpendNanos += r.costNanos;
        }
        Deque<Pending> q = open.get(key(r, subject(r)));
        Pending p = q == null ? null : q.pollFirst();
        if (q != null && q.isEmpty()) {
            open.remove(key(r, subject(r)));
        }
        if (p == null) {
            tally.unmatchedSettlements++;
            return;
        }
        Admission a = p.replayed();
        if (!a.proceeds()) {
            return; // the candidate refused it: nothing was spent
        }
        String outcome = r.outcome == null ? DecisionEvent.OK : r.outcome;
        if (r.isToolCall()) {
            if (outcome.equals(DecisionEvent.OK)) {
                a.complete();
            } else if (outcome.equals(DecisionEvent.RELEASED)) {
                a.release();
            } else {
                a.fail(new ReplayedFailure(outcome), Usage.NONE);
            }
            return;
        }
        Usage usage = Usage.of(r.input, r.cacheRead, r.cacheWrite, r.output, r.reasoning);
        long target = a.decision().targetPromptTokens();
        if (target > 0 && Usage.isKnown(usage.input()) && usage.input() > target) {
            usage = Usage.of(target, r.cacheRead, r.cacheWrite, r.output, r.reasoning); // the candidate truncates
        }
        switch (outcome) {
            case DecisionEvent.OK, DecisionEvent.EXPIRED, DecisionEvent.LATE -> a.settle(usage,
                    r.latencyMs < 0 ? 0 : r.latencyMs * 1_000_000L, r.ttftMs < 0 ? -1 : r.ttftMs * 1_000_000L);
            case DecisionEvent.RELEASED -> a.release();
            case DecisionEvent.CANCELLED -> a.cancel(Math.max(0, r.output));
            default -> a.fail(new ReplayedFailure(outcome), usage);
        }
    }
}
