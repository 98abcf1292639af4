package dev.agentguard.core.pricing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Objects;
import java.util.Optional;

/**
 * Remembers lookups, found or not: the same model is priced on every call, and a rule scan over a few thousand
 * match clauses is too slow for that. Bounded, so that a stream of made-up model names cannot grow it without
 * limit; an evicted name is simply looked up again.
 */
final class CachedPriceCatalog implements PriceCatalog {

    /** Far more than the models one process talks to; each entry is a key and a shared result. */
    static final int MAX_ENTRIES = 4_096;

    private final PriceCatalog delegate;
    private final Cache<Key, Optional<PricedModel>> cache;

    CachedPriceCatalog(PriceCatalog delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Caffeine.newBuilder().executor(Runnable::run).maximumSize(MAX_ENTRIES).build();
    }

    @Override
    public Optional<PricedModel> find(String provider, String model) {
        Objects.requireNonNull(model, "model");
        return cache.get(new Key(provider, model), this::load);
    }

    private Optional<PricedModel> load(Key key) {
        return delegate.find(key.provider(), key.model());
    }

    @Override
    public String source() {
        return delegate.source();
    }

    @Override
    public String toString() {
        return "PriceCatalog(" + source() + ")";
    }

    /** The lookup as asked: case and spacing differences just make separate entries. */
    private record Key(String provider, String model) {
    }
}
