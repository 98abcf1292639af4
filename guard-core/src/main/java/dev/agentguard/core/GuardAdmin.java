package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What an operator can see and do in a running guard ({@link Guard#admin()}): the state of a budget key, the
 * suspensions in force, the sessions stopped; lift a suspension, stop a session (every further model and tool call
 * of it refused, rule {@value #RULE_STOP}) and resume it. Every action is recorded as a decision (a guard notice,
 * kind {@code guard}) whose reason names the operator and the reason given, so it reaches the decision log and the
 * audit file. {@link #registerMBean()} exposes the same through JMX.
 *
 * <p>Thread-safe. Reads are O(1) per key; listing suspensions is O(suspensions).
 */
public final class GuardAdmin implements GuardAdminMBean {

    /** Rule id of a call refused because an operator stopped its session. */
    public static final String RULE_STOP = "admin.stop";
    /** Rule id of the record of an operator lifting a suspension. */
    public static final String RULE_LIFT = "admin.lift";
    /** Rule id of the record of an operator resuming a stopped session. */
    public static final String RULE_RESUME = "admin.resume";

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
     */
    public record KeyState(String budgetId, String scopeKey, long used, long reserved, long limit, Unit unit,
            Instant suspendedUntil) {
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

    /** @return the suspensions in force now */
    public List<Suspended> suspensions() {
        return guard.suspensions();
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
        guard.recordAdmin(Decision.builder(Action.ALLOW).rule(RULE_LIFT)
                .reason("operator " + who + " lifted the suspension of " + b.scope().id() + " " + scopeKey + " by budget "
                        + b.id() + (lifted ? "" : " (none was in force)") + ": " + reason(reason)).build());
        return lifted;
    }

    @Override
    public boolean stopSession(String session, String operator, String reason) {
        String who = operator(operator);
        String why = reason(reason);
        boolean stopped = guard.stop(Objects.requireNonNull(session, "session"),
                "session " + session + " was stopped by operator " + who + ": " + why);
        guard.recordAdmin(Decision.builder(Action.BLOCK).rule(RULE_STOP)
                .reason("operator " + who + " stopped session " + session + (stopped ? "" : " (already stopped)")
                        + ": " + why).build());
        return stopped;
    }

    @Override
    public boolean resumeSession(String session, String operator, String reason) {
        String who = operator(operator);
        boolean resumed = guard.resume(Objects.requireNonNull(session, "session"));
        guard.recordAdmin(Decision.builder(Action.ALLOW).rule(RULE_RESUME)
                .reason("operator " + who + " resumed session " + session + (resumed ? "" : " (it was not stopped)")
                        + ": " + reason(reason)).build());
        return resumed;
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
