package dev.agentguard.core.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.agentguard.core.Scope;
import dev.agentguard.core.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The default {@link BudgetLedger}: budget windows in this JVM's memory.
 *
 * <p><b>Concurrency.</b> Each window is an entry with its own lock, held only for the few arithmetic
 * operations of one request (never across a model call). The lock spins rather than parks: the global and agent
 * entries are taken by every call, and with a monitor two threads spent more time handing it over (inflation,
 * parking, waking) than inside it; past a hundred spins a waiter yields, in case the holder was descheduled. A reservation takes its requests one by one and, if
 * one does not fit, gives back those already taken. So no two entries are ever locked together (no deadlock,
 * no lock ordering), a window can never pass its limit, and a reservation that is rolled back can at worst make
 * a concurrent one see the window fuller than it ends up: a refusal erring on the safe side.
 *
 * <p><b>Memory.</b> Session and user windows live in a bounded Caffeine cache ({@code maxSessions} entries,
 * expiring after {@code idleExpiry} without use); an entry with a reservation outstanding does not expire. The
 * other levels (global, agent, tenant, model) are few and kept in a plain map. Evicting a session never touches
 * another level's windows. One caveat: an entry evicted <em>by size</em> while a call is in flight settles into
 * the detached entry, and the session starts a new window; keep {@code maxSessions} well above the number of
 * concurrently active sessions.
 *
 * <p>Time is read once per operation from the injected {@link Ticker} (sliding windows) and {@link Clock}
 * (calendar windows).
 */
public final class InMemoryLedger implements BudgetLedger {

    /** Busy-waits of a contended entry before it yields its time slice. */
    private static final int SPINS_BEFORE_YIELD = 100;

    private final Ticker ticker;
    private final Clock clock;
    private final Cache<BudgetKey, Entry> cached;
    private final ConcurrentMap<BudgetKey, Entry> pinned = new ConcurrentHashMap<>();
    private final LongAdder openHolds = new LongAdder();

    private InMemoryLedger(Builder b) {
        this.ticker = b.ticker;
        this.clock = b.clock;
        long idleNanos = b.idleExpiry.toNanos();
        this.cached = Caffeine.newBuilder()
                .executor(Runnable::run) // see Guard: maintenance on the caller, no hand-off per write
                .maximumSize(b.maxSessions)
                .expireAfter(new IdleUnlessReserved(idleNanos))
                .ticker(ticker::read)
                .build();
    }

    /** @return a builder with the system ticker and clock, 100,000 sessions and a one-hour idle expiry */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Hold reserve(List<BudgetRequest> requests) {
        int n = requests.size();
        long tick = ticker.read();
        long epoch = clock.millis();
        Entry[] entries = new Entry[n];
        long[] amounts = new long[n];
        long[] usedBefore = new long[n];
        for (int i = 0; i < n; i++) {
            BudgetRequest r = requests.get(i);
            Entry e = entry(r.key());
            long used = e.tryReserve(tick, epoch, r.amount(), r.limit());
            if (used < 0) {
                usedBefore[i] = ~used;
                for (int j = 0; j < i; j++) {
                    entries[j].unreserve(amounts[j]);
                }
                return new MemoryHold(null, null, usedBefore, i);
            }
            entries[i] = e;
            amounts[i] = r.amount();
            usedBefore[i] = used;
            if (e.key != null) {
                cached.getIfPresent(e.key); // the expiry was computed before the hold: pin the entry now
            }
        }
        openHolds.increment();
        return new MemoryHold(entries, amounts, usedBefore, -1);
    }

    @Override
    public void settle(Hold hold, long[] actualAmounts) {
        MemoryHold h = own(hold);
        if (!h.granted()) {
            return;
        }
        if (actualAmounts.length != h.size()) {
            throw new IllegalArgumentException("expected " + h.size() + " actual amounts, got " + actualAmounts.length);
        }
        for (long a : actualAmounts) {
            if (a < 0) {
                throw new IllegalArgumentException("actual amounts must be >= 0, got " + a);
            }
        }
        if (!h.done.compareAndSet(false, true)) {
            return;
        }
        long tick = ticker.read();
        long epoch = clock.millis();
        for (int i = 0; i < h.entries.length; i++) {
            h.entries[i].settle(tick, epoch, h.amounts[i], actualAmounts[i]);
        }
        finish(h);
    }

    @Override
    public void release(Hold hold) {
        MemoryHold h = own(hold);
        if (!h.granted() || !h.done.compareAndSet(false, true)) {
            return;
        }
        for (int i = 0; i < h.entries.length; i++) {
            h.entries[i].unreserve(h.amounts[i]);
        }
        finish(h);
    }

    @Override
    public long used(BudgetKey key) {
        Entry e = peek(key);
        return e == null ? 0 : e.used(ticker.read(), clock.millis());
    }

    @Override
    public long reserved(BudgetKey key) {
        Entry e = peek(key);
        return e == null ? 0 : e.reserved();
    }

    @Override
    public long openHolds() {
        return openHolds.sum();
    }

    /** Runs pending cache maintenance (expiry and eviction) now; for tests and status pages. */
    public void cleanUp() {
        cached.cleanUp();
    }

    /** @return how many session and user windows are held */
    public long cachedWindows() {
        return cached.estimatedSize();
    }

    private void finish(MemoryHold h) {
        openHolds.decrement();
        // An entry pinned by its reservation gets its idle expiry back only when the cache looks at it again.
        for (Entry e : h.entries) {
            if (e.key != null) {
                cached.getIfPresent(e.key);
            }
        }
    }

