package dev.agentguard.spring;

/**
 * Classes that exist in one Spring Boot generation and not the other, or only with an optional module, by name: the
 * auto-configurations test for them as strings, so that none is loaded where it does not exist.
 */
final class BootClasses {

    /** Boot 3's health indicator API (spring-boot-actuator). */
    static final String HEALTH_3 = "org.springframework.boot.actuate.health.HealthIndicator";
    /** Boot 4's health indicator API (spring-boot-health). */
    static final String HEALTH_4 = "org.springframework.boot.health.contributor.HealthIndicator";
    /** The actuator's endpoint annotation, the same in both generations. */
    static final String ENDPOINT = "org.springframework.boot.actuate.endpoint.annotation.Endpoint";
    /** The condition on an endpoint's exposure, the same in both generations. */
    static final String AVAILABLE_ENDPOINT =
            "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint";
    /** Boot 3's meter registry auto-configuration, which the metrics binding runs after. */
    static final String METER_3 = "org.springframework.boot.actuate.autoconfigure.metrics."
            + "CompositeMeterRegistryAutoConfiguration";
    /** Boot 4's meter registry auto-configuration (spring-boot-micrometer-metrics). */
    static final String METER_4 = "org.springframework.boot.micrometer.metrics.autoconfigure."
            + "CompositeMeterRegistryAutoConfiguration";
    /** Boot 3's OpenTelemetry auto-configuration, which the tracing binding runs after. */
    static final String OTEL_3 = "org.springframework.boot.actuate.autoconfigure.opentelemetry."
            + "OpenTelemetryAutoConfiguration";
    /** Boot 4's OpenTelemetry auto-configuration (spring-boot-opentelemetry). */
    static final String OTEL_4 = "org.springframework.boot.opentelemetry.autoconfigure."
            + "OpenTelemetrySdkAutoConfiguration";
    /** agent-guard-micrometer. */
    static final String GUARD_METRICS = "dev.agentguard.micrometer.GuardMetrics";
    /** Micrometer. */
    static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    /** agent-guard-opentelemetry. */
    static final String GUARD_TRACING = "dev.agentguard.opentelemetry.GuardTracing";
    /** The OpenTelemetry API. */
    static final String OPEN_TELEMETRY = "io.opentelemetry.api.OpenTelemetry";
    /** The Redis ledger of agent-guard-redis. */
    static final String REDIS_LEDGER = "dev.agentguard.redis.RedisBudgetLedger";

    private BootClasses() {
    }
}
