package dev.agentguard.spring.actuate;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link GuardHealth} as a Spring Boot 4 health indicator ({@code org.springframework.boot.health.contributor},
 * module spring-boot-health); loaded only when that API is on the class path.
 */
public final class Boot4HealthIndicator implements HealthIndicator {

    private final GuardHealth health;

    /** @param health the check */
    public Boot4HealthIndicator(GuardHealth health) {
        this.health = health;
    }

    @Override
    public Health health() {
        GuardHealth.Result r = health.check();
        return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
    }
}
