package dev.agentguard.core;

import dev.agentguard.core.common.CallKind;
import dev.agentguard.core.common.Phase;
import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.pricing.ModelPrice;
import dev.agentguard.core.window.CalendarPeriod;
import dev.agentguard.core.window.WindowSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random operations against the guard, checked against a naive reference built from what the guard recorded:
 * admissions, settlements with usage at or under the estimate (and sometimes over it, as real estimates are),
 * failures with and without usage, cancellations, calls never made, stalls past the lease, idle gaps longer than
 * the idle expiry, one-reading wall-clock jumps of a day or a year, reloads that change a window's shape, and a
 * listener that throws {@code Error}s.
 *
 * <p>What must hold, at every check and for every key: the charges the reference sees inside a window (by the real
 * time of their settlement) never pass the budget's limit by more than the charges' own overrun of their
 * reservation (the documented estimation error); and at the end every admitted call ended exactly once.
 */
class HardLimitsModelTest {

    private static final String MODEL = "acme-model";
    private static final long SESSION_LIMIT = 50_000_000; // $0.05 per 10 minutes
    private static final long USER_CALLS = 25; // per calendar month
    private static final long GLOBAL_LIMIT = 400_000_000; // $0.40, sliding 1 h or a calendar day
    private static final Duration SESSION_WINDOW = Duration.ofMinutes(10);
    /** A 10-minute window of 60 buckets lets an amount go up to one 10-second bucket early. */
    private static final long SURELY_IN_WINDOW = SESSION_WINDOW.minusSeconds(10).toNanos();

    private final FakeTicker ticker = new FakeTicker();
    private final long tick0 = ticker.read();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-30T22:00:00Z"));
    private final long epoch0 = clock.millis();
    private final List<DecisionEvent> events = new CopyOnWriteArrayList<>();
    /** The real time (ticker reading) of each event, by its index in {@link #events}. */
    private final List<Long> eventTicks = new CopyOnWriteArrayList<>();
    /** Every charge, stamped with the real time of its settlement. */
    private final List<long[]> charges = new ArrayList<>(); // {tick, session, user, cost, overrun}
    private boolean calendarGlobal;

    private static GuardConfig config(boolean calendarGlobal) {
        Budget.Builder global = Budget.builder("global").scope(Scope.GLOBAL).limitUsd("0.40");
        global = calendarGlobal ? global.window(WindowSpec.calendar(CalendarPeriod.DAY, ZoneOffset.UTC))
                : global.sliding(Duration.ofHours(1));
        return GuardConfig.builder().name("model")
                .price(MODEL, ModelPrice.builder().input(new BigDecimal("2.50")).output(new BigDecimal("10.00"))
                        .build())
                .budget(Budget.builder("session").scope(Scope.SESSION).sliding(SESSION_WINDOW).limitUsd("0.05").build())
                .budget(Budget.builder("user").scope(Scope.USER)
                        .window(WindowSpec.calendar(CalendarPeriod.MONTH, ZoneOffset.UTC)).limitCalls(USER_CALLS)
                        .build())
                .budget(global.build())
                .build();
    }

    private long realMillis(long tick) {
        return epoch0 + Math.floorDiv(tick - tick0, 1_000_000L);
    }

