package dev.agentguard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.ledger.BudgetKey;
import dev.agentguard.core.ledger.BudgetRequest;
import dev.agentguard.core.ledger.Hold;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What only a shared ledger has: holds that outlive their JVM, keys that expire, scripts the server forgets. */
class RedisBudgetLedgerRedisTest {

    private static final WindowSpec TEN_MINUTES = WindowSpec.sliding(Duration.ofMinutes(10), 10);
    private static RedisServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static RedisCommands<String, String> redis;

    private final AtomicLong shift = new AtomicLong();

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        client = RedisClient.create(server.uri());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterAll
    static void stop() {
        if (connection != null) {
            connection.close();
            client.shutdown();
        }
        if (server != null) {
            server.close();
        }
    }

    private RedisBudgetLedger ledger(String guard, Duration lease) {
        return RedisBudgetLedger.builder(server.uri()).guard(guard).keyPrefix("test:").timeout(Duration.ofSeconds(10))
                .lease(lease).timeShift(shift::get).build();
    }

    private static BudgetKey agent(String name) {
        return new BudgetKey("agent-10m", Scope.AGENT, name, TEN_MINUTES);
    }

    @Test
    void aHoldWhoseJvmDiedIsChargedItsWorstCaseWhenItsLeaseEnds() {
        try (RedisBudgetLedger dead = ledger("lease", Duration.ofMinutes(2));
                RedisBudgetLedger alive = ledger("lease", Duration.ofMinutes(2))) {
            Hold lost = dead.reserve(List.of(new BudgetRequest(agent("a"), 500, 1000)));
            assertThat(alive.used(agent("a"))).isEqualTo(500);

            shift.addAndGet(Duration.ofMinutes(2).toMillis() - 1_000);
            assertThat(alive.reserve(List.of(new BudgetRequest(agent("a"), 600, 1000))).granted())
                    .as("still held within its lease").isFalse();
            shift.addAndGet(2_000);
            assertThat(alive.expireLapsed()).isEqualTo(1);

            assertThat(alive.used(agent("a"))).as("charged its worst case").isEqualTo(500);
            assertThat(alive.reserved(agent("a"))).isZero();
            assertThat(alive.openHolds()).isZero();
            dead.settle(lost, new long[] {10});
            assertThat(alive.used(agent("a"))).as("a late settle counts nothing").isEqualTo(500);
        }
    }

    @Test
    void everyKeyOfAGuardSharesOneHashTagAndSpendExpiresWithItsWindow() {
        BudgetKey day = new BudgetKey("tenant-day", Scope.TENANT, "acme:{evil}", WindowSpec.calendar(
                CalendarPeriod.DAY, ZoneId.of("UTC")));
        try (RedisBudgetLedger ledger = ledger("tags", Duration.ofMinutes(11))) {
            Hold hold = ledger.reserve(List.of(new BudgetRequest(agent("a b"), 100, 1000),
                    new BudgetRequest(day, 100, 1000)));
            assertThat(redis.keys("test:{tags}:*")).hasSize(4); // holds, hold data, two reserved counters
            ledger.settle(hold, new long[] {40, 40});

            assertThat(redis.keys("test:*")).allMatch(k -> k.matches("test:\\{[^}]+\\}:.*"));
            List<String> keys = redis.keys("test:{tags}:*");
            assertThat(keys).as("the settled buckets only: no hold, no reserved counter").hasSize(2)
                    .noneMatch(k -> k.endsWith(":r"));
            for (String k : keys) {
                assertThat(redis.pttl(k)).as(k).isPositive().isLessThanOrEqualTo(Duration.ofDays(1).toMillis());
            }
            assertThat(keys).anyMatch(k -> k.contains(":tenant:acme%3A%7Bevil%7D:"));
            assertThat(ledger.used(agent("a b"))).isEqualTo(40);
        }
    }

    /** The running total of a sliding window against a naive sum of what was settled in its last ten minutes. */
    @Test
    void aSlidingWindowAgreesWithANaiveSumAsTimeMovesOnUnevenly() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        java.util.List<long[]> settled = new java.util.ArrayList<>(); // {minute, amount}
        long minute = 0;
        long now = java.time.Clock.systemUTC().millis();
        shift.set(60_000 - now % 60_000 + 10_000); // 10 s into a minute: the test's real seconds stay in it
        try (RedisBudgetLedger ledger = ledger("naive", Duration.ofDays(1))) {
            for (int step = 0; step < 200; step++) {
                long amount = random.nextInt(50);
                ledger.settle(ledger.reserve(List.of(new BudgetRequest(agent("a"), amount, Long.MAX_VALUE))),
                        new long[] {amount});
                settled.add(new long[] {minute, amount});
                int jump = random.nextInt(10) == 0 ? 7 + random.nextInt(12) : random.nextInt(3);
                shift.addAndGet(Duration.ofMinutes(jump).toMillis());
                minute += jump;
                long from = minute - 9;
                long expected = settled.stream().filter(e -> e[0] >= from).mapToLong(e -> e[1]).sum();
                assertThat(ledger.used(agent("a"))).as("step %d at minute %d", step, minute).isEqualTo(expected);
            }
        }
    }

    @Test
    void scriptsAreLoadedAgainWhenTheServerForgotThem() {
        try (RedisBudgetLedger ledger = ledger("flush", Duration.ofMinutes(11))) {
            ledger.settle(ledger.reserve(List.of(new BudgetRequest(agent("a"), 10, 100))), new long[] {10});
            redis.scriptFlush();

            ledger.settle(ledger.reserve(List.of(new BudgetRequest(agent("a"), 10, 100))), new long[] {10});

            assertThat(ledger.used(agent("a"))).isEqualTo(20);
        }
    }

    @Test
    void aCalendarWindowEndsExactlyAtItsPeriodsEndHoweverTheServersMillisecondTicks() {
        // The end was once the server's TIME plus the key's PTTL, two clock reads that can straddle a
        // millisecond: a read now and then answered 22:59:59.999 for midnight in Paris.
        BudgetKey day = new BudgetKey("tenant-day", Scope.TENANT, "acme",
                WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Europe/Paris")));
        java.time.Instant midnight = java.time.Instant.parse("2026-03-02T23:00:00Z");
        shift.set(java.time.Instant.parse("2026-03-02T09:00:00Z").toEpochMilli()
                - java.time.Clock.systemUTC().millis());
        try (RedisBudgetLedger ledger = ledger("period-end", Duration.ofHours(1))) {
            ledger.settle(ledger.reserve(List.of(new BudgetRequest(day, 400, 1000))), new long[] {400});
            for (int read = 0; read < 2_000; read++) {
                assertThat(ledger.window(day).windowEnd()).as("read %d", read).isEqualTo(midnight);
                assertThat(ledger.windows("tenant-day").get(0).windowEnd()).as("listing %d", read).isEqualTo(midnight);
            }
        }
    }
}
