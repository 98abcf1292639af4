/**
 * The SLF4J decision log (logger {@code agentguard.decision}): one readable line per decision, with the decision
 * record's redacted fields as key-values, and the MDC binding of the caller's scope.
 */
package dev.agentguard.core.log;
