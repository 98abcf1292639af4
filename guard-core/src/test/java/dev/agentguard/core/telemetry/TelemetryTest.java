package dev.agentguard.core.telemetry;

import dev.agentguard.core.FakeClock;
import dev.agentguard.core.FakeTicker;
import dev.agentguard.core.GuardScope;

import dev.agentguard.core.common.Money;
import dev.agentguard.core.common.Scope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.LatencySummary;
import dev.agentguard.core.window.WindowSpec;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Figures per level after scripted calls, and how they leave the window, expire and survive eviction. */
class TelemetryTest {

    private static final long MS = 1_000_000L;

    private final FakeTicker ticker = new FakeTicker();
    private final FakeClock clock = FakeClock.at("2024-06-14T10:00:00Z");

    private final GuardScope alice = GuardScope.builder().agent("support").session("s1").user("alice")
            .tenant("acme").build();
    private final GuardScope bob = GuardScope.builder().agent("support").session("s2").user("bob")
            .tenant("acme").build();
    private final GuardScope anonymous = GuardScope.builder().agent("billing").session("s3").tenant("globex")
            .build();

    private Telemetry telemetry(TelemetryConfig config) {
        return new Telemetry(config, ticker, clock);
    }

    private TelemetrySnapshot get(Telemetry t, Scope level, String key) {
        return t.snapshot(level, key).orElseThrow(() -> new AssertionError("no snapshot of " + level + " " + key));
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** Four model calls and three tool calls by three callers on two models. */
    private Telemetry scripted() {
        Telemetry t = telemetry(TelemetryConfig.defaults());
        t.recordModelCall(alice, "gpt-4o", 1_000, 100, false, 200 * MS, 50 * MS);
        t.recordModelCall(alice, "gpt-4o", 3_000, 300, true, 800 * MS, -1);
        t.recordModelCall(bob, "gpt-4o-mini", 10, 50, false, 100 * MS, 20 * MS);
        t.recordModelCall(anonymous, "gpt-4o", 500, 40, false, 400 * MS, -1);
        t.recordToolCall(alice, "search", false, 30 * MS);
        t.recordToolCall(alice, "search", true, 70 * MS);
        t.recordToolCall(anonymous, "calc", false, 5 * MS);
        return t;
    }

    @Test
    void globalCountsEveryCall() {
        TelemetrySnapshot g = get(scripted(), Scope.GLOBAL, Scope.GLOBAL_KEY);

        assertThat(g.level()).isEqualTo(Scope.GLOBAL);
        assertThat(g.window()).isEqualTo(TelemetryConfig.DEFAULT_WINDOW);
        assertThat(g.costNanos()).isEqualTo(4_510);
        assertThat(g.cost()).isEqualTo(Money.ofNanos(4_510));
        assertThat(g.tokens()).isEqualTo(490);
        assertThat(g.modelCalls()).isEqualTo(4);
        assertThat(g.modelErrors()).isEqualTo(1);
        assertThat(g.toolCalls()).isEqualTo(3);
        assertThat(g.toolErrors()).isEqualTo(1);
        // latencies 100, 200, 400, 800 ms: nearest ranks 2, 4, 4
        LatencySummary latency = g.latency().orElseThrow();
        assertThat(latency.count()).isEqualTo(4);
        assertThat(latency.p50()).isEqualTo(ms(200));
        assertThat(latency.p90()).isEqualTo(ms(800));
        assertThat(latency.p99()).isEqualTo(ms(800));
        assertThat(latency.mean()).isEqualTo(ms(375));
        // only two calls were streamed
        assertThat(g.timeToFirstToken()).hasValueSatisfying(s -> {
            assertThat(s.count()).isEqualTo(2);
            assertThat(s.p50()).isEqualTo(ms(20));
            assertThat(s.max()).isEqualTo(ms(50));
        });
        assertThat(g.toolDuration()).hasValueSatisfying(s -> {
            assertThat(s.count()).isEqualTo(3);
            assertThat(s.p50()).isEqualTo(ms(30));
            assertThat(s.max()).isEqualTo(ms(70));
        });
    }

    @Test
    void agentsAndTenantsCountTheirOwnCalls() {
        Telemetry t = scripted();
        for (TelemetrySnapshot s : new TelemetrySnapshot[] {get(t, Scope.AGENT, "support"),
                get(t, Scope.TENANT, "acme")}) {
            assertThat(s.costNanos()).isEqualTo(4_010);
            assertThat(s.tokens()).isEqualTo(450);
            assertThat(s.modelCalls()).isEqualTo(3);
            assertThat(s.modelErrors()).isEqualTo(1);
            assertThat(s.toolCalls()).isEqualTo(2);
            assertThat(s.toolErrors()).isEqualTo(1);
            assertThat(s.latency().orElseThrow().p50()).isEqualTo(ms(200));
            assertThat(s.toolDuration().orElseThrow().max()).isEqualTo(ms(70));
        }
        TelemetrySnapshot billing = get(t, Scope.AGENT, "billing");
        assertThat(billing.costNanos()).isEqualTo(500);
        assertThat(billing.toolCalls()).isEqualTo(1);
        assertThat(billing.timeToFirstToken()).as("no streamed call").isEmpty();
        assertThat(get(t, Scope.TENANT, "globex").costNanos()).isEqualTo(500);
    }

    @Test
    void sessionsAndUsersKeepTotalsButNoLatency() {
        Telemetry t = scripted();
        for (TelemetrySnapshot s : new TelemetrySnapshot[] {get(t, Scope.SESSION, "s1"),
                get(t, Scope.USER, "alice")}) {
            assertThat(s.costNanos()).isEqualTo(4_000);
            assertThat(s.tokens()).isEqualTo(400);
            assertThat(s.modelCalls()).isEqualTo(2);
            assertThat(s.modelErrors()).isEqualTo(1);
            assertThat(s.toolCalls()).isEqualTo(2);
            assertThat(s.toolErrors()).isEqualTo(1);
            assertThat(s.latency()).isEmpty();
            assertThat(s.timeToFirstToken()).isEmpty();
            assertThat(s.toolDuration()).isEmpty();
        }
        assertThat(get(t, Scope.SESSION, "s2").costNanos()).isEqualTo(10);
        assertThat(get(t, Scope.SESSION, "s3").toolCalls()).isEqualTo(1);
        assertThat(get(t, Scope.USER, "bob").tokens()).isEqualTo(50);
    }

    @Test
    void modelsCountModelCallsOnly() {
        Telemetry t = scripted();
        TelemetrySnapshot m = get(t, Scope.MODEL, "gpt-4o");

        assertThat(m.costNanos()).isEqualTo(4_500);
        assertThat(m.tokens()).isEqualTo(440);
        assertThat(m.modelCalls()).isEqualTo(3);
        assertThat(m.modelErrors()).isEqualTo(1);
        assertThat(m.toolCalls()).isZero();
        assertThat(m.latency().orElseThrow().p50()).isEqualTo(ms(400)); // 200, 400, 800
        assertThat(m.latency().orElseThrow().p90()).isEqualTo(ms(800));
        assertThat(m.timeToFirstToken().orElseThrow().count()).isEqualTo(1);
        assertThat(m.toolDuration()).isEmpty();
        assertThat(get(t, Scope.MODEL, "gpt-4o-mini").modelCalls()).isEqualTo(1);
    }

    @Test
    void toolsCountTheirCallsAcrossCallers() {
        Telemetry t = scripted();
        TelemetrySnapshot search = t.tool("search").orElseThrow();

        assertThat(search.level()).isNull();
        assertThat(search.key()).isEqualTo("search");
        assertThat(search.toolCalls()).isEqualTo(2);
        assertThat(search.toolErrors()).isEqualTo(1);
        assertThat(search.modelCalls()).isZero();
        assertThat(search.costNanos()).isZero();
        assertThat(search.toolDuration().orElseThrow().p50()).isEqualTo(ms(30));
        assertThat(search.latency()).isEmpty();
        assertThat(t.tool("calc").orElseThrow().toolCalls()).isEqualTo(1);
        assertThat(t.tool("unknown")).isEmpty();
    }

    @Test
    void unknownKeysHaveNoSnapshot() {
        Telemetry t = scripted();
        assertThat(t.snapshot(Scope.SESSION, "nope")).isEmpty();
        assertThat(t.snapshot(Scope.USER, "nope")).isEmpty();
        assertThat(t.snapshot(Scope.AGENT, "nope")).isEmpty();
        assertThat(t.snapshot(Scope.TENANT, "nope")).isEmpty();
        assertThat(t.snapshot(Scope.MODEL, "nope")).isEmpty();
        assertThat(t.snapshot(Scope.GLOBAL, "not-the-global-key")).isEmpty();
    }

    @Test
    void globalIsPresentBeforeAnyCall() {
        TelemetrySnapshot g = get(telemetry(TelemetryConfig.defaults()), Scope.GLOBAL, Scope.GLOBAL_KEY);
        assertThat(g.costNanos()).isZero();
        assertThat(g.modelCalls()).isZero();
        assertThat(g.latency()).isEmpty();
    }

    @Test
    void aCallCountsOnlyAtTheLevelsItHasAKeyFor() {
        Telemetry t = telemetry(TelemetryConfig.defaults());
        t.recordModelCall(GuardScope.NONE, "gpt-4o", 7, 1, false, MS, -1);
        t.recordModelCall(GuardScope.NONE, null, 5, 1, false, MS, -1);
        t.recordToolCall(GuardScope.NONE, "calc", false, MS);

        assertThat(get(t, Scope.GLOBAL, Scope.GLOBAL_KEY).costNanos()).isEqualTo(12);
        assertThat(get(t, Scope.GLOBAL, Scope.GLOBAL_KEY).toolCalls()).isEqualTo(1);
        assertThat(get(t, Scope.MODEL, "gpt-4o").costNanos()).isEqualTo(7);
        assertThat(t.tool("calc")).isPresent();
    }

    @Test
    void totalsLeaveTheSlidingWindowButLatencyIsKept() {
        Telemetry t = telemetry(TelemetryConfig.defaults()); // 10 minutes in buckets of 1 minute
        t.recordModelCall(alice, "gpt-4o", 100, 10, false, 200 * MS, -1);
        ticker.advance(Duration.ofMinutes(5));
        t.recordModelCall(alice, "gpt-4o", 200, 20, false, 300 * MS, -1);

        // an amount stays at least 9 buckets and at most 10
        ticker.advance(Duration.ofMinutes(4)).advanceNanos(-1);
        assertThat(get(t, Scope.SESSION, "s1").costNanos()).isEqualTo(300);
        assertThat(get(t, Scope.AGENT, "support").costNanos()).isEqualTo(300);

        ticker.advanceNanos(1).advance(Duration.ofMinutes(1));
        TelemetrySnapshot agent = get(t, Scope.AGENT, "support");
        assertThat(agent.costNanos()).isEqualTo(200);
        assertThat(agent.modelCalls()).isEqualTo(1);
        assertThat(get(t, Scope.SESSION, "s1").tokens()).isEqualTo(20);
        assertThat(get(t, Scope.GLOBAL, Scope.GLOBAL_KEY).costNanos()).isEqualTo(200);

        ticker.advance(Duration.ofMinutes(5));
        assertThat(get(t, Scope.GLOBAL, Scope.GLOBAL_KEY).costNanos()).isZero();
        assertThat(get(t, Scope.MODEL, "gpt-4o").modelCalls()).isZero();
        assertThat(get(t, Scope.MODEL, "gpt-4o").latency().orElseThrow().count())
                .as("latency describes the last calls, however old").isEqualTo(2);
    }

    @Test
    void calendarTotalsResetAtLocalMidnight() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        Telemetry t = telemetry(TelemetryConfig.builder().window(WindowSpec.calendar(CalendarPeriod.DAY, paris))
                .sessionIdleExpiry(Duration.ofDays(2)).build());
        clock.set(LocalDateTime.parse("2024-10-27T23:59:59.999").atZone(paris).toInstant()); // a 25-hour day
        t.recordModelCall(alice, "gpt-4o", 100, 10, false, MS, -1);
        ticker.advance(Duration.ofHours(30)); // sliding time is irrelevant to a calendar window
        assertThat(get(t, Scope.SESSION, "s1").costNanos()).isEqualTo(100);

        clock.advance(Duration.ofMillis(1));
        assertThat(get(t, Scope.SESSION, "s1").costNanos()).isZero();
        assertThat(get(t, Scope.GLOBAL, Scope.GLOBAL_KEY).costNanos()).isZero();
    }

