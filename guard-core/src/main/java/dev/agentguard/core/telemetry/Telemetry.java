package dev.agentguard.core.telemetry;

import dev.agentguard.core.common.RecentTicker;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.ScopeKeys;
import dev.agentguard.core.common.SparseTouch;
import dev.agentguard.core.common.SpinLock;
import dev.agentguard.core.common.ThreadProbe;
import dev.agentguard.core.common.Ticker;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.agentguard.core.window.CounterWindow;
import dev.agentguard.core.window.LatencyRing;
import dev.agentguard.core.window.LatencySummary;
import dev.agentguard.core.window.WindowSpec;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Live figures per scope key: what each session, user, agent, tenant, model and tool, and the whole process,
 * has spent and done within the configured window, and how fast its latest calls were.
 *
 * <p>The guard records every settled call here ({@link #recordModelCall}, {@link #recordToolCall}) and reads the
 * figures back before the next one ({@link #snapshot}, {@link #tool}); so can health checks and dashboards.
 * A call counts at every level whose key it has ({@link Scope#keyOf}); a call with no user, say, is not counted
 * at the user level.
 *
 * <p><b>What each level keeps.</b> Every key holds six totals over the window: cost in nano-dollars, tokens,
 * model calls, model errors, tool calls, tool errors, in one {@link CounterWindow} (one ring of six longs per
 * bucket, not six windows).
 * <ul>
 *   <li>{@link Scope#SESSION} and {@link Scope#USER}: the totals only, no latency. They live in two bounded
 *       Caffeine caches ({@link TelemetryConfig#maxSessions()} entries each, forgotten after
 *       {@link TelemetryConfig#sessionIdleExpiry()} without use). A session's entry is its {@link Tracked record}:
 *       the guard keeps its caps and loop state there too, and finds the record once per call ({@link #session}).
 *       With the default window of 10 buckets a session costs at most about 650 bytes besides its id string and
 *       its rule state (measured over 100,000 sessions): up to 590 for its counter window ({@code 11 * 6} longs,
 *       array and object headers) and the rest for its cache entry (24 of them for the record). A session
 *       whose calls all fell in one bucket holds 13 longs instead of 66 (a window lists the buckets it has seen
 *       until the list would be as large as the ring). A sliding window of {@code b}
 *       buckets costs at most {@code 48 * (b + 1)} bytes of counters.</li>
 *   <li>{@link Scope#TENANT}: the totals, and three latency rings of {@link TelemetryConfig#latencySamples()}
 *       samples each (model-call latency, time to first token, tool duration, each sample with its tick): about
 *       5.5 KB per key with 100 samples, 8 KB once its latency has been read (each ring then keeps a sorted copy);
 *       as much again per further part of a key that threads contend for (see {@link LevelStats}).</li>
 *   <li>{@link Scope#GLOBAL}, {@link Scope#AGENT}, {@link Scope#MODEL} and each tool ({@link #tool}): sums of
 *       <em>routes</em>. A route is one agent's calls of one model, with the totals, model-call latency and time
 *       to first token (about 3.8 KB with 100 samples), or of one tool, with the totals and its duration. A model
 *       or tool call is recorded once, in its route, instead of once each in the process, its agent and its model
 *       or tool (three locks, three windows and three rings per call, about a tenth of a guarded call at 10,000
 *       sessions, measured); a read adds up the routes of its key: a model's or a tool's, an agent's through
 *       every model and tool, or all of them. Each agent also has figures of its own, with all three rings, where
 *       a model-less call goes and where the routes of a model that leaves its cache move (see below); so do
 *       calls without an agent.</li>
 * </ul>
 * Agents and tools live in plain concurrent maps and are never evicted: the application names them, so there are
 * few. Tenants and models are named by requests (a caller could invent any number of them), so they live in
 * bounded caches like sessions ({@link TelemetryConfig#maxSessions()} each, forgotten after
 * {@link TelemetryConfig#sessionIdleExpiry()} without a recorded call). Telemetry only describes: evicting an
 * entry forgets that key's own figures (it starts afresh on its next call; a call recorded at the very instant of
 * eviction may be missing from them, never from the other levels; for a tenant, the calls of up to a second after
 * it, see {@link Recent}; for a session, a call that was running when its record was evicted, since the guard
 * records it in the record it found at admission). A model that leaves its cache moves its routes into their
 * agents' own figures: its totals join their newest bucket (so they leave the agent's and the process's window up
 * to one window later than they would have; a model idle for longer than the window has none), its latency
 * samples join theirs by tick, and a call recorded into one of its routes afterwards (by a caller that found it
 * just before) goes there too. A read that adds routes up holds the lock such a move holds, so it counts every
 * call exactly once. Budgets do not live here but in the ledger, which never forgets a window that still
 * counts.
 *
 * <p><b>Cost.</b> A record takes the time its caller read, then one uncontended lock each for its route, its
 * tenant, and (a monitor) its session and user, for a few adds and its latency samples; it allocates nothing
 * besides what Caffeine does on a session's first call and a new key's first entry, a new route's figures, and a
 * front entry per tenant and model once a second ({@link Recent}). A snapshot rolls the windows and summarises the
 * latency rings under each key's lock (a sort of N samples when calls have come since the last read); one of the
 * process or of an agent visits every route, so it costs O(models &times; agents) and copies their rings: a read
 * for dashboards and health checks, not for every call.
 *
 * <p>Thread-safe. Windows are not, so each is guarded: a session's or user's by its own monitor, those of the
 * keys many calls pass through (routes, agents' own figures, tenants) by a {@link SpinLock} that also guards
 * their latency rings ({@link LatencyRing}, which have no lock of their own). Threads that contend for such a level
 * get parts of it of their own ({@link LevelStats}), so that calls of distinct sessions on distinct threads do not
 * write the same cache lines; a snapshot adds the parts up.
 * Two threads may record with ticks slightly out of order; a window counts an older tick in its newest bucket,
 * so nothing is lost.
 */
public final class Telemetry {

    // the counters of every CounterWindow kept here; a model call's four and a tool call's two are consecutive, each
    // added in one go
    private static final int COST = 0;
    private static final int TOKENS = 1;
    private static final int MODEL_CALLS = 2;
    private static final int MODEL_ERRORS = 3;
    private static final int TOOL_CALLS = 4;
    private static final int TOOL_ERRORS = 5;
    private static final int COUNTERS = 6;

    private final TelemetryConfig config;
    private final Ticker ticker;
    /** The caches' time: this instance's latest reading of {@link #ticker}, not a new one per lookup. */
    private final RecentTicker recent;
    private final Clock clock;

    /** Each agent's own figures: those of its routes that left with their model (see the class comment). */
    private final ConcurrentMap<String, LevelStats> agents = new ConcurrentHashMap<>();
    /** The own figures of calls without an agent: model-less calls, and routes that left with their model. */
    private final LevelStats agentless;
    private final Cache<String, LevelStats> tenants;
    private final Cache<String, Named> models;
    /** The latest tenants and models recorded, in front of their caches: see {@link Recent}. */
    private final Recent<LevelStats> recentTenants = new Recent<>();
    private final Recent<Named> recentModels = new Recent<>();
    private final ConcurrentMap<String, Named> tools = new ConcurrentHashMap<>();
    /**
     * The models not retired yet, for the reads that add up every route: the cache's own view leaves out an entry
     * that has expired but not been retired yet, whose calls would then be missing.
     */
    private final Set<Named> liveModels = ConcurrentHashMap.newKeySet();
    /**
     * Held while a model's routes move into their agents' figures, and by a read that adds up routes and those
     * figures, so that such a read counts a moving route's calls exactly once.
     */
    private final Object moves = new Object();
    private final Cache<String, Tracked> sessions;
    private final Cache<String, Tracked> users;
    /** How often, at most, the session and user caches are told of a key's use ({@link SparseTouch}). */
    private final long touchNanos;

    // built once, so that a lookup on the hot path captures nothing
    private final Function<String, LevelStats> newScopeStats;
    private final Function<String, Named> newModel;
    private final Function<String, Named> newTool;
    private final Function<String, Tracked> newTracked;

    /**
     * Creates empty telemetry.
     *
     * @param config windows, bounds and sample counts
     * @param ticker the monotonic time of sliding windows and of session idle expiry
     * @param clock the wall time of calendar windows
     */
    public Telemetry(TelemetryConfig config, Ticker ticker, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.recent = new RecentTicker(ticker);
        this.clock = Objects.requireNonNull(clock, "clock");
        WindowSpec window = config.window();
        int samples = config.latencySamples();
        this.newTracked = key -> new Tracked(CounterWindow.of(window, COUNTERS));
        this.newScopeStats = key -> new LevelStats(window, COUNTERS, samples, true, true);
        this.newModel = key -> {
            Named named = new Named(true);
            liveModels.add(named);
            return named;
        };
        this.newTool = key -> new Named(false);
        this.agentless = newScopeStats.apply(null);
        this.touchNanos = SparseTouch.intervalFor(config.sessionIdleExpiry());
        this.sessions = sessionCache(config, recent);
        this.users = sessionCache(config, recent);
        this.tenants = sessionCache(config, recent);
        this.models = builder(config, recent)
                .<String, Named>evictionListener((model, named, cause) -> {
                    if (named != null) {
                        named.retire();
                    }
                })
                .build();
    }

    private static <V> Cache<String, V> sessionCache(TelemetryConfig config, Ticker ticker) {
        return builder(config, ticker).build();
    }

    private static Caffeine<Object, Object> builder(TelemetryConfig config, Ticker ticker) {
        return Caffeine.newBuilder()
                .executor(Runnable::run) // maintenance on the caller: no thread hand-off per write
                .maximumSize(config.maxSessions())
                .expireAfterAccess(config.sessionIdleExpiry())
                .ticker(ticker::read); // our time (latest reading): tests expire sessions by moving a fake ticker
    }

    /** @return the wall time, read only when the window is a calendar one (sliding windows need the ticker) */
    private long wallMillis() {
        return config.window().isCalendar() ? clock.millis() : 0;
    }

    /** @return the configuration */
    public TelemetryConfig config() {
        return config;
    }

    /**
     * Records a settled model call at the global, agent, session, user, tenant and model levels (those for which
     * the call has a key).
     *
     * @param scope who called
     * @param model the model that answered, or null if unknown (then no model level)
     * @param costNanos what the call cost, in nano-dollars, &gt;= 0
     * @param tokens the tokens it used, &gt;= 0
     * @param error whether it failed
     * @param latencyNanos how long it took in all, &gt;= 0
     * @param ttftNanos time to first token of a streamed call; negative when not streamed or unknown
     * @throws IllegalArgumentException if an amount is negative
     */
    public void recordModelCall(ScopeKeys scope, String model, long costNanos, long tokens, boolean error,
            long latencyNanos, long ttftNanos) {
        recordModelCall(scope, null, model, costNanos, tokens, error, latencyNanos, ttftNanos, ticker.read());
    }

    /**
     * As {@link #recordModelCall(ScopeKeys, String, long, long, boolean, long, long)}, with the session's record
     * already found by {@link #session} (the guard finds it once per call, at admission) and the time of the
     * record already read (the guard reads it once per settlement).
     *
     * @param session the record of the scope's session, or null to look it up
     * @param endTick when the call ended: a reading of the ticker this instance was built with
     */
    public void recordModelCall(ScopeKeys scope, Tracked session, String model, long costNanos, long tokens,
            boolean error, long latencyNanos, long ttftNanos, long endTick) {
        Objects.requireNonNull(scope, "scope");
        requireNonNegative("costNanos", costNanos);
        requireNonNegative("tokens", tokens);
        requireNonNegative("latencyNanos", latencyNanos);
        long tick = recent.observe(endTick);
        long millis = wallMillis();
        long errors = error ? 1 : 0;
        ThreadProbe probe = ThreadProbe.current();

        String agent = scope.agent();
        // once, in the call's route: the process, its agent and its model are sums of routes
        LevelStats route = model != null ? recentModels.get(models, model, newModel, tick).route(agent)
                : own(agent);
        route.recordModelCall(probe, tick, millis, costNanos, tokens, errors, latencyNanos, ttftNanos);
        String tenant = scope.tenant();
        if (tenant != null) {
            recentTenants.get(tenants, tenant, newScopeStats, tick)
                    .recordModelCall(probe, tick, millis, costNanos, tokens, errors, latencyNanos, ttftNanos);
        }
        CounterWindow sessionCounters = sessionCounters(scope, session, tick);
        if (sessionCounters != null) {
            addModelCall(sessionCounters, tick, millis, costNanos, tokens, errors);
        }
        String user = scope.user();
        if (user != null) {
            addModelCall(counters(users, user, tick), tick, millis, costNanos, tokens, errors);
        }
    }

    /**
     * Records a finished tool call at the global, agent, session, user and tenant levels (those for which the
     * call has a key) and for the tool itself.
     *
     * @param scope who called
     * @param tool the tool's name
     * @param error whether it failed
     * @param durationNanos how long it took, &gt;= 0
     * @throws IllegalArgumentException if the duration is negative
     */
    public void recordToolCall(ScopeKeys scope, String tool, boolean error, long durationNanos) {
        recordToolCall(scope, null, tool, error, durationNanos, ticker.read());
    }

    /**
     * As {@link #recordToolCall(ScopeKeys, String, boolean, long)}, with the session's record already found by
     * {@link #session} and the time of the record already read.
     *
     * @param session the record of the scope's session, or null to look it up
     * @param endTick when the call ended: a reading of the ticker this instance was built with
     */
    public void recordToolCall(ScopeKeys scope, Tracked session, String tool, boolean error, long durationNanos,
            long endTick) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(tool, "tool");
        requireNonNegative("durationNanos", durationNanos);
        long tick = recent.observe(endTick);
        long millis = wallMillis();
        long errors = error ? 1 : 0;
        ThreadProbe probe = ThreadProbe.current();

        stats(tools, tool, newTool).route(scope.agent()).recordToolCall(probe, tick, millis, errors, durationNanos);
        String tenant = scope.tenant();
        if (tenant != null) {
            recentTenants.get(tenants, tenant, newScopeStats, tick)
                    .recordToolCall(probe, tick, millis, errors, durationNanos);
        }
        CounterWindow sessionCounters = sessionCounters(scope, session, tick);
        if (sessionCounters != null) {
            addToolCall(sessionCounters, tick, millis, errors);
        }
        String user = scope.user();
        if (user != null) {
            addToolCall(counters(users, user, tick), tick, millis, errors);
        }
    }

    /**
     * Returns the live figures of one key at one level. Reading a session or user does not count as activity:
     * it neither keeps it from expiring nor changes which entries are evicted.
     *
     * @param level the level
     * @param key the key at that level: a session id, an agent or model name..., {@link Scope#GLOBAL_KEY} for
     *     {@link Scope#GLOBAL}
     * @return the figures, or empty if nothing was ever recorded for the key (or, for a session or user, if it
     *     was evicted or expired); {@link Scope#GLOBAL} is always present
     */
    public Optional<TelemetrySnapshot> snapshot(Scope level, String key) {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(key, "key");
        recent.refresh(); // the quiet lookups below test expiry against it
        switch (level) {
            case GLOBAL:
                return Scope.GLOBAL_KEY.equals(key) ? sum(level, key, null) : Optional.empty();
            case AGENT:
                return agents.containsKey(key) ? sum(level, key, key) : Optional.empty();
            case TENANT:
                return snapshot(level, key, tenants.policy().getIfPresentQuietly(key));
            case MODEL:
                return named(level, key, models.policy().getIfPresentQuietly(key));
            case SESSION:
                return counterSnapshot(level, key, sessions.policy().getIfPresentQuietly(key));
            case USER:
                return counterSnapshot(level, key, users.policy().getIfPresentQuietly(key));
            default:
                throw new AssertionError(level);
        }
    }

    /**
     * Returns the live figures of one tool across all callers: its calls and errors in the window and the
     * duration of its latest calls. The model figures of a tool snapshot are zero and its {@code level()} is
     * null.
     *
     * @param toolName the tool's name
     * @return the figures, or empty if the tool was never recorded
     */
    public Optional<TelemetrySnapshot> tool(String toolName) {
        Objects.requireNonNull(toolName, "toolName");
        return named(null, toolName, tools.get(toolName));
    }

    /**
     * Performs the session and user caches' pending maintenance (eviction, expiry) now. Never needed for
     * correctness: Caffeine does it on its own, asynchronously. Tests call it to observe eviction
     * deterministically.
     */
    public void cleanUp() {
        recent.refresh();
        sessions.cleanUp();
        users.cleanUp();
        tenants.cleanUp();
        models.cleanUp();
    }

    private Optional<TelemetrySnapshot> snapshot(Scope level, String key, LevelStats stats) {
        if (stats == null) {
            return Optional.empty();
        }
        LevelStats.Figures f = stats.read(ticker.read(), wallMillis());
        return Optional.of(snapshotOf(level, key, f.totals(), f.latency(), f.ttft(), f.toolDuration()));
    }

    /** @return the figures of one model or tool: the sum of its routes */
    private Optional<TelemetrySnapshot> named(Scope level, String key, Named named) {
        if (named == null) {
            return Optional.empty();
        }
        LevelStats.Sum sum = new LevelStats.Sum(COUNTERS);
        long tick = ticker.read();
        long millis = wallMillis();
        synchronized (moves) {
            named.addTo(sum, null, tick, millis);
        }
        return Optional.of(figures(level, key, sum));
    }

    /**
     * @param agent the agent to add up, or null for the whole process
     * @return the figures of the process or of one agent: its own, and its routes through every model and tool
     */
    private Optional<TelemetrySnapshot> sum(Scope level, String key, String agent) {
        LevelStats.Sum sum = new LevelStats.Sum(COUNTERS);
        long tick = ticker.read();
        long millis = wallMillis();
        synchronized (moves) {
            if (agent == null) {
                agentless.addTo(sum, tick, millis);
                for (LevelStats own : agents.values()) {
                    own.addTo(sum, tick, millis);
                }
            } else {
                agents.get(agent).addTo(sum, tick, millis);
            }
            for (Named named : liveModels) {
                named.addTo(sum, agent, tick, millis);
            }
            for (Named named : tools.values()) {
                named.addTo(sum, agent, tick, millis);
            }
        }
        return Optional.of(figures(level, key, sum));
    }

    private TelemetrySnapshot figures(Scope level, String key, LevelStats.Sum sum) {
        LevelStats.Figures f = sum.figures(config.latencySamples());
        return snapshotOf(level, key, f.totals(), f.latency(), f.ttft(), f.toolDuration());
    }

    /** @return the own figures of an agent (or of calls without one), made on its first call */
    private LevelStats own(String agent) {
        return agent == null ? agentless : stats(agents, agent, newScopeStats);
    }

    private Optional<TelemetrySnapshot> counterSnapshot(Scope level, String key, Tracked counters) {
        if (counters == null) {
            return Optional.empty();
        }
        long tick = ticker.read();
        long millis = wallMillis();
        long[] totals;
        synchronized (counters.window) {
            totals = totals(counters.window, tick, millis);
        }
        return Optional.of(snapshotOf(level, key, totals, null, null, null));
    }

    private static <V> V stats(ConcurrentMap<String, V> map, String key, Function<String, V> factory) {
        // get first: computeIfAbsent may lock the bin even when the key is present
        V stats = map.get(key);
        return stats != null ? stats : map.computeIfAbsent(key, factory);
    }

    /**
     * One model's or tool's figures, kept by agent: each (agent, model or tool) pair is a route, the one place a
     * call is recorded (see the class comment). A model that leaves its cache is retired: its routes move into
     * their agents' own figures, and a route made or recorded into afterwards (by a caller that found the model
     * just before) goes there too.
     */
    private final class Named {
        private final boolean model;
        private final ConcurrentMap<String, LevelStats> byAgent = new ConcurrentHashMap<>(4);
        /** The route of calls without an agent, or null until the first. */
        private volatile LevelStats agentless;
        /** Guarded by this. */
        private boolean retired;

        Named(boolean model) {
            this.model = model;
        }

        LevelStats route(String agent) {
            LevelStats r = find(agent);
            return r != null ? r : newRoute(agent);
        }

        /** @return the route of an agent's calls (of calls without one for null), or null before its first */
        private LevelStats find(String agent) {
            return agent == null ? this.agentless : byAgent.get(agent);
        }

        private void forEachRoute(Consumer<LevelStats> action) {
            LevelStats a = this.agentless;
            if (a != null) {
                action.accept(a);
            }
            byAgent.values().forEach(action);
        }

        private synchronized LevelStats newRoute(String agent) {
            LevelStats own = own(agent);
            if (retired) {
                return own;
            }
            LevelStats r = find(agent);
            if (r == null) {
                r = new LevelStats(config.window(), COUNTERS, config.latencySamples(), model, !model, own);
                if (agent == null) {
                    this.agentless = r;
                } else {
                    byAgent.put(agent, r);
                }
            }
            return r;
        }

        /** Moves every route into its agent's own figures; called by the models cache as it lets this go. */
        void retire() {
            long tick = recent.read();
            long millis = wallMillis();
            synchronized (moves) {
                synchronized (this) {
                    retired = true;
                }
                forEachRoute(r -> r.retire(tick, millis));
                liveModels.remove(this);
            }
        }

        /** @param agent the agent whose route to add, or null to add every route */
        void addTo(LevelStats.Sum sum, String agent, long tick, long millis) {
            if (agent == null) {
                forEachRoute(r -> r.addTo(sum, tick, millis));
                return;
            }
            LevelStats r = byAgent.get(agent);
            if (r != null) {
                r.addTo(sum, tick, millis);
            }
        }
    }

    /**
     * Finds a session's record, or starts one: its figures, and what the guard keeps about the session besides
     * them. Counts as use of the session (see {@link SparseTouch}).
     *
     * @param sessionId the session
     * @param tick a reading, taken for the call, of the ticker this instance was built with
     * @return its record
     */
    public Tracked session(String sessionId, long tick) {
        Objects.requireNonNull(sessionId, "sessionId");
        return SparseTouch.get(sessions, sessionId, newTracked, recent.observe(tick), touchNanos);
    }

    /** @return the counters of the scope's session (from its record when given), or null when it has none */
    private CounterWindow sessionCounters(ScopeKeys scope, Tracked session, long tick) {
        String id = scope.session();
        if (id == null) {
            return null;
        }
        return session != null ? session.window : counters(sessions, id, tick);
    }

    /** @return a session's or user's counters, found or created (see {@link SparseTouch}) */
    private CounterWindow counters(Cache<String, Tracked> cache, String key, long tick) {
        return SparseTouch.get(cache, key, newTracked, tick, touchNanos).window;
    }

    /**
     * The record of one tracked session (or user): its figures, and for a session what the guard keeps about it
     * besides them (its caps and loop state), so that a call finds everything about its session with one lookup.
     * Lives as long as the session's figures: {@link TelemetryConfig#maxSessions()} records at most, forgotten
     * after {@link TelemetryConfig#sessionIdleExpiry()} without use. For the guard; an application reads figures
     * through {@link #snapshot}.
     */
    public static final class Tracked extends SparseTouch.Touched {
        /** Guarded by its own monitor. */
        final CounterWindow window;
        private volatile Object attached;
        private volatile Object keys;

        Tracked(CounterWindow window) {
            this.window = window;
        }

        /**
         * Starts loading this session's figures, without waiting and without their lock (see
         * {@link dev.agentguard.core.common.Prefetch}): for the guard, which records the call in them when it ends.
         */
        public void prefetch() {
            window.prefetch();
        }

        /** @return what is attached to this record, or null */
        public Object attached() {
            return attached;
        }

        /** @return the budget keys the guard keeps for this session (see {@link #keys(Object)}), or null */
        public Object keys() {
            return keys;
        }

        /**
         * Keeps the session's budget keys with its record, so that its calls ask the ledger with the same key
         * objects (which lead the in-memory ledger to their windows without a lookup). Last writer wins: calls of
         * one session racing here keep equal keys.
         *
         * @param keys the keys, in the guard's form
         */
        public void keys(Object keys) {
            this.keys = keys;
        }

        /**
         * Attaches state to this record unless some is attached already.
         *
         * @param state the state to attach
         * @return the state attached now: {@code state}, or what another caller attached first
         */
        public synchronized Object attachIfAbsent(Object state) {
            Object current = attached;
            if (current == null) {
                attached = Objects.requireNonNull(state, "state");
                return state;
            }
            return current;
        }
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }

    private static void addModelCall(CounterWindow w, long tick, long millis, long cost, long tokens, long errors) {
        synchronized (w) {
            addModelCallLocked(w, tick, millis, cost, tokens, errors);
        }
    }

    /** Adds a model call to a window whose lock the caller holds. */
    static void addModelCallLocked(CounterWindow w, long tick, long millis, long cost, long tokens,
            long errors) {
        w.roll(tick, millis);
        w.add(COST, cost, tokens, 1, errors); // COST, TOKENS, MODEL_CALLS, MODEL_ERRORS: the bucket found once
    }

    private static void addToolCall(CounterWindow w, long tick, long millis, long errors) {
        synchronized (w) {
            addToolCallLocked(w, tick, millis, errors);
        }
    }

    /** Adds a tool call to a window whose lock the caller holds. */
    static void addToolCallLocked(CounterWindow w, long tick, long millis, long errors) {
        w.roll(tick, millis);
        w.add(TOOL_CALLS, 1, errors); // TOOL_CALLS, TOOL_ERRORS
    }

    /** @return a window's six totals at the given time, rolled; the caller holds its lock */
    private static long[] totals(CounterWindow w, long tick, long millis) {
        w.roll(tick, millis);
        long[] t = new long[COUNTERS];
        for (int i = 0; i < COUNTERS; i++) {
            t[i] = w.total(i);
        }
        return t;
    }

    private TelemetrySnapshot snapshotOf(Scope level, String key, long[] t, LatencySummary latency,
            LatencySummary ttft, LatencySummary toolDuration) {
        return new TelemetrySnapshot(level, key, config.window(), t[COST], t[TOKENS], t[MODEL_CALLS], t[MODEL_ERRORS],
                t[TOOL_CALLS], t[TOOL_ERRORS], latency, ttft, toolDuration);
    }

    /**
     * A small direct-mapped table of the latest tenants or models recorded and their figures, in front of their
     * Caffeine cache. A process records the same few models on every call, and a Caffeine read (with its
     * read-buffer entry, its share of maintenance and its access time) cost more than the record itself. An entry
     * is used for {@value #REVALIDATE_NANOS} ns of ticker time, then looked up in the cache again: that read keeps
     * the key from expiring while it is in use, and, should the cache have evicted the key meanwhile (only a flood
     * of other keys can), gives the figures that now stand for it. Until then, records of an evicted key go to
     * figures nobody reads any more, as a record at the very moment of eviction always could (see the class
     * comment). Slots hold immutable entries, so a racy read sees a whole one or none.
     */
    private static final class Recent<V> {
        static final long REVALIDATE_NANOS = 1_000_000_000L;
        private static final int SLOTS = 16;

        @SuppressWarnings("unchecked") // holds only Entry<V>
        private final Entry<V>[] slots = (Entry<V>[]) new Entry<?>[SLOTS];

        V get(Cache<String, V> cache, String key, Function<String, V> factory, long tick) {
            int slot = key.hashCode() & (SLOTS - 1);
            Entry<V> e = slots[slot];
            if (e != null && tick - e.since() < REVALIDATE_NANOS && e.key().equals(key)) {
                return e.value();
            }
            V value = cache.get(key, factory);
            slots[slot] = new Entry<>(key, value, tick);
            return value;
        }

        private record Entry<V>(String key, V value, long since) {
        }
    }
}
