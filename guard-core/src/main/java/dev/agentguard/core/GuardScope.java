package dev.agentguard.core;

import java.util.Objects;

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
 * Binding nests: closing a scope restores the nearest one bound before it that is still open, so that scopes
 * closed out of order never leave the thread bound to a closed one. Closing a scope that was built but never
 * bound does nothing. Instances are immutable; any component may be null (unknown).
 */
public final class GuardScope implements AutoCloseable {

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
        if (s == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(s);
        }
        return s;
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
