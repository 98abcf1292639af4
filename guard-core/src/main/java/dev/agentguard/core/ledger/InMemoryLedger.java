package dev.agentguard.core.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.agentguard.core.common.RecentTicker;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.SparseTouch;
import dev.agentguard.core.common.SteadyClock;
import dev.agentguard.core.common.ThreadProbe;
import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.common.Unit;
import dev.agentguard.core.window.Window;
import dev.agentguard.core.window.WindowSpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The default {@link BudgetLedger}: budget windows in this JVM's memory.
 *
 * <p><b>Concurrency.</b> Each window is an entry with its own lock, held only for the few arithmetic
 * operations of one request (never across a model call). The lock spins rather than parks: the global and agent
 * entries are taken by every call, and with a monitor two threads spent more time handing it over (inflation,
 * parking, waking) than inside it; past a hundred spins a waiter yields, in case the holder was descheduled. A
 * reservation takes its requests one by one and, if one does not fit, gives back those already taken. So no two
 * entries are ever locked together (no deadlock, no lock ordering), a window can never pass its limit, and a
 * reservation that is rolled back can at worst make a concurrent one see the window fuller than it ends up: a
 * refusal erring on the safe side. A process or agent window whose key sets a
 * {@link BudgetKey#creditCeiling credit ceiling} lends each thread a credit while it is far from it, so that threads
 * do not take its lock in turn on every call; see {@link LedgerEntry} for how that stays exact where a decision
 * depends on the figure.
 *
 * <p><b>Memory, and what is never forgotten.</b> Global and agent windows are few and kept for good. Session, user,
 * tenant and model windows (their keys come from requests, so there may be any number of them) live in a Caffeine cache
 * whose entries are forgotten only when nothing in them counts any more: an entry is kept while a reservation on it is
 * outstanding, and otherwise until the later of {@code idleExpiry} after its last use and the moment its spend has left
 * its window ({@link dev.agentguard.core.window.Window#drainedAt}): a monthly budget keeps its window for the month,
 * however long its user is idle. The cache's expiry is only a first guess of that moment: the hot path tells the cache
 * of a window's use at most once per 1/64 of {@code idleExpiry} ({@link SparseTouch}) and never of a reservation, so an
 * entry may expire while it still counts. The cache's eviction listener, which runs inside the removal, decides: an
 * entry that still counts is rescued (kept aside and put back, the same object, by the next lookup of its key or the
 * next reservation), and one that does not is retired, so that a reservation racing with the removal looks its key up
 * again. A key therefore never has two live windows. The cache holds at most {@code maxWindows} entries. When a new
 * window is needed and the cache is full, expired entries are cleaned up first; when every entry still holds spend or a
 * reservation, {@link OnFull} decides: {@link OnFull#REFUSE_NEW refuse} the call that needs the new window (its hold is
 * refused with {@link Hold#refusedForCapacity()}), or {@link OnFull#EVICT_OLDEST forget} the window that would expire
 * soonest and has no reservation outstanding (reported by {@link Hold#evictedWindows()}). Either way the caller records
 * it; nothing is dropped silently. An entry with a reservation outstanding is never evicted or expired, so a settlement
 * always lands in the window it was reserved on.
 *
 * <p><b>Time.</b> Read once per operation from the injected {@link Ticker} (sliding windows), or taken from the
 * caller's reading of that same ticker ({@link #reserve(List, Ticker, long)}), and a {@link SteadyClock} over the
 * injected {@link Clock} (calendar windows), so that one outlier wall-clock reading does not move a calendar
 * window.
 *
 * <p><b>Key objects.</b> A reservation notes on each {@link BudgetKey} object the entry it found; asked again with
 * the same object (the guard keeps a session's keys with the session, and a budget keeps its process and agent
 * keys), the ledger goes to that entry without a lookup, after checking it is this ledger's and still live (a
 * retired entry sends it back to the lookup). A key's live entry is its only one, so the shortcut finds what the
 * lookup would.
 *
 * <p><b>Reloads.</b> A {@link BudgetKey} is equal across window shapes, so a budget that keeps its id keeps its
 * entry. {@link #reshape} (called by the guard when a reload changes a budget's window) gives each of its entries
 * a window of the new shape that carries what the old one holds now (the spend of its current period or span) as
 * spent at that moment; a key that arrives later with another shape than its entry's is reshaped the same way.
 * Reshaping visits every window of the ledger: O(windows), once per reload.
 *
 * <p><b>Suspensions</b> live in this process, in a cache bounded by {@code maxWindows} whose entries expire at their
 * suspension's end; a reservation checks them first, and only once a suspension was ever made. {@link #windows}
 * visits every window: O(windows).
 */
public final class InMemoryLedger implements BudgetLedger {

    /** How often a reservation retries an entry that was expired or evicted under it; more means a bug. */
    private static final int MAX_RETRIES = 1_000;

    private final Ticker ticker;
    /** The cache's time: this ledger's latest reading of {@link #ticker}, not a new one per lookup. */
    private final RecentTicker recent;
    private final SteadyClock clock;
    private final long idleNanos;
    /** How often, at most, the cache is told of a window's use ({@link SparseTouch}). */
    final long touchNanos;
    private final long maxWindows;
    private final OnFull onFull;
    private final Cache<BudgetKey, LedgerEntry> cached;
    private final ConcurrentMap<BudgetKey, LedgerEntry> pinned = new ConcurrentHashMap<>();
    /** Cached entries that expired while they still counted, until their key is looked up again: see the class. */
    private final ConcurrentMap<BudgetKey, LedgerEntry> rescued = new ConcurrentHashMap<>();
    /** Makes a key's entry: the one rescued for it, else a new one. Built once: no capture per call. */
    private final Function<BudgetKey, LedgerEntry> revive;
    private final LongAdder openHolds = new LongAdder();
    private final SuspensionBook suspensions;

    private InMemoryLedger(Builder b) {
        this.ticker = b.ticker;
        this.recent = new RecentTicker(b.ticker);
        this.clock = SteadyClock.of(b.clock, b.ticker);
        this.idleNanos = b.idleExpiry.toNanos();
        this.touchNanos = SparseTouch.intervalFor(b.idleExpiry);
        this.maxWindows = b.maxWindows;
        this.onFull = b.onFull;
        this.revive = k -> {
            LedgerEntry r = rescued.remove(k);
            return r != null ? r : new LedgerEntry(this, k, k.window(), saturatedAdd(recent.read(), idleNanos));
        };
        this.cached = Caffeine.newBuilder()
                .executor(Runnable::run) // see Guard: maintenance on the caller, no hand-off per write
                .expireAfter(new WhileItCounts())
                .evictionListener(this::expired)
                .ticker(recent::read)
                .build();
        this.suspensions = new SuspensionBook(ticker, clock, maxWindows);
    }

    /** @return a builder with the system ticker and clock, 400,000 windows and a one-hour idle expiry */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Hold reserve(List<BudgetRequest> requests) {
        return reserve(requests, ticker, ticker.read());
    }

    /** Takes the caller's reading when it is of this ledger's own ticker, else reads the time itself. */
    @Override
    public Hold reserve(List<BudgetRequest> requests, Ticker source, long reading) {
        Suspension[] suspended = suspensions.check(requests);
        if (suspended != null) {
            return new SuspendedHold(suspended); // before anything is taken: a suspended key reserves nothing
        }
        int n = requests.size();
        long tick = recent.observe(timeOf(source, reading));
        LedgerAccount[] entries = new LedgerAccount[n];
        long[] usedBefore = new long[n];
        ThreadProbe probe = null;
        int evicted = 0;
        for (int i = 0; i < n; i++) {
            BudgetRequest r = requests.get(i);
            BudgetKey key = r.key();
            LedgerEntry e;
            long used;
            // the entry this key object led to last time, if it is this ledger's: a live entry is the key's only
            // one (a key's entry leaves the cache retired, or rescued and brought back as it is)
            LedgerEntry hinted = key.found() instanceof LedgerEntry h && h.ledger == this ? h : null;
            if (!isCached(key.scope())) {
                e = hinted != null ? hinted : pinned.get(key); // computeIfAbsent locks the bin even when it is there
                if (e == null) {
                    e = pinned.computeIfAbsent(key, k -> new LedgerEntry(this, null, k.window(), Long.MAX_VALUE));
                }
                if (e != hinted) {
                    key.found(e);
                }
                long ceiling = key.creditCeiling();
                if (ceiling > 0 && e.lends(tick)) {
                    probe = probe != null ? probe : ThreadProbe.current();
                    CreditLane lane = null;
                    used = CreditLane.BUSY;
                    // a lane another thread holds: the probe has moved on, try the next one
                    for (int tries = 0; used == CreditLane.BUSY && tries < CreditLane.TRIES; tries++) {
                        lane = e.lane(probe);
                        used = lane.tryReserve(probe, tick, clock, key.window(), r.amount(), r.limit(), ceiling);
                    }
                    if (used >= 0) {
                        entries[i] = lane;
                        usedBefore[i] = used;
                        continue;
                    }
                }
                used = e.tryReserve(tick, clock, key.window(), r.amount(), r.limit(), idleNanos);
            } else {
                used = LedgerEntry.RETIRED;
                e = null;
                for (int attempt = 0; used == LedgerEntry.RETIRED; attempt++) {
                    if (attempt == MAX_RETRIES) {
                        throw new IllegalStateException("window " + key + " kept being evicted under a reservation");
                    }
                    if (attempt == 0 && hinted != null) {
                        // RETIRED if it was forgotten meanwhile: then looked up below
                        used = hinted.tryReserve(tick, clock, key.window(), r.amount(), r.limit(), idleNanos);
                        e = hinted;
                        continue;
                    }
                    // quietly: neither a read-buffer entry nor an expiry to recompute (a full Caffeine read costs
                    // about a tenth of a guarded call); the entry notes its use itself, and the eviction listener
                    // keeps it while it counts, the hold taken below included
                    e = cached.policy().getIfPresentQuietly(key);
                    if (e == null) {
                        if (rescued.isEmpty() || !rescued.containsKey(key)) { // a rescued window is no new one
                            int made = makeRoom();
                            if (made < 0) {
                                rollBack(entries, requests, i, tick);
                                return MemoryHold.full(usedBefore, i);
                            }
                            evicted += made;
                        }
                        e = cached.get(key, revive);
                    }
                    // RETIRED: forgotten between the lookup and the hold; look again
                    used = e.tryReserve(tick, clock, key.window(), r.amount(), r.limit(), idleNanos);
                    if (used != LedgerEntry.RETIRED) {
                        key.found(e);
                    }
                }
            }
            if (used < 0) {
                usedBefore[i] = ~used;
                rollBack(entries, requests, i, tick);
                reviveRescued();
                return new MemoryHold(null, null, usedBefore, i, false, evicted);
            }
            entries[i] = e;
            usedBefore[i] = used;
        }
        openHolds.increment();
        reviveRescued();
        return new MemoryHold(entries, requests, usedBefore, -1, false, evicted);
    }

    private void rollBack(LedgerAccount[] entries, List<BudgetRequest> requests, int taken, long tick) {
        for (int j = 0; j < taken; j++) {
            entries[j].unreserve(tick, clock, requests.get(j).amount());
        }
    }

    /**
     * The cache's eviction listener, called inside the removal of an expired entry (no other operation on its key
     * runs meanwhile): an entry that still counts is rescued, one that does not is retired.
     */
    private void expired(BudgetKey key, LedgerEntry e, RemovalCause cause) {
        if (key != null && e != null && !e.retireUnlessCounting(recent.read())) {
            rescued.put(key, e);
        }
    }

    /**
     * Puts the rescued entries back in the cache, where their expiry is computed afresh. Until then a lookup of
     * their key finds them ({@link #revive}, {@link #peek}); this is for the keys nobody looks up any more.
     */
    private void reviveRescued() {
        if (rescued.isEmpty()) {
            return;
        }
        for (Map.Entry<BudgetKey, LedgerEntry> r : rescued.entrySet()) {
            if (cached.get(r.getKey(), revive) != r.getValue()) {
                rescued.remove(r.getKey(), r.getValue()); // cannot happen: a key has one live entry
            }
        }
    }

    /**
     * Makes room for one more cached window.
     *
     * @return how many windows that still counted were forgotten (0 or 1), or -1 when the ledger refuses new ones
     */
    private int makeRoom() {
        if (cached.estimatedSize() < maxWindows) {
            return 0;
        }
        cached.cleanUp(); // expired entries first: they hold nothing that counts
        if (cached.estimatedSize() < maxWindows) {
            return 0;
        }
        if (onFull == OnFull.REFUSE_NEW) {
            return -1;
        }
        Map<BudgetKey, LedgerEntry> soonest = cached.policy().expireVariably().orElseThrow().oldest(16);
        for (Map.Entry<BudgetKey, LedgerEntry> victim : soonest.entrySet()) {
            if (victim.getValue().retire()) {
                cached.asMap().remove(victim.getKey(), victim.getValue());
                return 1;
            }
        }
        return -1; // the sixteen soonest all hold reservations: as good as full of calls in flight
    }

    @Override
    public void settle(Hold hold, long[] actualAmounts) {
        MemoryHold h = settleable(hold, actualAmounts.length);
        for (int i = 0; h != null && i < actualAmounts.length; i++) {
            long a = actualAmounts[i];
            if (a < 0) {
                throw new IllegalArgumentException("actual amounts must be >= 0, got " + a);
            }
        }
        settle(h, actualAmounts, null, 0, 0, null, 0);
    }

    /** As the default, without an array of amounts per call. */
    @Override
    public void settle(Hold hold, Unit[] units, long costNanos, long tokens) {
        settle(hold, units, costNanos, tokens, null, 0);
    }

    /** @return the granted hold to settle, or null when there is nothing to settle (suspended, refused) */
    private MemoryHold settleable(Hold hold, int amounts) {
        if (hold instanceof SuspendedHold) {
            return null;
        }
        MemoryHold h = own(hold);
        if (!h.granted()) {
            return null;
        }
        if (amounts != h.size()) {
            throw new IllegalArgumentException("expected " + h.size() + " actual amounts, got " + amounts);
        }
        return h;
    }

    /** Takes the caller's reading when it is of this ledger's own ticker, else reads the time itself. */
    @Override
    public void settle(Hold hold, Unit[] units, long costNanos, long tokens, Ticker source, long reading) {
        MemoryHold h = settleable(hold, units.length);
        if (h != null && (costNanos < 0 || tokens < 0)) {
            throw new IllegalArgumentException("actual amounts must be >= 0, got " + costNanos + " and " + tokens);
        }
        settle(h, null, units, costNanos, tokens, source, reading);
    }

    /** @return {@code reading} if it is one of this ledger's ticker, else (another ticker, or null) a new reading */
    private long timeOf(Ticker source, long reading) {
        return source == ticker ? reading : ticker.read();
    }

    /**
     * Settles each request at {@code actual[i]}, or, without it, at the cost, the tokens or one call by its unit, at
     * the time of the caller's reading (see {@link #timeOf}).
     */
    private void settle(MemoryHold h, long[] actual, Unit[] units, long costNanos, long tokens, Ticker source,
            long reading) {
        if (h == null || !h.end()) {
            return;
        }
        long tick = recent.observe(timeOf(source, reading));
        for (int i = 0; i < h.entries.length; i++) {
            long a = actual != null ? actual[i] : units[i].amountOf(costNanos, tokens);
            h.entries[i].settle(tick, clock, h.requests.get(i).amount(), a, idleNanos);
        }
        finish(h, tick);
    }

    @Override
    public void release(Hold hold) {
        if (hold instanceof SuspendedHold) {
            return;
        }
        MemoryHold h = own(hold);
        if (!h.granted() || !h.end()) {
            return;
        }
        long tick = recent.observe(ticker.read());
        for (int i = 0; i < h.entries.length; i++) {
            h.entries[i].unreserve(tick, clock, h.requests.get(i).amount());
        }
        finish(h, tick);
    }

    @Override
    public void reshape(String budgetId, WindowSpec window) {
        long tick = recent.refresh();
        reviveRescued();
        for (Map.Entry<BudgetKey, LedgerEntry> e : pinned.entrySet()) {
            if (e.getKey().budgetId().equals(budgetId)) {
                e.getValue().reshapeNow(tick, clock, window);
            }
        }
        for (Map.Entry<BudgetKey, LedgerEntry> e : cached.asMap().entrySet()) {
            if (e.getKey().budgetId().equals(budgetId)) {
                e.getValue().reshapeNow(tick, clock, window);
            }
        }
    }

    @Override
    public long used(BudgetKey key) {
        long tick = recent.refresh(); // before the lookup: the cache's time
        LedgerEntry e = peek(key);
        return e == null ? 0 : e.used(tick, clock, key.window());
    }

    @Override
    public long reserved(BudgetKey key) {
        long tick = recent.refresh();
        LedgerEntry e = peek(key);
        return e == null ? 0 : e.reserved(tick, clock);
    }

    @Override
    public long openHolds() {
        return openHolds.sum();
    }

    @Override
    public boolean keepsSuspensions() {
        return true;
    }

    @Override
    public void suspend(BudgetKey key, Instant until, long limit) {
        suspensions.suspend(key, until, limit);
    }

    @Override
    public Suspension suspension(BudgetKey key) {
        return suspensions.get(key);
    }

    @Override
    public boolean lift(BudgetKey key) {
        return suspensions.lift(key);
    }

    @Override
    public List<Suspension> suspensions() {
        return suspensions.all();
    }

    @Override
    public List<WindowState> windows(String budgetId) {
        long tick = recent.refresh();
        reviveRescued();
        long epoch = clock.millisAt(tick);
        List<WindowState> out = new ArrayList<>();
        java.util.Set<BudgetKey> seen = new java.util.HashSet<>();
        for (Map<BudgetKey, LedgerEntry> m : List.of(pinned, cached.asMap())) {
            for (Map.Entry<BudgetKey, LedgerEntry> e : m.entrySet()) {
                BudgetKey k = e.getKey();
                if (budgetId == null || k.budgetId().equals(budgetId)) {
                    seen.add(k);
                    out.add(e.getValue().state(k, tick, epoch, clock, suspensions.get(k, epoch)));
                }
            }
        }
        for (Suspension s : suspensions.all()) { // a key suspended but without a window (it was reset or expired)
            BudgetKey k = s.key();
            if ((budgetId == null || k.budgetId().equals(budgetId)) && !seen.contains(k)) {
                out.add(new WindowState(k.budgetId(), k.scope(), k.scopeKey(), 0, 0, null, s.until()));
            }
        }
        return out;
    }

    @Override
    public WindowState window(BudgetKey key) {
        long tick = recent.refresh();
        LedgerEntry e = peek(key);
        long epoch = clock.millisAt(tick);
        Suspension s = suspensions.get(key, epoch);
        if (e == null) {
            return s == null ? null
                    : new WindowState(key.budgetId(), key.scope(), key.scopeKey(), 0, 0, null, s.until());
        }
        return e.state(key, tick, epoch, clock, s);
    }

    @Override
    public boolean reset(BudgetKey key) {
        long tick = recent.refresh();
        LedgerEntry e = peek(key);
        return e != null && e.reset(tick, clock);
    }

    /** @return how much of {@code key}'s window is lent to threads' lanes now (see {@link LedgerEntry}); for tests */
    long lent(BudgetKey key) {
        recent.refresh();
        LedgerEntry e = peek(key);
        if (e == null) {
            return 0;
        }
        e.lock();
        try {
            return e.lent;
        } finally {
            e.unlock();
        }
    }

    /** Runs pending cache maintenance (expiry and eviction) now; for tests and status pages. */
    public void cleanUp() {
        recent.refresh();
        cached.cleanUp();
        reviveRescued();
    }

    /** @return how many session, user, tenant and model windows are held */
    public long cachedWindows() {
        return cached.estimatedSize() + rescued.size();
    }

    private void finish(MemoryHold h, long tick) {
        openHolds.decrement();
        for (LedgerAccount a : h.entries) {
            if (a instanceof LedgerEntry e && e.key != null && e.touchDue(tick)) {
                cached.getIfPresent(e.key); // the cache recomputes the entry's expiry from its new spend and use
            }
        }
    }

    private LedgerEntry peek(BudgetKey key) {
        if (!isCached(key.scope())) {
            return pinned.get(key);
        }
        LedgerEntry e = cached.getIfPresent(key);
        if (e == null) { // rescued, or expired but not yet removed: the removal rescues it if it counts
            e = cached.asMap().computeIfAbsent(key, k -> rescued.remove(k));
        }
        return e;
    }

    static long saturatedAdd(long tick, long nanos) {
        long sum = tick + nanos;
        return sum < tick ? Long.MAX_VALUE : sum;
    }

    private static boolean isCached(Scope scope) {
        return scope != Scope.GLOBAL && scope != Scope.AGENT;
    }

    private static MemoryHold own(Hold hold) {
        if (!(hold instanceof MemoryHold)) {
            throw new IllegalArgumentException("not a hold of an InMemoryLedger: " + hold);
        }
        return (MemoryHold) hold;
    }

    private static final class MemoryHold implements Hold {
        private static final VarHandle DONE;

        static {
            try {
                DONE = MethodHandles.lookup().findVarHandle(MemoryHold.class, "done", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Each request's entry, or the lane of a pinned entry that served it from a credit. */
        final LedgerAccount[] entries;
        /** The requests as given (their amounts are what the hold reserved); not copied, never changed. */
        final List<BudgetRequest> requests;
        final long[] usedBefore;
        final int refusedIndex;
        final boolean full;
        final int evicted;
        /** 0 until settled or released, then 1: a field with a VarHandle, not an AtomicBoolean per hold. */
        @SuppressWarnings("unused") // written through DONE
        private volatile int done;

        /** @return true for the first caller only: the one that settles or releases the hold */
        boolean end() {
            return DONE.compareAndSet(this, 0, 1);
        }

        MemoryHold(LedgerAccount[] entries, List<BudgetRequest> requests, long[] usedBefore, int refusedIndex,
                boolean full, int evicted) {
            this.entries = entries;
            this.requests = requests;
            this.usedBefore = usedBefore;
            this.refusedIndex = refusedIndex;
            this.full = full;
            this.evicted = evicted;
        }

        static MemoryHold full(long[] usedBefore, int refusedIndex) {
            return new MemoryHold(null, null, usedBefore, refusedIndex, true, 0);
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
        public boolean refusedForCapacity() {
            return full;
        }

        @Override
        public int evictedWindows() {
            return evicted;
        }

        @Override
        public String toString() {
            return granted() ? "Hold{granted, " + size() + " windows}"
                    : "Hold{refused at " + refusedIndex + (full ? ", ledger full" : "") + "}";
        }
    }

    /**
     * The cache's first guess of when an entry stops counting (its {@code keepUntil}); the eviction listener has
     * the last word.
     */
    private final class WhileItCounts implements Expiry<BudgetKey, LedgerEntry> {

        @Override
        public long expireAfterCreate(BudgetKey key, LedgerEntry value, long currentTime) {
            return value.expiresIn(currentTime, idleNanos);
        }

        @Override
        public long expireAfterUpdate(BudgetKey key, LedgerEntry value, long currentTime, long currentDuration) {
            return value.expiresIn(currentTime, idleNanos);
        }

        @Override
        public long expireAfterRead(BudgetKey key, LedgerEntry value, long currentTime, long currentDuration) {
            return value.expiresIn(currentTime, idleNanos);
        }
    }

    /** Builds an {@link InMemoryLedger}. */
    public static final class Builder {
        private Ticker ticker = Ticker.system();
        private Clock clock = Clock.systemUTC();
        private Duration idleExpiry = Duration.ofHours(1);
        private long maxWindows = 400_000;
        private OnFull onFull = OnFull.REFUSE_NEW;

        private Builder() {
        }

        /** @param ticker the time source of sliding windows @return this */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param clock the time source of calendar windows; read through a {@link SteadyClock} unless it is one
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param maxWindows how many session, user, tenant and model windows to keep at most (one per budget and
         *     key); default 400,000
         * @return this
         */
        public Builder maxWindows(long maxWindows) {
            if (maxWindows <= 0) {
                throw new IllegalArgumentException("maxWindows must be > 0, was " + maxWindows);
            }
            this.maxWindows = maxWindows;
            return this;
        }

        /**
         * @param onFull what to do when a new window is needed and every window held still counts; default
         *     {@link OnFull#REFUSE_NEW}
         * @return this
         */
        public Builder onFull(OnFull onFull) {
            this.onFull = Objects.requireNonNull(onFull, "onFull");
            return this;
        }

        /**
         * @param idleExpiry how long an unused window is kept at least, even once its spend has left it
         * @return this
         */
        public Builder idleExpiry(Duration idleExpiry) {
            Objects.requireNonNull(idleExpiry, "idleExpiry");
            if (idleExpiry.isZero() || idleExpiry.isNegative() || idleExpiry.compareTo(WindowSpec.MAX_LENGTH) > 0) {
                throw new IllegalArgumentException("idleExpiry must be between 1ns and 3660d, was " + idleExpiry);
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
