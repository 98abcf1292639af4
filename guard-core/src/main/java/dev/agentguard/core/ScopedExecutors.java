package dev.agentguard.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The executors of {@link GuardScope#wrap(Executor)} and {@link GuardScope#wrap(ExecutorService)}: every task is
 * wrapped on the submitting thread, so that it carries that thread's scope; everything else is the delegate's.
 */
final class ScopedExecutors {

    private ScopedExecutors() {
    }

    /** Wraps each task as it is handed over. */
    static final class ScopedExecutor implements Executor {
        private final Executor delegate;

        ScopedExecutor(Executor delegate) {
            this.delegate = Objects.requireNonNull(delegate, "executor");
        }

        @Override
        public void execute(Runnable command) {
            delegate.execute(GuardScope.wrap(command));
        }

        @Override
        public String toString() {
            return "GuardScope.wrap(" + delegate + ')';
        }
    }

    /** Wraps each task as it is submitted; the life cycle is the delegate's. */
    static final class ScopedExecutorService implements ExecutorService {
        private final ExecutorService delegate;

        ScopedExecutorService(ExecutorService delegate) {
            this.delegate = Objects.requireNonNull(delegate, "executor");
        }

        private static <T> List<Callable<T>> wrapAll(Collection<? extends Callable<T>> tasks) {
            List<Callable<T>> wrapped = new ArrayList<>(tasks.size());
            for (Callable<T> t : tasks) {
                wrapped.add(GuardScope.wrap(t));
            }
            return wrapped;
        }

        @Override
        public void execute(Runnable command) {
            delegate.execute(GuardScope.wrap(command));
        }

        @Override
        public Future<?> submit(Runnable task) {
            return delegate.submit(GuardScope.wrap(task));
        }

        @Override
        public <T> Future<T> submit(Runnable task, T result) {
            return delegate.submit(GuardScope.wrap(task), result);
        }

        @Override
        public <T> Future<T> submit(Callable<T> task) {
            return delegate.submit(GuardScope.wrap(task));
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
            return delegate.invokeAll(wrapAll(tasks));
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException {
            return delegate.invokeAll(wrapAll(tasks), timeout, unit);
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
                throws InterruptedException, ExecutionException {
            return delegate.invokeAny(wrapAll(tasks));
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return delegate.invokeAny(wrapAll(tasks), timeout, unit);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }

        @Override
        public String toString() {
            return "GuardScope.wrap(" + delegate + ')';
        }
    }
}
