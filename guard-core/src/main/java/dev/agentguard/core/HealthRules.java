package dev.agentguard.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Model health: when a model on the ladder turns slow or error-prone, calls move down the ladder to the next
 * healthy model, and return once it recovers. Built by {@link #builder()}; immutable.
 *
 * <ul>
 *   <li><b>latency</b>: a model whose p90 latency over its last {@code overCalls} calls is above
 *       {@code p90Above} (rule {@code health.latency});</li>
 *   <li><b>errors</b>: a model whose error rate over its last {@code overCalls} calls is above {@code rateAbove}
 *       percent (rule {@code health.errors}).</li>
 * </ul>
 * The state of each model is a Resilience4j {@code CircuitBreaker} (count-based window, half-open probing): an
 * unhealthy model is avoided for {@code cooldown}, then a few probe calls go back to it, and it is used again when
 * they are healthy.
 */
public final class HealthRules {

    /** No health rules. */
    public static final HealthRules NONE = builder().build();

    private final Duration latencyP90Above;
    private final int latencyOverCalls;
    private final int errorRateAbove;
    private final int errorOverCalls;
    private final Duration cooldown;
    private final int probeCalls;

    private HealthRules(Builder b) {
        this.latencyP90Above = b.latencyP90Above;
        this.latencyOverCalls = b.latencyOverCalls;
        this.errorRateAbove = b.errorRateAbove;
        this.errorOverCalls = b.errorOverCalls;
        this.cooldown = b.cooldown;
        this.probeCalls = b.probeCalls;
    }

    /** @return a builder with no rules, a 60 s cooldown and 3 probe calls */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the p90 latency above which a model is slow, or null when latency is not checked */
    public Duration latencyP90Above() {
        return latencyP90Above;
    }

    /** @return how many recent calls the latency rule looks at */
    public int latencyOverCalls() {
        return latencyOverCalls;
    }

    /** @return the error rate in percent above which a model is failing, or 0 when errors are not checked */
    public int errorRateAbove() {
        return errorRateAbove;
    }

    /** @return how many recent calls the error rule looks at */
    public int errorOverCalls() {
        return errorOverCalls;
    }

    /** @return how long an unhealthy model is avoided before probing it */
    public Duration cooldown() {
        return cooldown;
    }

    /** @return how many probe calls decide whether a model has recovered */
    public int probeCalls() {
        return probeCalls;
    }

    /** @return true if any rule is set */
    public boolean isEnabled() {
        return latencyP90Above != null || errorRateAbove > 0;
    }

    @Override
    public String toString() {
        return "HealthRules{latency p90 > " + latencyP90Above + " over " + latencyOverCalls + ", errors > "
                + errorRateAbove + "% over " + errorOverCalls + ", cooldown " + cooldown + '}';
    }

    /** Builds {@link HealthRules}. */
    public static final class Builder {
        private Duration latencyP90Above;
        private int latencyOverCalls = 20;
        private int errorRateAbove;
        private int errorOverCalls = 20;
        private Duration cooldown = Duration.ofSeconds(60);
        private int probeCalls = 3;

        /** The longest latency threshold or cooldown: longer ones overflow the circuit breaker's arithmetic. */
        private static final Duration MAX_DURATION = Duration.ofDays(365);

        private Builder() {
        }

        /**
         * @param p90Above the p90 latency above which a model is slow
         * @param overCalls how many recent calls to look at
         * @return this
         */
        public Builder latency(Duration p90Above, int overCalls) {
            this.latencyP90Above = Objects.requireNonNull(p90Above, "health.latency.p90Above");
            this.latencyOverCalls = overCalls;
            return this;
        }

        /**
         * @param rateAbovePercent the error rate in percent above which a model is failing
         * @param overCalls how many recent calls to look at
         * @return this
         */
        public Builder errors(int rateAbovePercent, int overCalls) {
            this.errorRateAbove = rateAbovePercent;
            this.errorOverCalls = overCalls;
            return this;
        }

        /** @param cooldown how long an unhealthy model is avoided; default 60 s @return this */
        public Builder cooldown(Duration cooldown) {
            this.cooldown = cooldown;
            return this;
        }

        /** @param n probe calls that decide recovery; default 3 @return this */
        public Builder probeCalls(int n) {
            this.probeCalls = n;
            return this;
        }

        /**
         * @return the rules
         * @throws IllegalArgumentException naming the property and the bad value
         */
        public HealthRules build() {
            if (latencyP90Above != null && (latencyP90Above.isZero() || latencyP90Above.isNegative()
                    || latencyP90Above.compareTo(MAX_DURATION) > 0)) {
                throw new IllegalArgumentException("health.latency.p90Above must be positive and at most 365d, was "
                        + latencyP90Above);
            }
            if (latencyOverCalls < 1 || errorOverCalls < 1) {
                throw new IllegalArgumentException("health overCalls must be >= 1, were latency "
                        + latencyOverCalls + ", errors " + errorOverCalls);
            }
            if (errorRateAbove < 0 || errorRateAbove >= 100) {
                throw new IllegalArgumentException("health.errors.rateAbove must be between 1% and 99%, was "
                        + errorRateAbove + "%");
            }
            if (cooldown == null || cooldown.isZero() || cooldown.isNegative() || cooldown.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("health.errors.cooldown must be positive and at most 365d, was "
                        + cooldown);
            }
            if (probeCalls < 1) {
                throw new IllegalArgumentException("health probeCalls must be >= 1, was " + probeCalls);
            }
            return new HealthRules(this);
        }
    }
}
