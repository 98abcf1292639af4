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
import java.util.function.Function;

/**
 * Turns a guard's decision events into meter updates. Runs on the caller's thread: an event costs a few lookups
 * in maps keyed by the event's own strings (nothing is allocated to look a meter up) and the updates of those
 * meters; a meter is built only the first time its tags occur. Every tag value goes through a {@link
 * BoundedValues}, and a value past the bound is never a map key, so that the maps and the registry stay bounded
 * whatever the callers send.
 */
final class MetricsListener implements DecisionListener {

    /** The model tag of a tool call's cost: the tool's name after this prefix. */
    static final String TOOL_PREFIX = "tool:";
    /** The rule tag of a decision without a rule (a plain allow). */
    static final String NO_RULE = "none";

    private static final Mode[] MODES = Mode.values();
    private static final CallKind[] KINDS = CallKind.values();
    private static final Action[] ACTIONS = Action.values();

    private final Guard guard;
    private final MeterRegistry registry;
    private final BudgetGauges budgets;
    private final Set<String> tenantAllowList;
    private final int maxErrorTypes;
    private final BoundedValues models;
    private final BoundedValues agents;
    private final BoundedValues rules;
    private final BoundedValues guards;
    /** Per guard name (bounded): its meters. */
    private final Map<String, PerGuard> perGuard = new ConcurrentHashMap<>();
    /** The provider of each model name, as the guard's price catalog resolves it; "unknown" when it cannot. */
    private final Map<String, String> providers = new ConcurrentHashMap<>();
    /** The exact spend counted, in nano-dollars, over every tag. */
    private final LongAdder totalCostNanos = new LongAdder();

    /** The meters of one guard name, looked up by the event's strings and enums. */
    private final class PerGuard {
        final String name;
        /** By mode, kind and action (see {@link #index}), then rule. */
        @SuppressWarnings("unchecked")
        final Map<String, Counter>[] decisions = new Map[MODES.length * KINDS.length * ACTIONS.length];
        /** By requested model, then model. */
        final Map<String, Map<String, Counter>> downgrades = new ConcurrentHashMap<>();
        /** By model. */
        final Map<String, ModelMeters> modelMeters = new ConcurrentHashMap<>();
        /** By tenant tag ("" without an allow-list), agent, model: nano-dollars. */
        final Map<String, Map<String, Map<String, LongAdder>>> costs = new ConcurrentHashMap<>();

        PerGuard(String name) {
            this.name = name;
            for (int i = 0; i < decisions.length; i++) {
                decisions[i] = new ConcurrentHashMap<>();
            }
        }
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
        PerGuard g = perGuard(event.guard());
        if (event instanceof CallSettled s) {
            settled(g, s);
        } else {
            if (event instanceof CallAdmitted a && a.kind() == CallKind.MODEL_CALL && a.requestedModel() != null
                    && !a.requestedModel().equals(a.model())) {
                downgraded(g, a); // whatever action won: a warn may come with a downgrade by health, say
            }
            decided(g, event);
            if (event instanceof DecisionEvent.PolicyChanged) {
                providers.clear(); // the new policy may price models differently
                budgets.sync();
            }
        }
    }

    private PerGuard perGuard(String name) {
        PerGuard g = perGuard.get(name);
        return g != null ? g : perGuard.computeIfAbsent(guards.of(name), PerGuard::new);
    }

    /**
     * The slow path of a lookup by raw key that missed: the value under the key's bounded tag value, built if
     * needed. A raw key is stored only when it is its own tag value, so that values past the bound never grow the
     * map. Callers try {@code map.get(raw)} first, so that the hot path captures nothing (no lambda is allocated).
     */
    private static <V> V missed(Map<String, V> map, String raw, BoundedValues bound, Function<String, V> build) {
        return map.computeIfAbsent(bound.of(raw), build);
    }

    private static int index(Mode mode, CallKind kind, Action action) {
        return (mode.ordinal() * KINDS.length + kind.ordinal()) * ACTIONS.length + action.ordinal();
    }

    private void decided(PerGuard g, DecisionEvent e) {
        Mode mode = e.mode();
        CallKind kind = e.kind();
        Action action = e.action();
        String rule = e.decision().rule();
        Map<String, Counter> byRule = g.decisions[index(mode, kind, action)];
        String ruleKey = rule == null ? NO_RULE : rule;
        Counter c = byRule.get(ruleKey);
        if (c == null) {
            c = missed(byRule, ruleKey, rules, r -> Counter.builder(GuardMetrics.DECISIONS)
                    .description("Decisions taken before a call (and policy changes, guard notices), by kind,"
                            + " action and the rule that decided; in shadow mode (mode=shadow) refusals were not"
                            + " applied")
                    .tag(GuardMetrics.TAG_GUARD, g.name)
                    .tag("mode", mode.id())
                    .tag("kind", kind.id())
                    .tag("action", action.id())
                    .tag("rule", r)
                        .register(registry));
        }
        c.increment();
    }

