package dev.agentguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import dev.agentguard.core.pricing.ModelPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * The guard's registry of open reservations ({@link OpenCalls}), through what depends on it: the lease sweep ends
 * exactly the calls that nothing else ended, whichever thread admitted or ended the others.
 */
class OpenCallsTest {

    private final FakeTicker ticker = new FakeTicker();
    private final Guard guard = Guard.builder(GuardConfig.builder().name("test")
                    .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.TEN).build())
                    .reservationLease(Duration.ofSeconds(30))
                    .budget(Budget.builder("day").scope(Scope.SESSION).sliding(Duration.ofDays(1)).limitUsd("1000")
                            .build())
                    .build())
            .ticker(ticker).clock(new FakeClock(Instant.parse("2026-03-02T09:00:00Z"))).build();

    private Admission admit(String session) {
        return guard.admitModelCall(ModelCall.builder("m")
                .scope(GuardScope.builder().agent("a").session(session).build())
                .promptTokens(100).maxOutputTokens(10).build());
    }

    @Test
    void aCallEndedOnAnotherThreadOrTwiceLeavesNothingForTheSweep() throws InterruptedException {
        Admission a = admit("s1");
        Thread other = new Thread(() -> a.settle(Usage.of(100, 10)));
        other.start();
        other.join();
        a.close(); // ended already: nothing more to remove
        Admission b = admit("s2");

        ticker.advance(Duration.ofSeconds(31));
        assertThat(guard.expireStalled()).isEqualTo(1); // b, and only b
        assertThat(b.isDone()).isTrue();
        assertThat(guard.expireStalled()).isZero();
        assertThat(guard.ledger().openHolds()).isZero();
    }

    /** Eight threads admit; each ends half its calls, hands a quarter to a neighbour to end, and leaves a quarter. */
    @Test
    void manyThreadsAdmittingAndEndingEachOthersCallsLeaveExactlyTheUnendedOnesOpen() throws InterruptedException {
        int threads = 8;
        int calls = 2_000;
        List<BlockingQueue<Admission>> handOff = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            handOff.add(new LinkedBlockingQueue<>());
        }
        List<Admission> leftOpen = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers.add(new Thread(() -> {
                await(start);
                for (int i = 0; i < calls; i++) {
                    Admission a = admit("s" + me + "-" + (i % 50));
                    switch (i % 4) {
                        case 0, 1 -> a.settle(Usage.of(100, 10));
                        case 2 -> handOff.get((me + 1) % threads).add(a);
                        default -> leftOpen.add(a);
                    }
                    Admission theirs = handOff.get(me).poll();
                    if (theirs != null) {
                        theirs.settle(Usage.of(100, 10));
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        int handedButNotEnded = 0;
        for (BlockingQueue<Admission> q : handOff) {
            for (Admission a; (a = q.poll()) != null; ) {
                a.settle(Usage.of(100, 10)); // ended here, after its admitting thread has gone
                handedButNotEnded++;
            }
        }

        assertThat(handedButNotEnded).isLessThan(threads * calls / 4);
        assertThat(guard.ledger().openHolds()).isEqualTo(threads * calls / 4);
        ticker.advance(Duration.ofSeconds(31));
        assertThat(guard.expireStalled()).isEqualTo(threads * calls / 4);
        assertThat(leftOpen).allMatch(Admission::isDone);
        assertThat(guard.ledger().openHolds()).isZero();
        assertThat(guard.expireStalled()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The registry grows past a stripe's first array and never writes the padding at either end of it. */
    @Test
    void stripesGrowAndNeverWriteTheirPadding() {
        Guard free = Guard.builder(GuardConfig.builder().name("no-budget")
                        .price("m", ModelPrice.builder().input(BigDecimal.ONE).output(BigDecimal.TEN).build()).build())
                .ticker(ticker).clock(new FakeClock(Instant.parse("2026-03-02T09:00:00Z"))).build();
        OpenCalls open = new OpenCalls();
        List<Admission> added = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // one thread: one stripe, grown from 8 slots to 128
            Admission a = free.admitModelCall(ModelCall.builder("m").promptTokens(10).maxOutputTokens(10).build());
            open.add(a);
            added.add(a);
            assertPaddingEmpty(open);
        }
        assertThat(open.snapshot()).containsExactlyInAnyOrderElementsOf(added);
        for (int i = 0; i < added.size(); i += 2) {
            open.remove(added.get(i));
            assertPaddingEmpty(open);
        }
        assertThat(open.snapshot()).hasSize(50).doesNotContainNull();
        added.forEach(open::remove);
        assertThat(open.isEmpty()).isTrue();
    }

    private static void assertPaddingEmpty(OpenCalls open) {
        int pad = OpenCalls.Stripe.PAD;
        for (OpenCalls.Stripe s : open.stripes()) {
            assertThat(s.slots.length - s.size).isGreaterThanOrEqualTo(2 * pad);
            for (int i = 0; i < s.slots.length; i++) {
                if (i < pad || i >= pad + s.size) {
                    assertThat(s.slots[i]).as("slot %d of %d, %d in use", i, s.slots.length, s.size).isNull();
                } else {
                    assertThat(s.slots[i]).isNotNull();
                }
            }
        }
    }
}
