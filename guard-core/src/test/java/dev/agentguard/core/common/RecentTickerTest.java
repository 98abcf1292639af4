package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentTickerTest {

    private final AtomicLong source = new AtomicLong(5_000_000_000L);
    private final RecentTicker recent = new RecentTicker(source::get);

    @Test
    void answersTheLatestObservedReadingWithoutReadingTheSource() {
        source.addAndGet(3_000_000_000L);
        assertThat(recent.read()).isEqualTo(5_000_000_000L); // read at construction, not since

        assertThat(recent.observe(5_002_000_000L)).isEqualTo(5_002_000_000L);
        assertThat(recent.read()).isEqualTo(5_002_000_000L);
    }

    @Test
    void storesAReadingOnlyWhenItIsNewerByMoreThanTheGranularity() {
        recent.observe(5_000_000_000L + RecentTicker.GRANULARITY_NANOS);
        assertThat(recent.read()).isEqualTo(5_000_000_000L);

        recent.observe(5_000_000_001L + RecentTicker.GRANULARITY_NANOS);
        assertThat(recent.read()).isEqualTo(5_000_000_001L + RecentTicker.GRANULARITY_NANOS);
    }

    @Test
    void neverGoesBack() {
        recent.observe(9_000_000_000L);
        recent.observe(6_000_000_000L); // a thread that read the source long ago
        assertThat(recent.read()).isEqualTo(9_000_000_000L);

        source.set(7_000_000_000L);
        assertThat(recent.refresh()).isEqualTo(7_000_000_000L);
        assertThat(recent.read()).isEqualTo(9_000_000_000L);
    }

    @Test
    void refreshStoresANewReadingExactly() {
        source.addAndGet(10); // within the granularity: refresh stores it all the same
        assertThat(recent.refresh()).isEqualTo(5_000_000_010L);
        assertThat(recent.read()).isEqualTo(5_000_000_010L);
    }

    /** Threads that read the source and observe their readings late: a reader never sees the answer go back. */
    @Test
    void manyThreadsObservingOutOfOrderNeverMakeItGoBack() throws InterruptedException {
        int writers = 8;
        int readings = 200_000;
        AtomicBoolean wentBack = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            threads.add(new Thread(() -> {
                await(start);
                for (int i = 0; i < readings; i++) {
                    long tick = source.addAndGet(RecentTicker.GRANULARITY_NANOS / 4); // read, then stored late
                    Thread.yield();
                    recent.observe(tick);
                }
            }));
        }
        Thread reader = new Thread(() -> {
            await(start);
            long previous = recent.read();
            while (!done.get()) {
                long now = recent.read();
                if (now < previous) {
                    wentBack.set(true);
                }
                previous = now;
            }
        });
        reader.start();
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        done.set(true);
        reader.join();

        assertThat(wentBack).isFalse();
        assertThat(recent.refresh()).isEqualTo(source.get());
        assertThat(recent.read()).isEqualTo(source.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
