package dev.agentguard.micrometer;

import dev.agentguard.core.DecisionEvent;
import dev.agentguard.core.DecisionEvent.CallAdmitted;
import dev.agentguard.core.DecisionEvent.CallSettled;
import dev.agentguard.core.DecisionListener;
import dev.agentguard.core.Guard;
import dev.agentguard.core.common.Action;
import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Mode;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.PricedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns a guard's decision events into meter updates. Runs on the caller's thread: each event costs one or two
 * map lookups of meters built before, and the updates of those meters; a meter is built only the first time its
 * tags occur. Every tag value goes through a {@link BoundedValues}, so that the number of series stays bounded
 * whatever the callers send.
 */
final class MetricsListener implements DecisionListener {

    /** The model tag of a tool call's cost: the tool's name after this prefix. */
    static final String TOOL_PREFIX = "tool:";

    private final Guard guard;
    private final MeterRegistry registry;
    private final BudgetGauges budgets;
    private final Set<String> tenantAllowList;
    private final int maxErrorTypes;
    private final BoundedValues models;
    private final BoundedValues agents;
    private final BoundedValues rules;
    private final BoundedValues guards;
    private final Map<DecisionKey, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<DowngradeKey, Counter> downgrades = new ConcurrentHashMap<>();
    private final Map<ModelKey, ModelMeters> modelMeters = new ConcurrentHashMap<>();
    private final Map<CostKey, LongAdder> costs = new ConcurrentHashMap<>();
    /** The provider of each model name, as the guard's price catalog resolves it; "unknown" when it cannot. */
    private final Map<String, String> providers = new ConcurrentHashMap<>();
    /** The exact spend counted, in nano-dollars, over every tag. */
    private final LongAdder totalCostNanos = new LongAdder();

    private record DecisionKey(String guard, Mode mode, CallKind kind, Action action, String rule) {
    }

    private record DowngradeKey(String guard, String from, String to) {
    }

    private record ModelKey(String guard, String model) {
    }

    private record CostKey(String guard, String agent, String model, String tenant) {
    }

    MetricsListener(Guard guard, MeterRegistry registry, Set<String> tenantAllowList, int maxTagValues,
            int maxErrorTypes) {
        this.guard = guard;
        this.registry = registry;
        this.tenantAllowList = Set.copyOf(tenantAllowList);
        this.maxErrorTypes = maxErrorTypes;
        this.models = new BoundedValues(maxTagValues);
        this.agents = new BoundedValues(maxTagValues);
        this.rules = new BoundedValues(maxTagValues);
        this.guards = new BoundedValues(maxTagValues);
        this.budgets = new BudgetGauges(guard, registry);
        budgets.sync();
    }

    @Override
    public void onDecision(DecisionEvent event) {
        if (event instanceof CallSettled s) {
            settled(s);
        } else {
            if (event instanceof CallAdmitted a && a.kind() == CallKind.MODEL_CALL && a.requestedModel() != null
                    && !a.requestedModel().equals(a.model())) {
                downgraded(a); // whatever action won: a warn may come with a downgrade by health, say
            }
            decided(event);
            if (event instanceof DecisionEvent.PolicyChanged) {
                providers.clear(); // the new policy may price models differently
                budgets.sync();
            }
        }
    }

    private void decided(DecisionEvent e) {
        String rule = e.decision().rule();
        DecisionKey key = new DecisionKey(e.guard(), e.mode(), e.kind(), e.action(), rule == null ? "none" : rule);
        Counter c = decisions.get(key);
        if (c == null) {
            DecisionKey bounded = new DecisionKey(guards.of(key.guard()), key.mode(), key.kind(), key.action(),
                    rules.of(key.rule()));
            c = decisions.computeIfAbsent(bounded, k -> Counter.builder(GuardMetrics.DECISIONS)
                    .description("Decisions taken before a call (and policy changes, guard notices), by kind, action"
                            + " and the rule that decided; in shadow mode (mode=shadow) refusals were not applied")
                    .tag(GuardMetrics.TAG_GUARD, k.guard())
                    .tag("mode", k.mode().id())
                    .tag("kind", k.kind().id())
                    .tag("action", k.action().id())
                    .tag("rule", k.rule())
                    .register(registry));
        }
        c.increment();
    }

    private void downgraded(CallAdmitted a) {
        DowngradeKey key = new DowngradeKey(a.guard(), a.requestedModel(), a.model());
        Counter c = downgrades.get(key);
        if (c == null) {
            DowngradeKey bounded = new DowngradeKey(guards.of(a.guard()), models.of(a.requestedModel()),
                    models.of(a.model()));
            c = downgrades.computeIfAbsent(bounded, k -> Counter.builder(GuardMetrics.DOWNGRADES)
                    .description("Model calls routed to another model than the one asked for (budget or health)")
                    .tag(GuardMetrics.TAG_GUARD, k.guard())
                    .tag("requested_model", k.from())
                    .tag("model", k.to())
                    .register(registry));
        }
        c.increment();
    }

