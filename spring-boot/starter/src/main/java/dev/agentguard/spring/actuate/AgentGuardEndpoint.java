package dev.agentguard.spring.actuate;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardAdmin;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Unit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The {@code agentguard} actuator endpoint: what {@link GuardAdmin} shows and does, over HTTP and JMX.
 * <ul>
 *   <li>{@code GET /actuator/agentguard}: the guard, its budgets (with the fill of global ones), the suspensions in
 *       force, the stopped sessions and the last refusals;</li>
 *   <li>{@code GET /actuator/agentguard/{budget}/{key}}: one budget key's used, reserved, limit, grant and fill;</li>
 *   <li>{@code POST /actuator/agentguard/{action}} with a JSON body, {@code action} one of {@code lift}
 *       ({@code budget, key, reason}), {@code grant} ({@code budget, key, amount, duration, reason}), {@code stop}
 *       and {@code resume} ({@code session, reason}).</li>
 * </ul>
 * Write operations are secured like every actuator write: exposed over HTTP only when
 * {@code management.endpoints.web.exposure.include} names {@code agentguard}, and behind whatever security the
 * application puts on the actuator. The operator recorded with each action is the authenticated principal, or
 * {@code actuator} when there is none. Amounts are exact decimal strings (dollars) or integers, never floating point.
 */
@Endpoint(id = "agentguard")
public class AgentGuardEndpoint {

    private static final Pattern NOT_OPERATOR = Pattern.compile("[^\\p{L}\\p{N}._@+-]");

    private final Guard guard;

    /** @param guard the guard shown and acted on */
    public AgentGuardEndpoint(Guard guard) {
        this.guard = guard;
    }

    /** @return the guard's overview */
    @ReadOperation
    public Overview overview() {
        GuardAdmin admin = guard.admin();
        List<BudgetView> budgets = new ArrayList<>();
        for (Budget b : guard.config().budgets()) {
            KeyView global = b.scope() == Scope.GLOBAL ? key(b.id(), Scope.GLOBAL_KEY) : null;
            budgets.add(new BudgetView(b.id(), b.scope().id(), b.window().toString(), b.unit().id(),
                    b.unit().format(b.limit()), b.onExceed().toString(), global));
        }
        List<SuspensionView> suspensions = new ArrayList<>();
        admin.suspensions().forEach(s -> suspensions.add(
                new SuspensionView(s.budgetId(), s.scope().id(), s.scopeKey(), iso(s.until()))));
        List<RefusalView> refusals = new ArrayList<>();
        admin.recentRefusals().forEach(r -> refusals.add(new RefusalView(iso(r.at()), r.kind().id(), r.action().id(),
                r.rule(), r.reason(), r.agent(), r.session(), r.tenant(), r.tool())));
        return new Overview(guard.config().name(), guard.config().mode().id(), budgets, suspensions,
                admin.stoppedSessions(), refusals);
    }

    /**
     * @param budget a budget id
     * @param key a key at its level ({@code *} for a global budget)
     * @return that key's state
     */
    @ReadOperation
    public KeyView key(@Selector String budget, @Selector String key) {
        try {
            return view(guard.admin().state(budget, key));
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
        }
    }

    /**
     * Every key of a budget that the ledger holds spend, reservations or a suspension for (with a shared ledger,
     * the fleet's keys): O(keys held), for operators, not for a dashboard polled every second.
     *
     * @param budget a budget id
     * @return the state of each key, the fullest first
     */
    @ReadOperation
    public List<KeyView> keys(@Selector String budget) {
        try {
            List<KeyView> out = new ArrayList<>();
            for (GuardAdmin.KeyState k : guard.admin().keys(budget)) {
                out.add(view(k));
            }
            out.sort(Comparator.comparing(KeyView::fill, Comparator.nullsLast(Comparator.reverseOrder())));
            return out;
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
        }
    }

    private static KeyView view(GuardAdmin.KeyState k) {
        Unit u = k.unit();
        return new KeyView(k.budgetId(), k.scopeKey(), u.id(), u.format(k.used()), u.format(k.reserved()),
                u.format(k.limit()), u.format(k.granted()), fill(k.used(), k.limit()), iso(k.suspendedUntil()),
                iso(k.windowEnd()));
    }