    private void downgraded(PerGuard g, CallAdmitted a) {
        Map<String, Counter> to = g.downgrades.get(a.requestedModel());
        if (to == null) {
            to = missed(g.downgrades, a.requestedModel(), models, m -> new ConcurrentHashMap<>());
        }
        String from = models.of(a.requestedModel());
        Counter c = a.model() == null ? null : to.get(a.model());
        if (c == null) {
            c = missed(to, a.model(), models, m -> Counter.builder(GuardMetrics.DOWNGRADES)
                    .description("Model calls routed to another model than the one asked for (budget or health)")
                    .tag(GuardMetrics.TAG_GUARD, g.name)
                    .tag("requested_model", from)
                    .tag("model", m)
                    .register(registry));
        }
        c.increment();
    }

    private void settled(PerGuard g, CallSettled s) {
        if (s.kind() == CallKind.MODEL_CALL) {
            String model = s.model();
            ModelMeters m = model == null ? null : g.modelMeters.get(model);
            if (m == null) {
                m = missed(g.modelMeters, model, models, tag -> new ModelMeters(registry, g.name,
                        BoundedValues.OTHER.equals(tag) ? BoundedValues.UNKNOWN : provider(model), tag,
                        maxErrorTypes));
            }
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
        long cost = Math.max(0, s.costNanos());
        if (cost > 0 || s.kind() == CallKind.MODEL_CALL) {
            String model = s.kind() == CallKind.MODEL_CALL ? s.model() : TOOL_PREFIX + s.tool();
            cost(g, s.scope().tenant(), s.scope().agent(), model).add(cost);
            totalCostNanos.add(cost);
        }
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

    private LongAdder cost(PerGuard g, String tenant, String agent, String model) {
        String tenantTag = tenantAllowList.isEmpty() ? ""
                : tenant != null && tenantAllowList.contains(tenant) ? tenant : BoundedValues.OTHER;
        Map<String, Map<String, LongAdder>> byAgent = g.costs.get(tenantTag);
        if (byAgent == null) {
            byAgent = g.costs.computeIfAbsent(tenantTag, t -> new ConcurrentHashMap<>());
        }
        Map<String, LongAdder> byModel = agent == null ? null : byAgent.get(agent);
        if (byModel == null) {
            byModel = missed(byAgent, agent, agents, a -> new ConcurrentHashMap<>());
        }
        LongAdder nanos = model == null ? null : byModel.get(model);
        if (nanos == null) {
            String agentTag = agents.of(agent);
            nanos = missed(byModel, model, models, m -> registerCost(g.name, tenantTag, agentTag, m));
        }
        return nanos;
    }

    private LongAdder registerCost(String guardName, String tenantTag, String agentTag, String modelTag) {
        budgets.seen(agentTag, modelTag);
        LongAdder nanos = new LongAdder();
        FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder(GuardMetrics.COST, nanos,
                        n -> n.sum() / 1e9)
                .description("Spend counted by the guard in US dollars (kept exact in nano-dollars, converted once"
                        + " when read); a tool call's cost is under model=\"tool:<name>\"")
                .baseUnit("usd")
                .tag(GuardMetrics.TAG_GUARD, guardName)
                .tag("agent", agentTag)
                .tag("model", modelTag);
        if (!tenantTag.isEmpty()) {
            b.tag("tenant", tenantTag);
        }
        b.register(registry);
        return nanos;
    }

    /** @return the exact spend counted since binding, in nano-dollars */
    long totalCostNanos() {
        return totalCostNanos.sum();
    }

    /** @return the exact spend counted since binding under one agent and model tag, in nano-dollars (0 if none) */
    long costNanos(String agent, String model) {
        long sum = 0;
        for (PerGuard g : perGuard.values()) {
            for (Map<String, Map<String, LongAdder>> byAgent : g.costs.values()) {
                Map<String, LongAdder> byModel = byAgent.get(agent);
                LongAdder n = byModel == null ? null : byModel.get(model);
                sum += n == null ? 0 : n.sum();
            }
        }
        return sum;
    }
}
