package dev.agentguard.core;

import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.Unit;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The health of each model on the ladder, kept by Resilience4j circuit breakers, and the choice of a healthy
 * model for a call (see {@link HealthRules}).
 *
 * <p>Each model has up to two count-based breakers over its last {@code overCalls} calls. The latency breaker
 * counts a call slower than {@code p90Above} as slow and opens when the p90 is above it: with nearest-rank p90
 * over N calls (rank r = ceil(0.9 N)), that is when at least N - r + 1 calls are slow, which is the slow-call rate
 * threshold it is given. The error breaker opens when the failure rate is above {@code rateAbove}. An open breaker
 * sends calls down the ladder for {@code cooldown}; then {@code probeCalls} calls go back to the model
 * (half-open), and it is used again once they are healthy. A call that took a probe permission and then was not
 * made gives it back.
 */
final class ModelHealth {

    /** The model chosen for a call, with the permissions it holds. */
    static final class Choice {
        final String model;
        final Breakers breakers;
        final Decision.Builder decision;

        Choice(String model, Breakers breakers, Decision.Builder decision) {
            this.model = model;
            this.breakers = breakers;
            this.decision = decision;
        }
    }

    /** The breakers of one model. */
    static final class Breakers {
        final CircuitBreaker latency;
        final CircuitBreaker errors;

        Breakers(CircuitBreaker latency, CircuitBreaker errors) {
            this.latency = latency;
            this.errors = errors;
        }

        /** @return null if both permit the call, else the breaker that refused (and no permission is held) */
        CircuitBreaker acquire() {
            if (latency != null && !latency.tryAcquirePermission()) {
                return latency;
            }
            if (errors != null && !errors.tryAcquirePermission()) {
                if (latency != null) {
                    latency.releasePermission();
                }
                return errors;
            }
            return null;
        }

        void release() {
            if (latency != null) {
                latency.releasePermission();
            }
            if (errors != null) {
                errors.releasePermission();
            }
        }

        void record(long durationNanos, Throwable error) {
            if (latency != null) {
                // latency counts every call that returned, failed or not: a slow failure is slow too
                latency.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
            }
            if (errors != null) {
                if (error == null) {
                    errors.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
                } else {
                    errors.onError(durationNanos, TimeUnit.NANOSECONDS, error);
                }
            }
        }
    }

    private final HealthRules rules;
    private final List<String> ladder;
    private final Map<String, Breakers> breakers = new HashMap<>();

    ModelHealth(HealthRules rules, List<String> ladder, Clock clock) {
        this.rules = rules;
        this.ladder = ladder;
        if (rules.isEnabled()) {
            for (String model : ladder) {
                breakers.put(model, new Breakers(latencyBreaker(model, clock), errorBreaker(model, clock)));
            }
        }
    }

    private CircuitBreaker latencyBreaker(String model, Clock clock) {
        if (rules.latencyP90Above() == null) {
            return null;
        }
        int n = rules.latencyOverCalls();
        int rank = (int) Math.ceil(0.9 * n);
        float slowShare = (n - rank + 1) * 100.0f / n;
        return CircuitBreaker.of("latency:" + model, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(n)
                .minimumNumberOfCalls(n)
                .slowCallDurationThreshold(rules.latencyP90Above())
                .slowCallRateThreshold(slowShare)
                .failureRateThreshold(100)
                .waitDurationInOpenState(rules.cooldown())
                .permittedNumberOfCallsInHalfOpenState(rules.probeCalls())
                .clock(clock)
                .build());
    }

    private CircuitBreaker errorBreaker(String model, Clock clock) {
        if (rules.errorRateAbove() == 0) {
            return null;
        }
        int n = rules.errorOverCalls();
        return CircuitBreaker.of("errors:" + model, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(n)
                .minimumNumberOfCalls(n)
                // Resilience4j opens at a rate equal to the threshold; the policy says "above"
                .failureRateThreshold(Math.nextUp((float) rules.errorRateAbove()))
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(Duration.ofDays(365))
                .waitDurationInOpenState(rules.cooldown())
                .permittedNumberOfCallsInHalfOpenState(rules.probeCalls())
                .recordException(e -> true)
                .clock(clock)
                .build());
    }

