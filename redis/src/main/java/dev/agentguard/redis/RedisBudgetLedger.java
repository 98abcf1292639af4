package dev.agentguard.redis;

import dev.agentguard.core.common.Ticker;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetLedger;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.ledger.InMemoryLedger;
import dev.agentguard.core.ledger.Suspension;
import dev.agentguard.core.ledger.WindowState;
import dev.agentguard.core.window.WindowSpec;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BudgetLedger} on Redis: every JVM that points at the same Redis and key prefix shares its budgets.
 *
 * <p><b>Operations.</b> Each of reserve, settle, release and read is one Lua script (EVALSHA, loaded on first use
 * and again after NOSCRIPT), so one round trip and atomic on the server: a reservation checks and takes every
 * window of a call or none, whatever the number of JVMs, with no optimistic retry that could livelock on a hot key.
 * Settle and release name the hold by id and take effect once. Time is the server's ({@code TIME}), so JVM clocks
 * do not matter.
 *
 * <p><b>Keys</b> (see the README, "Many JVMs, one budget"): all under {@code keyPrefix + "{" + guard + "}:"}, one
 * hash tag, so the scripts also run on Redis Cluster. A sliding window is a hash of its buckets (settled spend per
 * bucket index) with a running total: buckets that leave the window are subtracted and deleted as time moves on, and
 * the hash expires ({@code PEXPIREAT}) when its newest bucket leaves the window; a calendar window is a key per
 * period in the budget's zone, expiring at the period's end; what is reserved is one counter per window, deleted at
 * 0. Holds are a sorted set scored by the end of their lease plus a hash of their windows: a hold whose lease ends
 * (its JVM died mid-call) is charged its worst case, what it reserved, by the next reservation of any JVM or by
 * {@link #expireLapsed()}. A read is O(1) per window; a window that moved on pays once per bucket that left it.
 *
 * <p><b>Suspensions</b> are keys too ({@code base:s}, expiring at the suspension's end), so a suspension written by
 * one JVM refuses in all and a lift in one frees all. The reservation script checks them for the requests that ask
 * it to ({@link BudgetRequest#checksSuspension()}), one GET each before anything is taken: the same single round
 * trip per admission as without suspensions. Operators' listings ({@link #windows}, {@link #suspensions()}) and
 * {@link #reset} find keys by SCAN under the guard's hash-tagged prefix (never KEYS): O(keys of the guard).
 *
 * <p><b>Redis unavailable.</b> A command that fails (refused, timed out after {@code timeout}) switches the ledger
 * to {@link OnUnavailable}; every hold granted or refused that way says so ({@link Hold#unavailableReason()}, which
 * the guard records as {@code ledger.unavailable}), and each switch is logged at WARN. Redis is tried again every
 * {@code probeInterval}; when it answers, what was settled meanwhile (and settlements and releases of holds that
 * could not reach it) is sent first, each once, and the switch back is logged. Spend settled while Redis was away
 * is never dropped; a reservation lost with a timed-out command is charged its worst case when its lease ends.
 *
 * <p>Amounts are summed by Lua in doubles: exact up to 2<sup>53</sup> units per window (9 million dollars in
 * nano-dollars).
 */
public final class RedisBudgetLedger implements BudgetLedger, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBudgetLedger.class);
    private static final int SWEEP_PER_RESERVE = 16;
    private static final int SWEEP_BATCH = 1_000;
    private static final int STALE_RETRIES = 3;
    private static final long MAX_EXACT = 1L << 53;

    private static final Scripts RESERVE = Scripts.of("reserve");
    private static final Scripts SETTLE = Scripts.of("settle");
    private static final Scripts RELEASE = Scripts.of("release");
    private static final Scripts USED = Scripts.of("used");
    private static final Scripts CHARGE = Scripts.of("charge");
    private static final Scripts SWEEP = Scripts.of("sweep");
    private static final Scripts SUSPEND = Scripts.of("suspend");
    private static final Scripts WINDOWS = Scripts.of("windows");
    /** Keys read by one run of the windows script, so that no script runs long on a large key space. */
    private static final int WINDOWS_BATCH = 500;

    private final RedisClient client;
    /** Replaced by the probe when the connection was lost; null until the first connection succeeds. */
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile RedisCommands<String, String> redis;
    private final KeyLayout layout;
    private final String[] holdKeys;
    private final String leaseMillis;
    private final Clock clock;
    private final Ticker ticker;
    private final LongSupplier timeShift;
    private final OnUnavailable onUnavailable;
    private final int localSharePercent;
    private final long probeNanos;
    private final String node = Long.toHexString(new SecureRandom().nextLong());
    private final AtomicLong sequence = new AtomicLong();
    /** Estimated server time minus this clock's, in ms: to compute calendar periods before asking. */
    private volatile long skewMillis;

    private volatile boolean down;
    private volatile long retryAt;
    private volatile InMemoryLedger localLedger;
    private final AtomicBoolean probing = new AtomicBoolean();
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final LongAdder localOpen = new LongAdder();

    private RedisBudgetLedger(Builder b) {
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.timeShift = b.timeShift;
        this.onUnavailable = b.onUnavailable;
        this.localSharePercent = b.localSharePercent;
        this.probeNanos = b.probeInterval.toNanos();
        this.layout = new KeyLayout(b.keyPrefix, b.guard);
        this.holdKeys = new String[] {layout.holds(), layout.holdData()};
        this.leaseMillis = Long.toString(b.lease.toMillis());
        RedisURI uri = b.uri;
        uri.setTimeout(b.timeout);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(b.connectTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(b.timeout))
                // a lost connection fails at once rather than queue; the probe opens a new one
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        try {
            connect();
        } catch (RedisException e) {
            if (onUnavailable == OnUnavailable.FAIL_CLOSED && b.requireAtStart) {
                client.shutdown();
                throw new IllegalStateException("cannot reach Redis at " + uri + ": " + e.getMessage(), e);
            }
            switchDown("cannot connect: " + describe(e));
        }
    }

    /** Opens a new connection; the ledger reconnects itself (in the probe) so that recovery does not wait on backoff. */
    private void connect() {
        StatefulRedisConnection<String, String> c = client.connect();
        connection = c;
        redis = c.sync();
    }

    /**
     * @param uri where Redis is: {@code redis://host:6379/0}, {@code rediss://} for TLS,
     *     {@code redis-sentinel://host:26379/0#mymaster} for Sentinel (see Lettuce's {@link RedisURI})
     * @return a builder
     */
    public static Builder builder(String uri) {
        return new Builder(RedisURI.create(uri));
    }

    /**
     * @param uri where Redis is, built with Lettuce's {@link RedisURI} (TLS, Sentinel, credentials)
     * @return a builder
     */
    public static Builder builder(RedisURI uri) {
        return new Builder(uri);
    }

    private long estimatedNow() {
        return clock.millis() + skewMillis;
    }

    private void learn(long serverNow) {
        skewMillis = serverNow - clock.millis();
    }

    private String shift() {
        return Long.toString(timeShift.getAsLong());
    }

    // ---------------------------------------------------------------- reserve

    @Override
    public Hold reserve(List<BudgetRequest> requests) {
        int n = requests.size();
        BudgetKey[] keys = new BudgetKey[n];
        for (int i = 0; i < n; i++) {
            BudgetRequest r = requests.get(i);
            if (r.amount() >= MAX_EXACT) {
                throw new IllegalArgumentException("a Redis ledger counts amounts below 2^53; " + r + " is not");
            }
            keys[i] = r.key();
        }
        if (n == 0) {
            return new RedisHold(null, keys, true, -1, new long[0], null, false, null, null);
        }
        if (available()) {
            String id = node + "-" + Long.toHexString(sequence.incrementAndGet());
            try {
                return reserveInRedis(id, requests, keys);
            } catch (RedisException e) {
                // the script may still run once the server answers: release it then, else its lease charges it
                pending.add(() -> RELEASE.run(redis, holdKeys, shift(), id));
                switchDown(describe(e));
            }
        }
        return reserveWithout(requests, keys);
    }

    private Hold reserveInRedis(String id, List<BudgetRequest> requests, BudgetKey[] keys) {
        int n = requests.size();
        for (int attempt = 0; ; attempt++) {
            long now = estimatedNow();
            String[] args = new String[5 + n * 8];
            args[0] = shift();
            args[1] = id;
            args[2] = leaseMillis;
            args[3] = Integer.toString(SWEEP_PER_RESERVE);
            args[4] = Integer.toString(n);
            for (int i = 0; i < n; i++) {
                BudgetRequest r = requests.get(i);
                int p = 5 + i * 8;
                window(r.key(), now, args, p);
                args[p + 5] = Long.toString(r.amount());
                args[p + 6] = r.limit() >= MAX_EXACT ? "-" : Long.toString(r.limit());
                args[p + 7] = r.checksSuspension() ? "1" : "0";
            }
            List<Object> out = RESERVE.run(redis, holdKeys, args);
            long status = (Long) out.get(0);
            learn((Long) out.get(1));
            if (status == 3) { // suspended: the script took nothing
                Suspension[] suspended = new Suspension[n];
                for (int j = 3; j + 2 < out.size(); j += 3) {
                    int i = (int) (long) (Long) out.get(j);
                    suspended[i] = new Suspension(keys[i], Instant.ofEpochMilli(Long.parseLong((String) out.get(j + 1))),
                            Long.parseLong((String) out.get(j + 2)));
                }
                return new RedisHold(null, keys, false, (int) (long) (Long) out.get(2), new long[n], null, false, null,
                        null, suspended);
            }
            if (status == -2) {
                if (attempt < STALE_RETRIES) {
                    continue;
                }
                throw new IllegalStateException("the calendar period kept moving under a reservation");
            }
            long[] usedBefore = new long[n];
            for (int i = 3; i < out.size(); i++) {
                usedBefore[i - 3] = (Long) out.get(i);
            }
            boolean granted = status == 1;
            return new RedisHold(granted ? id : null, keys, granted, granted ? -1 : (int) (long) (Long) out.get(2),
                    usedBefore, null, false, null, null);
        }
    }

    /** Writes a window's five fields (base shape kind a b) at {@code args[p]}, its calendar period at {@code now}. */
    private void window(BudgetKey key, long now, String[] args, int p) {
        WindowSpec w = key.window();
        args[p] = layout.base(key);
        args[p + 1] = KeyLayout.shape(w);
        if (w.isCalendar()) {
            long[] period = KeyLayout.period(w, now);
            args[p + 2] = "c";
            args[p + 3] = Long.toString(period[0]);
            args[p + 4] = Long.toString(period[1]);
        } else {
            args[p + 2] = "s";
            args[p + 3] = Long.toString(KeyLayout.width(w));
            args[p + 4] = Integer.toString(w.buckets());
        }
    }

    private Hold reserveWithout(List<BudgetRequest> requests, BudgetKey[] keys) {
        int n = requests.size();
        switch (onUnavailable) {
            case FAIL_OPEN:
                localOpen.increment();
                return new RedisHold(null, keys, true, -1, new long[n],
                        "the shared budget ledger (Redis) cannot be reached: granted without checking the budgets"
                                + " (onUnavailable: failOpen); the spend is counted once Redis is back",
                        true, null, null);
            case LOCAL:
                InMemoryLedger ledger = localLedger;
                List<BudgetRequest> shared = new ArrayList<>(n);
                for (BudgetRequest r : requests) {
                    long limit = r.limit() == BudgetRequest.NO_LIMIT ? r.limit()
                            : r.limit() / 100 * localSharePercent + r.limit() % 100 * localSharePercent / 100;
                    shared.add(new BudgetRequest(r.key(), r.amount(), limit, r.checksSuspension()));
                }
                Hold h = ledger.reserve(shared);
                Suspension[] suspended = null;
                if (h.refusedForSuspension()) { // suspended in this process while Redis is away
                    suspended = new Suspension[n];
                    for (int i = 0; i < n; i++) {
                        suspended[i] = h.suspension(i);
                    }
                }
                long[] used = new long[n];
                int upTo = h.granted() ? n - 1 : h.refusedIndex();
                for (int i = 0; i <= upTo; i++) {
                    used[i] = h.usedBefore(i);
                }
                if (h.granted()) {
                    localOpen.increment();
                }
                return new RedisHold(null, keys, h.granted(), h.refusedIndex(), used,
                        "the shared budget ledger (Redis) cannot be reached: checked against this process's "
                                + localSharePercent + "% share of each limit (onUnavailable: local); the spend is"
                                + " counted in Redis once it is back",
                        true, h, ledger, suspended);
            default:
                return new RedisHold(null, keys, false, 0, new long[n],
                        "the shared budget ledger (Redis) cannot be reached: refused (onUnavailable: failClosed)",
                        true, null, null);
        }
    }

    // ---------------------------------------------------------------- settle and release

    @Override
    public void settle(Hold hold, long[] actualAmounts) {
        RedisHold h = own(hold);
        if (!h.granted) {
            return;
        }
        if (actualAmounts.length != h.size()) {
            throw new IllegalArgumentException("expected " + h.size() + " actual amounts, got " + actualAmounts.length);
        }
        for (long a : actualAmounts) {
            if (a < 0 || a >= MAX_EXACT) {
                throw new IllegalArgumentException("actual amounts must be >= 0 and below 2^53, got " + a);
            }
        }
        if (h.keys.length == 0 || !h.done.compareAndSet(false, true)) {
            return;
        }
        long[] actual = actualAmounts.clone();
        if (h.inProcess) {
            localOpen.decrement();
            if (h.local != null) {
                h.localLedger.settle(h.local, actual);
            }
            String id = node + "-c" + Long.toHexString(sequence.incrementAndGet());
            send(() -> charge(id, h.keys, actual));
            return;
        }
        send(() -> settleInRedis(h, actual));
    }

    private void settleInRedis(RedisHold h, long[] actual) {
        int n = h.keys.length;
        for (int attempt = 0; ; attempt++) {
            long now = estimatedNow();
            String[] args = new String[3 + n * 3];
            args[0] = shift();
            args[1] = h.id;
            args[2] = Integer.toString(n);
            for (int i = 0; i < n; i++) {
                int p = 3 + i * 3;
                args[p] = Long.toString(actual[i]);
                WindowSpec w = h.keys[i].window();
                long[] period = w.isCalendar() ? KeyLayout.period(w, now) : new long[2];
                args[p + 1] = Long.toString(period[0]);
                args[p + 2] = Long.toString(period[1]);
            }
            List<Object> out = SETTLE.run(redis, holdKeys, args);
            learn((Long) out.get(1));
            if ((Long) out.get(0) != -2) {
                return;
            }
            if (attempt >= STALE_RETRIES) {
                throw new IllegalStateException("the calendar period kept moving under a settlement of " + h.id);
            }
        }
    }

    /** Adds spend settled while Redis was away; {@code id} makes a retried one count once. */
    private void charge(String id, BudgetKey[] keys, long[] amounts) {
        int n = keys.length;
        for (int attempt = 0; ; attempt++) {
            long now = estimatedNow();
            String[] args = new String[3 + n * 6];
            args[0] = shift();
            args[1] = layout.applied(id);
            args[2] = Integer.toString(n);
            for (int i = 0; i < n; i++) {
                int p = 3 + i * 6;
                window(keys[i], now, args, p);
                args[p + 5] = Long.toString(amounts[i]);
            }
            List<Object> out = CHARGE.run(redis, holdKeys, args);
            learn((Long) out.get(1));
            if ((Long) out.get(0) != -2) {
                return;
            }
            if (attempt >= STALE_RETRIES) {
                throw new IllegalStateException("the calendar period kept moving under a reconciliation");
            }
        }
    }

    @Override
    public void release(Hold hold) {
        RedisHold h = own(hold);
        if (!h.granted || h.keys.length == 0 || !h.done.compareAndSet(false, true)) {
            return;
        }
        if (h.inProcess) {
            localOpen.decrement();
            if (h.local != null) {
                h.localLedger.release(h.local);
            }
            return;
        }
        send(() -> RELEASE.run(redis, holdKeys, shift(), h.id));
    }

    /** Runs an operation now if Redis is there, else keeps it for when Redis is back. */
    private void send(Runnable op) {
        if (available()) {
            try {
                op.run();
                return;
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        pending.add(op);
        if (!down) {
            replay(); // Redis came back between the check and the add: do not leave it waiting for the next outage
        }
    }

    /** Sends what waited for Redis; on a failure keeps the rest and switches down again. */
    private void replay() {
        Runnable op;
        while ((op = pending.poll()) != null) {
            try {
                op.run();
            } catch (RedisException e) {
                pending.add(op);
                switchDown(describe(e));
                return;
            }
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public long used(BudgetKey key) {
        if (available()) {
            try {
                for (int attempt = 0; ; attempt++) {
                    String[] args = new String[6];
                    args[0] = shift();
                    window(key, estimatedNow(), args, 1);
                    List<Object> out = USED.run(redis, holdKeys, args);
                    learn((Long) out.get(1));
                    if ((Long) out.get(0) == 1) {
                        return (Long) out.get(2) + (Long) out.get(3);
                    }
                    if (attempt >= STALE_RETRIES) {
                        throw new IllegalStateException("the calendar period kept moving under a read");
                    }
                }
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        InMemoryLedger local = localLedger;
        return local == null ? 0 : local.used(key);
    }

    @Override
    public long reserved(BudgetKey key) {
        if (available()) {
            try {
                String v = redis.get(layout.base(key) + ":r");
                return v == null ? 0 : Long.parseLong(v);
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        InMemoryLedger local = localLedger;
        return local == null ? 0 : local.reserved(key);
    }

    /**
     * @return the holds of every JVM of this guard that are neither settled, released nor expired, plus the ones
     *     this process took while Redis could not be reached
     */
    @Override
    public long openHolds() {
        long local = localOpen.sum();
        if (available()) {
            try {
                return redis.zcard(layout.holds()) + local;
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        return local;
    }

    /**
     * Charges every hold of this guard whose lease has ended (its JVM stopped or lost it) at its worst case. Each
     * reservation already does this for a few; call it to clear them all, e.g. at shutdown of a fleet.
     *
     * @return how many holds were charged
     * @throws RedisException if Redis cannot be reached
     */
    public int expireLapsed() {
        int total = 0;
        while (true) {
            List<Object> out = SWEEP.run(redis, holdKeys, shift(), Integer.toString(SWEEP_BATCH));
            int swept = (int) (long) (Long) out.get(0);
            total += swept;
            if (swept < SWEEP_BATCH) {
                return total;
            }
        }
    }

    /** @return true while Redis answers; false after a failed command and until a later one succeeds */
    public boolean isAvailable() {
        return !down;
    }

    /** @return operations (settlements, releases, spend) waiting for Redis to answer again */
    public int pendingOperations() {
        return pending.size();
    }

    // ---------------------------------------------------------------- suspensions

    /** @return true: suspensions live in Redis, shared by every JVM of the guard */
    @Override
    public boolean keepsSuspensions() {
        return true;
    }

    /**
     * Suspends a key in Redis ({@code base:s}, expiring at {@code until}), so that every JVM of the guard refuses it.
     * While Redis cannot be reached the suspension waits to be sent (dropped by the script if it ended meanwhile),
     * and under {@code onUnavailable: local} this process also enforces it meanwhile.
     */
    @Override
    public void suspend(BudgetKey key, Instant until, long limit) {
        String name = layout.suspension(key);
        String end = Long.toString(until.toEpochMilli());
        String max = Long.toString(limit);
        String shape = KeyLayout.shape(key.window());
        InMemoryLedger local = localLedger;
        if (down && local != null) {
            local.suspend(key, until, limit);
        }
        send(() -> learn((Long) SUSPEND.run(redis, holdKeys, shift(), "set", name, end, max, shape).get(1)));
    }

    @Override
    public Suspension suspension(BudgetKey key) {
        List<Suspension> s = suspensionsOf(List.of(key));
        return s.isEmpty() ? null : s.get(0);
    }

    /** One script for all the keys: a single round trip. While Redis cannot be reached, what this process knows. */
    @Override
    public List<Suspension> suspensionsOf(List<BudgetKey> keys) {
        if (available()) {
            try {
                String[] args = new String[2 + keys.size()];
                args[0] = shift();
                args[1] = "get";
                for (int i = 0; i < keys.size(); i++) {
                    args[2 + i] = layout.suspension(keys.get(i));
                }
                List<Object> out = SUSPEND.run(redis, holdKeys, args);
                learn((Long) out.get(1));
                List<Suspension> found = new ArrayList<>(0);
                for (int i = 0; i < keys.size(); i++) {
                    String v = (String) out.get(2 + i);
                    if (!v.isEmpty()) {
                        found.add(suspensionOf(keys.get(i), v));
                    }
                }
                return found;
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        InMemoryLedger local = localLedger;
        return local == null ? List.of() : local.suspensionsOf(keys);
    }

    private static Suspension suspensionOf(BudgetKey key, String value) {
        String[] f = value.split(" ");
        return new Suspension(key, Instant.ofEpochMilli(Long.parseLong(f[0])), Long.parseLong(f[1]));
    }

    /** Lifts in Redis, for every JVM; while Redis cannot be reached the lift waits to be sent. */
    @Override
    public boolean lift(BudgetKey key) {
        String name = layout.suspension(key);
        InMemoryLedger local = localLedger;
        boolean liftedHere = down && local != null && local.lift(key);
        if (available()) {
            try {
                List<Object> out = SUSPEND.run(redis, holdKeys, shift(), "lift", name);
                learn((Long) out.get(1));
                return (Long) out.get(0) == 1 || liftedHere;
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        send(() -> SUSPEND.run(redis, holdKeys, shift(), "lift", name));
        return liftedHere;
    }

    /** Scans this guard's suspension keys (SCAN, never KEYS): O(keys of the guard). */
    @Override
    public List<Suspension> suspensions() {
        if (available()) {
            try {
                List<Suspension> out = new ArrayList<>();
                List<String> found = scan(layout.suspensionsPattern());
                for (int from = 0; from < found.size(); from += WINDOWS_BATCH) {
                    List<String> batch = found.subList(from, Math.min(found.size(), from + WINDOWS_BATCH));
                    String[] args = new String[2 + batch.size()];
                    args[0] = shift();
                    args[1] = "get";
                    for (int i = 0; i < batch.size(); i++) {
                        args[2 + i] = batch.get(i);
                    }
                    List<Object> values = SUSPEND.run(redis, holdKeys, args);
                    learn((Long) values.get(1));
                    for (int i = 0; i < batch.size(); i++) {
                        String v = (String) values.get(2 + i);
                        String[] p = layout.parts(batch.get(i));
                        if (!v.isEmpty() && p != null) {
                            String[] f = v.split(" ");
                            out.add(suspensionOf(KeyLayout.keyOf(p, f.length > 2 ? KeyLayout.spec(f[2]) : null), v));
                        }
                    }
                }
                return out;
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        InMemoryLedger local = localLedger;
        return local == null ? List.of() : local.suspensions();
    }

    // ---------------------------------------------------------------- windows, for operators

    /**
     * Scans the keys of this guard's windows (SCAN under its hash-tagged prefix, never KEYS) and reads them with one
     * script per 500 keys: O(keys of the guard). While Redis cannot be reached, this process's fallback windows.
     */
    @Override
    public List<WindowState> windows(String budgetId) {
        if (!available()) {
            InMemoryLedger local = localLedger;
            return local == null ? List.of() : local.windows(budgetId);
        }
        try {
            List<String> found = scan(layout.windowsPattern(budgetId));
            Map<String, Window> bases = new LinkedHashMap<>();
            for (int from = 0; from < found.size(); from += WINDOWS_BATCH) {
                List<String> batch = found.subList(from, Math.min(found.size(), from + WINDOWS_BATCH));
                List<String> args = new ArrayList<>(1 + batch.size() * 4);
                args.add(shift());
                List<String[]> read = new ArrayList<>(batch.size());
                for (String k : batch) {
                    String[] p = layout.parts(k);
                    if (p == null) {
                        continue;
                    }
                    String kind;
                    String a = "0";
                    String b = "0";
                    if (p.length == 5 && p[4].equals("r")) {
                        kind = "r";
                    } else if (p.length == 5 && p[4].equals("s")) {
                        kind = "s";
                    } else if (p.length == 5 && KeyLayout.spec(p[4]) != null && !KeyLayout.spec(p[4]).isCalendar()) {
                        kind = "h";
                        WindowSpec w = KeyLayout.spec(p[4]);
                        a = Long.toString(KeyLayout.width(w));
                        b = Integer.toString(w.buckets());
                    } else if (p.length == 6) {
                        kind = "c";
                        a = p[5];
                    } else {
                        continue;
                    }
                    args.add(kind);
                    args.add(k);
                    args.add(a);
                    args.add(b);
                    read.add(p);
                }
                List<Object> out = WINDOWS.run(redis, holdKeys, args.toArray(new String[0]));
                learn((Long) out.get(0));
                for (int i = 0; i < read.size(); i++) {
                    String[] p = read.get(i);
                    String v = (String) out.get(1 + i * 2);
                    String e = (String) out.get(2 + i * 2);
                    if (v.isEmpty()) {
                        continue;
                    }
                    Window w = bases.computeIfAbsent(p[1] + ":" + p[2] + ":" + p[3], x -> new Window(p));
                    w.add(args.get(1 + i * 4), p, v, e);
                }
            }
            List<WindowState> out = new ArrayList<>(bases.size());
            for (Window w : bases.values()) {
                out.add(w.state());
            }
            return out;
        } catch (RedisException e) {
            switchDown(describe(e));
            InMemoryLedger local = localLedger;
            return local == null ? List.of() : local.windows(budgetId);
        }
    }

    /** Reads the key's own keys (reserved, suspension, the current window) in one script: O(1), one round trip. */
    @Override
    public WindowState window(BudgetKey key) {
        if (available()) {
            try {
                String base = layout.base(key);
                WindowSpec w = key.window();
                String settledKey;
                String[] args;
                if (w.isCalendar()) {
                    String start = Long.toString(KeyLayout.period(w, estimatedNow())[0]);
                    settledKey = base + ":" + KeyLayout.shape(w) + ":" + start;
                    args = new String[] {shift(), "r", base + ":r", "0", "0", "s", base + ":s", "0", "0", "c",
                            settledKey, start, "0"};
                } else {
                    settledKey = base + ":" + KeyLayout.shape(w);
                    args = new String[] {shift(), "r", base + ":r", "0", "0", "s", base + ":s", "0", "0", "h",
                            settledKey, Long.toString(KeyLayout.width(w)), Integer.toString(w.buckets())};
                }
                List<Object> out = WINDOWS.run(redis, holdKeys, args);
                learn((Long) out.get(0));
                String[] names = {base + ":r", base + ":s", settledKey};
                Window found = new Window(layout.parts(names[0]));
                boolean any = false;
                for (int i = 0; i < 3; i++) {
                    String v = (String) out.get(1 + i * 2);
                    if (!v.isEmpty()) {
                        found.add(args[1 + i * 4], layout.parts(names[i]), v, (String) out.get(2 + i * 2));
                        any = true;
                    }
                }
                return any ? found.state() : null;
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        InMemoryLedger local = localLedger;
        return local == null ? null : local.window(key);
    }

    /**
     * Deletes the key's settled spend in Redis (every shape and period of its window): every JVM sees it. Its
     * reservations and suspension stay.
     *
     * @throws IllegalStateException if Redis cannot be reached: nothing was reset
     */
    @Override
    public boolean reset(BudgetKey key) {
        if (available()) {
            try {
                List<String> settled = new ArrayList<>();
                for (String k : scan(layout.windowPattern(key))) {
                    if (!k.endsWith(":r") && !k.endsWith(":s")) {
                        settled.add(k);
                    }
                }
                return !settled.isEmpty() && redis.del(settled.toArray(new String[0])) > 0;
            } catch (RedisException e) {
                switchDown(describe(e));
            }
        }
        throw new IllegalStateException("the shared budget ledger (Redis) cannot be reached: " + key + " was not reset");
    }

    private List<String> scan(String pattern) {
        List<String> keys = new ArrayList<>();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1_000);
        KeyScanCursor<String> cursor = redis.scan(args);
        keys.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = redis.scan(ScanCursor.of(cursor.getCursor()), args);
            keys.addAll(cursor.getKeys());
        }
        return keys;
    }

    /** What the keys of one window hold, gathered from the windows script. */
    private static final class Window {
        final String[] parts;
        WindowSpec spec;
        long settled;
        long reserved;
        long end = Long.MIN_VALUE;
        Instant suspendedUntil;

        Window(String[] parts) {
            this.parts = parts;
        }

        void add(String kind, String[] p, String value, String end) {
            switch (kind) {
                case "r" -> reserved = Long.parseLong(value);
                case "s" -> suspendedUntil = Instant.ofEpochMilli(Long.parseLong(value));
                default -> {
                    settled += Long.parseLong(value); // a reshaped budget may hold spend under two shapes
                    spec = KeyLayout.spec(p[4]);
                    long leaves = spec.isCalendar() // the period's end, from its start in the key's name
                            ? KeyLayout.period(spec, Long.parseLong(p[5]))[1] : Long.parseLong(end);
                    this.end = Math.max(this.end, leaves);
                }
            }
        }

        WindowState state() {
            BudgetKey key = KeyLayout.keyOf(parts, spec);
            return new WindowState(key.budgetId(), key.scope(), key.scopeKey(), settled + reserved, reserved,
                    end == Long.MIN_VALUE ? null : Instant.ofEpochMilli(end), suspendedUntil);
        }
    }

    // ---------------------------------------------------------------- availability

    /**
     * @return true if Redis should be used now: it is up, or it is down and this caller won the probe (then
     *     whatever waited is replayed first)
     */
    private boolean available() {
        if (!down) {
            return true;
        }
        if (ticker.read() - retryAt < 0 || !probing.compareAndSet(false, true)) {
            return false;
        }
        try {
            StatefulRedisConnection<String, String> c = connection;
            if (c == null || !c.isOpen()) {
                if (c != null) {
                    c.close();
                }
                connect();
            }
            redis.ping();
            Runnable op;
            int replayed = 0;
            while ((op = pending.peek()) != null) {
                op.run();
                pending.poll();
                replayed++;
            }
            down = false;
            replay(); // what other threads kept while this one replayed
            LOG.warn("Redis ledger {}: Redis answers again; {} operations kept meanwhile were replayed, back to the"
                    + " shared budgets", layout.holds(), replayed);
            return true;
        } catch (RedisException e) {
            retryAt = ticker.read() + probeNanos;
            return false;
        } finally {
            probing.set(false);
        }
    }

    private synchronized void switchDown(String why) {
        retryAt = ticker.read() + probeNanos;
        if (down) {
            return;
        }
        if (onUnavailable == OnUnavailable.LOCAL) {
            localLedger = InMemoryLedger.builder().ticker(ticker).clock(clock).build();
        }
        down = true;
        LOG.warn("Redis ledger {}: Redis cannot be reached ({}); onUnavailable: {} until it answers", layout.holds(),
                why, onUnavailable.id());
    }

    private static String describe(RedisException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static RedisHold own(Hold hold) {
        if (!(hold instanceof RedisHold)) {
            throw new IllegalArgumentException("not a hold of a RedisBudgetLedger: " + hold);
        }
        return (RedisHold) hold;
    }

    /** Closes the connection; operations still waiting for Redis are logged as lost. */
    @Override
    public void close() {
        if (!pending.isEmpty()) {
            LOG.warn("Redis ledger {}: closed with {} operations that never reached Redis", layout.holds(),
                    pending.size());
        }
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    /** Builds a {@link RedisBudgetLedger}; validated in {@link #build()}. */
    public static final class Builder {
        private final RedisURI uri;
        private String keyPrefix = "agentguard:";
        private String guard = "default";
        private Duration timeout = Duration.ofMillis(50);
        private Duration connectTimeout;
        private Duration lease = Duration.ofMinutes(11);
        private Duration probeInterval = Duration.ofSeconds(1);
        private OnUnavailable onUnavailable = OnUnavailable.FAIL_CLOSED;
        private int localSharePercent = 100;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private LongSupplier timeShift = () -> 0;
        private boolean requireAtStart;

        private Builder(RedisURI uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        /** @param keyPrefix the start of every key, default {@code agentguard:} @return this */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /** @param guard the guard's name: its keys' hash tag, so guards that share a name share budgets @return this */
        public Builder guard(String guard) {
            this.guard = Objects.requireNonNull(guard, "guard");
            return this;
        }

        /** @param timeout how long a command may take before Redis counts as unavailable, default 50 ms @return this */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** @param connectTimeout how long connecting may take; default the command timeout @return this */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * @param lease how long a hold lives in Redis unsettled before any JVM charges it its worst case; make it
         *     longer than the guard's {@code reservations.lease}, so that a live JVM records its own expiries;
         *     default 11 minutes
         * @return this
         */
        public Builder lease(Duration lease) {
            this.lease = Objects.requireNonNull(lease, "lease");
            return this;
        }

        /** @param probeInterval how often Redis is tried again while unavailable, default 1 s @return this */
        public Builder probeInterval(Duration probeInterval) {
            this.probeInterval = Objects.requireNonNull(probeInterval, "probeInterval");
            return this;
        }

        /** @param onUnavailable what to do while Redis cannot be reached, default failClosed @return this */
        public Builder onUnavailable(OnUnavailable onUnavailable) {
            this.onUnavailable = Objects.requireNonNull(onUnavailable, "onUnavailable");
            return this;
        }

        /**
         * @param percent under {@link OnUnavailable#LOCAL}, the share of each limit this process may use on its own
         *     while Redis is away (say 100 / the number of JVMs), 1 to 100, default 100
         * @return this
         */
        public Builder localShare(int percent) {
            this.localSharePercent = percent;
            return this;
        }

        /** @param clock to estimate the server's time between replies (calendar periods), default UTC system @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param ticker for the probe interval, default {@link Ticker#system()} @return this */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @param millis added to the server's time by every script: for tests that move time, 0 otherwise
         * @return this
         */
        public Builder timeShift(LongSupplier millis) {
            this.timeShift = Objects.requireNonNull(millis, "timeShift");
            return this;
        }

        /**
         * @param require under failClosed, fail {@link #build()} when Redis cannot be reached now (default false:
         *     start unavailable and keep trying)
         * @return this
         */
        public Builder requireAtStart(boolean require) {
            this.requireAtStart = require;
            return this;
        }

        /**
         * @return the ledger, connected (or unavailable, trying again)
         * @throws IllegalArgumentException naming a bad setting
         */
        public RedisBudgetLedger build() {
            positive("timeout", timeout);
            positive("lease", lease);
            positive("probeInterval", probeInterval);
            if (connectTimeout == null) {
                connectTimeout = timeout;
            }
            positive("connectTimeout", connectTimeout);
            if (localSharePercent < 1 || localSharePercent > 100) {
                throw new IllegalArgumentException("localShare must be 1 to 100 (percent), was " + localSharePercent);
            }
            if (guard.isEmpty()) {
                throw new IllegalArgumentException("guard must not be empty");
            }
            return new RedisBudgetLedger(this);
        }

        private static void positive(String name, Duration d) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
        }
    }
}
