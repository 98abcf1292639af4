package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.redact.Redactor;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What an operator can see and do in a running guard ({@link Guard#admin()}): the state of a budget key or of
 * every key the ledger holds ({@link #keys}), the suspensions in force, the sessions stopped, the last refusals; lift
 * a suspension, grant an allowance, reset a key's spend, stop a session (every further model and tool call of it
 * refused, rule {@value #RULE_STOP}) and resume it. Every action is recorded as a decision (a guard notice, kind
 * {@code guard}) that carries the operator in its own field ({@link Decision#operator()}, {@code operator} in the
 * record) and names the operator and the reason given in its reason, so it reaches the decision log and the audit
 * file. What this view shows of reasons passes through the guard's admin redactor first. {@link #registerMBean()}
 * exposes the same through JMX.
 *
 * <p>Suspensions, key states and resets go through the guard's ledger: with a shared ledger (Redis) an operator
 * sees and acts on the whole fleet from any JVM. Stopped sessions and grants stay in this process.
 *
 * <p>Thread-safe. Reading one key is O(1) (one round trip with a shared ledger); {@link #keys} and
 * {@link #suspensions()} are O(windows held) (a shared ledger scans its keys).
 */
public final class GuardAdmin implements GuardAdminMBean {

    /** Rule id of a call refused because an operator stopped its session. */
    public static final String RULE_STOP = "admin.stop";
    /** Rule id of the record of an operator lifting a suspension. */
    public static final String RULE_LIFT = "admin.lift";
    /** Rule id of the record of an operator granting a key an extra allowance. */
    public static final String RULE_GRANT = "admin.grant";
    /** The longest grant. */
    private static final Duration MAX_GRANT = Duration.ofDays(366);
    /** Rule id of the record of an operator resuming a stopped session. */
    public static final String RULE_RESUME = "admin.resume";
    /** Rule id of the record of an operator resetting a key's spend. */
    public static final String RULE_RESET = "admin.reset";

    private static final Pattern OPERATOR = Pattern.compile("[\\p{L}\\p{N}._@+-]{1,128}");

    /**
     * The state of one budget key.
     *
     * @param budgetId the budget
     * @param scopeKey the key
     * @param used what its window holds, settled (nano-dollars, tokens or calls)
     * @param reserved what open reservations hold in it
     * @param limit the key's own limit (after overrides and the resolver)
     * @param unit the unit of the figures
     * @param suspendedUntil the end of a suspension in force, or null
     * @param granted an operator's extra allowance in force (included in {@code limit}), or 0
     * @param windowEnd when what the window holds will have left it (a sliding window's newest spend leaving it, a
     *     calendar period's end), or null when it holds no settled spend
     */
    public record KeyState(String budgetId, String scopeKey, long used, long reserved, long limit, Unit unit,
            Instant suspendedUntil, long granted, Instant windowEnd) {
    }

    /**
     * A suspension in force.
     *
     * @param budgetId the budget that suspended
     * @param scope its level
     * @param scopeKey the suspended key
     * @param until when it ends
     */
    public record Suspended(String budgetId, Scope scope, String scopeKey, Instant until) {
    }

    /**
     * A call the guard refused.
     *
     * @param at when
     * @param kind model or tool call
     * @param action block, suspend or feedback
     * @param rule the rule that refused
     * @param reason its sentence
     * @param agent the caller's agent, or null
     * @param session the caller's session, or null
     * @param tenant the caller's tenant, or null
     * @param tool the tool, for a tool call
     */
    public record Refusal(Instant at, CallKind kind, Action action, String rule, String reason, String agent,
            String session, String tenant, String tool) {
    }

    /** A bounded ring of the last refusals: O(1) to add, O(capacity) to read. */
    static final class RecentRefusals {
        private final Refusal[] ring;
        private long next;

        RecentRefusals(int capacity) {
            this.ring = new Refusal[capacity];
        }

        synchronized void add(Refusal r) {
            ring[(int) (next++ % ring.length)] = r;
        }

        /** @return the refusals kept, oldest first */
        synchronized List<Refusal> snapshot() {
            int n = (int) Math.min(next, ring.length);
            List<Refusal> out = new ArrayList<>(n);
            for (long i = next - n; i < next; i++) {
                out.add(ring[(int) (i % ring.length)]);
            }
            return out;
        }
    }

    private final Guard guard;
    private ObjectName registered;

    GuardAdmin(Guard guard) {
        this.guard = guard;
    }

    /**
     * @param budgetId a budget of the current policy
     * @param scopeKey a key at its level ({@link Scope#GLOBAL_KEY} or null for a global budget)
     * @return the key's state
     * @throws IllegalArgumentException if the policy has no such budget
     */
    public KeyState state(String budgetId, String scopeKey) {
        return guard.keyState(budget(budgetId), scopeKey);
    }

    /**
     * A snapshot of every key the ledger holds spend, reservations or a suspension for, under the current policy's
     * budgets.
     *
     * @param budgetId a budget of the current policy, or null for all of them
     * @return one state per key, in no particular order
     * @throws IllegalArgumentException if the policy has no such budget
     */
    public List<KeyState> keys(String budgetId) {
        return guard.keyStates(budgetId == null ? null : budget(budgetId).id());
    }

    /** @return the suspensions in force now */
    public List<Suspended> suspensions() {
        return guard.suspensions();
    }

    /** @return the last refusals (up to 100), oldest first; their reasons passed through the admin redactor */
    public List<Refusal> recentRefusals() {
        Redactor redactor = guard.adminRedactor();
        List<Refusal> out = new ArrayList<>();
        for (Refusal r : guard.recentRefusals()) {
            out.add(new Refusal(r.at(), r.kind(), r.action(), r.rule(), redactor.redact(r.reason()), r.agent(),
                    r.session(), r.tenant(), r.tool()));
        }
        return out;
    }

    /** @return the sessions an operator stopped */
    public List<String> stoppedSessions() {
        return guard.stoppedSessions();
    }

    @Override
    public boolean lift(String budgetId, String scopeKey, String operator, String reason) {
        Budget b = budget(budgetId);
        String who = operator(operator);
        Objects.requireNonNull(scopeKey, "scopeKey");
        boolean lifted = guard.lift(b, scopeKey);
        guard.recordAdmin(Decision.builder(Action.ALLOW).rule(RULE_LIFT).operator(who)
                .reason("operator " + who + " lifted the suspension of " + b.scope().id() + " " + scopeKey + " by budget "
                        + b.id() + (lifted ? "" : " (none was in force)") + ": " + reason(reason)).build());
        return lifted;
    }

    /**
     * Adds an extra allowance to a key's limit for a while, replacing an earlier grant of that key; the window's
     * spend is untouched. Recorded under {@value #RULE_GRANT}.
     *
     * @param budgetId a budget of the current policy
     * @param scopeKey a key at its level
     * @param extra the extra allowance, in the budget's unit
     * @param duration how long it lasts, up to 366 days
     * @param operator who acts
     * @param reason why
     * @throws IllegalArgumentException for an unknown budget, a unit that is not the budget's, a bad duration, or a
     *     missing operator or reason
     */
    public void grant(String budgetId, String scopeKey, Limit extra, Duration duration, String operator,
            String reason) {
        Budget b = budget(budgetId);
        String who = operator(operator);
        String why = reason(reason);
        Objects.requireNonNull(scopeKey, "scopeKey");
        if (extra.unit() != b.unit()) {
            throw new IllegalArgumentException("budget " + b.id() + " counts " + b.unit().id() + ", the grant was "
                    + extra);
        }
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_GRANT) > 0) {
            throw new IllegalArgumentException("a grant lasts more than 0 and at most 366 days, was " + duration);
        }
        guard.grant(b, scopeKey, extra.amount(), duration);
        guard.recordAdmin(Decision.builder(Action.ALLOW).rule(RULE_GRANT).operator(who).figures(extra.amount(), b.limit(), b.unit())
                .reason("operator " + who + " granted " + b.scope().id() + " " + scopeKey + " " + extra
                        + " more on budget " + b.id() + " for " + duration + ": " + why).build());
    }

    @Override
    public void grantAllowance(String budgetId, String scopeKey, String amount, String duration, String operator,
            String reason) {
        Budget b = budget(budgetId);
        Limit extra;
        try {
            extra = switch (b.unit()) {
                case USD -> Limit.usd(amount);
                case TOKENS -> Limit.tokens(Long.parseLong(amount.trim()));
                default -> Limit.calls(Long.parseLong(amount.trim()));
            };
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("not an amount of " + b.unit().id() + ": " + amount);
        }
        Duration d;
        try {
            d = Duration.parse(duration);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an ISO-8601 duration such as PT2H: " + duration);
        }
        grant(budgetId, scopeKey, extra, d, operator, reason);
    }

    @Override
    public boolean stopSession(String session, String operator, String reason) {
        String who = operator(operator);
        String why = reason(reason);
        boolean stopped = guard.stop(Objects.requireNonNull(session, "session"),
                "session " + session + " was stopped by operator " + who + ": " + why);
        guard.recordAdmin(Decision.builder(Action.BLOCK).rule(RULE_STOP).operator(who)
                .reason("operator " + who + " stopped session " + session + (stopped ? "" : " (already stopped)")
                        + ": " + why).build());
        return stopped;
    }

    @Override
    public boolean resumeSession(String session, String operator, String reason) {
        String who = operator(operator);
        boolean resumed = guard.resume(Objects.requireNonNull(session, "session"));
        guard.recordAdmin(Decision.builder(Action.ALLOW).rule(RULE_RESUME).operator(who)
                .reason("operator " + who + " resumed session " + session + (resumed ? "" : " (it was not stopped)")
                        + ": " + reason(reason)).build());
        return resumed;
    }

    /**
     * Forgets a key's settled spend: its window starts again empty, in every JVM when the ledger is shared. Calls in
     * flight keep their reservations, and a suspension stays (lift it). Recorded under {@value #RULE_RESET}.
     *
     * @throws IllegalArgumentException for an unknown budget or a missing operator or reason
     * @throws UnsupportedOperationException if the guard's ledger cannot reset a key
     */
    @Override
    public boolean resetKey(String budgetId, String scopeKey, String operator, String reason) {
        Budget b = budget(budgetId);
        String who = operator(operator);
        String why = reason(reason);
        String key = b.scope() == Scope.GLOBAL ? Scope.GLOBAL_KEY : Objects.requireNonNull(scopeKey, "scopeKey");
        boolean reset = guard.reset(b, key);
        guard.recordAdmin(Decision.builder(Action.ALLOW).rule(RULE_RESET).operator(who)
                .reason("operator " + who + " reset the spend of " + b.scope().id() + " " + key + " on budget "
                        + b.id() + (reset ? "" : " (it held none)") + ": " + why).build());
        return reset;
    }

    @Override
    public String[] getBudgetKeys() {
        List<String> out = new ArrayList<>();
        for (KeyState k : keys(null)) {
            out.add(line(k));
        }
        return out.toArray(new String[0]);
    }

    private static String line(KeyState k) {
        return k.budgetId() + "[" + k.scopeKey() + "] " + k.unit().describe(k.used()) + " used of "
                + k.unit().describe(k.limit()) + ", " + k.unit().describe(k.reserved()) + " reserved"
                + (k.windowEnd() == null ? "" : ", window ends " + k.windowEnd())
                + (k.suspendedUntil() == null ? "" : ", suspended until " + k.suspendedUntil());
    }

    @Override
    public String[] getSuspensions() {
        List<String> out = new ArrayList<>();
        for (Suspended s : suspensions()) {
            out.add(s.budgetId() + " " + s.scope().id() + "=" + s.scopeKey() + " until " + s.until());
        }
        return out.toArray(new String[0]);
    }

    @Override
    public String[] getRecentRefusals() {
        List<String> out = new ArrayList<>();
        for (Refusal r : recentRefusals()) {
            out.add(r.at() + " " + r.kind().id() + " " + r.action().id() + " " + r.rule() + " session=" + r.session()
                    + (r.tool() == null ? "" : " tool=" + r.tool()) + ": " + r.reason());
        }
        return out.toArray(new String[0]);
    }

    @Override
    public String[] getStoppedSessions() {
        return stoppedSessions().toArray(new String[0]);
    }

    @Override
    public String describe(String budgetId, String scopeKey) {
        KeyState k = state(budgetId, scopeKey);
        return k.budgetId() + "[" + k.scopeKey() + "] " + k.unit().describe(k.used()) + " used of "
                + k.unit().describe(k.limit()) + ", " + k.unit().describe(k.reserved()) + " reserved"
                + (k.suspendedUntil() == null ? "" : ", suspended until " + k.suspendedUntil());
    }

    /**
     * Registers this admin with the platform MBean server as {@code dev.agentguard:type=Guard,name=<guard>}; the
     * guard's {@link Guard#close()} unregisters it.
     *
     * @return the name it was registered under
     * @throws IllegalStateException if the name is taken (another guard of the same name in this JVM)
     */
    public synchronized ObjectName registerMBean() {
        if (registered != null) {
            return registered;
        }
        try {
            ObjectName name = objectName(guard.name());
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, name);
            registered = name;
            return name;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the guard's MBean: " + e.getMessage(), e);
        }
    }

    /** @return the MBean name of a guard: {@code dev.agentguard:type=Guard,name=<guard>} (quoted when needed) */
    public static ObjectName objectName(String guardName) {
        try {
            return new ObjectName("dev.agentguard:type=Guard,name=" + ObjectName.quote(guardName));
        } catch (JMException e) {
            throw new IllegalArgumentException("no MBean name for guard " + guardName, e);
        }
    }

    synchronized void unregister() {
        if (registered == null) {
            return;
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.unregisterMBean(registered);
        } catch (JMException e) {
            // already gone: nothing to do
        }
        registered = null;
    }

    private Budget budget(String budgetId) {
        for (Budget b : guard.config().budgets()) {
            if (b.id().equals(budgetId)) {
                return b;
            }
        }
        throw new IllegalArgumentException("the guard's policy has no budget '" + budgetId + "'");
    }

    private static String operator(String operator) {
        if (operator == null || !OPERATOR.matcher(operator).matches()) {
            throw new IllegalArgumentException("an operator identity (letters, digits, . _ @ + -, up to 128) is"
                    + " required, was " + (operator == null ? "null" : "'" + operator + "'"));
        }
        return operator;
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required");
        }
        return reason.length() > 500 ? reason.substring(0, 500) + "..." : reason;
    }
}
