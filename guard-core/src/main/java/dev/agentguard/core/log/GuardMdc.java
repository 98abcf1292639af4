package dev.agentguard.core.log;

import dev.agentguard.core.GuardScope;
import org.slf4j.MDC;

/**
 * Puts the agent and session of a guarded call in the SLF4J MDC while the call runs, so that every log line the
 * call produces (the application's, the HTTP client's) can be attributed:
 * <pre>{@code
 * try (GuardMdc.Binding b = GuardMdc.bind(scope)) {
 *     delegate.chat(request);
 * }
 * }</pre>
 * Keys: {@value #AGENT} and {@value #SESSION}; a null component leaves its key unset. Closing the binding
 * restores the values that were there before, so bindings nest. The MDC is per thread: bind on the thread that
 * makes the call.
 */
public final class GuardMdc {

    /** MDC key of the agent. */
    public static final String AGENT = "agentguard.agent";
    /** MDC key of the session. */
    public static final String SESSION = "agentguard.session";

    private GuardMdc() {
    }

    /**
     * @param scope who is calling
     * @return the binding; close it when the call ends
     */
    public static Binding bind(GuardScope scope) {
        String agent = MDC.get(AGENT);
        String session = MDC.get(SESSION);
        // nothing bound before (the usual case): one shared binding that clears both keys, not one per call
        Binding b = agent == null && session == null ? Binding.CLEAR : new Binding(agent, session);
        set(AGENT, scope.agent());
        set(SESSION, scope.session());
        return b;
    }

    private static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /** The MDC values of one guarded call; {@link #close()} restores those that were there before. */
    public static final class Binding implements AutoCloseable {
        private static final Binding CLEAR = new Binding(null, null);

        private final String agent;
        private final String session;

        private Binding(String agent, String session) {
            this.agent = agent;
            this.session = session;
        }

        @Override
        public void close() {
            set(AGENT, agent);
            set(SESSION, session);
        }
    }
}
