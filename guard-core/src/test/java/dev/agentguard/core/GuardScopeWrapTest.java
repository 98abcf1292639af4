package dev.agentguard.core;

import dev.agentguard.core.common.Scope;
import dev.agentguard.core.common.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link GuardScope#wrap}: a caller's scope carried into the threads that run its work. */
@SuppressWarnings("try") // scopes are opened for their thread binding, not referenced in the block
class GuardScopeWrapTest {

    private final List<ExecutorService> pools = new ArrayList<>();

    private ExecutorService pool(int threads) {
        ExecutorService p = Executors.newFixedThreadPool(threads);
        pools.add(p);
        return p;
    }

    @AfterEach
    void stopPoolsAndUnbind() throws InterruptedException {
        for (ExecutorService p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        for (GuardScope s = GuardScope.current(); s != GuardScope.NONE; s = GuardScope.current()) {
            s.close();
        }
    }

    /** A guard whose only rule is a session budget of two calls. */
    private static Guard twoCallsPerSession() {
        GuardConfig config = GuardConfig.builder().name("scopes").budget(Budget.builder("session-calls")
                .scope(Scope.SESSION).sliding(Duration.ofMinutes(10)).limitCalls(2).build()).build();
        return Guard.builder(config).ticker(new FakeTicker()).build();
    }

    /** Admits one model call on the calling thread and, if it may proceed, settles it. */
    private static boolean call(Guard guard) {
        try (Admission a = guard.admitModelCall(ModelCall.builder("gpt-4o-mini").promptTokens(100)
                .maxOutputTokens(100).build())) {
            if (!a.proceeds()) {
                return false;
            }
            a.settle(Usage.of(100, 0, 0, 50, 0));
            return true;
        }
    }

    private static long admitted(List<CompletableFuture<Boolean>> calls) {
        return calls.stream().filter(CompletableFuture::join).count();
    }

    @Test
    void aSessionBudgetOfTwoCallsHoldsAcrossTenSupplyAsyncCallsOnAWrappedPool() {
        Guard guard = twoCallsPerSession();
        Executor pool = GuardScope.wrap((Executor) pool(4));
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        try (GuardScope s = GuardScope.open("support", "session-42")) {
            for (int i = 0; i < 10; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> call(guard), pool));
            }
        }
        assertThat(admitted(calls)).as("calls admitted of 10, against a budget of 2").isEqualTo(2);
        assertThat(guard.budgetUsed("session-calls", "session-42")).isEqualTo(2);
    }

    @Test
    void aWrappedSupplierCarriesTheSessionOnTheCommonPool() {
        Guard guard = twoCallsPerSession();
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        try (GuardScope s = GuardScope.open("support", "session-7")) {
            for (int i = 0; i < 10; i++) {
                calls.add(CompletableFuture.supplyAsync(GuardScope.wrapSupplier(() -> call(guard))));
            }
        }
        assertThat(admitted(calls)).isEqualTo(2);
        assertThat(guard.budgetUsed("session-calls", "session-7")).isEqualTo(2);
    }

    @Test
    void everyEntryOfAWrappedExecutorServiceCarriesTheSubmittersScope() throws Exception {
        ExecutorService pool = GuardScope.wrap(pool(2));
        Callable<String> session = () -> GuardScope.current().session();
        AtomicReference<String> seen = new AtomicReference<>();
        try (GuardScope s = GuardScope.open("support", "session-9")) {
            assertThat(pool.submit(session).get()).isEqualTo("session-9");
            assertThat(pool.submit(() -> seen.set(GuardScope.current().session()), "done").get()).isEqualTo("done");
            assertThat(seen.get()).isEqualTo("session-9");
            pool.submit((Runnable) () -> seen.set(GuardScope.current().agent())).get();
            assertThat(seen.get()).isEqualTo("support");
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(() -> {
                seen.set(GuardScope.current().session() + "/execute");
                ran.countDown();
            });
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.get()).isEqualTo("session-9/execute");
            for (Future<String> f : pool.invokeAll(List.of(session, session, session))) {
                assertThat(f.get()).isEqualTo("session-9");
            }
            assertThat(pool.invokeAll(List.of(session), 10, TimeUnit.SECONDS).get(0).get()).isEqualTo("session-9");
            assertThat(pool.invokeAny(List.of(session, session))).isEqualTo("session-9");
            assertThat(pool.invokeAny(List.of(session), 10, TimeUnit.SECONDS)).isEqualTo("session-9");
        }
        assertThat(pool.submit(session).get()).as("submitted with no scope").isNull();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void aTaskRunOnTheCallingThreadSeesTheScopeAndLeavesTheCallersBindingAsItWas() {
        Executor direct = GuardScope.wrap((Executor) Runnable::run);
        AtomicReference<GuardScope> seen = new AtomicReference<>();
        try (GuardScope caller = GuardScope.open("support", "session-1")) {
            direct.execute(() -> {
                seen.set(GuardScope.current());
                GuardScope.open("leaked", "never-closed"); // a task that forgets to close its scope
            });
            assertThat(seen.get()).isEqualTo(caller);
            assertThat(GuardScope.current()).as("the caller's own scope, the leaked one gone").isSameAs(caller);
        }
        assertThat(GuardScope.current()).isSameAs(GuardScope.NONE);
    }

    @Test
    void aTaskThatRunsAfterItsCallerClosedTheScopeStillRunsInIt() throws Exception {
        ExecutorService single = pool(1);
        Executor pool = GuardScope.wrap((Executor) single);
        CountDownLatch release = new CountDownLatch(1);
        single.execute(() -> await(release)); // keeps the only thread busy
        CompletableFuture<String> session;
        try (GuardScope s = GuardScope.open("support", "session-3")) {
            session = CompletableFuture.supplyAsync(() -> GuardScope.current().session(), pool);
        }
        assertThat(session).isNotDone();
        release.countDown();
        assertThat(session.get(10, TimeUnit.SECONDS)).isEqualTo("session-3");
    }

    @Test
    void aTaskSubmittedWithNoScopeRunsWithNoneAndThePoolThreadGetsBackWhatItHad() throws Exception {
        ExecutorService single = pool(1);
        Executor pool = GuardScope.wrap((Executor) single);
        single.submit(() -> GuardScope.open("leaked", "left-by-an-unwrapped-task")).get();
        assertThat(CompletableFuture.supplyAsync(GuardScope::current, pool).get()).isSameAs(GuardScope.NONE);
        try (GuardScope s = GuardScope.open("support", "session-5")) {
            assertThat(CompletableFuture.supplyAsync(() -> GuardScope.current().session(), pool).get())
                    .isEqualTo("session-5");
        }
        assertThat(single.submit(() -> GuardScope.current().session()).get())
                .as("a wrapped task puts back exactly what the thread had bound").isEqualTo("left-by-an-unwrapped-task");
    }

    @Test
    void aWrappedTaskCarriesTheScopeCurrentWhenItWasWrapped() throws Exception {
        ExecutorService pool = pool(1);
        Runnable task;
        Callable<String> callable;
        AtomicReference<String> seen = new AtomicReference<>();
        try (GuardScope s = GuardScope.open("support", "session-8")) {
            task = GuardScope.wrap(() -> seen.set(GuardScope.current().session()));
            callable = GuardScope.wrap(() -> GuardScope.current().session());
        }
        try (GuardScope other = GuardScope.open("support", "other")) {
            pool.submit(task).get();
            assertThat(seen.get()).isEqualTo("session-8");
            assertThat(pool.submit(callable).get()).isEqualTo("session-8");
        }
    }

    @Test
    void stagesChainedAcrossWrappedPoolsKeepTheScope() {
        Executor a = GuardScope.wrap((Executor) pool(2));
        Executor b = GuardScope.wrap((Executor) pool(2));
        CountDownLatch gate = new CountDownLatch(1);
        CompletableFuture<String> chain;
        try (GuardScope s = GuardScope.open("support", "session-4")) {
            // the first stage waits, so that the later stages are handed over by pool threads, not by this one
            chain = CompletableFuture.runAsync(() -> await(gate), a)
                    .thenApplyAsync(v -> GuardScope.current().session(), b)
                    .thenApplyAsync(v -> v + "," + GuardScope.current().session(), a);
        }
        gate.countDown();
        assertThat(chain.join()).isEqualTo("session-4,session-4");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
