package dev.agentguard.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SpinLockTest {

    /** Two fields that must move together: a thread that sees them apart found the lock not exclusive. */
    private static final class Pair extends SpinLock {
        long a;
        long b;
    }

    @Test
    void manyThreadsUpdatingUnderTheLockLoseNothingAndNeverSeeAHalfUpdate() throws InterruptedException {
        Pair pair = new Pair();
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
                        if (pair.a != pair.b) {
                            torn[me]++;
                        }
                        pair.a++;
                        Thread.onSpinWait(); // widen the window between the two writes
                        pair.b++;
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

        assertThat(pair.a).isEqualTo((long) threads * updates);
        assertThat(pair.b).isEqualTo(pair.a);
        assertThat(torn).containsOnly(0L);
    }
}
