package dev.agentguard.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every window kind promises, run over every kind. */
class WindowContractTest {

    private static final long TICK = -5_000_000_000L;
    private static final long MILLIS = 1_718_359_200_000L; // 2024-06-14T10:00Z

    static Stream<WindowSpec> specs() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        return Stream.of(
                WindowSpec.sliding(Duration.ofMinutes(10), 10),
                WindowSpec.sliding(Duration.ofMinutes(10)),
                WindowSpec.sliding(Duration.ofNanos(1), 1),
                WindowSpec.calendar(CalendarPeriod.DAY, paris),
                WindowSpec.calendar(CalendarPeriod.WEEK, paris),
                WindowSpec.calendar(CalendarPeriod.MONTH, paris));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void startsEmpty(WindowSpec spec) {
        assertThat(spec.newWindow().total(TICK, MILLIS)).isZero();
        CounterWindow counters = CounterWindow.of(spec, 4);
        counters.roll(TICK, MILLIS);
        assertThat(counters.total(3)).isZero();
    }

    @ParameterizedTest
    @MethodSource("specs")
    void aPrefetchChangesNothingInAnyForm(WindowSpec spec) {
        // fresh, listed, a ring (padded or not), emptied by a jump: a prefetch reads, whatever the array's shape
        for (CounterWindow w : new CounterWindow[] {CounterWindow.of(spec, 3), CounterWindow.padded(spec, 3)}) {
            w.prefetch();
            long tick = TICK;
            for (int i = 0; i < 40; i++) {
                tick += 7_000_000_000L;
                w.roll(tick, MILLIS + i * 3_600_000L);
                w.add(i % 3, i);
                long[] before = {w.total(0), w.total(1), w.total(2)};
                w.prefetch();
                assertThat(new long[] {w.total(0), w.total(1), w.total(2)}).isEqualTo(before);
            }
        }
        Window single = spec.newWindow();
        single.prefetch();
        single.add(TICK, MILLIS, 5);
        single.prefetch();
        assertThat(single.total(TICK, MILLIS)).isEqualTo(5);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void sumsAmountsAddedAtTheSameTime(WindowSpec spec) {
        Window window = spec.newWindow();
        window.add(TICK, MILLIS, 3);
        window.add(TICK, MILLIS, 4);
        window.add(TICK, MILLIS, -2);

        assertThat(window.total(TICK, MILLIS)).isEqualTo(5);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void forgetsEverythingAfterAYear(WindowSpec spec) {
        Window window = spec.newWindow();
        window.add(TICK, MILLIS, 3);
        Duration year = Duration.ofDays(400);

        assertThat(window.total(TICK + year.toNanos(), MILLIS + year.toMillis())).isZero();
    }

    @ParameterizedTest
    @MethodSource("specs")
    void keepsCountersApart(WindowSpec spec) {
        CounterWindow counters = CounterWindow.of(spec, 3);
        counters.roll(TICK, MILLIS);
        counters.add(0, 1);
        counters.add(1, 10);
        counters.add(2, 100);
        counters.add(1, 10);

        assertThat(counters.counters()).isEqualTo(3);
        assertThat(counters.total(0)).isEqualTo(1);
        assertThat(counters.total(1)).isEqualTo(20);
        assertThat(counters.total(2)).isEqualTo(100);
        assertThatThrownBy(() -> counters.add(3, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> counters.total(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void addsConsecutiveCountersAtOnceAsSingleAddsDo(WindowSpec spec) {
        // in every form a window takes over time (fresh, listed, grown into a ring, emptied by a jump; padded or
        // not): the totals must agree then and after the buckets written leave the window, which they only do
        // together if both ways wrote the same bucket
        for (boolean padded : new boolean[] {false, true}) {
            CounterWindow batched = padded ? CounterWindow.padded(spec, 6) : CounterWindow.of(spec, 6);
            CounterWindow single = padded ? CounterWindow.padded(spec, 6) : CounterWindow.of(spec, 6);
            long tick = TICK;
            long millis = MILLIS;
            for (int i = 0; i < 60; i++) {
                long step = i == 30 ? 400L * 86_400_000_000_000L : 41_000_000_000L; // a jump past every window
                tick += step;
                millis += step / 1_000_000L;
                batched.roll(tick, millis);
                single.roll(tick, millis);
                int first = i % 3;
                if (i % 5 == 4) { // the two-counter form, now and then
                    batched.add(first + 1, 3, i);
                    single.add(first + 1, 3);
                    single.add(first + 2, i);
                } else {
                    batched.add(first, i, 2L * i, 1, i & 1);
                    single.add(first, i);
                    single.add(first + 1, 2L * i);
                    single.add(first + 2, 1);
                    single.add(first + 3, i & 1);
                }
                for (int c = 0; c < 6; c++) {
                    assertThat(batched.total(c)).as("counter %d after step %d", c, i).isEqualTo(single.total(c));
                }
            }
            assertThatThrownBy(() -> batched.add(3, 1, 1, 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> batched.add(-1, 1, 1, 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> batched.add(5, 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            for (int c = 0; c < 6; c++) {
                assertThat(batched.total(c)).as("counter %d after a refused add", c).isEqualTo(single.total(c));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void rejectsABadCounterCount(WindowSpec spec) {
        assertThatThrownBy(() -> CounterWindow.of(spec, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("counters must be between 1 and 64, was 0");
        assertThatThrownBy(() -> CounterWindow.of(spec, 65)).isInstanceOf(IllegalArgumentException.class);
    }
}