    @Test
    void idleSessionsAndUsersExpireWithFakeTime() {
        Telemetry t = telemetry(TelemetryConfig.builder().window(WindowSpec.sliding(Duration.ofHours(2), 12))
                .sessionIdleExpiry(Duration.ofMinutes(30)).build());
        t.recordModelCall(alice, "gpt-4o", 100, 10, false, MS, -1);
        ticker.advance(Duration.ofMinutes(29));
        t.recordModelCall(bob, "gpt-4o", 200, 20, false, MS, -1);
        ticker.advance(Duration.ofMinutes(2));

        assertThat(t.snapshot(Scope.SESSION, "s1")).as("idle for 31 minutes").isEmpty();
        assertThat(t.snapshot(Scope.USER, "alice")).isEmpty();
        assertThat(t.snapshot(Scope.SESSION, "s2")).isPresent();
        assertThat(get(t, Scope.AGENT, "support").costNanos()).as("the agent keeps what s1 spent").isEqualTo(300);
        assertThat(get(t, Scope.TENANT, "acme").costNanos()).isEqualTo(300);
        assertThat(get(t, Scope.GLOBAL, Scope.GLOBAL_KEY).costNanos()).isEqualTo(300);

        t.recordModelCall(alice, "gpt-4o", 1, 1, false, MS, -1);
        assertThat(get(t, Scope.SESSION, "s1").costNanos()).as("a returning session starts afresh").isEqualTo(1);
    }

