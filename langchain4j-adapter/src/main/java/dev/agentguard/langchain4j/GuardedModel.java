package dev.agentguard.langchain4j;

import dev.agentguard.core.Guard;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What the guarded sync and streaming chat models share: the planner that attributes, admits, truncates, downgrades
 * and caps each call ({@link CallPlanner}), the delegate's own parameters, provider and capabilities passed through,
 * and a builder with routes to other instances. Each subclass adds only its {@code chat}: how a call is made and
 * settled.
 *
 * @param <M> the model type: {@code ChatModel} or {@code StreamingChatModel}
 */
abstract class GuardedModel<M> {

    final CallPlanner<M> planner;
    private final Function<M, ChatRequestParameters> defaultsOf;
    private final Function<M, ModelProvider> providerOf;
    private final Function<M, Set<Capability>> capabilitiesOf;

    GuardedModel(Builder<M, ?> b, Function<M, ModelProvider> providerOf, Function<M, ChatRequestParameters> defaultsOf,
            Function<M, Set<Capability>> capabilitiesOf) {
        this.planner = new CallPlanner<>(b.guard, b.delegate, b.routes, providerOf, defaultsOf);
        this.defaultsOf = defaultsOf;
        this.providerOf = providerOf;
        this.capabilitiesOf = capabilitiesOf;
    }

    /** @return the delegate's default parameters */
    public ChatRequestParameters defaultRequestParameters() {
        return defaultsOf.apply(planner.delegate());
    }

    /** @return the delegate's provider */
    public ModelProvider provider() {
        return providerOf.apply(planner.delegate());
    }

    /** @return the delegate's capabilities */
    public Set<Capability> supportedCapabilities() {
        return capabilitiesOf.apply(planner.delegate());
    }

    /** @return the guarded model */
    public M delegate() {
        return planner.delegate();
    }

    /** @return the guard that admits this model's calls */
    public Guard guard() {
        return planner.guard();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + '{' + planner.delegate() + ", " + planner.guard() + '}';
    }

    /**
     * Builds a guarded model.
     *
     * @param <M> the model type
     * @param <B> the builder's own type
     */
    abstract static class Builder<M, B extends Builder<M, B>> {
        final M delegate;
        final Guard guard;
        final Map<String, M> routes = new LinkedHashMap<>();

        Builder(M delegate, Guard guard) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            this.guard = Objects.requireNonNull(guard, "guard");
        }

        /**
         * Sends calls that the guard moves to {@code model} (a downgrade along the policy's ladder, or away from an
         * unhealthy model) to another instance, for instance of another provider. The request reaches it with
         * {@code modelName} set to {@code model}; across providers only the common parameters are kept. With a route
         * to another provider, the guard prices every model by its name alone (the feed's model match), since one
         * provider id no longer fits all of them.
         *
         * @param model a model name of the ladder
         * @param target the instance that serves it
         * @return this
         */
        public B route(String model, M target) {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("route: a model name is required");
            }
            routes.put(model, Objects.requireNonNull(target, "route target for " + model));
            return self();
        }

        abstract B self();
    }
}
