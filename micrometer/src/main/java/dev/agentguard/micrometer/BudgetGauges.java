package dev.agentguard.micrometer;

import dev.agentguard.core.Budget;
import dev.agentguard.core.Guard;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ledger.BudgetKey;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@value GuardMetrics#BUDGET_USED_RATIO} gauges: one per budget of the global scope, and one per budget and
 * agent (or model) seen for budgets of the agent (or model) scope. Session, user and tenant budgets get none: their
 * keys are unbounded.
 *
 * <p>A gauge reads the ledger when the registry is scraped (settled spend plus outstanding reservations, over the
 * limit); nothing is computed on the call path. After a policy change ({@link #sync()}) gauges of budgets that are
 * gone are removed and new budgets get theirs. Memory: one gauge per (budget, key), keys bounded as the agent and
 * model tags are.
 */
final class BudgetGauges {

    private final Guard guard;
    private final MeterRegistry registry;
    private final Map<Ref, Meter> gauges = new HashMap<>();
    private final Set<String> agents = new LinkedHashSet<>();
    private final Set<String> models = new LinkedHashSet<>();

    /** One gauge: a budget, its scope and the key within it, under the guard's name when it was registered. */
    private record Ref(String guard, String budget, Scope scope, String key) {
    }

    BudgetGauges(Guard guard, MeterRegistry registry) {
        this.guard = guard;
        this.registry = registry;
    }

    /** Registers the gauges of the policy in force and removes those of budgets that are no longer in it. */
    synchronized void sync() {
        String name = guard.config().name();
        Set<Ref> wanted = new LinkedHashSet<>();
        for (Budget b : guard.config().budgets()) {
            switch (b.scope()) {
                case GLOBAL -> wanted.add(new Ref(name, b.id(), Scope.GLOBAL, Scope.GLOBAL_KEY));
                case AGENT -> agents.forEach(a -> wanted.add(new Ref(name, b.id(), Scope.AGENT, a)));
                case MODEL -> models.forEach(m -> wanted.add(new Ref(name, b.id(), Scope.MODEL, m)));
                default -> {
                    // session, user, tenant: unbounded keys, no gauge
                }
            }
        }
        for (Iterator<Map.Entry<Ref, Meter>> it = gauges.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Ref, Meter> e = it.next();
            if (!wanted.contains(e.getKey())) {
                registry.remove(e.getValue());
                it.remove();
            }
        }
        for (Ref r : wanted) {
            gauges.computeIfAbsent(r, this::register);
        }
    }

    /**
     * Notes an agent and a model that calls used (tag values, already bounded), so that budgets of those scopes get a
     * gauge for them.
     */
    synchronized void seen(String agent, String model) {
        boolean added = isKey(agent) && agents.add(agent);
        added |= isKey(model) && models.add(model);
        if (added) {
            sync();
        }
    }

    private static boolean isKey(String tagValue) {
        return tagValue != null && !BoundedValues.OTHER.equals(tagValue) && !BoundedValues.UNKNOWN.equals(tagValue);
    }

    private Meter register(Ref r) {
        return Gauge.builder(GuardMetrics.BUDGET_USED_RATIO, r, this::ratio)
                .description("Share of a budget's limit used in its window now, outstanding reservations included"
                        + " (1 = the limit); global, agent and model budgets only")
                .tag(GuardMetrics.TAG_GUARD, r.guard())
                .tag("budget", r.budget())
                .tag("scope", r.scope().id())
                .tag("key", r.key())
                .strongReference(true)
                .register(registry);
    }

    /** Read at scrape time: NaN once the budget is gone or its limit is 0, so that no stale figure is shown. */
    private double ratio(Ref r) {
        for (Budget b : guard.config().budgets()) {
            if (b.id().equals(r.budget()) && b.scope() == r.scope()) {
                if (b.limit() <= 0) {
                    return Double.NaN;
                }
                long used = guard.ledger().used(new BudgetKey(b.id(), b.scope(), r.key(), b.window()));
                return (double) used / b.limit();
            }
        }
        return Double.NaN;
    }
}
