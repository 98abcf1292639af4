package dev.agentguard.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code agent-guard report} shows, accumulated one record at a time in bounded memory: totals, spend over
 * time by agent and by model, decisions by action and rule, the costliest sessions, loop incidents, refusals with
 * their reasons, latency and time-to-first-token percentiles by model.
 *
 * <p>Memory does not grow with the number of records. Maps keyed by names that a policy bounds (rules, models,
 * agents) are capped at {@value #MAX_KEYS} keys, later ones counted under {@value #OTHER}; sessions, which no policy
 * bounds, are kept in a table of at most {@value #MAX_SESSIONS}: when it is full, the less costly half is dropped,
 * and {@link #sessionError()} says by how much a session that came back after that may be under-counted. Loop
 * incidents keep the first {@value #MAX_INCIDENTS}; refusals the last {@value #MAX_REFUSALS} with their reasons
 * (all of them are counted).
 */
final class ReportData implements AuditReader.RecordConsumer {

    static final int MAX_KEYS = 1_000;
    static final int MAX_SESSIONS = 100_000;
    static final int MAX_INCIDENTS = 200;
    static final int MAX_REFUSALS = 100;
    static final String OTHER = "(other)";
    static final String NONE = "(none)";

    /** The pre-call actions, tightest last, as the design lists them. */
    static final List<String> ACTIONS = List.of("allow", "warn", "downgrade", "truncate", "feedback", "finalAnswer",
            "block", "suspend");

    long records;
    long modelCalls;
    long toolCalls;
    long settlements;
    long notices;
    long shadowDecisions;
    long spendNanos;
    long unpricedCalls;
    long failedCalls;
    long firstMillis = Long.MAX_VALUE;
    long lastMillis = Long.MIN_VALUE;
    final Map<String, Long> guards = new TreeMap<>();
    final Map<String, Long> byAction = new TreeMap<>(Comparator.comparingInt(ReportData::actionOrder)
            .thenComparing(Comparator.naturalOrder()));
    final Map<String, Map<String, Long>> byRule = new TreeMap<>();
    final Map<String, Long> outcomes = new TreeMap<>();
    final TimeSeries spendByAgent = new TimeSeries();
    final TimeSeries spendByModel = new TimeSeries();
    final Map<String, ModelStats> models = new TreeMap<>();
    final Map<String, SessionStats> sessions = new HashMap<>();
    long sessionError;
    long sessionsPruned;
    final Map<String, LoopIncident> incidents = new java.util.LinkedHashMap<>();
    long incidentsNotKept;
    final Map<String, Long> refusalsByRule = new TreeMap<>();
    long refusals;
    final Deque<Refusal> lastRefusals = new ArrayDeque<>();

    /** Per model: calls, spend, latency and TTFT. */
    static final class ModelStats {
        long calls;
        long spendNanos;
        long inputTokens;
        long outputTokens;
        final Histogram latency = new Histogram();
        final Histogram ttft = new Histogram();
    }

    /** Per session. */
    static final class SessionStats {
        String agent;
        long spendNanos;
        long modelCalls;
        long toolCalls;
        long refusals;
        long firstMillis = Long.MAX_VALUE;
        long lastMillis = Long.MIN_VALUE;
    }

    /** Calls of one session that a loop rule fired on. */
    static final class LoopIncident {
        String rule;
        String session;
        String agent;
        String subject;
        long calls;
        String worstAction = "allow";
        long firstMillis;
    }

    /** One refused call. */
    record Refusal(long millis, String session, String agent, String subject, String action, String rule,
            String reason, boolean shadow) {
    }

    static int actionOrder(String action) {
        int i = ACTIONS.indexOf(action);
        return i < 0 ? ACTIONS.size() : i;
    }

    static boolean refuses(String action) {
        return "feedback".equals(action) || "finalAnswer".equals(action) || "block".equals(action)
                || "suspend".equals(action);
    }

    private static <V> String key(Map<String, V> map, String key) {
        String k = key == null ? NONE : key;
        return map.containsKey(k) || map.size() < MAX_KEYS ? k : OTHER;
    }

    private static void count(Map<String, Long> map, String key) {
        map.merge(key(map, key), 1L, Long::sum);
    }

    @Override
    public void accept(AuditRecord r) {
        records++;
        boolean timed = r.tsMillis != Long.MIN_VALUE;
        if (timed) {
            firstMillis = Math.min(firstMillis, r.tsMillis);
            lastMillis = Math.max(lastMillis, r.tsMillis);
        }
        if (!r.isModelCall() && !r.isToolCall()) {
            notices++; // not about a call: the sink (audit.loss), a policy change (policy.reload), the guard
            if (r.rule != null) {
                byRule.computeIfAbsent(key(byRule, r.rule), k -> new TreeMap<>()).merge(r.action, 1L, Long::sum);
            }
            return;
        }
        if (r.guard != null) {
            count(guards, r.guard);
        }
        SessionStats session = session(r);
        if (timed) {
            session.firstMillis = Math.min(session.firstMillis, r.tsMillis);
            session.lastMillis = Math.max(session.lastMillis, r.tsMillis);
        }
        if (r.isPre()) {
            pre(r, session);
        } else if (r.isPost()) {
            post(r, session, timed);
        }
    }

    private void pre(AuditRecord r, SessionStats session) {
        if (r.isModelCall()) {
            modelCalls++;
            session.modelCalls++;
        } else {
            toolCalls++;
            session.toolCalls++;
        }
        if (r.shadow) {
            shadowDecisions++;
        }
        count(byAction, r.action);
        if (r.rule != null) {
            byRule.computeIfAbsent(key(byRule, r.rule), k -> new TreeMap<>()).merge(r.action, 1L, Long::sum);
        }
        String subject = r.isToolCall() ? r.tool : r.requestedModel != null ? r.requestedModel : r.model;
        loops(r, subject);
        if (refuses(r.action)) {
            refusals++;
            session.refusals++;
            count(refusalsByRule, r.rule);
            lastRefusals.addLast(new Refusal(r.tsMillis, r.session, r.agent, subject, r.action, r.rule, r.reason,
                    r.shadow));
            if (lastRefusals.size() > MAX_REFUSALS) {
                lastRefusals.removeFirst();
            }
        }
    }

    private void loops(AuditRecord r, String subject) {
        for (int i = 0; i < r.fired.size(); i += 2) {
            String rule = r.fired.get(i);
            if (!rule.startsWith("loops.")) {
                continue;
            }
            String action = r.fired.get(i + 1);
            String k = rule + '\u0000' + r.session + '\u0000' + subject;
            LoopIncident in = incidents.get(k);
            if (in == null) {
                if (incidents.size() >= MAX_INCIDENTS) {
                    incidentsNotKept++;
                    continue;
                }
                in = new LoopIncident();
                in.rule = rule;
                in.session = r.session;
                in.agent = r.agent;
                in.subject = subject;
                in.firstMillis = r.tsMillis;
                incidents.put(k, in);
            }
            in.calls++;
            if (actionOrder(action) > actionOrder(in.worstAction)) {
                in.worstAction = action;
            }
        }
    }

    private void post(AuditRecord r, SessionStats session, boolean timed) {
        settlements++;
        count(outcomes, r.outcome);
        if (r.outcome != null && !"ok".equals(r.outcome) && !"released".equals(r.outcome)) {
            failedCalls++;
        }
        if (!r.isModelCall()) {
            return;
        }
        if (Boolean.FALSE.equals(r.priced)) {
            unpricedCalls++;
        }
        ModelStats m = models.computeIfAbsent(key(models, r.model), k -> new ModelStats());
        m.calls++;
        m.latency.add(r.latencyMs);
        m.ttft.add(r.ttftMs);
        if (r.input > 0) {
            m.inputTokens += r.input;
        }
        if (r.output > 0) {
            m.outputTokens += r.output;
        }
        if (r.costNanos > 0) {
            spendNanos += r.costNanos;
            m.spendNanos += r.costNanos;
            session.spendNanos += r.costNanos;
            if (timed) {
                spendByAgent.add(r.agent == null ? NONE : r.agent, r.tsMillis, r.costNanos);
                spendByModel.add(r.model == null ? NONE : r.model, r.tsMillis, r.costNanos);
            }
        }
    }

    private SessionStats session(AuditRecord r) {
        String k = r.session == null ? NONE : r.session;
        SessionStats s = sessions.get(k);
        if (s == null) {
            if (sessions.size() >= MAX_SESSIONS) {
                prune();
            }
            s = new SessionStats();
            s.agent = r.agent;
            sessions.put(k, s);
        }
        return s;
    }

    /** Drops the less costly half of the sessions; remembers the most that a dropped session had spent. */
    private void prune() {
        List<Map.Entry<String, SessionStats>> all = new ArrayList<>(sessions.entrySet());
        all.sort(Comparator.comparingLong(e -> e.getValue().spendNanos));
        int drop = all.size() / 2;
        for (int i = 0; i < drop; i++) {
            sessionError = Math.max(sessionError, all.get(i).getValue().spendNanos);
            sessions.remove(all.get(i).getKey());
        }
        sessionsPruned += drop;
    }

    /** @return the most that a session's spend in {@link #costliestSessions} may be under-counted (0: exact) */
    long sessionError() {
        return sessionError;
    }

    /**
     * @param n how many
     * @return the sessions that spent most, costliest first (ties by more calls, then by name)
     */
    List<Map.Entry<String, SessionStats>> costliestSessions(int n) {
        List<Map.Entry<String, SessionStats>> all = new ArrayList<>(sessions.entrySet());
        all.sort(Comparator.comparingLong((Map.Entry<String, SessionStats> e) -> -e.getValue().spendNanos)
                .thenComparingLong(e -> -(e.getValue().modelCalls + e.getValue().toolCalls))
                .thenComparing(Map.Entry::getKey));
        return all.subList(0, Math.min(n, all.size()));
    }

    /** @return the loop incidents, most calls first */
    List<LoopIncident> loopIncidents() {
        List<LoopIncident> all = new ArrayList<>(incidents.values());
        all.sort(Comparator.comparingLong((LoopIncident i) -> -i.calls).thenComparingLong(i -> i.firstMillis));
        return all;
    }
}