    /**
     * Models and tenants are recorded through a front table that goes back to their cache once a second: a model
     * in steady use for longer than the idle expiry is never forgotten, and two names in one slot keep their own.
     */
    @Test
    void aModelAndATenantInSteadyUseOutliveTheIdleExpiryAndNamesSharingASlotStayApart() {
        Telemetry t = telemetry(TelemetryConfig.builder().window(WindowSpec.sliding(Duration.ofHours(2), 12))
                .sessionIdleExpiry(Duration.ofMinutes(30)).build());
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        int calls = 31 * 60 * 4; // one every 250 ms for 31 minutes
        for (int i = 0; i < calls; i++) {
            t.recordModelCall(alice, "Aa", 1, 1, false, MS, -1);
            if (i % 2 == 0) {
                t.recordModelCall(anonymous, "BB", 2, 1, false, MS, -1);
            }
            ticker.advance(ms(250));
        }

        assertThat(get(t, Scope.MODEL, "Aa").modelCalls()).isEqualTo(calls);
        assertThat(get(t, Scope.MODEL, "Aa").costNanos()).isEqualTo(calls);
        assertThat(get(t, Scope.MODEL, "BB").modelCalls()).isEqualTo(calls / 2);
        assertThat(get(t, Scope.TENANT, "acme").modelCalls()).isEqualTo(calls);
        assertThat(get(t, Scope.TENANT, "globex").costNanos()).isEqualTo(calls);
        ticker.advance(Duration.ofMinutes(31));
        assertThat(t.snapshot(Scope.MODEL, "Aa")).as("idle for 31 minutes").isEmpty();
    }

