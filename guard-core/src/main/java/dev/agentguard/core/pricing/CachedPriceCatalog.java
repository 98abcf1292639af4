package dev.agentguard.core.pricing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Remembers lookups, found or not: the same model is priced on every call, and a rule scan over a few thousand
 * match clauses is too slow for that. Bounded, so that a stream of made-up model names cannot grow it without
 * limit; an evicted name is simply looked up again.
 *
 * <p>In front of the two Caffeine levels sits a small direct-mapped table of the latest answers ({@value #FRONT}
 * slots, indexed by the model name's cached hash): a process prices the same few models on every call, and two
 * Caffeine reads per call (each a read-buffer entry and its share of maintenance) cost more than the rest of the
 * lookup. A slot holds an immutable entry, so a racy read sees a whole one or none; a miss, or a name whose slot
 * another name took, goes to the caches as before.
 */
final class CachedPriceCatalog implements PriceCatalog {

    /** Far more than the models one process talks to; each entry is a key and a shared result. */
    static final int MAX_ENTRIES = 4_096;
    /** Far more than the providers one process names; lookups without a provider share one entry. */
    static final int MAX_PROVIDERS = 16;

    /** The key of lookups without a provider. */
    private static final String NO_PROVIDER = "";

    /** Slots of the front table: a power of two. */
    static final int FRONT = 64;

    private final PriceCatalog delegate;
    /** The latest answers, by model name hash; see the class comment. */
    private final Front[] front = new Front[FRONT];
    /** Per provider, the lookups by model name: a hit allocates nothing (no composite key, no capturing lambda). */
    private final Cache<String, ByModel> providers;
    private final Function<String, ByModel> newProvider;

    CachedPriceCatalog(PriceCatalog delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.providers = Caffeine.newBuilder().executor(Runnable::run).maximumSize(MAX_PROVIDERS).build();
        this.newProvider = ByModel::new;
    }

    @Override
    public Optional<PricedModel> find(String provider, String model) {
        Objects.requireNonNull(model, "model");
        int slot = model.hashCode() & (FRONT - 1);
        Front f = front[slot];
        if (f != null && f.model().equals(model) && Objects.equals(f.provider(), provider)) {
            return f.found();
        }
        Optional<PricedModel> found = providers.get(provider == null ? NO_PROVIDER : provider, newProvider).find(model);
        front[slot] = new Front(provider, model, found);
        return found;
    }

    /** One answer of the front table. Immutable, so that it can be published by a plain (racy) array store. */
    private record Front(String provider, String model, Optional<PricedModel> found) {
    }

    @Override
    public String source() {
        return delegate.source();
    }

    @Override
    public String toString() {
        return "PriceCatalog(" + source() + ")";
    }

    /**
     * The lookups of one provider, as asked: case and spacing differences just make separate entries. Both levels
     * are bounded ({@value #MAX_PROVIDERS} providers of {@value #MAX_ENTRIES} names): a stream of made-up names
     * evicts, it does not grow.
     */
    private final class ByModel {
        private final Cache<String, Optional<PricedModel>> byModel;
        private final Function<String, Optional<PricedModel>> load;

        ByModel(String provider) {
            String p = provider.equals(NO_PROVIDER) ? null : provider;
            this.byModel = Caffeine.newBuilder().executor(Runnable::run).maximumSize(MAX_ENTRIES).build();
            this.load = model -> delegate.find(p, model);
        }

        Optional<PricedModel> find(String model) {
            return byModel.get(model, load);
        }
    }
}
