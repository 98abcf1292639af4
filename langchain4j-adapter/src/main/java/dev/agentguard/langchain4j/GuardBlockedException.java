package dev.agentguard.langchain4j;

import dev.agentguard.core.Decision;
import dev.langchain4j.exception.NonRetriableException;
import java.util.Objects;

/**
 * A guarded call was refused: a model call blocked or suspended, or a tool call blocked. Extends LangChain4j's
 * {@link NonRetriableException} so that no retry loop sends the call again; {@link #decision()} says which rule
 * refused it and why.
 *
 * <p>Inside an AI service, a model call's refusal ends the invocation as any model error does; a tool call's
 * refusal with {@code block} is rethrown by the tool error handler that {@link GuardedAiServices} installs, so that
 * it ends the invocation instead of being handed to the model as an error text. A refusal with {@code feedback} is
 * no exception: the tool returns a text that tells the model what to do instead. Streaming refusals arrive at
 * {@code StreamingChatResponseHandler.onError}.
 */
public class GuardBlockedException extends NonRetriableException {

    private static final long serialVersionUID = 1L;

    private final String guardName;
    private final String call;
    private final transient Decision decision;

    /**
     * @param guardName the refusing guard's policy name
     * @param call what was refused, e.g. {@code model call to gpt-4o} or {@code tool call search_web}
     * @param decision the refusal
     */
    public GuardBlockedException(String guardName, String call, Decision decision) {
        super(message(guardName, call, decision));
        this.guardName = guardName;
        this.call = call;
        this.decision = Objects.requireNonNull(decision, "decision");
    }

    /** The one place refusal messages are worded. */
    static String message(String guardName, String call, Decision d) {
        return "guard " + guardName + " refused the " + call + " (" + d.action().id() + " by " + d.rule() + "): "
                + d.reason();
    }

    /**
     * The text a tool returns to the model when its call is refused with {@code feedback}: what was refused, why,
     * and what to do instead.
     */
    static String feedback(String tool, Decision d) {
        String advice = d.advice() != null ? d.advice()
                : "Do not call " + tool + " again with these arguments; carry on without it or answer the user.";
        return "The call to " + tool + " was not executed: the guard refused it (" + d.rule() + ": " + d.reason()
                + "). " + advice;
    }

    /** @return the decision that refused the call: action, rule, reason, figures (null after deserialisation) */
    public Decision decision() {
        return decision;
    }

    /** @return the policy name of the guard that refused the call */
    public String guardName() {
        return guardName;
    }

    /** @return what was refused, e.g. {@code model call to gpt-4o} or {@code tool call search_web} */
    public String call() {
        return call;
    }
}