    @Test
    void readingASessionDoesNotKeepItAlive() {
        Telemetry t = telemetry(TelemetryConfig.builder().sessionIdleExpiry(Duration.ofMinutes(30)).build());
        t.recordToolCall(alice, "search", false, MS);
        ticker.advance(Duration.ofMinutes(20));
        assertThat(t.snapshot(Scope.SESSION, "s1")).isPresent();
        ticker.advance(Duration.ofMinutes(11));
        assertThat(t.snapshot(Scope.SESSION, "s1")).isEmpty();
    }

    @Test
    void evictingSessionsNeverLosesAgentTenantOrGlobalAccounting() {
        Telemetry t = telemetry(TelemetryConfig.builder().maxSessions(10).build());
        int sessions = 2_000;
        long[] agentCost = new long[3];
        long[] tenantTools = new long[2];
        long totalCost = 0;
        long totalTokens = 0;
        for (int i = 0; i < sessions; i++) {
            GuardScope scope = GuardScope.builder().agent("agent-" + i % 3).session("session-" + i).user("user-" + i)
                    .tenant("tenant-" + i % 2).build();
            long cost = 1_000 + i;
            long tokens = 10 + i % 7;
            t.recordModelCall(scope, "gpt-4o", cost, tokens, i % 5 == 0, (i % 100) * MS, -1);
            t.recordToolCall(scope, "search", false, MS);
            t.recordToolCall(scope, "search", true, MS);
            agentCost[i % 3] += cost;
            tenantTools[i % 2] += 2;
            totalCost += cost;
            totalTokens += tokens;
            if (i % 100 == 0) {
                t.cleanUp();
            }
        }
        t.cleanUp();

        int sessionsKept = 0;
        int usersKept = 0;
        for (int i = 0; i < sessions; i++) {
            sessionsKept += t.snapshot(Scope.SESSION, "session-" + i).isPresent() ? 1 : 0;
            usersKept += t.snapshot(Scope.USER, "user-" + i).isPresent() ? 1 : 0;
        }
        assertThat(sessionsKept).isBetween(1, 10);
        assertThat(usersKept).isBetween(1, 10);

        TelemetrySnapshot g = get(t, Scope.GLOBAL, Scope.GLOBAL_KEY);
        assertThat(g.costNanos()).isEqualTo(totalCost);
        assertThat(g.tokens()).isEqualTo(totalTokens);
        assertThat(g.modelCalls()).isEqualTo(sessions);
        assertThat(g.modelErrors()).isEqualTo(sessions / 5);
        assertThat(g.toolCalls()).isEqualTo(2L * sessions);
        assertThat(g.toolErrors()).isEqualTo(sessions);
        for (int a = 0; a < 3; a++) {
            assertThat(get(t, Scope.AGENT, "agent-" + a).costNanos()).isEqualTo(agentCost[a]);
        }
        for (int n = 0; n < 2; n++) {
            assertThat(get(t, Scope.TENANT, "tenant-" + n).toolCalls()).isEqualTo(tenantTools[n]);
        }
        assertThat(get(t, Scope.MODEL, "gpt-4o").costNanos()).isEqualTo(totalCost);
        assertThat(t.tool("search").orElseThrow().toolCalls()).isEqualTo(2L * sessions);
    }

