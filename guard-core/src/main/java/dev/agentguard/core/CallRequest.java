package dev.agentguard.core;

/**
 * What the caller asked for, as the guard saw it before deciding: the request behind an admission, recorded with it
 * (decision record version 2) so that a recorded run can be replayed under another policy.
 *
 * @param provider the provider id, e.g. {@code openai}; null when unknown or for a tool call
 * @param promptTokens the prompt's tokens as asked, before any truncation (counted or estimated); -1 for a tool call
 * @param maxOutputTokens the request's own output cap; -1 when it set none (the policy's default then applies) and
 *     for a tool call
 * @param requestFingerprint a model call's fingerprint of its messages and tools (see
 *     {@link ModelCall#requestFingerprint()}); 0 when unknown and for a tool call
 * @param continuesToolResult true if a model call's last message is a tool result
 * @param argumentsFingerprint a tool call's 64-bit fingerprint of the tool and its canonical arguments; 0 for a
 *     model call
 */
public record CallRequest(String provider, long promptTokens, long maxOutputTokens, long requestFingerprint,
        boolean continuesToolResult, long argumentsFingerprint) {

    /** No request recorded (an event built without one). */
    public static final CallRequest NONE = new CallRequest(null, -1, -1, 0, false, 0);

    static CallRequest of(ModelCall call, long promptTokens) {
        return new CallRequest(call.provider(), promptTokens, call.maxOutputTokens() > 0 ? call.maxOutputTokens() : -1,
                call.requestFingerprint(), call.continuesToolResult(), 0);
    }

    static CallRequest ofTool(long argumentsFingerprint) {
        if (argumentsFingerprint == 0) {
            return NONE; // nothing to record: no object per call
        }
        return new CallRequest(null, -1, -1, 0, false, argumentsFingerprint);
    }
}
