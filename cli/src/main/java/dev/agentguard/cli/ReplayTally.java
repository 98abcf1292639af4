package dev.agentguard.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay found: decisions compared, how they changed, the spend recorded and replayed, and each session's
 * first divergence (at most {@value #MAX_SESSIONS} sessions are listed; the rest are counted). Tallies of several
 * audit sets add up with {@link #add}.
 */
final class ReplayTally {

    static final int MAX_SESSIONS = 100_000;

    long decisions;
    long unchanged;
    long refusedNow;
    long allowedNow;
    long downgradedNow;
    long truncatedNow;
    long otherChanges;
    long recordedSpendNanos;
    long replayedSpendNanos;
    long withoutRecordedUsage;
    long version1;
    long unmatchedSettlements;
    long sessionsNotKept;
    final Map<String, Long> refusedNowByRule = new TreeMap<>();
    final Map<String, Long> transitions = new TreeMap<>();
    final Map<String, Divergence> firstDivergence = new LinkedHashMap<>();

    /** The first call of a session whose decision differs. */
    record Divergence(long seq, long millis, String subject, String recordedAction, String recordedRule,
            String replayedAction, String replayedRule) {
    }

    /** @param session a session @param d its first divergence, kept if it is the session's first */
    void diverged(String session, Divergence d) {
        if (firstDivergence.containsKey(session)) {
            return;
        }
        if (firstDivergence.size() < MAX_SESSIONS) {
            firstDivergence.put(session, d);
        } else {
            sessionsNotKept++;
        }
    }

    /** @param o another set's tally, added to this one */
    void add(ReplayTally o) {
        decisions += o.decisions;
        unchanged += o.unchanged;
        refusedNow += o.refusedNow;
        allowedNow += o.allowedNow;
        downgradedNow += o.downgradedNow;
        truncatedNow += o.truncatedNow;
        otherChanges += o.otherChanges;
        recordedSpendNanos += o.recordedSpendNanos;
        replayedSpendNanos += o.replayedSpendNanos;
        withoutRecordedUsage += o.withoutRecordedUsage;
        version1 += o.version1;
        unmatchedSettlements += o.unmatchedSettlements;
        sessionsNotKept += o.sessionsNotKept;
        o.refusedNowByRule.forEach((k, v) -> refusedNowByRule.merge(k, v, Long::sum));
        o.transitions.forEach((k, v) -> transitions.merge(k, v, Long::sum));
        o.firstDivergence.forEach(this::diverged);
    }

    /** @return true if any decision differs */
    boolean changed() {
        return unchanged != decisions;
    }
}
