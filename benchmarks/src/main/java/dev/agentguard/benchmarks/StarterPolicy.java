package dev.agentguard.benchmarks;

import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardConfig;
import dev.agentguard.core.log.DecisionLog;
import dev.agentguard.policy.Policies;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The policy the benchmarks guard with: {@code bench-starter.yaml} (in this module's resources), which
 * {@code extends: preset:starter} and raises its limits, loaded through the policies module. Limits are far away,
 * so that every call is admitted and the figures are the cost of the checks, not of refusals. It tracks up to 2M
 * sessions (the default is 100k), so that the benchmarks over 1M sessions measure tracking them, not evicting them.
 */
final class StarterPolicy {

    static final String RESOURCE = "bench-starter.yaml";

    private StarterPolicy() {
    }

    static GuardConfig config() {
        try (InputStream in = StarterPolicy.class.getResourceAsStream("/" + RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return Policies.parse(in, RESOURCE).config();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return a guard as {@link Policies#load} builds one for this policy (with the SLF4J decision log as its
     *     listener; no SLF4J backend here, so it logs nothing)
     */
    static Guard guard() {
        return Guard.builder(config()).listener(new DecisionLog()).build();
    }
}