    private Entry entry(BudgetKey key) {
        if (isCached(key.scope())) {
            return cached.get(key, k -> new Entry(k, k.window().newWindow()));
        }
        return pinned.computeIfAbsent(key, k -> new Entry(null, k.window().newWindow()));
    }

    private Entry peek(BudgetKey key) {
        return isCached(key.scope()) ? cached.getIfPresent(key) : pinned.get(key);
    }

    private static boolean isCached(Scope scope) {
        return scope == Scope.SESSION || scope == Scope.USER;
    }

    private static MemoryHold own(Hold hold) {
        if (!(hold instanceof MemoryHold)) {
            throw new IllegalArgumentException("not a hold of an InMemoryLedger: " + hold);
        }
        return (MemoryHold) hold;
    }

    /** One window plus what is reserved on it. */
    private static final class Entry {
        private static final VarHandle LOCKED;

        static {
            try {
                LOCKED = MethodHandles.lookup().findVarHandle(Entry.class, "locked", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** The cache key for session and user entries (to refresh their expiry); null for pinned entries. */
        final BudgetKey key;
        private final dev.agentguard.core.window.Window window;
        private long reserved;
        private volatile int holds;
        /** 1 while a thread is inside one of the few-instruction sections below; see {@link #lock()}. */
        private volatile int locked;

        Entry(BudgetKey key, dev.agentguard.core.window.Window window) {
            this.key = key;
            this.window = window;
        }

        private void lock() {
            int spins = 0;
            while (locked != 0 || !LOCKED.compareAndSet(this, 0, 1)) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // the holder may have been descheduled: let it run
                    spins = 0;
                }
            }
        }

        private void unlock() {
            LOCKED.setRelease(this, 0);
        }

        /** @return the amount used before, or its complement ({@code ~used}, negative) when refused */
        long tryReserve(long tick, long epoch, long amount, long limit) {
            lock();
            try {
                long used = window.total(tick, epoch) + reserved;
                if (amount > limit - used) {
                    return ~used;
                }
                reserved += amount;
                holds++;
                return used;
            } finally {
                unlock();
            }
        }

        void unreserve(long amount) {
            lock();
            try {
                reserved -= amount;
                holds--;
            } finally {
                unlock();
            }
        }

        void settle(long tick, long epoch, long amount, long actual) {
            lock();
            try {
                reserved -= amount;
                holds--;
                window.add(tick, epoch, actual);
            } finally {
                unlock();
            }
        }

        long used(long tick, long epoch) {
            lock();
            try {
                return window.total(tick, epoch) + reserved;
            } finally {
                unlock();
            }
        }

        long reserved() {
            lock();
            try {
                return reserved;
            } finally {
                unlock();
            }
        }

        boolean hasHolds() {
            return holds > 0;
        }
    }

    private static final class MemoryHold implements Hold {
        final Entry[] entries;
        final long[] amounts;
        final long[] usedBefore;
        final int refusedIndex;
        final AtomicBoolean done = new AtomicBoolean();

        MemoryHold(Entry[] entries, long[] amounts, long[] usedBefore, int refusedIndex) {
            this.entries = entries;
            this.amounts = amounts;
            this.usedBefore = usedBefore;
            this.refusedIndex = refusedIndex;
        }

        @Override
        public boolean granted() {
            return refusedIndex < 0;
        }

        @Override
        public int size() {
            return usedBefore.length;
        }

        @Override
        public int refusedIndex() {
            return refusedIndex;
        }

        @Override
        public long usedBefore(int i) {
            return usedBefore[i];
        }

        @Override
        public String toString() {
            return granted() ? "Hold{granted, " + size() + " windows}" : "Hold{refused at " + refusedIndex + "}";
        }
    }

    /** Expire after idle time, except while a reservation is outstanding. */
    private static final class IdleUnlessReserved implements Expiry<BudgetKey, Entry> {
        private final long idleNanos;

        IdleUnlessReserved(long idleNanos) {
            this.idleNanos = idleNanos;
        }

        private long expiry(Entry e) {
            return e.hasHolds() ? Long.MAX_VALUE : idleNanos;
        }

        @Override
        public long expireAfterCreate(BudgetKey key, Entry value, long currentTime) {
            return expiry(value);
        }

        @Override
        public long expireAfterUpdate(BudgetKey key, Entry value, long currentTime, long currentDuration) {
            return expiry(value);
        }

        @Override
        public long expireAfterRead(BudgetKey key, Entry value, long currentTime, long currentDuration) {
            return expiry(value);
        }
    }

    /** Builds an {@link InMemoryLedger}. */
    public static final class Builder {
        private Ticker ticker = Ticker.system();
        private Clock clock = Clock.systemUTC();
        private long maxSessions = 100_000;
        private Duration idleExpiry = Duration.ofHours(1);

        private Builder() {
        }

        /** @param ticker the time source of sliding windows @return this */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** @param clock the time source of calendar windows @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param maxSessions how many session and user windows to keep at most
         * @return this
         */
        public Builder maxSessions(long maxSessions) {
            if (maxSessions <= 0) {
                throw new IllegalArgumentException("maxSessions must be > 0, was " + maxSessions);
            }
            this.maxSessions = maxSessions;
            return this;
        }

        /**
         * @param idleExpiry how long an unused session or user window is kept
         * @return this
         */
        public Builder idleExpiry(Duration idleExpiry) {
            Objects.requireNonNull(idleExpiry, "idleExpiry");
            if (idleExpiry.isZero() || idleExpiry.isNegative()) {
                throw new IllegalArgumentException("idleExpiry must be positive, was " + idleExpiry);
            }
            this.idleExpiry = idleExpiry;
            return this;
        }

        /** @return the ledger */
        public InMemoryLedger build() {
            return new InMemoryLedger(this);
        }
    }
}