    /**
     * @param action {@code lift}, {@code grant}, {@code reset}, {@code stop} or {@code resume}
     * @param budget the budget, for lift, grant and reset
     * @param key the budget key, for lift, grant and reset
     * @param amount the extra allowance in the budget's unit ({@code 5.00} dollars, tokens, calls), for grant
     * @param duration how long a grant lasts, ISO-8601 ({@code PT2H}), for grant
     * @param session the session, for stop and resume
     * @param reason why; recorded with the action
     * @param security who acts
     * @return what was done
     */
    @WriteOperation
    public ActionResult act(@Selector String action, @Nullable String budget, @Nullable String key,
            @Nullable String amount, @Nullable String duration, @Nullable String session, String reason,
            SecurityContext security) {
        GuardAdmin admin = guard.admin();
        String operator = operator(security);
        try {
            switch (action.toLowerCase(Locale.ROOT)) {
                case "lift":
                    return new ActionResult(action, admin.lift(required("budget", budget), required("key", key),
                            operator, reason), operator);
                case "grant":
                    admin.grantAllowance(required("budget", budget), required("key", key), required("amount", amount),
                            required("duration", duration), operator, reason);
                    return new ActionResult(action, true, operator);
                case "reset":
                    return new ActionResult(action, admin.resetKey(required("budget", budget), required("key", key),
                            operator, reason), operator);
                case "stop":
                    return new ActionResult(action, admin.stopSession(required("session", session), operator, reason),
                            operator);
                case "resume":
                    return new ActionResult(action, admin.resumeSession(required("session", session), operator,
                            reason), operator);
                default:
                    throw new IllegalArgumentException("no action '" + action + "'; the actions are lift, grant,"
                            + " reset, stop and resume");
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // unsupported: a ledger of the application's own that cannot reset a key
            throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
        }
    }

    private static String required(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + name + "' is required for this action");
        }
        return value;
    }

    /** The principal's name made a valid operator identity; {@code actuator} without one. */
    static String operator(SecurityContext security) {
        String name = security == null || security.getPrincipal() == null ? null : security.getPrincipal().getName();
        if (name == null || name.isBlank()) {
            return "actuator";
        }
        String clean = NOT_OPERATOR.matcher(name).replaceAll("_");
        return clean.length() > 128 ? clean.substring(0, 128) : clean;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString(); // a string: the same JSON under Jackson 2 and 3
    }

    /** @return used over limit as a decimal ratio, exact to four places; null without a limit */
    static BigDecimal fill(long used, long limit) {
        if (limit <= 0) {
            return null;
        }
        return BigDecimal.valueOf(used).divide(BigDecimal.valueOf(limit), 4, RoundingMode.HALF_UP);
    }

    /**
     * @param guard the guard's policy name
     * @param mode enforce or shadow
     * @param budgets the policy's budgets
     * @param suspensions the suspensions in force
     * @param stoppedSessions sessions stopped by an operator
     * @param recentRefusals the last refusals, oldest first
     */
    public record Overview(String guard, String mode, List<BudgetView> budgets, List<SuspensionView> suspensions,
            List<String> stoppedSessions, List<RefusalView> recentRefusals) {
    }

    /**
     * @param id the budget id
     * @param scope its level
     * @param window its window
     * @param unit usd, tokens or calls
     * @param limit its limit, in its unit
     * @param onExceed block, warn or suspend:duration
     * @param global the fill of a global budget's one key; null for other levels (read them by key)
     */
    public record BudgetView(String id, String scope, String window, String unit, String limit, String onExceed,
            KeyView global) {
    }

    /**
     * @param budget the budget id
     * @param key the key
     * @param unit usd, tokens or calls
     * @param used settled in the window now (reservations included)
     * @param reserved held by calls in flight
     * @param limit the key's own limit, grant included
     * @param granted an operator's extra allowance in force
     * @param fill used over limit, exact to four places
     * @param suspendedUntil the end of a suspension in force, or null
     * @param windowEnd when what the window holds will have left it, or null when it holds no settled spend
     */
    public record KeyView(String budget, String key, String unit, String used, String reserved, String limit,
            String granted, BigDecimal fill, String suspendedUntil, String windowEnd) {
    }

    /**
     * @param budget the budget that suspended
     * @param scope its level
     * @param key the suspended key
     * @param until when it ends
     */
    public record SuspensionView(String budget, String scope, String key, String until) {
    }

    /**
     * @param at when
     * @param kind model or tool
     * @param action block, suspend or feedback
     * @param rule the rule
     * @param reason its sentence
     * @param agent the agent
     * @param session the session
     * @param tenant the tenant
     * @param tool the tool, for a tool call
     */
    public record RefusalView(String at, String kind, String action, String rule, String reason, String agent,
            String session, String tenant, String tool) {
    }

    /**
     * @param action what was asked
     * @param changed whether it changed anything (false: lifted nothing, stopped a stopped session, ...)
     * @param operator who is recorded as having acted
     */
    public record ActionResult(String action, boolean changed, String operator) {
    }
}