    private void settled(CallSettled s) {
        if (s.kind() == CallKind.MODEL_CALL) {
            ModelMeters m = modelMeters(s.guard(), s.model());
            Usage u = s.usage();
            if (u != null) {
                if (Usage.isKnown(u.input()) || Usage.isKnown(u.cacheRead()) || Usage.isKnown(u.cacheWrite())) {
                    m.inputTokens.record(u.promptTokens());
                }
                if (Usage.isKnown(u.output()) || Usage.isKnown(u.reasoning())) {
                    m.outputTokens.record(u.completionTokens());
                }
            }
            if (s.latencyNanos() >= 0) {
                if (DecisionEvent.OK.equals(s.outcome())) {
                    m.duration.record(s.latencyNanos(), TimeUnit.NANOSECONDS);
                } else {
                    m.recordFailed(s.outcome(), s.latencyNanos());
                }
            }
            if (s.ttftNanos() >= 0) {
                m.timeToFirstChunk.record(s.ttftNanos(), TimeUnit.NANOSECONDS);
            }
        }
        long cost = s.costNanos();
        if (cost > 0 || s.kind() == CallKind.MODEL_CALL) {
            String model = s.kind() == CallKind.MODEL_CALL ? s.model() : TOOL_PREFIX + s.tool();
            cost(s.guard(), s.scope().agent(), model, s.scope().tenant()).add(Math.max(0, cost));
            totalCostNanos.add(Math.max(0, cost));
        }
    }

    private ModelMeters modelMeters(String guardName, String model) {
        ModelMeters m = modelMeters.get(new ModelKey(guardName, orUnknown(model)));
        if (m == null) {
            ModelKey bounded = new ModelKey(guards.of(guardName), models.of(model));
            m = modelMeters.computeIfAbsent(bounded, k -> new ModelMeters(registry, k.guard(),
                    BoundedValues.OTHER.equals(k.model()) ? BoundedValues.UNKNOWN : provider(model), k.model(),
                    maxErrorTypes));
        }
        return m;
    }

    private static String orUnknown(String value) {
        return value == null || value.isEmpty() ? BoundedValues.UNKNOWN : value;
    }

    private String provider(String model) {
        if (model == null) {
            return BoundedValues.UNKNOWN;
        }
        return providers.computeIfAbsent(model, name -> {
            try {
                return guard.priceCatalog().find(null, name).map(PricedModel::provider).orElse(BoundedValues.UNKNOWN);
            } catch (RuntimeException e) { // a catalog that cannot answer must not cost a metric
                return BoundedValues.UNKNOWN;
            }
        });
    }

    private LongAdder cost(String guardName, String agent, String model, String tenant) {
        String tenantTag = tenantAllowList.isEmpty() ? null
                : tenant != null && tenantAllowList.contains(tenant) ? tenant : BoundedValues.OTHER;
        CostKey key = new CostKey(guardName, orUnknown(agent), orUnknown(model), tenantTag);
        LongAdder nanos = costs.get(key);
        if (nanos == null) {
            CostKey bounded = new CostKey(guards.of(guardName), agents.of(agent), models.of(model), tenantTag);
            nanos = costs.computeIfAbsent(bounded, this::registerCost);
        }
        return nanos;
    }

    private LongAdder registerCost(CostKey k) {
        budgets.seen(k.agent(), k.model());
        LongAdder nanos = new LongAdder();
        FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder(GuardMetrics.COST, nanos,
                        n -> n.sum() / 1e9)
                .description("Spend counted by the guard in US dollars (kept exact in nano-dollars, converted once"
                        + " when read); a tool call's cost is under model=\"tool:<name>\"")
                .baseUnit("usd")
                .tag(GuardMetrics.TAG_GUARD, k.guard())
                .tag("agent", k.agent())
                .tag("model", k.model());
        if (k.tenant() != null) {
            b.tag("tenant", k.tenant());
        }
        b.register(registry);
        return nanos;
    }

    /** @return the exact spend counted since binding, in nano-dollars */
    long totalCostNanos() {
        return totalCostNanos.sum();
    }

    /** @return the exact spend counted since binding for one agent and model tag, in nano-dollars (0 if none) */
    long costNanos(String agent, String model) {
        long sum = 0;
        for (Map.Entry<CostKey, LongAdder> e : costs.entrySet()) { // one entry per series: only bounded keys
            CostKey k = e.getKey();
            if (k.agent().equals(agent) && k.model().equals(model)) {
                sum += e.getValue().sum();
            }
        }
        return sum;
    }
}
