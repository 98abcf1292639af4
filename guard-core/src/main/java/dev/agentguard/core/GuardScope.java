package dev.agentguard.core;

import dev.agentguard.core.common.ScopeKeys;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Who is calling: agent, session, user, tenant and turn. Every decision and every budget is attributed through
 * a scope.
 *
 * <p>Pass a scope explicitly to the {@link Guard}'s admission methods, or bind one to the current thread for a
 * block of code:
 * <pre>{@code
 * try (GuardScope s = GuardScope.open("support", "session-42")) {
 *     model.chat("hello");          // guarded calls on this thread are attributed to session-42
 * }
 * }</pre>
 *
 * <p><b>A binding belongs to one thread.</b> {@link #open} binds the scope to the calling thread only (a thread
 * local); a call made on another thread, a pool's or a {@code CompletableFuture}'s, has no session unless the
 * scope is carried there, and then no session budget, cap or loop rule applies to it (the guard says so at
 * WARN on its logger, at most once a minute, naming the rules and the number of calls). Carry it with
 * {@code wrap}:
 * <pre>{@code
 * ExecutorService pool = GuardScope.wrap(Executors.newFixedThreadPool(8));   // once, shared by every session
 * try (GuardScope s = GuardScope.open("support", "session-42")) {
 *     CompletableFuture.supplyAsync(() -> model.chat("summarise"), pool);     // runs in session-42
 * }
 * }</pre>
 * {@link #wrap(Executor)} and {@link #wrap(ExecutorService)} read the submitting thread's scope at each
 * submission; {@link #wrap(Runnable)}, {@link #wrap(Callable)} and {@link #wrapSupplier(Supplier)} read it when
 * called. The task then runs with that scope bound, whatever thread runs it, and the thread gets back exactly
 * the binding it had before (none, for a pool thread), even if the task left a scope of its own open. So:
 * <ul>
 *   <li>a task run on the submitting thread (a direct executor, {@code CallerRunsPolicy}) sees the same scope
 *       and leaves the caller's binding as it was;</li>
 *   <li>a task that runs after its caller's scope closed still runs in that scope: the work was started on the
 *       session's behalf, and is charged to it;</li>
 *   <li>a task submitted with no scope bound runs with none, even on a thread where one was left bound;</li>
 *   <li>a task submitted from inside a wrapped task carries the same scope on, so chains of
 *       {@code thenApplyAsync(fn, pool)} across wrapped pools keep it;</li>
 *   <li>work that does not pass through a wrapped executor or task is not covered: {@code CompletableFuture}'s
 *       {@code *Async} methods without an executor (wrap the supplier or task instead), parallel streams,
 *       {@code ForkJoinTask.fork()}, threads started by hand.</li>
 * </ul>
 * Inside a task, {@link #current()} is a copy of the caller's scope ({@link #equals equal} to it, not the same
 * instance); the task has nothing to close.
 *
 * <p>Binding nests: closing a scope restores the nearest one bound before it that is still open, so that scopes
 * closed out of order never leave the thread bound to a closed one. Closing a scope that was built but never
 * bound does nothing. Instances are immutable but for that closed mark; any component may be null (unknown).
 */
public final class GuardScope implements ScopeKeys, AutoCloseable {

    /** The scope with every component unknown. */
    public static final GuardScope NONE = new GuardScope(null, null, null, null, null, false);

    private static final ThreadLocal<GuardScope> CURRENT = new ThreadLocal<>();

    private final String agent;
    private final String session;
    private final String user;
    private final String tenant;
    private final String turn;
    private final boolean bound;
    private final GuardScope previous;
    /** Set once by {@link #close()}, possibly on another thread: a closed scope is never current again. */
    private volatile boolean closed;

    private GuardScope(String agent, String session, String user, String tenant, String turn, boolean bind) {
        this.agent = agent;
        this.session = session;
        this.user = user;
        this.tenant = tenant;
        this.turn = turn;
        this.bound = bind;
        this.previous = bind ? CURRENT.get() : null;
        if (bind) {
            CURRENT.set(this);
        }
    }

    /**
     * Binds a scope with the given agent and session to the current thread until {@link #close()}.
     *
     * @param agent the agent name, or null
     * @param session the session id, or null
     * @return the bound scope
     */
    public static GuardScope open(String agent, String session) {
        return builder().agent(agent).session(session).open();
    }

    /**
     * Returns the scope bound to the current thread, or {@link #NONE}.
     *
     * @return the current scope, never null
     */
    public static GuardScope current() {
        GuardScope s = CURRENT.get();
        if (s == null) {
            return NONE;
        }
        if (s.closed) { // closed on another thread while bound here
            s = rebind(s);
        }
        return s == null ? NONE : s;
    }

    /** Binds the nearest scope of the chain that is still open (or nothing), and returns it. */
    private static GuardScope rebind(GuardScope from) {
        GuardScope s = from;
        while (s != null && s.closed) {
            s = s.previous;
        }
        // set(null), not remove(): the thread keeps its map entry (holding nothing), so that the next open of a
        // scope on this thread does not allocate a new one
        CURRENT.set(s);
        return s;
    }

    /**
     * Returns an executor that runs each task in the scope of the thread that hands it over: {@code execute} reads
     * the caller's {@linkplain #current() current} scope, and the task runs with that scope bound to whichever
     * thread runs it. Wrap a shared pool once; every submission carries its own caller's scope. See
     * {@linkplain GuardScope the class comment} for what happens on the same thread, after the caller's scope
     * closed, and for work that does not pass through the executor.
     *
     * @param executor the executor that runs the tasks
     * @return an executor that carries the caller's scope into its tasks
     */
    public static Executor wrap(Executor executor) {
        return new ScopedExecutors.ScopedExecutor(executor);
    }

    /**
     * Returns an executor service that runs each task ({@code execute}, {@code submit}, {@code invokeAll},
     * {@code invokeAny}) in the scope of the thread that submits it, as {@link #wrap(Executor)} does. Shutting it
     * down shuts the given service down; {@code shutdownNow} returns the tasks as they were queued, wrapped.
     *
     * @param executor the service that runs the tasks
     * @return a service that carries the caller's scope into its tasks
     */
    public static ExecutorService wrap(ExecutorService executor) {
        return new ScopedExecutors.ScopedExecutorService(executor);
    }

    /**
     * Returns a task that runs in the scope current now, on whichever thread runs it.
     *
     * @param task the task
     * @return the task, carrying the scope current on the calling thread
     */
    public static Runnable wrap(Runnable task) {
        Objects.requireNonNull(task, "task");
        GuardScope captured = captured();
        return () -> {
            GuardScope prior = enter(captured);
            try {
                task.run();
            } finally {
                exit(prior);
            }
        };
    }

    /**
     * Returns a task that runs in the scope current now, on whichever thread runs it.
     *
     * @param task the task
     * @param <T> the task's result
     * @return the task, carrying the scope current on the calling thread
     */
    public static <T> Callable<T> wrap(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        GuardScope captured = captured();
        return () -> {
            GuardScope prior = enter(captured);
            try {
                return task.call();
            } finally {
                exit(prior);
            }
        };
    }

    /**
     * Returns a supplier that runs in the scope current now, on whichever thread runs it: for
     * {@code CompletableFuture.supplyAsync(supplier)} on the common pool. (Not an overload of {@code wrap}: a
     * lambda would fit both {@code Callable} and {@code Supplier}.)
     *
     * @param supplier the supplier
     * @param <T> the supplier's result
     * @return the supplier, carrying the scope current on the calling thread
     */
    public static <T> Supplier<T> wrapSupplier(Supplier<T> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        GuardScope captured = captured();
        return () -> {
            GuardScope prior = enter(captured);
            try {
                return supplier.get();
            } finally {
                exit(prior);
            }
        };
    }

    /** @return the scope current on this thread, or null for none */
    private static GuardScope captured() {
        GuardScope s = current();
        return s == NONE ? null : s;
    }

    /**
     * Binds, for one task, a copy of the scope it was handed over in: a copy, so that the caller closing its own
     * scope meanwhile changes nothing for the task.
     *
     * @return what the thread had bound before, for {@link #exit}
     */
    private static GuardScope enter(GuardScope captured) {
        GuardScope prior = CURRENT.get();
        if (captured == null) {
            CURRENT.remove();
        } else {
            new GuardScope(captured.agent, captured.session, captured.user, captured.tenant, captured.turn, true);
        }
        return prior;
    }

    /** Puts back exactly what the thread had bound before the task, whatever the task left bound. */
    private static void exit(GuardScope prior) {
        if (prior == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(prior);
        }
    }

    /** @return a builder for a scope */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts with this scope's components */
    public Builder toBuilder() {
        return new Builder().agent(agent).session(session).user(user).tenant(tenant).turn(turn);
    }

    /** @return the agent, or null */
    public String agent() {
        return agent;
    }

    /** @return the session, or null */
    public String session() {
        return session;
    }

    /** @return the user, or null */
    public String user() {
        return user;
    }

    /** @return the tenant, or null */
    public String tenant() {
        return tenant;
    }

    /** @return the turn (one user message or one AI-service invocation), or null */
    public String turn() {
        return turn;
    }

    /**
     * Unbinds this scope from the current thread, restoring the nearest scope bound before it that is still open.
     * Closing a scope that is not the innermost (out of order, or on another thread) leaves the innermost bound
     * and only marks this one closed: it is skipped when the scopes inside it close. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (!bound || closed) {
            return;
        }
        closed = true;
        if (CURRENT.get() == this) {
            rebind(previous);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GuardScope)) {
            return false;
        }
        GuardScope s = (GuardScope) o;
        return Objects.equals(agent, s.agent) && Objects.equals(session, s.session) && Objects.equals(user, s.user)
                && Objects.equals(tenant, s.tenant) && Objects.equals(turn, s.turn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(agent, session, user, tenant, turn);
    }

    @Override
    public String toString() {
        return "GuardScope{agent=" + agent + ", session=" + session + ", user=" + user + ", tenant=" + tenant
                + ", turn=" + turn + '}';
    }

    /** Builds a {@link GuardScope}. */
    public static final class Builder {
        private String agent;
        private String session;
        private String user;
        private String tenant;
        private String turn;

        private Builder() {
        }

        /** @param agent the agent name, or null @return this */
        public Builder agent(String agent) {
            this.agent = agent;
            return this;
        }

        /** @param session the session id, or null @return this */
        public Builder session(String session) {
            this.session = session;
            return this;
        }

        /** @param user the user id, or null @return this */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** @param tenant the tenant id, or null @return this */
        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        /** @param turn the turn id, or null @return this */
        public Builder turn(String turn) {
            this.turn = turn;
            return this;
        }

        /** @return the scope, not bound to any thread */
        public GuardScope build() {
            return new GuardScope(agent, session, user, tenant, turn, false);
        }

        /** @return the scope, bound to the current thread until it is closed */
        public GuardScope open() {
            return new GuardScope(agent, session, user, tenant, turn, true);
        }
    }
}
