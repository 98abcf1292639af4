package dev.agentguard.examples.demo;

import dev.agentguard.core.Budget;
import dev.agentguard.core.audit.AuditVerifier;
import dev.agentguard.core.audit.VerificationResult;
import dev.agentguard.core.common.Money;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.policy.LedgerSettings;
import dev.agentguard.policy.Policy;
import dev.agentguard.redis.RedisBudgetLedger;
import dev.agentguard.redis.RedisLedgerProvider;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.List;

/**
 * What a fleet run did, read back after its JVMs have exited: per JVM from its audit file (calls admitted and
 * refused, spend settled, hash chain), and for the fleet from Redis (the shared budget's spend, reservations and
 * open holds), through a ledger built from the same policy as the JVMs'. The two must agree, and the spend must be
 * within the limit.
 *
 * @param redisUsedNanos what Redis holds for the budget: settled in its window plus reserved
 */
record FleetSummary(List<Jvm> jvms, String agent, Budget budget, long redisUsedNanos, long redisReservedNanos,
        long openHolds) {

    /**
     * One JVM, from its audit file.
     *
     * @param admitted its calls admitted
     * @param refused its calls refused
     * @param spentNanos the spend its audit file records
     * @param chain its audit file's hash chain, verified
     */
    record Jvm(String name, long pid, int exitStatus, Path auditFile, int admitted, int refused, long spentNanos,
            VerificationResult chain) {

        /**
         * @param auditFile the JVM's closed audit file
         * @return its figures
         */
        static Jvm read(String name, long pid, int exitStatus, Path auditFile) {
            AuditSummary.Row total = AuditSummary.read(auditFile).total();
            int refused = total.decisions.getOrDefault("block", 0) + total.decisions.getOrDefault("suspend", 0);
            int decided = total.decisions.values().stream().mapToInt(Integer::intValue).sum();
            return new Jvm(name, pid, exitStatus, auditFile, decided - refused, refused,
                    Money.usd(total.cost).nanos(), AuditVerifier.builder().build().verify(auditFile));
        }
    }

    FleetSummary {
        jvms = List.copyOf(jvms);
    }

    /**
     * @param policy the fleet's policy, read with the JVMs' environment (the same Redis and key prefix)
     * @param agent the agent whose budget the JVMs shared
     * @param jvms each JVM's figures
     * @param redis the ledger of {@link #ledger(Policy)}
     * @return the summary, with the shared budget as Redis has it now
     * @throws IllegalStateException if Redis does not answer
     */
    static FleetSummary read(Policy policy, String agent, List<Jvm> jvms, RedisBudgetLedger redis) {
        Budget budget = policy.config().budgets().get(0); // the fleet policy's one budget
        BudgetKey key = new BudgetKey(budget.id(), budget.scope(), agent, budget.window());
        FleetSummary summary = new FleetSummary(jvms, agent, budget, redis.used(key), redis.reserved(key),
                redis.openHolds());
        if (!redis.isAvailable()) {
            throw new IllegalStateException("Redis stopped answering: the fleet's spend cannot be read back");
        }
        return summary;
    }

    /**
     * @param policy the fleet's policy, read with the JVMs' environment
     * @return a ledger on the same Redis keys as the JVMs', built as theirs are (from the policy's ledger section)
     */
    static RedisBudgetLedger ledger(Policy policy) {
        LedgerSettings settings = policy.ledger().orElseThrow(() ->
                new IllegalStateException(Fleet.POLICY + " has no ledger section"));
        return (RedisBudgetLedger) new RedisLedgerProvider()
                .create(policy.name(), settings.settings(), policy.config().reservationLease());
    }

    /** @return the spend the JVMs' audit files record, together */
    long spentNanos() {
        return jvms.stream().mapToLong(j -> j.spentNanos()).sum();
    }

    /** @return how many JVMs had at least one call admitted */
    long jvmsAdmitted() {
        return jvms.stream().filter(j -> j.admitted() > 0).count();
    }

    /** @return how many JVMs had at least one call refused */
    long jvmsRefused() {
        return jvms.stream().filter(j -> j.refused() > 0).count();
    }

    /**
     * @return true if every JVM exited cleanly with an intact chain, the fleet stayed within the limit, Redis and
     *     the audit files agree, and nothing is left reserved
     */
    boolean ok() {
        return jvms.stream().allMatch(j -> j.exitStatus() == 0 && j.chain().ok())
                && spentNanos() <= budget.limit() && redisUsedNanos == spentNanos()
                && redisReservedNanos == 0 && openHolds == 0;
    }

    void print(PrintStream out) {
        out.println("=== Fleet summary, read back from the audit files and from Redis ===");
        String format = "  %-7s %8s %9s %8s %12s  %s%n";
        out.printf(format, "jvm", "pid", "admitted", "refused", "spent", "audit chain");
        int admitted = 0;
        int refused = 0;
        for (Jvm j : jvms) {
            out.printf(format, j.name(), j.pid(), j.admitted(), j.refused(), Money.ofNanos(j.spentNanos()),
                    (j.exitStatus() == 0 ? "" : "EXIT " + j.exitStatus() + ", ") + j.chain());
            admitted += j.admitted();
            refused += j.refused();
        }
        out.printf(format, "fleet", "", admitted, refused, Money.ofNanos(spentNanos()), "");
        String rule = "budgets." + budget.id();
        out.println("Redis, " + rule + " of agent " + agent + ": " + Money.ofNanos(redisUsedNanos) + " spent, "
                + Money.ofNanos(redisReservedNanos) + " reserved, " + openHolds + " holds open.");
        long limit = budget.limit();
        BigDecimal share = BigDecimal.valueOf(spentNanos()).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(limit), 1, RoundingMode.DOWN);
        out.println("Limit " + Money.ofNanos(limit) + " per " + budget.window() + ": "
                + (spentNanos() <= limit ? "never passed; the fleet spent " + share + "% of it"
                        : "PASSED: the fleet spent " + share + "% of it")
                + (redisUsedNanos == spentNanos() ? ", and Redis and the " + jvms.size()
                        + " audit files agree to the nano-dollar." : "; Redis and the audit files DISAGREE."));
        out.println("With the in-memory ledger each JVM would have enforced its own " + Money.ofNanos(limit) + ": these "
                + jvms.size() + " JVMs could have spent up to " + Money.ofNanos(limit * jvms.size()) + ", "
                + jvms.size() + "x the limit.");
        out.println("Audit files: " + jvms.get(0).auditFile().toAbsolutePath().getParent().getParent());
    }
}