    /**
     * A call is recorded once, in its route (its agent and model); the process, the agent and the model add routes
     * up. A model that leaves its cache takes its own figures with it but leaves its calls, and their latency, with
     * its agents and the process.
     */
    @Test
    void aModelLeavingItsCacheLeavesItsCallsWithItsAgentsAndTheProcess() {
        Telemetry t = telemetry(TelemetryConfig.builder().maxSessions(4).build());
        t.recordModelCall(alice, "old-model", 7_000, 70, true, 9_000 * MS, 900 * MS);
        t.recordModelCall(anonymous, "old-model", 500, 5, false, 20 * MS, -1);
        t.recordModelCall(GuardScope.builder().session("s9").build(), "old-model", 30, 3, false, 30 * MS, -1);
        t.recordToolCall(alice, "search", false, 40 * MS);
        for (int i = 0; i < 50; i++) {
            ticker.advance(ms(1_100)); // past the front table's second, so that each model reaches the cache
            t.recordModelCall(bob, "model-" + i, 1, 1, false, MS, -1);
            t.cleanUp();
        }
        assertThat(t.snapshot(Scope.MODEL, "old-model")).as("evicted").isEmpty();

        TelemetrySnapshot support = get(t, Scope.AGENT, "support");
        assertThat(support.costNanos()).isEqualTo(7_000 + 50);
        assertThat(support.modelCalls()).isEqualTo(51);
        assertThat(support.modelErrors()).isEqualTo(1);
        assertThat(support.toolCalls()).isEqualTo(1);
        assertThat(support.latency().orElseThrow().max()).isEqualTo(ms(9_000));
        assertThat(support.timeToFirstToken().orElseThrow().max()).isEqualTo(ms(900));
        assertThat(get(t, Scope.AGENT, "billing").costNanos()).isEqualTo(500);
        TelemetrySnapshot g = get(t, Scope.GLOBAL, Scope.GLOBAL_KEY);
        assertThat(g.costNanos()).isEqualTo(7_000 + 500 + 30 + 50);
        assertThat(g.modelCalls()).isEqualTo(53);
        assertThat(g.toolCalls()).isEqualTo(1);
        assertThat(g.latency().orElseThrow().count()).isEqualTo(53);
        assertThat(g.toolDuration().orElseThrow().max()).isEqualTo(ms(40));
        assertThat(get(t, Scope.MODEL, "model-49").costNanos()).isEqualTo(1);
    }

