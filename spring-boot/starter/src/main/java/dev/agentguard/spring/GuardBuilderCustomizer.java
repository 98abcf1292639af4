package dev.agentguard.spring;

import dev.agentguard.core.Guard;

/**
 * Customizes the guard that the starter builds from {@code agent-guard.policy}, before it is built: a
 * {@link dev.agentguard.core.LimitResolver} for plans kept in a database, a ledger, more decision listeners. Every
 * bean of this type is applied, in {@link org.springframework.core.annotation.Order} order.
 */
@FunctionalInterface
public interface GuardBuilderCustomizer {

    /** @param builder the builder, with the policy's audit file and decision log already wired */
    void customize(Guard.Builder builder);
}
