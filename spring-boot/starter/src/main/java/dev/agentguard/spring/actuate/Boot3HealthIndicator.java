package dev.agentguard.spring.actuate;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * {@link GuardHealth} as a Spring Boot 3 health indicator ({@code org.springframework.boot.actuate.health}); loaded
 * only when that API is on the class path.
 */
public final class Boot3HealthIndicator implements HealthIndicator {

    private final GuardHealth health;

    /** @param health the check */
    public Boot3HealthIndicator(GuardHealth health) {
        this.health = health;
    }

    @Override
    public Health health() {
        GuardHealth.Result r = health.check();
        return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
    }
}
