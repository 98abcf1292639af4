package dev.agentguard.core.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.agentguard.core.common.RecentTicker;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.SparseTouch;
import dev.agentguard.core.common.SpinLock;
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
 * do not take its lock in turn on every call; see {@code Entry} for how that stays exact where a decision depends
 * on the figure.
 *
 * <p><b>Memory, and what is never forgotten.</b> Global and agent windows are few and kept for good. Session,
 * user, tenant and model windows (their keys come from requests, so there may be any number of them) live in a
 * Caffeine cache whose entries are forgotten only when nothing in them counts any more: an entry is kept while a
 * reservation on it is outstanding, and otherwise until the later of {@code idleExpiry} after its last use and the
 * moment its spend has left its window ({@link dev.agentguard.core.window.Window#drainedAt}): a monthly budget
 * keeps its window for the month, however long its user is idle. The cache's expiry is only a first guess of that
 * moment: the hot path tells the cache of a window's use at most once per 1/64 of {@code idleExpiry}
 * ({@link SparseTouch}) and never of a reservation, so an entry may expire while it still counts. The cache's eviction listener, which runs inside the
 * removal, decides: an entry that still counts is rescued (kept aside and put back, the same object, by the next
 * lookup of its key or the next reservation), and one that does not is retired, so that a reservation racing with
 * the removal looks its key up again. A key therefore never has two live windows. The cache holds at most
 * {@code maxWindows} entries. When a new window is needed and the cache is full, expired entries are cleaned up
 * first; when every entry still holds spend or a reservation, {@link OnFull} decides: {@link OnFull#REFUSE_NEW
 * refuse} the call that needs the new window (its hold is refused with {@link Hold#refusedForCapacity()}), or
 * {@link OnFull#EVICT_OLDEST forget} the window that would expire soonest and has no reservation outstanding
 * (reported by {@link Hold#evictedWindows()}). Either way the caller records it; nothing is dropped silently. An
 * entry with a reservation outstanding is never evicted or expired, so a settlement always lands in the window it
 * was reserved on.
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
    private final long touchNanos;
    private final long maxWindows;
    private final OnFull onFull;
    private final Cache<BudgetKey, Entry> cached;
    private final ConcurrentMap<BudgetKey, Entry> pinned = new ConcurrentHashMap<>();
    /** Cached entries that expired while they still counted, until their key is looked up again: see the class. */
    private final ConcurrentMap<BudgetKey, Entry> rescued = new ConcurrentHashMap<>();
    /** Makes a key's entry: the one rescued for it, else a new one. Built once: no capture per call. */
    private final Function<BudgetKey, Entry> revive;
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
            Entry r = rescued.remove(k);
            return r != null ? r : new Entry(this, k, k.window(), saturatedAdd(recent.read(), idleNanos));
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
        Account[] entries = new Account[n];
        long[] usedBefore = new long[n];
        ThreadProbe probe = null;
        int evicted = 0;
        for (int i = 0; i < n; i++) {
            BudgetRequest r = requests.get(i);
            BudgetKey key = r.key();
            Entry e;
            long used;
            // the entry this key object led to last time, if it is this ledger's: a live entry is the key's only
            // one (a key's entry leaves the cache retired, or rescued and brought back as it is)
            Entry hinted = key.found() instanceof Entry h && h.ledger == this ? h : null;
            if (!isCached(key.scope())) {
                e = hinted != null ? hinted : pinned.get(key); // computeIfAbsent locks the bin even when it is there
                if (e == null) {
                    e = pinned.computeIfAbsent(key, k -> new Entry(this, null, k.window(), Long.MAX_VALUE));
                }
                if (e != hinted) {
                    key.found(e);
                }
                long ceiling = key.creditCeiling();
                if (ceiling > 0 && e.lends(tick)) {
                    probe = probe != null ? probe : ThreadProbe.current();
                    Lane lane = null;
                    used = Lane.BUSY;
                    for (int tries = 0; used == Lane.BUSY && tries < Lane.TRIES; tries++) { // busy: the next one
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
                used = Entry.RETIRED;
                e = null;
                for (int attempt = 0; used == Entry.RETIRED; attempt++) {
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
                    if (used != Entry.RETIRED) {
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

    private void rollBack(Account[] entries, List<BudgetRequest> requests, int taken, long tick) {
        for (int j = 0; j < taken; j++) {
            entries[j].unreserve(tick, clock, requests.get(j).amount());
        }
    }

    /**
     * The cache's eviction listener, called inside the removal of an expired entry (no other operation on its key
     * runs meanwhile): an entry that still counts is rescued, one that does not is retired.
     */
    private void expired(BudgetKey key, Entry e, RemovalCause cause) {
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
        for (Map.Entry<BudgetKey, Entry> r : rescued.entrySet()) {
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
        Map<BudgetKey, Entry> soonest = cached.policy().expireVariably().orElseThrow().oldest(16);
        for (Map.Entry<BudgetKey, Entry> victim : soonest.entrySet()) {
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
        for (Map.Entry<BudgetKey, Entry> e : pinned.entrySet()) {
            if (e.getKey().budgetId().equals(budgetId)) {
                e.getValue().reshapeNow(tick, clock, window);
            }
        }
        for (Map.Entry<BudgetKey, Entry> e : cached.asMap().entrySet()) {
            if (e.getKey().budgetId().equals(budgetId)) {
                e.getValue().reshapeNow(tick, clock, window);
            }
        }
    }

    @Override
    public long used(BudgetKey key) {
        long tick = recent.refresh(); // before the lookup: the cache's time
        Entry e = peek(key);
        return e == null ? 0 : e.used(tick, clock, key.window());
    }

    @Override
    public long reserved(BudgetKey key) {
        long tick = recent.refresh();
        Entry e = peek(key);
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
        for (Map<BudgetKey, Entry> m : List.of(pinned, cached.asMap())) {
            for (Map.Entry<BudgetKey, Entry> e : m.entrySet()) {
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
        Entry e = peek(key);
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
        Entry e = peek(key);
        return e != null && e.reset(tick, clock);
    }

    /** @return how much of {@code key}'s window is lent to threads' lanes now (see {@link Entry}); for tests */
    long lent(BudgetKey key) {
        recent.refresh();
        Entry e = peek(key);
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
        for (Account a : h.entries) {
            if (a instanceof Entry e && e.key != null && e.touchDue(tick)) {
                cached.getIfPresent(e.key); // the cache recomputes the entry's expiry from its new spend and use
            }
        }
    }

    private Entry peek(BudgetKey key) {
        if (!isCached(key.scope())) {
            return pinned.get(key);
        }
        Entry e = cached.getIfPresent(key);
        if (e == null) { // rescued, or expired but not yet removed: the removal rescues it if it counts
            e = cached.asMap().computeIfAbsent(key, k -> rescued.remove(k));
        }
        return e;
    }

    private static long saturatedAdd(long tick, long nanos) {
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

    /** Where a request was reserved, and where it settles: an entry, or a lane of one. */
    private abstract static class Account extends SpinLock {

        /** Settles a reservation of {@code amount} at {@code actual}. */
        abstract void settle(long tick, SteadyClock wall, long amount, long actual, long idleNanos);

        /** Gives back a reservation of {@code amount}, nothing spent. */
        abstract void unreserve(long tick, SteadyClock wall, long amount);
    }

    /**
     * One window plus what is reserved on it.
     *
     * <p><b>Credits (pinned entries: process and agent windows).</b> Every thread's calls reserve and settle on the
     * same process window, and each cache line that two threads write in turn costs a transfer between cores
     * (40 to 250 ns measured on the 2-core benchmark machine) on every call. So while the window's used figure
     * stays at or below its key's {@link BudgetKey#creditCeiling ceiling} (below the lowest figure at which some
     * decision depends on the exact amount), the entry lends a share of the room left to each thread's
     * {@link Lane} as a credit (a quarter of the room divided among the lanes, at most 64 reservations' worth),
     * counted on the entry as used ({@link #lent}). A reservation then takes from its thread's credit, and a
     * settlement within the lane's life puts the spend in the lane, under the lane's lock only. A lane lives one
     * millisecond (never across a calendar period's end): then, or when its credit runs short, its next reservation
     * puts its spend in the window, at the time of its latest settlement, and takes a new credit. A settlement
     * after its lane's life goes to the entry, at its own time, as without credits.
     *
     * <p>Since a credit is counted as used, the window never holds more than its limit, credits included. Every
     * operation on the entry itself (a reservation, settlement or release that no lane serves, and every read)
     * first {@link #reclaim reclaims} every lane's unspent credit and spend, so that the figure it sees is exact.
     * Once the room left is too small to lend, lending pauses for a lane's life and every reservation is made on
     * the entry: near a threshold every figure is exact, as without credits. Below the ceiling, a reservation served
     * from a credit reports the figure of its lane's loan plus its own lane's use since: exact for one thread, and
     * with several, off by what the other threads did since (a decision it cannot change). An idle thread's lane
     * keeps its unspent credit and its spend until a read or an operation on the entry reclaims them: counted as
     * used meanwhile, on the safe side.
     *
     * <p>Locks: a lane's, then its entry's; never the other way round.
     */
    private static final class Entry extends Account {
        /** What {@link #tryReserve} answers for an entry that was evicted: look the key up again. */
        static final long RETIRED = Long.MIN_VALUE;

        private static final VarHandle KEEP_UNTIL;

        static {
            try {
                KEEP_UNTIL = MethodHandles.lookup().findVarHandle(Entry.class, "keepUntil", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** The ledger that holds it: a key object's hint ({@link BudgetKey#found()}) may come from another one. */
        final InMemoryLedger ledger;
        /** The cache key for cached entries (to refresh their expiry); null for pinned entries. */
        final BudgetKey key;
        private WindowSpec spec; // written and read under the entry's lock
        private Window window;
        private long reserved;
        /** Credit lent to lanes and not yet given back: their unspent credit, open holds and unapplied spend. */
        private long lent;
        /** How many lanes hold a credit: while none does, {@link #lent} is their open holds, exactly. */
        private int openLanes;
        /** One slot per thread probe index; made on the first loan, each lane on first use. */
        private volatile Lane[] lanes;
        /** Ticker reading of the last loan refused for lack of room; lending is tried again a lane's life later. */
        private volatile long pausedAt;
        private volatile boolean paused;
        /** The calendar period of the latest loan, in epoch ms, so that a loan computes it only when it ends. */
        private long periodStart = Long.MAX_VALUE;
        private long periodEnd = Long.MIN_VALUE;
        private boolean retired;
        // holds and keepUntil are written under the lock, and read under it by the eviction listener, which
        // decides; the cache's expiry reads them without it, for a first guess only. So no volatile store (a
        // fence) per call.
        private int holds;
        /**
         * Ticker reading until which the entry must be kept: the later of idle expiry after its last use and its
         * spend's drain. Read and written through {@link #KEEP_UNTIL} (opaque: a racy reader never sees it torn).
         */
        @SuppressWarnings("unused") // through KEEP_UNTIL
        private long keepUntil;
        /** When the cache was last told of this entry's use (see {@link SparseTouch}); racy, which costs a read. */
        private long touched = Long.MIN_VALUE;

        Entry(InMemoryLedger ledger, BudgetKey key, WindowSpec spec, long keepUntil) {
            this.ledger = ledger;
            this.key = key;
            this.spec = spec;
            this.window = spec.newWindow();
            KEEP_UNTIL.setOpaque(this, keepUntil);
        }

        /** A budget reloaded with another window shape: start the new shape with what the old one holds now. */
        private void reshape(long tick, SteadyClock wall, WindowSpec to) {
            if (to == spec || to.equals(spec)) {
                spec = to;
                return;
            }
            long epoch = wall.millisAt(tick);
            long carried = window.total(tick, epoch);
            spec = to;
            window = to.newWindow();
            periodStart = Long.MAX_VALUE; // another zone or period, perhaps
            periodEnd = Long.MIN_VALUE;
            if (carried != 0) {
                window.add(tick, epoch, carried);
            }
        }

        /** @return the wall time for this entry's window: read only for a calendar window */
        private long epoch(long tick, SteadyClock wall) {
            return spec.isCalendar() ? wall.millisAt(tick) : 0;
        }

        void reshapeNow(long tick, SteadyClock wall, WindowSpec to) {
            reclaim(tick, wall);
            lock();
            try {
                reshape(tick, wall, to);
            } finally {
                unlock();
            }
        }

        /**
         * @return the amount used before, its complement ({@code ~used}, negative) when refused, or
         *     {@link #RETIRED} when the entry was evicted
         */
        long tryReserve(long tick, SteadyClock wall, WindowSpec spec, long amount, long limit, long idleNanos) {
            lockClosed(tick, wall);
            try {
                if (retired) {
                    return RETIRED;
                }
                long idle = saturatedAdd(tick, idleNanos); // granted or refused, a reservation is use
                if (idle > (long) KEEP_UNTIL.getOpaque(this)) {
                    KEEP_UNTIL.setOpaque(this, idle);
                }
                reshape(tick, wall, spec);
                long used = window.total(tick, epoch(tick, wall)) + reserved + lent;
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

        /**
         * Takes the entry's lock with no lane open, their credits taken back first, so that its figure is exact
         * and a lane's spend goes into the window before anything later does. A lane given a loan again meanwhile
         * (lending is not paused) is taken back again; past {@link #MAX_RECLAIMS} tries the lock is taken as it
         * is, and the figure counts the credits as used: on the safe side.
         */
        private void lockClosed(long tick, SteadyClock wall) {
            for (int attempt = 0; ; attempt++) {
                lock();
                if (openLanes == 0 || attempt == MAX_RECLAIMS) {
                    return;
                }
                unlock();
                reclaim(tick, wall);
            }
        }

        /** How often an operation on the entry takes the credits back before it counts them as used. */
        private static final int MAX_RECLAIMS = 16;

        /** @return whether a reservation may try its thread's lane: lending is not paused, or was long enough ago */
        boolean lends(long tick) {
            return !paused || tick - pausedAt >= Lane.LIFE_NANOS || tick - pausedAt < 0;
        }

        /** @return the calling thread's lane, made on first use */
        Lane lane(ThreadProbe probe) {
            Lane[] ls = lanes;
            Lane lane;
            if (ls != null && (lane = ls[probe.index(ls.length)]) != null) {
                return lane;
            }
            lock();
            try {
                ls = lanes;
                if (ls == null) {
                    ls = new Lane[ThreadProbe.maxParts()];
                }
                int i = probe.index(ls.length);
                if (ls[i] == null) {
                    ls[i] = new Lane(this);
                }
                lanes = ls; // volatile: publishes the new slot
                return ls[i];
            } finally {
                unlock();
            }
        }

        /**
         * Gives {@code lane} its spend's place in the window and, room allowing, a new credit. Both locks held.
         *
         * @return false when there is too little room to lend (the lane is closed, lending pauses)
         */
        boolean lendTo(Lane lane, long tick, SteadyClock wall, WindowSpec spec, long amount, long limit,
                long ceiling) {
            reshape(tick, wall, spec);
            long epoch = epoch(tick, wall);
            lane.close(this, epoch);
            long used = window.total(tick, epoch) + reserved + lent;
            long room = Math.min(limit, ceiling) - used;
            long loan = Math.min(room / (4L * lanes.length), Lane.creditFor(amount));
            if (room <= 0 || loan < amount || loan <= 0) {
                pausedAt = tick;
                paused = true;
                return false;
            }
            if (paused) {
                paused = false;
            }
            long life = Lane.LIFE_NANOS;
            long end = Long.MAX_VALUE;
            if (this.spec.isCalendar()) { // a lane serves and settles within the period of its loan
                if (epoch < periodStart || epoch >= periodEnd) {
                    long[] bounds = this.spec.periodBounds(epoch);
                    periodStart = bounds[0];
                    periodEnd = bounds[1];
                }
                end = periodEnd;
                long millisLeft = end - epoch; // at least 1: the period holds epoch
                life = millisLeft < life / 1_000_000 ? millisLeft * 1_000_000 : life;
            }
            lent += loan;
            openLanes++;
            lane.open(loan, used - lane.lent, tick, life, end);
            return true;
        }

        /**
         * Takes back every lane's unspent credit and puts their spend in the window, so that the entry's figure is
         * exact: what is left lent is what the lanes' open holds reserved. Takes each lane's lock, then this
         * entry's, in turn; the caller holds neither.
         */
        void reclaim(long tick, SteadyClock wall) {
            Lane[] ls = lanes;
            if (ls == null) {
                return;
            }
            for (Lane lane : ls) {
                if (lane == null) {
                    continue;
                }
                lane.lock();
                try {
                    lock();
                    try {
                        lane.close(this, epoch(tick, wall));
                    } finally {
                        unlock();
                    }
                } finally {
                    lane.unlock();
                }
            }
        }

        @Override
        void unreserve(long tick, SteadyClock wall, long amount) {
            lockClosed(tick, wall);
            try {
                reserved -= amount;
                holds--;
            } finally {
                unlock();
            }
        }

        @Override
        void settle(long tick, SteadyClock wall, long amount, long actual, long idleNanos) {
            lockClosed(tick, wall);
            try {
                long epoch = epoch(tick, wall);
                reserved -= amount;
                window.add(tick, epoch, actual);
                if (key != null) { // a cached entry: how long it must be kept (pinned ones are kept anyway)
                    long keep = Math.max(saturatedAdd(tick, idleNanos), window.drainedAt(tick, epoch));
                    KEEP_UNTIL.setOpaque(this, keep);
                }
                holds--;
            } finally {
                unlock();
            }
        }

        long used(long tick, SteadyClock wall, WindowSpec spec) {
            reclaim(tick, wall);
            lock();
            try {
                reshape(tick, wall, spec);
                return window.total(tick, epoch(tick, wall)) + reserved + lent;
            } finally {
                unlock();
            }
        }

        WindowState state(BudgetKey k, long tick, long epoch, SteadyClock wall, Suspension suspended) {
            long used;
            long reserved;
            long drained;
            reclaim(tick, wall);
            lock();
            try {
                long e = spec.isCalendar() ? epoch : 0;
                long settled = window.total(tick, e);
                used = settled + this.reserved + lent;
                reserved = this.reserved + lent;
                drained = settled == 0 ? Long.MIN_VALUE : window.drainedAt(tick, e);
            } finally {
                unlock();
            }
            Instant end = drained == Long.MIN_VALUE || drained - tick < 0 ? null
                    : Instant.ofEpochMilli(epoch + (drained - tick) / 1_000_000);
            return new WindowState(k.budgetId(), k.scope(), k.scopeKey(), used, reserved, end,
                    suspended == null ? null : suspended.until());
        }

        /** @return true if the window held settled spend; it is empty now, its reservations kept */
        boolean reset(long tick, SteadyClock wall) {
            reclaim(tick, wall);
            lock();
            try {
                boolean held = window.total(tick, epoch(tick, wall)) != 0;
                window = spec.newWindow();
                return held;
            } finally {
                unlock();
            }
        }

        long reserved(long tick, SteadyClock wall) {
            reclaim(tick, wall);
            lock();
            try {
                return reserved + lent;
            } finally {
                unlock();
            }
        }

        /**
         * Marks the entry forgotten, and unhooks it from its cache key object, which a session may keep for a while
         * yet (a hint to a retired entry would only be checked and dropped, but it would keep the window alive).
         * The caller holds the lock.
         */
        private void retireLocked() {
            retired = true;
            if (key != null && key.found() == this) {
                key.found(null);
            }
        }

        /** @return true if the entry was retired now (it had no hold); later reservations look the key up again */
        boolean retire() {
            lock();
            try {
                if (holds > 0 || retired) {
                    return false;
                }
                retireLocked();
                return true;
            } finally {
                unlock();
            }
        }

        /**
         * Called by the eviction listener, inside the removal of this entry from the cache.
         *
         * @return true if the entry was retired now, false if it still counts (a hold, or spend or use to keep)
         */
        boolean retireUnlessCounting(long now) {
            lock();
            try {
                if (retired) {
                    return true;
                }
                if (holds > 0 || (long) KEEP_UNTIL.getOpaque(this) > now) {
                    return false;
                }
                retireLocked();
                return true;
            } finally {
                unlock();
            }
        }

        /** @return true, at most once per the ledger's touch interval, when the cache should hear of a use */
        boolean touchDue(long now) {
            if (!SparseTouch.due(touched, now, ledger.touchNanos)) {
                return false;
            }
            touched = now;
            return true;
        }

        /**
         * @return the cache's expiry for this entry, in nanoseconds from {@code now}: when it stops counting, as far
         *     as is known now; a hold outlasting that is looked at again after idle expiry
         */
        long expiresIn(long now, long idleNanos) {
            long keep = (long) KEEP_UNTIL.getOpaque(this);
            if (keep > now) {
                long left = keep - now;
                return left < 0 ? Long.MAX_VALUE : left; // negative: overflowed, far away
            }
            return holds > 0 ? idleNanos : 0;
        }
    }

    /** A lane's state; {@link Lane} pads it, so that two threads' lanes never share a cache line. */
    private abstract static class LaneState extends Account {
        final Entry entry;
        /** Lent to this lane and counted on the entry: {@code credit + held + spent}. */
        long lent;
        /** What reservations may still take; negative after a spend past the reservation. */
        long credit;
        /** Reserved by this lane's open holds. */
        long held;
        /** Settled here and not yet in the window. */
        long spent;
        /** The entry's used figure at the loan, less this lane's own: a reservation reports it plus its lane's. */
        long base;
        /** Ticker reading of the loan, and how long the lane may serve after it. */
        long since;
        long life;
        /** The end of the calendar period of the loan, in epoch ms; {@code Long.MAX_VALUE} for a sliding window. */
        long periodEnd;
        /** Ticker reading of the latest settlement in {@link #spent}: all of it is put in the window then. */
        long spentAt;
        /** Serving reservations from its credit; a closed lane only settles its open holds on the entry. */
        boolean open;

        LaneState(Entry entry) {
            this.entry = entry;
        }
    }

    /**
     * One thread's credit on a pinned entry (see {@link Entry}): its fields are written under its own lock, and
     * {@link #lent} (which the entry counts) under the entry's too.
     */
    private static final class Lane extends LaneState {
        /** What {@link #tryReserve} answers when there is too little room to lend: reserve on the entry itself. */
        static final long NOT_SERVED = Long.MIN_VALUE;
        /** What {@link #tryReserve} answers when another thread holds the lane: try another one. */
        static final long BUSY = Long.MIN_VALUE + 1;
        /** Lanes a reservation tries before it reserves on the entry itself. */
        static final int TRIES = 3;
        /** How long a lane serves after a loan before it gives its spend to the window: one millisecond. */
        static final long LIFE_NANOS = 1_000_000L;
        /** A loan covers this many reservations of the size that asked for it, room allowing. */
        static final long CREDIT_CALLS = 64;

        // after the state, which the next object in memory would otherwise share a cache line with
        @SuppressWarnings("unused")
        private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14;

        Lane(Entry entry) {
            super(entry);
        }

        /** @return the loan to ask for, for reservations of {@code amount} */
        static long creditFor(long amount) {
            return amount > Long.MAX_VALUE / CREDIT_CALLS ? amount : Math.max(1, amount) * CREDIT_CALLS;
        }

        /**
         * Reserves from this lane's credit, asking the entry for a loan when the credit is short or stale.
         *
         * @return the used figure to report (see {@link LaneState#base}); {@link #BUSY} when another thread holds
         *     the lane (the caller's probe moves on); {@link #NOT_SERVED} when there is too little room left to lend
         */
        long tryReserve(ThreadProbe probe, long tick, SteadyClock wall, WindowSpec spec, long amount, long limit,
                long ceiling) {
            if (!tryLock()) {
                probe.move();
                return BUSY;
            }
            try {
                if (!open || credit < amount || !fresh(tick)) {
                    entry.lock();
                    try {
                        if (!entry.lendTo(this, tick, wall, spec, amount, limit, ceiling)) {
                            return NOT_SERVED;
                        }
                    } finally {
                        entry.unlock();
                    }
                }
                long before = base + held + spent;
                credit -= amount;
                held += amount;
                return before;
            } finally {
                unlock();
            }
        }

        private boolean fresh(long tick) {
            long age = tick - since;
            return age >= 0 && age < life;
        }

        /** Opens the lane with a new loan. Both locks held; the lane is closed. */
        void open(long loan, long base, long tick, long life, long periodEnd) {
            this.lent += loan;
            this.credit = loan;
            this.base = base;
            this.since = tick;
            this.life = life;
            this.periodEnd = periodEnd;
            this.open = true;
        }

        /**
         * Puts the lane's spend in the window (unless its calendar period has ended: the window has dropped that
         * period, and with it this spend) and gives back its credit: what stays lent is its open holds. Both locks
         * held.
         */
        void close(Entry e, long epoch) {
            if (spent != 0 && (periodEnd == Long.MAX_VALUE || epoch < periodEnd)) {
                e.window.add(spentAt, epoch, spent); // when it was spent: it leaves a sliding window from then
            }
            e.lent -= lent - held;
            if (open) {
                e.openLanes--;
            }
            lent = held;
            spent = 0;
            credit = 0;
            open = false;
        }

        @Override
        void settle(long tick, SteadyClock wall, long amount, long actual, long idleNanos) {
            lock();
            try {
                held -= amount;
                boolean here = open && fresh(tick);
                if (here) {
                    if (spent == 0 || tick - spentAt > 0) {
                        spentAt = tick;
                    }
                    spent += actual;
                    credit += amount - actual;
                    if (credit >= 0) {
                        return;
                    }
                }
                // spent past the credit (the entry must count it now), or the lane is closed or past its life: the
                // settlement goes to the entry, at this moment's time, as it would without lanes
                entry.lock();
                try {
                    long epoch = entry.epoch(tick, wall);
                    close(entry, epoch); // gives back this hold's amount with the rest
                    if (!here) {
                        entry.window.add(tick, epoch, actual);
                    }
                } finally {
                    entry.unlock();
                }
            } finally {
                unlock();
            }
        }

        @Override
        void unreserve(long tick, SteadyClock wall, long amount) {
            lock();
            try {
                held -= amount;
                if (open) {
                    credit += amount;
                    return;
                }
                lent -= amount;
                entry.lock();
                try {
                    entry.lent -= amount;
                } finally {
                    entry.unlock();
                }
            } finally {
                unlock();
            }
        }
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
        final Account[] entries;
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

        MemoryHold(Account[] entries, List<BudgetRequest> requests, long[] usedBefore, int refusedIndex, boolean full,
                int evicted) {
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
    private final class WhileItCounts implements Expiry<BudgetKey, Entry> {

        @Override
        public long expireAfterCreate(BudgetKey key, Entry value, long currentTime) {
            return value.expiresIn(currentTime, idleNanos);
        }

        @Override
        public long expireAfterUpdate(BudgetKey key, Entry value, long currentTime, long currentDuration) {
            return value.expiresIn(currentTime, idleNanos);
        }

        @Override
        public long expireAfterRead(BudgetKey key, Entry value, long currentTime, long currentDuration) {
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