    /**
     * Tells whether a reloaded policy can keep this instance, and with it each model's recent calls and
     * breaker state: only when its rules and ladder are the same.
     *
     * @param other the new rules
     * @param otherLadder the new ladder
     * @return true if they equal this instance's
     */
    boolean hasSameRules(HealthRules other, List<String> otherLadder) {
        return ladder.equals(otherLadder) && java.util.Objects.equals(rules.latencyP90Above(), other.latencyP90Above())
                && rules.latencyOverCalls() == other.latencyOverCalls()
                && rules.errorRateAbove() == other.errorRateAbove() && rules.errorOverCalls() == other.errorOverCalls()
                && rules.cooldown().equals(other.cooldown()) && rules.probeCalls() == other.probeCalls();
    }

    /** @return true if no health rule applies */
    boolean isEmpty() {
        return breakers.isEmpty();
    }

    /**
     * Chooses the most capable healthy model at or below the requested one on the ladder.
     *
     * @param requested the model asked for
     * @param shadow whether to record only: the requested model is used, permissions are taken on it
     * @return the choice; its decision is a downgrade when the model changed, else null
     */
    Choice choose(String requested, boolean shadow) {
        Breakers first = breakers.get(requested);
        if (first == null) {
            return new Choice(requested, null, null);
        }
        CircuitBreaker refused = first.acquire();
        if (refused == null) {
            return new Choice(requested, first, null);
        }
        int start = ladder.indexOf(requested);
        for (int i = start + 1; i < ladder.size(); i++) {
            String candidate = ladder.get(i);
            Breakers b = breakers.get(candidate);
            if (b.acquire() == null) {
                Decision.Builder d = downgrade(requested, candidate, refused);
                if (shadow) {
                    b.release();
                    return new Choice(requested, null, d);
                }
                return new Choice(candidate, b, d);
            }
        }
        return new Choice(requested, null, Decision.builder(Action.WARN).rule(ruleOf(refused))
                .reason(requested + " is unhealthy (" + describe(refused) + ") and so is every model below it on"
                        + " the ladder; using " + requested + " anyway"));
    }

    private Decision.Builder downgrade(String requested, String chosen, CircuitBreaker refused) {
        CircuitBreaker.Metrics m = refused.getMetrics();
        boolean latency = refused.getName().startsWith("latency:");
        long observed = (long) Math.floor(latency ? m.getSlowCallRate() : m.getFailureRate());
        long limit = latency ? 10 : rules.errorRateAbove();
        return Decision.builder(Action.DOWNGRADE).rule(ruleOf(refused))
                .figures(Math.max(0, observed), limit, Unit.PERCENT)
                .reason(requested + " is unhealthy (" + describe(refused) + "); using " + chosen);
    }

    private String describe(CircuitBreaker b) {
        CircuitBreaker.Metrics m = b.getMetrics();
        String state = b.getState() == CircuitBreaker.State.HALF_OPEN ? ", probing" : "";
        if (b.getName().startsWith("latency:")) {
            return "p90 latency over its last " + rules.latencyOverCalls() + " calls above "
                    + rules.latencyP90Above().toMillis() + " ms: " + pct(m.getSlowCallRate())
                    + " of calls slower" + state;
        }
        return "error rate over its last " + rules.errorOverCalls() + " calls " + pct(m.getFailureRate())
                + ", above " + rules.errorRateAbove() + "%" + state;
    }

    private static String pct(float rate) {
        return rate < 0 ? "n/a" : Math.round(rate) + "%";
    }

    private static String ruleOf(CircuitBreaker b) {
        return b.getName().startsWith("latency:") ? "health.latency" : "health.errors";
    }
}
