package dev.agentguard.core.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Padding;
import java.lang.reflect.Field;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drives every window kind with random adds, reads and time steps and compares it, after every operation, with a
 * naive model built straight from {@link WindowSpec}'s definitions: a list of timestamped events whose total is a
 * filter and a sum. Each run drives the single-counter {@link Window} and a three-counter {@link CounterWindow},
 * compact and {@linkplain CounterWindow#padded padded} (whose padding no operation may write).
 *
 * <p>Time steps include steps inside a bucket, exact bucket and period boundaries (and one unit either side),
 * jumps longer than the window, jumps of years, steps back in time, midnights, Mondays, month ends and
 * daylight-saving transitions. Runs are seeded; set {@code -Dagentguard.seed=N} to replay a reported seed.
 */
class WindowReferenceTest {

    private static final int OPERATIONS = 12_000;
    private static final int COUNTERS = 3;

    static Stream<Arguments> cases() {
        List<WindowSpec> specs = List.of(
                WindowSpec.sliding(Duration.ofMinutes(10), 10),
                WindowSpec.sliding(Duration.ofMinutes(10), 60),
                WindowSpec.sliding(Duration.ofHours(24), 24),
                WindowSpec.sliding(Duration.ofSeconds(1), 1),
                WindowSpec.sliding(Duration.ofMillis(7), 7),
                WindowSpec.sliding(Duration.ofNanos(10), 10),
                WindowSpec.sliding(Duration.ofSeconds(30), 10_000),
                WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Europe/Paris")),
                WindowSpec.calendar(CalendarPeriod.WEEK, ZoneId.of("Europe/Paris")),
                WindowSpec.calendar(CalendarPeriod.MONTH, ZoneId.of("Europe/Paris")),
                WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("America/New_York")),
                WindowSpec.calendar(CalendarPeriod.WEEK, ZoneId.of("America/New_York")),
                WindowSpec.calendar(CalendarPeriod.MONTH, ZoneId.of("America/New_York")),
                // DST changes at local midnight: some days start at 01:00
                WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("America/Santiago")),
                // half-hour DST shift
                WindowSpec.calendar(CalendarPeriod.DAY, ZoneId.of("Australia/Lord_Howe")));
        String fixed = System.getProperty("agentguard.seed");
        List<Long> seeds = fixed != null ? List.of(Long.parseLong(fixed)) : List.of(1L, 20240331L, 777_777L);
        return specs.stream().flatMap(spec -> seeds.stream().map(seed -> Arguments.of(spec, seed)));
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void matchesReferenceModel(WindowSpec spec, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Window single = spec.newWindow();
        CounterWindow multi = CounterWindow.of(spec, COUNTERS);
        CounterWindow padded = CounterWindow.padded(spec, COUNTERS);
        Reference singleRef = reference(spec);
        Reference multiRef = reference(spec);
        Clocks clocks = spec.isCalendar() ? new CalendarClocks(spec.zone(), random) : new SlidingClocks(spec, random);

        for (int op = 0; op < OPERATIONS; op++) {
            clocks.step();
            long tick = clocks.tick();
            long millis = clocks.millis();
            int at = op;
            Supplier<String> where = () -> String.format("seed=%d spec=%s op=%d tick=%d millis=%d (%s)", seed, spec,
                    at, tick, millis, Instant.ofEpochMilli(millis));

            singleRef.observe(tick, millis);
            multiRef.observe(tick, millis);
            multi.roll(tick, millis);
            padded.roll(tick, millis);
            if (random.nextInt(3) > 0) {
                long amount = random.nextInt(10) == 0 ? -random.nextLong(50) : random.nextLong(1_000);
                int counter = random.nextInt(COUNTERS);
                single.add(tick, millis, amount);
                singleRef.add(0, amount);
                multi.add(counter, amount);
                padded.add(counter, amount);
                multiRef.add(counter, amount);
            }
            assertThat(single.total(tick, millis)).as(where).isEqualTo(singleRef.total(0));
            for (int c = 0; c < COUNTERS; c++) {
                int counter = c;
                assertThat(multi.total(c)).as(() -> "counter " + counter + ", " + where.get())
                        .isEqualTo(multiRef.total(c));
                assertThat(padded.total(c)).as(() -> "padded, counter " + counter + ", " + where.get())
                        .isEqualTo(multiRef.total(c));
            }
        }
        clocks.assertCoverage(seed);
        assertPaddingUntouched(padded);
    }

    /** A padded window's array: {@link Padding#LONGS} longs at each end that no operation ever wrote. */
    private static void assertPaddingUntouched(CounterWindow w) {
        long[] cells;
        try {
            Field f = w.getClass().getDeclaredField(w instanceof SlidingWindow ? "cells" : "totals");
            f.setAccessible(true);
            cells = (long[]) f.get(w);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        assertThat(cells.length).isGreaterThanOrEqualTo(2 * Padding.LONGS + COUNTERS);
        assertThat(Arrays.copyOfRange(cells, 0, Padding.LONGS)).containsOnly(0L);
        assertThat(Arrays.copyOfRange(cells, cells.length - Padding.LONGS, cells.length)).containsOnly(0L);
    }

    private static Reference reference(WindowSpec spec) {
        return spec.isCalendar() ? new CalendarReference(spec.period(), spec.zone())
                : new SlidingReference(spec.length().toNanos() / spec.buckets(), spec.buckets());
    }

    /**
     * The naive model: events stamped with where they fall, and a total that filters and sums them. Stamps never
     * decrease (time is taken as the newest seen), so once an event has left the window it never comes back and
     * is dropped, which only keeps the model fast.
     */
    private abstract static class Reference {
        private final ArrayDeque<long[]> events = new ArrayDeque<>(); // {stamp, counter, amount}

        abstract void observe(long tick, long millis);

        /** The stamp an amount added now carries. */
        abstract long stampNow();

        /** Whether an event with this stamp is inside the window now. */
        abstract boolean inWindow(long stamp);

        void add(int counter, long amount) {
            events.add(new long[] {stampNow(), counter, amount});
        }

        void restamp(long from, long to) {
            for (long[] e : events) {
                if (e[0] == from) {
                    e[0] = to;
                }
            }
        }

        long total(int counter) {
            while (!events.isEmpty() && !inWindow(events.peekFirst()[0])) {
                events.removeFirst();
            }
            long sum = 0;
            for (long[] e : events) {
                if (e[1] == counter && inWindow(e[0])) {
                    sum += e[2];
                }
            }
            return sum;
        }
    }

    /**
     * WindowSpec: an amount added at tick t falls in bucket floor(t/b); the total at now is buckets
     * floor(now/b)-buckets+1 .. floor(now/b). An older tick than one already seen counts as the newest bucket.
     */
    private static final class SlidingReference extends Reference {
        private final long bucketNanos;
        private final int buckets;
        private boolean seen;
        private long current;

        SlidingReference(long bucketNanos, int buckets) {
            this.bucketNanos = bucketNanos;
            this.buckets = buckets;
        }

        @Override
        void observe(long tick, long millis) {
            long index = Math.floorDiv(tick, bucketNanos);
            current = seen ? Math.max(current, index) : index;
            seen = true;
        }

        @Override
        long stampNow() {
            return current;
        }

        @Override
        boolean inWindow(long bucket) {
            return bucket >= current - buckets + 1 && bucket <= current;
        }
    }

    /**
     * WindowSpec: the total of the current period in the zone. Periods are identified here by calendar fields
     * (date, ISO week-based year and week, year-month), not by instants, so that this model shares no arithmetic
     * with the implementation. An older wall time within the current period counts in it; one before it makes its
 * own period current and carries the current total into it.
     */
    private static final class CalendarReference extends Reference {
        private final CalendarPeriod period;
        private final ZoneId zone;
        private boolean seen;
        private long current;
        private long currentPeriod;

        CalendarReference(CalendarPeriod period, ZoneId zone) {
            this.period = period;
            this.zone = zone;
        }

        @Override
        void observe(long tick, long millis) {
            if (!seen) {
                current = millis;
                currentPeriod = periodOf(millis);
                seen = true;
                return;
            }
            long period = periodOf(millis);
            if (period < currentPeriod) {
                // back before the current period: that earlier period is current and the total carries into it
                restamp(currentPeriod, period);
                current = millis;
                currentPeriod = period;
            } else if (period > currentPeriod) {
                current = millis;
                currentPeriod = period;
            } else {
                current = Math.max(current, millis);
            }
        }

        @Override
        long stampNow() {
            return currentPeriod;
        }

        @Override
        boolean inWindow(long periodId) {
            return periodId == currentPeriod;
        }

        private long periodOf(long millis) {
            ZonedDateTime local = Instant.ofEpochMilli(millis).atZone(zone);
            switch (period) {
                case DAY:
                    return local.toLocalDate().toEpochDay();
                case WEEK:
                    return local.get(IsoFields.WEEK_BASED_YEAR) * 100L + local.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
                case MONTH:
                    return local.getYear() * 12L + local.getMonthValue() - 1;
                default:
                    throw new AssertionError(period);
            }
        }
    }

    /** Random time steps shaped for one window kind. */
    private abstract static class Clocks {
        final SplittableRandom random;
        long tick;
        long millis;
        int backwards;
        int jumpsPastWindow;
        int boundaries;

        Clocks(SplittableRandom random) {
            this.random = random;
        }

        abstract void step();

        long tick() {
            return tick;
        }

        long millis() {
            return millis;
        }

        void assertCoverage(long seed) {
            assertThat(backwards).as("seed=%d: steps back in time", seed).isGreaterThan(100);
            assertThat(jumpsPastWindow).as("seed=%d: jumps longer than the window", seed).isGreaterThan(100);
            assertThat(boundaries).as("seed=%d: steps onto a boundary", seed).isGreaterThan(500);
        }
    }

    private static final class SlidingClocks extends Clocks {
        private final long length;
        private final long bucket;

        SlidingClocks(WindowSpec spec, SplittableRandom random) {
            super(random);
            this.length = spec.length().toNanos();
            this.bucket = length / spec.buckets();
            // start well below zero: System.nanoTime() may be negative, and the run crosses zero
            this.tick = -random.nextLong(1_000_000_000_000_000_000L, 2_000_000_000_000_000_000L);
            this.millis = random.nextLong(1_700_000_000_000L);
        }

        @Override
        void step() {
            int kind = random.nextInt(100);
            long next;
            if (kind < 25) {
                next = tick + random.nextLong(bucket); // inside the bucket, mostly
            } else if (kind < 45) {
                // onto a bucket boundary one or two buckets ahead, or one nanosecond either side of it
                next = Math.floorDiv(tick, bucket) * bucket + bucket * (1 + random.nextInt(2)) + random.nextInt(3) - 1;
                boundaries++;
            } else if (kind < 60) {
                next = tick + random.nextLong(length + 1); // up to a whole window
            } else if (kind < 65) {
                next = tick + length + random.nextInt(3) - 1; // exactly a window, or one nanosecond either side
                jumpsPastWindow++;
            } else if (kind < 72) {
                next = tick + length + random.nextLong(5 * length); // past the window
                jumpsPastWindow++;
            } else if (kind < 73 && tick < 3_000_000_000_000_000_000L) {
                next = tick + random.nextLong(10_000_000_000_000_000L, 100_000_000_000_000_000L); // 4 months..3 years
                jumpsPastWindow++;
            } else if (kind < 85) {
                next = tick - random.nextLong(2 * length + 1); // back in time
                backwards++;
            } else {
                next = tick;
            }
            tick = next;
            millis += random.nextInt(1000) - 100; // irrelevant to a sliding window, and sometimes going back
        }
    }

    private static final class CalendarClocks extends Clocks {
        private static final long HOUR = 3_600_000L;
        private static final long DAY = 24 * HOUR;
        private final ZoneId zone;
        int transitions;

        CalendarClocks(ZoneId zone, SplittableRandom random) {
            super(random);
            this.zone = zone;
            // somewhere in 2020..2025, local time
            this.millis = 1_577_836_800_000L + random.nextLong(6 * 365 * DAY);
            this.tick = random.nextLong();
        }

        @Override
        void step() {
            int kind = random.nextInt(100);
            long next;
            if (kind < 20) {
                next = millis + random.nextLong(60_000);
            } else if (kind < 35) {
                next = millis + random.nextLong(3 * HOUR);
            } else if (kind < 45) {
                next = millis + random.nextLong(2 * DAY);
            } else if (kind < 70) {
                next = nextBoundary() + random.nextInt(3) - 1;
                boundaries++;
            } else if (kind < 78) {
                next = millis + random.nextLong(40 * DAY); // past a day, often past a week or a month
                jumpsPastWindow++;
            } else if (kind < 79) {
                next = millis + random.nextLong(3 * 365 * DAY);
                jumpsPastWindow++;
            } else if (kind < 90) {
                next = millis - random.nextLong(3 * DAY);
                backwards++;
            } else {
                next = millis;
            }
            millis = next;
            tick += random.nextLong(1_000_000_000L) - 1000; // irrelevant to a calendar window
        }

        /** The next midnight, Monday midnight, first of the month or daylight-saving transition. */
        private long nextBoundary() {
            Instant now = Instant.ofEpochMilli(millis);
            LocalDate today = now.atZone(zone).toLocalDate();
            switch (random.nextInt(4)) {
                case 0:
                    return today.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
                case 1:
                    return today.with(TemporalAdjusters.next(DayOfWeek.MONDAY)).atStartOfDay(zone).toInstant()
                            .toEpochMilli();
                case 2:
                    return today.withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant().toEpochMilli();
                default:
                    ZoneOffsetTransition t = zone.getRules().nextTransition(now);
                    if (t == null) {
                        return millis + DAY;
                    }
                    transitions++;
                    return t.getInstant().toEpochMilli();
            }
        }

        @Override
        void assertCoverage(long seed) {
            super.assertCoverage(seed);
            assertThat(transitions).as("seed=%d: steps onto a daylight-saving transition", seed).isGreaterThan(100);
        }
    }
}
