package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SpinLockTest {

    /** Two fields that must move together: a thread that sees them apart found the lock not exclusive. */
    private interface Pair {
        void lock();

        void unlock();

        long[] ab();
    }

    private static final class Compact extends SpinLock implements Pair {
        final long[] ab = new long[2];

        @Override
        public long[] ab() {
            return ab;
        }
    }

    private static final class Padded extends PaddedSpinLock implements Pair {
        final long[] ab = new long[2];

        @Override
        public long[] ab() {
            return ab;
        }
    }

    @Test
    void manyThreadsUpdatingUnderTheLockLoseNothingAndNeverSeeAHalfUpdate() throws InterruptedException {
        exclusive(new Compact());
    }

    @Test
    void thePaddedLockIsAsExclusive() throws InterruptedException {
        exclusive(new Padded());
    }

    private static void exclusive(Pair pair) throws InterruptedException {
        long[] ab = pair.ab();
        int threads = 8;
        int updates = 100_000;
        long[] torn = new long[threads];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < updates; i++) {
                    pair.lock();
                    try {
                        if (ab[0] != ab[1]) {
                            torn[me]++;
                        }
                        ab[0]++;
                        Thread.onSpinWait(); // widen the window between the two writes
                        ab[1]++;
                    } finally {
                        pair.unlock();
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }

        assertThat(ab[0]).isEqualTo((long) threads * updates);
        assertThat(ab[1]).isEqualTo(ab[0]);
        assertThat(torn).containsOnly(0L);
    }
}
