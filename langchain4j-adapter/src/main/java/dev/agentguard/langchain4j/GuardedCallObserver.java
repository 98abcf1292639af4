package dev.agentguard.langchain4j;

import dev.agentguard.core.Admission;
import dev.agentguard.core.Guard;
import dev.agentguard.core.GuardScope;
import dev.agentguard.core.ModelCall;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * Follows what the guarded decorators do beyond what the guard's decisions carry: the request as sent, the
 * response received, and the AI-service invocations around calls. For integrations such as tracing
 * ({@code agent-guard-opentelemetry}), which pair it with the guard's {@link dev.agentguard.core.DecisionListener}
 * events; applications do not need it.
 *
 * <p>Registered per guard ({@link #register(Guard, GuardedCallObserver)}): every {@link GuardedChatModel},
 * {@link GuardedStreamingChatModel} and {@link GuardedAiServices} service of that guard, wrapped before or after,
 * reports to it. With no observer registered a decorator pays one volatile read per call.
 *
 * <p>Order for one model call: {@link #modelCallStarting} on the caller's thread before the guard admits the call
 * (so the guard's admission event fires inside it), then on the returned observation {@link
 * ModelCallObservation#admitted} (calls that go ahead only, before the delegate), {@link
 * ModelCallObservation#responded} (before the admission is settled, on whatever thread the response arrives: a
 * streaming provider's), and {@link ModelCallObservation#close()} on the caller's thread when the decorator
 * returns (for a stream, when the delegate's {@code chat} returns, usually before the stream ends). An observer
 * that throws breaks the call: keep it simple and total.
 */
public interface GuardedCallObserver {

    /**
     * Registers an observer for every decorator of a guard. Several may be registered; each sees every call.
     *
     * @param guard the guard
     * @param observer the observer
     */
    static void register(Guard guard, GuardedCallObserver observer) {
        CallObservers.register(guard, observer);
    }

    /**
     * Removes an observer registered with {@link #register}; later calls no longer reach it.
     *
     * @param guard the guard
     * @param observer the observer
     */
    static void unregister(Guard guard, GuardedCallObserver observer) {
        CallObservers.unregister(guard, observer);
    }

    /**
     * A model call is about to be admitted, on the caller's thread.
     *
     * @param call the call as the guard will see it: who calls (the AI-service invocation's scope, else the
     *     thread's), the model requested, the request's own output cap
     * @param provider the provider of the guarded model
     * @param request the request as the caller built it
     * @return what follows the rest of this call; never null ({@link ModelCallObservation#NONE} for nothing)
     */
    ModelCallObservation modelCallStarting(ModelCall call, ModelProvider provider, ChatRequest request);

    /**
     * An AI service built by {@link GuardedAiServices} starts an invocation, on the caller's thread.
     *
     * @param context the invocation
     * @param scope the scope its model and tool calls are attributed to
     */
    default void invocationStarted(InvocationContext context, GuardScope scope) {
    }

    /**
     * The invocation completed or failed.
     *
     * @param context the invocation
     * @param error what ended it, or null when it completed
     */
    default void invocationEnded(InvocationContext context, Throwable error) {
    }

    /** The rest of one model call. */
    interface ModelCallObservation {

        /** Observes nothing. */
        ModelCallObservation NONE = new ModelCallObservation() {
        };

        /**
         * The guard let the call go ahead; the delegate is about to be called.
         *
         * @param admission the admission (its decision, model, output cap)
         * @param sent the request as it will be sent (downgraded, truncated, capped)
         * @param provider the provider of the model instance that receives it (another one when routed)
         */
        default void admitted(Admission admission, ChatRequest sent, ModelProvider provider) {
        }

        /**
         * The complete response arrived; the admission is settled right after.
         *
         * @param response the response
         */
        default void responded(ChatResponse response) {
        }

        /** The decorator returns to its caller (on the caller's thread). */
        default void close() {
        }
    }
}