    @Test
    void aSessionRecordIsFoundOnceAndCarriesTheFiguresAndWhatIsAttachedToIt() {
        Telemetry t = telemetry(TelemetryConfig.defaults());
        Telemetry.Tracked record = t.session("s1", ticker.read());

        assertThat(t.session("s1", ticker.read())).isSameAs(record);
        assertThat(t.session("s2", ticker.read())).isNotSameAs(record);
        assertThat(record.attached()).isNull();
        Object state = new Object();
        assertThat(record.attachIfAbsent(state)).isSameAs(state);
        assertThat(record.attachIfAbsent(new Object())).isSameAs(state); // the first attachment stays
        assertThat(t.session("s1", ticker.read()).attached()).isSameAs(state);

        // a call recorded through the record counts for its session, as one looked up would
        t.recordModelCall(alice, record, "gpt-4o", 1_000, 100, false, 200 * MS, -1, ticker.read());
        t.recordToolCall(alice, record, "search", true, 30 * MS, ticker.read());
        t.recordModelCall(alice, null, "gpt-4o", 500, 50, false, 100 * MS, -1, ticker.read());
        TelemetrySnapshot s1 = get(t, Scope.SESSION, "s1");
        assertThat(s1.modelCalls()).isEqualTo(2);
        assertThat(s1.costNanos()).isEqualTo(1_500);
        assertThat(s1.toolErrors()).isEqualTo(1);
        assertThat(get(t, Scope.USER, "alice").modelCalls()).isEqualTo(2);
    }

    @Test
    void aSessionRecordInUseOutlivesTheIdleExpiryAndAnIdleOneIsForgottenWithItsAttachment() {
        Telemetry t = telemetry(TelemetryConfig.builder().sessionIdleExpiry(Duration.ofMinutes(30)).build());
        Telemetry.Tracked busy = t.session("busy", ticker.read());
        busy.attachIfAbsent("rule state");
        t.session("idle", ticker.read()).attachIfAbsent("other state");
        for (int minute = 0; minute < 31; minute++) {
            ticker.advance(Duration.ofMinutes(1));
            assertThat(t.session("busy", ticker.read())).isSameAs(busy);
        }
        t.cleanUp();

        assertThat(t.session("busy", ticker.read()).attached()).isEqualTo("rule state");
        assertThat(t.session("idle", ticker.read()).attached()).isNull(); // a new record: its state went with it
    }

    @Test
    void rejectsNegativeAmounts() {
        Telemetry t = telemetry(TelemetryConfig.defaults());
        assertThatThrownBy(() -> t.recordModelCall(alice, "m", -1, 0, false, 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("costNanos must be >= 0, was -1");
        assertThatThrownBy(() -> t.recordModelCall(alice, "m", 0, -2, false, 0, -1))
                .hasMessage("tokens must be >= 0, was -2");
        assertThatThrownBy(() -> t.recordModelCall(alice, "m", 0, 0, false, -3, -1))
                .hasMessage("latencyNanos must be >= 0, was -3");
        assertThatThrownBy(() -> t.recordToolCall(alice, "search", false, -4))
                .hasMessage("durationNanos must be >= 0, was -4");
        assertThat(get(t, Scope.GLOBAL, Scope.GLOBAL_KEY).modelCalls()).as("nothing half-recorded").isZero();
    }
}
