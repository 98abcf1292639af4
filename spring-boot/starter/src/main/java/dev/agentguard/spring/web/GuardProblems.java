package dev.agentguard.spring.web;

import dev.agentguard.core.Decision;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardAdmin;
import dev.agentguard.langchain4j.GuardBlockedException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * The one place a refusal becomes an HTTP answer: an RFC 9457 problem ({@code application/problem+json}) with the
 * rule, the action and the reason, and a status that says whose move it is.
 * <ul>
 *   <li>429 Too Many Requests: a budget, cap, loop or session rule refused, or a scope is suspended (then with
 *       {@code Retry-After}, in seconds, until the suspension ends);</li>
 *   <li>403 Forbidden: an operator stopped the session ({@value GuardAdmin#RULE_STOP});</li>
 *   <li>503 Service Unavailable: the guard could not check its budgets ({@code ledger.unavailable}) or hold one
 *       more window ({@code telemetry.full}).</li>
 * </ul>
 */
public final class GuardProblems {

    /** The problem type of a refusal. */
    public static final URI REFUSED = URI.create("urn:agentguard:problem:refused");
    /** The problem type of a request whose scope header cannot be a scope key. */
    public static final URI BAD_SCOPE = URI.create("urn:agentguard:problem:bad-scope");

    private final Clock clock;

    /** @param clock when suspensions end is measured on it */
    public GuardProblems(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param refused the refusal
     * @return the problem response
     */
    public ResponseEntity<ProblemDetail> refused(GuardBlockedException refused) {
        Decision d = refused.decision();
        HttpStatus status = status(d);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, d == null ? refused.getMessage() : d.reason());
        problem.setType(REFUSED);
        problem.setTitle("Refused by the guard");
        problem.setProperty("guard", refused.guardName());
        problem.setProperty("call", refused.call());
        HttpHeaders headers = new HttpHeaders();
        if (d != null) {
            problem.setProperty("rule", d.rule());
            problem.setProperty("action", d.action().id());
            if (d.unit() != null && d.limit() != Decision.NO_FIGURE) {
                problem.setProperty("limit", d.unit().format(d.limit()));
                problem.setProperty("unit", d.unit().id());
                if (d.observed() != Decision.NO_FIGURE) {
                    problem.setProperty("observed", d.unit().format(d.observed()));
                }
            }
            Instant until = d.suspendedUntil();
            if (until != null) {
                problem.setProperty("suspendedUntil", until.toString());
                long seconds = Math.max(1, Duration.between(clock.instant(), until).toSeconds());
                headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            }
        }
        return ResponseEntity.status(status).headers(headers).body(problem);
    }

    /**
     * @param bad a scope header that cannot be a scope key
     * @return the 400 problem
     */
    public static ProblemDetail badScope(RequestScopes.BadScopeException bad) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, bad.getMessage());
        problem.setType(BAD_SCOPE);
        problem.setTitle("Bad scope header");
        problem.setProperty("header", bad.header());
        return problem;
    }

    static HttpStatus status(Decision d) {
        if (d == null) {
            return HttpStatus.TOO_MANY_REQUESTS;
        }
        String rule = d.rule() == null ? "" : d.rule();
        if (rule.equals(GuardAdmin.RULE_STOP)) {
            return HttpStatus.FORBIDDEN;
        }
        if (rule.equals(Guard.RULE_LEDGER_UNAVAILABLE) || rule.equals(Guard.RULE_TELEMETRY_FULL)) {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }
        return HttpStatus.TOO_MANY_REQUESTS;
    }
}
