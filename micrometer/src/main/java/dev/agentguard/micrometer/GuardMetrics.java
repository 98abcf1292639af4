package dev.agentguard.micrometer;

import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.Guard;
import dev.agentguard.core.audit.AuditSink;
import dev.agentguard.core.common.Money;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Binds a {@link Guard}'s meters to a Micrometer {@link MeterRegistry}: {@code GuardMetrics.bind(guard, registry)}.
 *
 * <p>The meters, their names as Prometheus shows them, and their cardinality (series per guard; {@code M} models,
 * {@code A} agents, {@code R} rule ids, {@code E} error types, each bounded, see below):
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>Prometheus</th><th>tags</th><th>series</th></tr>
 *   <tr><td>{@value #TOKEN_USAGE} (histogram, the GenAI convention's buckets)</td>
 *       <td>{@code gen_ai_client_token_usage_bucket|_count|_sum|_max}</td>
 *       <td>guard, gen_ai.operation.name ({@code chat}), gen_ai.provider.name, gen_ai.request.model,
 *       gen_ai.token.type ({@code input}, {@code output})</td><td>2M</td></tr>
 *   <tr><td>{@value #OPERATION_DURATION} (seconds, the convention's buckets)</td>
 *       <td>{@code gen_ai_client_operation_duration_seconds_*}</td>
 *       <td>the same but the token type, plus error.type (empty when the call ended well)</td>
 *       <td>M(1+E)</td></tr>
 *   <tr><td>{@value #TIME_TO_FIRST_CHUNK} (seconds, streamed calls only)</td>
 *       <td>{@code gen_ai_client_operation_time_to_first_chunk_seconds_*}</td>
 *       <td>as the duration, without error.type</td><td>M</td></tr>
 *   <tr><td>{@value #DECISIONS} (counter)</td><td>{@code agentguard_decisions_total}</td>
 *       <td>guard, mode, kind, action, rule ({@code none} for a plain allow)</td>
 *       <td>at most 4 kinds &times; 8 actions &times; R, in practice a few per rule</td></tr>
 *   <tr><td>{@value #DOWNGRADES} (counter)</td><td>{@code agentguard_downgrades_total}</td>
 *       <td>guard, requested_model, model</td><td>at most M&sup2;, in practice the ladder's steps</td></tr>
 *   <tr><td>{@value #COST} (counter, USD)</td><td>{@code agentguard_cost_usd_total}</td>
 *       <td>guard, agent, model (a tool's cost under {@code tool:<name>}), tenant when an allow-list is set</td>
 *       <td>A &times; M (&times; allowed tenants + 1)</td></tr>
 *   <tr><td>{@value #BUDGET_USED_RATIO} (gauge)</td><td>{@code agentguard_budget_used_ratio}</td>
 *       <td>guard, budget, scope ({@code global}, {@code agent}, {@code model}), key ({@code *}, the agent or
 *       the model)</td><td>global budgets + agent budgets &times; A + model budgets &times; M</td></tr>
 *   <tr><td>{@value #RESERVATIONS_OPEN} (gauge)</td><td>{@code agentguard_reservations_open}</td>
 *       <td>guard</td><td>1</td></tr>
 *   <tr><td>{@value #AUDIT_WRITTEN}, {@value #AUDIT_LOST} (counters, when an audit sink is bound)</td>
 *       <td>{@code agentguard_audit_records_written_total}, {@code agentguard_audit_records_lost_total}</td>
 *       <td>guard</td><td>1 each</td></tr>
 * </table>
 *
 * <p><b>Bounded tags.</b> No meter is tagged with a session, user or request id. A tenant tag exists only when
 * {@link Builder#tenants allowed tenants} are named, and any other tenant is counted as {@code _other}. Models,
 * agents, rule ids and guard names keep their first {@link Builder#maxTagValues} distinct values each; later ones
 * are counted under {@code _other}; error types per model keep their first {@link Builder#maxErrorTypes}. A key the
 * call did not have (no agent) is {@code unknown}.
 *
 * <p><b>Money.</b> Spend is added exactly, in integer nano-dollars, per series; Micrometer's counter API reads a
 * {@code double}, so the USD value is converted once when the registry reads it (exact up to 2<sup>53</sup>
 * nano-dollars, about nine million dollars, and correctly rounded beyond). The exact figures stay available from
 * {@link #cost()} and {@link #cost(String, String)}.
 *
 * <p><b>Where figures come from.</b> Meters of calls are updated on the calling thread from the guard's
 * {@linkplain dev.agentguard.core.DecisionEvent decision events}; gauges and the audit counters are read when the
 * registry is read. {@code gen_ai.provider.name} is the provider the guard's price catalog resolves the model to
 * ({@code unknown} when it cannot). Durations are the guard's: from admission to settlement. Meters of decisions and
 * calls carry the guard's name of each event; budget gauges follow a policy change (gauges of removed budgets are
 * removed); the reservations and audit meters keep the name the guard had when bound.
 */
public final class GuardMetrics {

    /** GenAI convention: tokens per model call, by type. */
    public static final String TOKEN_USAGE = "gen_ai.client.token.usage";
    /** GenAI convention: duration of a model call. */
    public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
    /** GenAI convention: time to the first chunk of a streamed model call. */
    public static final String TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
    /** Decisions by kind, action and rule. */
    public static final String DECISIONS = "agentguard.decisions";
    /** Model calls routed to another model than the one asked for. */
    public static final String DOWNGRADES = "agentguard.downgrades";
    /** Spend in USD. */
    public static final String COST = "agentguard.cost";
    /** Share of a budget's limit used now. */
    public static final String BUDGET_USED_RATIO = "agentguard.budget.used.ratio";
    /** Reservations neither settled nor released. */
    public static final String RESERVATIONS_OPEN = "agentguard.reservations.open";
    /** Audit records written and flushed. */
    public static final String AUDIT_WRITTEN = "agentguard.audit.records.written";
    /** Audit records lost (not written). */
    public static final String AUDIT_LOST = "agentguard.audit.records.lost";
    /** The tag with the guard's (policy's) name, on every meter. */
    public static final String TAG_GUARD = "guard";

    private final Guard guard;
    private final MetricsListener listener;
    private final List<AuditSink> auditSinks;

    private GuardMetrics(Guard guard, MetricsListener listener, List<AuditSink> auditSinks) {
        this.guard = guard;
        this.listener = listener;
        this.auditSinks = auditSinks;
    }

    private long audited(ToLongFunction<AuditSink> count) {
        long sum = 0;
        for (AuditSink s : auditSinks) {
            sum += count.applyAsLong(s);
        }
        return sum;
    }

    /**
     * Registers every meter of the guard with the registry, with the default bounds and no tenant tag, and starts
     * counting its decisions. Audit sinks among the guard's {@linkplain Guard#listeners() listeners} are reported.
     *
     * @param guard the guard
     * @param registry where the meters go
     * @return the binding, for the exact spend figures
     */
    public static GuardMetrics bind(Guard guard, MeterRegistry registry) {
        return builder().bind(guard, registry);
    }

    /** @return a builder for bounds, a tenant allow-list and audit sinks */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the exact spend counted since binding, over every agent and model */
    public Money cost() {
        return Money.ofNanos(listener.totalCostNanos());
    }

    /**
     * @param agent an agent as tagged ({@code unknown} for calls without one)
     * @param model a model as tagged ({@code tool:<name>} for a tool's cost)
     * @return the exact spend counted since binding under those tags (every tenant)
     */
    public Money cost(String agent, String model) {
        return Money.ofNanos(listener.costNanos(agent, model));
    }

    /** Options of a binding; {@link #bind} registers the meters. */
    public static final class Builder {

        private final Set<String> tenants = new LinkedHashSet<>();
        private final List<AuditSink> auditSinks = new ArrayList<>();
        private int maxTagValues = 100;
        private int maxErrorTypes = 10;

        private Builder() {
        }

        /**
         * Tags spend with the tenant for these tenants; every other tenant's spend is tagged {@code _other}.
         * Without this call the cost meter has no tenant tag.
         *
         * @param allowed tenant ids, few: each is a series per agent and model
         * @return this
         */
        public Builder tenants(Set<String> allowed) {
            for (String t : allowed) {
                if (t == null || t.isBlank()) {
                    throw new IllegalArgumentException("tenants: a tenant id must not be blank, got '" + t + "'");
                }
                tenants.add(t);
            }
            return this;
        }

        /**
         * @param max how many distinct models, agents, rule ids and guard names each are kept as tag values (100 by
         *     default); later ones are counted under {@code _other}
         * @return this
         */
        public Builder maxTagValues(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxTagValues must be at least 1, got " + max);
            }
            this.maxTagValues = max;
            return this;
        }

        /**
         * @param max how many distinct {@code error.type} values a model's duration keeps (10 by default)
         * @return this
         */
        public Builder maxErrorTypes(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxErrorTypes must be at least 1, got " + max);
            }
            this.maxErrorTypes = max;
            return this;
        }

        /**
         * Reports this audit sink's written and lost records, in addition to the sinks among the guard's listeners.
         *
         * @param sink an audit sink
         * @return this
         */
        public Builder auditSink(AuditSink sink) {
            auditSinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /**
         * Registers the meters and adds the listener that updates them to the guard.
         *
         * @param guard the guard
         * @param registry where the meters go
         * @return the binding
         */
        public GuardMetrics bind(Guard guard, MeterRegistry registry) {
            Objects.requireNonNull(guard, "guard");
            Objects.requireNonNull(registry, "registry");
            String name = guard.config().name();
            Set<AuditSink> sinks = new LinkedHashSet<>(auditSinks);
            for (DecisionListener l : guard.listeners()) {
                if (l instanceof AuditSink a) {
                    sinks.add(a);
                }
            }
            MetricsListener listener = new MetricsListener(guard, registry, tenants, maxTagValues, maxErrorTypes);
            GuardMetrics metrics = new GuardMetrics(guard, listener, List.copyOf(sinks));
            // the registry holds this gauge's object strongly, and through it the binding: the listener's exact
            // sums (which the cost counters read) and the audit sinks outlive the guard's listener list, which
            // close() empties; function counters hold their object only weakly
            Gauge.builder(RESERVATIONS_OPEN, metrics, m -> m.guard.ledger().openHolds())
                    .description("Reservations of the guard's ledger neither settled nor released (calls in flight)")
                    .tag(TAG_GUARD, name)
                    .strongReference(true)
                    .register(registry);
            if (!sinks.isEmpty()) {
                auditCounter(registry, AUDIT_WRITTEN, "Decision records written to the audit file and flushed",
                        name, metrics, AuditSink::writtenRecords);
                auditCounter(registry, AUDIT_LOST, "Decision records that could not be written to the audit file",
                        name, metrics, AuditSink::lostRecords);
            }
            guard.addListener(listener);
            return metrics;
        }

        private static void auditCounter(MeterRegistry registry, String meter, String description, String guard,
                GuardMetrics metrics, ToLongFunction<AuditSink> count) {
            FunctionCounter.builder(meter, metrics, m -> m.audited(count))
                    .description(description)
                    .tag(TAG_GUARD, guard)
                    .register(registry);
        }
    }
}
