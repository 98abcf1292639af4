package dev.agentguard.core;

/**
 * Shortens a call's prompt for a {@code truncate} decision, so that the guard reserves what is actually sent.
 * Given with the call ({@link ModelCall.Builder#truncator}); the guard asks it once, during admission, and the
 * caller then sends the prompt as this shortened it. Decorators provide one; a caller of the low-level protocol
 * that gives none is reserved for the whole prompt (it may not truncate at all).
 */
@FunctionalInterface
public interface PromptTruncator {

    /**
     * Shortens the prompt as far as needed to reach the target, or as far as it can (system messages and the
     * latest user message, say, must stay), and remembers the result for sending.
     *
     * @param targetTokens the size to reach, in the guard's token estimate
     * @return the size of the shortened prompt in the same estimate: at most the target when it could be reached,
     *     above it when what must stay is larger
     */
    long fit(long targetTokens);
}
