package dev.agentguard.langchain4j;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.agentguard.core.GuardScope;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.service.memory.ChatMemoryService;
import java.util.UUID;

/**
 * Attributes model and tool calls made by an AI service to the invocation that made them, whatever thread they
 * run on.
 *
 * <p>An AI service fires {@code AiServiceRequestIssuedEvent} with the very {@link ChatRequest} instance it then
 * hands to the model, together with the {@link InvocationContext} (memory id, invocation id, interface). The
 * listener that {@link GuardedAiServices} registers records that instance here; the guarded model looks its
 * request up by identity. Tool executors receive the invocation context directly. Nothing is keyed by thread, so a
 * streaming tool loop whose next round runs on the HTTP client's thread is attributed like the first round.
 *
 * <p>Requests are held by weak identity keys (a request nobody references any more disappears with it);
 * invocations are dropped when the service completes or fails, and are bounded in number as a safety net for an
 * invocation that never finishes (a token stream never started). Thread-safe; lookups are O(1).
 */
final class AiServiceScopes {

    private static final long MAX_INVOCATIONS = 100_000;

    private static final Cache<ChatRequest, GuardScope> REQUESTS = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();
    private static final Cache<UUID, GuardScope> INVOCATIONS = Caffeine.newBuilder().maximumSize(MAX_INVOCATIONS)
            .executor(Runnable::run).build();

    private AiServiceScopes() {
    }

    /** An AI service invocation starts: its scope is fixed now, on the caller's thread and its bound scope. */
    static void started(InvocationContext context, String agent) {
        if (context != null && context.invocationId() != null) {
            INVOCATIONS.get(context.invocationId(), id -> derive(context, agent, GuardScope.current()));
        }
    }

    /** An AI service is about to send this request instance to its model. */
    static void issued(ChatRequest request, InvocationContext context, String agent) {
        if (request == null || context == null) {
            return;
        }
        GuardScope scope = context.invocationId() == null ? derive(context, agent, GuardScope.current())
                : INVOCATIONS.get(context.invocationId(), id -> derive(context, agent, GuardScope.current()));
        REQUESTS.put(request, scope);
    }

    /** The invocation completed or failed: forget it. */
    static void finished(InvocationContext context) {
        if (context != null && context.invocationId() != null) {
            INVOCATIONS.invalidate(context.invocationId());
        }
    }

    /** @return the scope of the invocation that issued this request, else the thread's bound scope */
    static GuardScope forRequest(ChatRequest request) {
        // a weak-keyed lookup allocates its lookup key: skip it when no AI service is wired
        GuardScope scope = REQUESTS.estimatedSize() == 0 ? null : REQUESTS.getIfPresent(request);
        return scope != null ? scope : GuardScope.current();
    }

    /** @return the scope of a tool call made within this invocation (or the thread's scope without one) */
    static GuardScope forTool(InvocationContext context) {
        if (context == null) {
            return GuardScope.current();
        }
        GuardScope known = context.invocationId() == null ? null : INVOCATIONS.getIfPresent(context.invocationId());
        return known != null ? known : derive(context, null, GuardScope.current());
    }

    /** @return the thread's scope, with the session taken from a chat memory id when there is one */
    static GuardScope forMemoryId(Object memoryId) {
        GuardScope bound = GuardScope.current();
        String session = session(memoryId, bound);
        return session == null || session.equals(bound.session()) ? bound
                : bound.toBuilder().session(session).build();
    }

    /**
     * Agent: the configured name, else the bound scope's, else the service interface's simple name. Session: the
     * {@code @MemoryId}, unless there is none and the caller bound a session. User and tenant: the bound scope's.
     * Turn: the invocation id.
     */
    static GuardScope derive(InvocationContext context, String agent, GuardScope bound) {
        String a = agent != null ? agent : bound.agent() != null ? bound.agent() : simpleName(context.interfaceName());
        String turn = context.invocationId() != null ? context.invocationId().toString() : bound.turn();
        return bound.toBuilder().agent(a).session(session(context.chatMemoryId(), bound)).turn(turn).build();
    }

    private static String session(Object memoryId, GuardScope bound) {
        if (memoryId == null || ChatMemoryService.DEFAULT.equals(memoryId)) {
            // no @MemoryId: every invocation shares the default memory; a session bound by the caller is better
            return bound.session() != null ? bound.session() : memoryId == null ? null : memoryId.toString();
        }
        return memoryId.toString();
    }

    private static String simpleName(String interfaceName) {
        if (interfaceName == null) {
            return null;
        }
        int cut = Math.max(interfaceName.lastIndexOf('.'), interfaceName.lastIndexOf('$'));
        return interfaceName.substring(cut + 1);
    }
}
