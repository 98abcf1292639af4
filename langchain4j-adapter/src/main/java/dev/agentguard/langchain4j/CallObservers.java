package dev.agentguard.langchain4j;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link GuardedCallObserver}s of each guard. Guards are held by weak identity keys, so a guard nobody uses
 * any more takes its observers with it. Decorators ask on every call: one volatile read when no guard has any.
 */
final class CallObservers {

    private static final Cache<Guard, List<GuardedCallObserver>> OBSERVERS = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();
    /** False until the first registration: the common case costs a decorator one read. */
    private static volatile boolean any;

    private CallObservers() {
    }

    static void register(Guard guard, GuardedCallObserver observer) {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(observer, "observer");
        OBSERVERS.get(guard, g -> new CopyOnWriteArrayList<>()).add(observer);
        any = true;
    }

    static void unregister(Guard guard, GuardedCallObserver observer) {
        List<GuardedCallObserver> list = OBSERVERS.getIfPresent(guard);
        if (list != null) {
            list.remove(observer);
        }
    }

    private static List<GuardedCallObserver> of(Guard guard) {
        if (!any) {
            return List.of();
        }
        List<GuardedCallObserver> list = OBSERVERS.getIfPresent(guard);
        return list == null ? List.of() : list;
    }

    /** @return what follows the call: the one observer's, every observer's, or nothing */
    static GuardedCallObserver.ModelCallObservation modelCall(Guard guard, ModelCall call, ModelProvider provider,
            ChatRequest request) {
        List<GuardedCallObserver> observers = of(guard);
        if (observers.isEmpty()) {
            return GuardedCallObserver.ModelCallObservation.NONE;
        }
        if (observers.size() == 1) {
            return observers.get(0).modelCallStarting(call, provider, request);
        }
        GuardedCallObserver.ModelCallObservation[] each = new GuardedCallObserver.ModelCallObservation[observers.size()];
        for (int i = 0; i < each.length; i++) {
            each[i] = observers.get(i).modelCallStarting(call, provider, request);
        }
        return new GuardedCallObserver.ModelCallObservation() {
            @Override
            public void admitted(dev.agentguard.core.Admission admission, ChatRequest sent, ModelProvider p) {
                for (GuardedCallObserver.ModelCallObservation o : each) {
                    o.admitted(admission, sent, p);
                }
            }

            @Override
            public void responded(dev.langchain4j.model.chat.response.ChatResponse response) {
                for (GuardedCallObserver.ModelCallObservation o : each) {
                    o.responded(response);
                }
            }

            @Override
            public void close() {
                for (int i = each.length - 1; i >= 0; i--) { // the last opened is closed first
                    each[i].close();
                }
            }
        };
    }

    static void invocationStarted(Guard guard, InvocationContext context, GuardScope scope) {
        for (GuardedCallObserver o : of(guard)) {
            o.invocationStarted(context, scope);
        }
    }

    static void invocationEnded(Guard guard, InvocationContext context, Throwable error) {
        for (GuardedCallObserver o : of(guard)) {
            o.invocationEnded(context, error);
        }
    }
}