    private void advance(Duration d) {
        ticker.advance(d);
        clock.advance(d);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 42, 20261204})
    void spendNeverPassesAHardLimitAndEveryHoldEndsOnce(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Guard guard = Guard.builder(config(false)).ticker(ticker).clock(clock).listener(e -> {
            events.add(e);
            eventTicks.add(ticker.read());
        }).build();
        guard.addListener(e -> {
            if (random.nextInt(10) == 0) {
                throw new StackOverflowError("a listener that fails now and then");
            }
        });
        List<Admission> open = new ArrayList<>();
        long admitted = 0;
        int steps = 4_000;
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            if (op < 35) {
                long jump = random.nextInt(20) == 0 ? (random.nextBoolean() ? 86_400_000L : 365 * 86_400_000L) : 0;
                clock.advance(Duration.ofMillis(jump)); // one outlier reading, then back
                int s = random.nextInt(6);
                GuardScope scope = GuardScope.builder().agent("a").session("s" + s).user("u" + s % 3).build();
                Admission a = guard.admitModelCall(ModelCall.builder(MODEL).scope(scope)
                        .promptTokens(200 + random.nextInt(1_800)).maxOutputTokens(100 + random.nextInt(900)).build());
                clock.advance(Duration.ofMillis(-jump));
                guard.budgetUsed("global", null); // a reading of the right time: the jump was one outlier
                if (a.proceeds()) {
                    admitted++;
                    open.add(a);
                }
            } else if (op < 70 && !open.isEmpty()) {
                Admission a = open.remove(random.nextInt(open.size()));
                int end = random.nextInt(10);
                long prompt = a.promptTokens;
                long input = random.nextInt(8) == 0 ? prompt + prompt / 5 : random.nextLong(prompt + 1);
                long output = random.nextLong(a.maxOutputTokens + 1);
                if (end < 6) {
                    a.settle(Usage.of(input, output));
                } else if (end == 6) {
                    a.fail(new IllegalStateException("500"), null);
                } else if (end == 7) {
                    a.fail(new IllegalStateException("reset"), Usage.of(input, 0, 0, output / 2, Usage.UNKNOWN));
                } else if (end == 8) {
                    a.cancel(output / 2);
                } else {
                    a.release(); // never made
                }
            } else if (op < 73) {
                // a stall: whatever is open stays open; the lease will end it
                advance(Duration.ofSeconds(random.nextInt(30)));
            } else if (op < 90) {
                advance(Duration.ofMillis(1 + random.nextInt(120_000)));
            } else if (op < 92) {
                advance(Duration.ofMinutes(61 + random.nextInt(120))); // past the idle expiry
            } else if (op < 93) {
                advance(Duration.ofDays(1 + random.nextInt(40)));
            } else if (op < 94) {
                calendarGlobal = !calendarGlobal;
                guard.reconfigure(config(calendarGlobal));
            } else if (!open.isEmpty() && random.nextInt(4) == 0) {
                // a late settlement of something the lease may already have ended
                open.get(random.nextInt(open.size())).settle(Usage.of(10, 10));
            }
            if (step % 20 == 0) {
                check(guard, "seed " + seed + " step " + step);
            }
        }
        check(guard, "seed " + seed + " end");

        advance(GuardConfig.DEFAULT_RESERVATION_LEASE.plusSeconds(1));
        guard.expireStalled();
        for (Admission a : open) {
            assertThat(a.settle(Usage.of(1, 1))).as("ended by the lease").isFalse();
        }
        assertThat(guard.ledger().openHolds()).isZero();
        long ends = events.stream().filter(e -> e.phase() == Phase.POST && e.kind() == CallKind.MODEL_CALL
                && !DecisionEvent.LATE.equals(TestEvents.settled(e).outcome())).count();
        long late = events.stream().filter(e -> DecisionEvent.LATE.equals(TestEvents.outcome(e))).count();
        long expired = events.stream().filter(e -> DecisionEvent.EXPIRED.equals(TestEvents.outcome(e))).count();
        assertThat(ends).as("every admitted call ended exactly once").isEqualTo(admitted);
        assertThat(expired).as("stalls were ended by the lease").isPositive();
        assertThat(late).as("a late settlement is recorded at most once per expired call").isBetween(1L, expired);
    }

    /** Compares what the guard charged with the limits, by the real time of each charge. */
    private void check(Guard guard, String where) {
        charges.clear();
        for (int i = 0; i < events.size(); i++) {
            DecisionEvent e = events.get(i);
            if (e.phase() != Phase.POST || e.kind() != CallKind.MODEL_CALL || DecisionEvent.LATE.equals(TestEvents.settled(e).outcome())
                    || DecisionEvent.RELEASED.equals(TestEvents.settled(e).outcome())) {
                continue;
            }
            long tick = eventTicks.get(i);
            int session = Integer.parseInt(e.scope().session().substring(1));
            int user = Integer.parseInt(e.scope().user().substring(1));
            charges.add(new long[] {tick, session, user, TestEvents.settled(e).costNanos(), Math.max(0, TestEvents.settled(e).costNanos() - TestEvents.call(e).reservedNanos())});
        }
        long now = ticker.read();
        YearMonth month = YearMonth.from(Instant.ofEpochMilli(realMillis(now)).atZone(ZoneOffset.UTC));
        for (int s = 0; s < 6; s++) {
            long spent = 0;
            long overrun = 0;
            for (long[] c : charges) {
                if (c[1] == s && now - c[0] < SURELY_IN_WINDOW) {
                    spent += c[3];
                    overrun += c[4];
                }
            }
            assertThat(spent).as(where + ": session s" + s + " in its window").isLessThanOrEqualTo(SESSION_LIMIT + overrun);
            assertThat(guard.budgetUsed("session", "s" + s)).as(where).isLessThanOrEqualTo(SESSION_LIMIT + overrun);
        }
        for (int u = 0; u < 3; u++) {
            long calls = 0;
            for (long[] c : charges) {
                if (c[2] == u && YearMonth.from(Instant.ofEpochMilli(realMillis(c[0])).atZone(ZoneOffset.UTC))
                        .equals(month)) {
                    calls++;
                }
            }
            assertThat(calls).as(where + ": user u" + u + " this month").isLessThanOrEqualTo(USER_CALLS);
        }
        long overrun = 0;
        for (long[] c : charges) {
            overrun += c[4];
        }
        assertThat(guard.budgetUsed("global", null)).as(where).isLessThanOrEqualTo(GLOBAL_LIMIT + overrun);
    }
}
