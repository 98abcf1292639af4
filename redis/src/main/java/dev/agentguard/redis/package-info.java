/**
 * A {@link dev.agentguard.core.ledger.BudgetLedger} on Redis, so that every JVM of a fleet enforces one budget:
 * {@link dev.agentguard.redis.RedisBudgetLedger}. One Lua script per operation, time from the server, holds with
 * leases, and a stated behaviour when Redis cannot be reached ({@link dev.agentguard.redis.OnUnavailable}).
 */
package dev.agentguard.redis;
