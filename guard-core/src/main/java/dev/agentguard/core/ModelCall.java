package dev.agentguard.core;

/**
 * A model call about to be made, as the guard needs to see it: who calls, which model, how big the prompt is and
 * how much output it may produce. Built by {@link #builder(String)}; immutable.
 *
 * <p>Give the prompt size as a token count when you have one ({@link Builder#promptTokens(long)}), otherwise as
 * text or a character count, which the guard's {@link TokenEstimator} turns into tokens.
 */
public final class ModelCall {

    private final GuardScope scope;
    private final String provider;
    private final String model;
    private final long promptTokens;
    private final CharSequence promptText;
    private final long promptChars;
    private final long maxOutputTokens;
    private final long requestFingerprint;
    private final PromptTruncator truncator;
    private final boolean continuesToolResult;

    private ModelCall(Builder b) {
        this.continuesToolResult = b.continuesToolResult;
        this.truncator = b.truncator;
        this.scope = b.scope == null ? GuardScope.current() : b.scope;
        this.provider = b.provider;
        this.model = b.model;
        this.promptTokens = b.promptTokens;
        this.promptText = b.promptText;
        this.promptChars = b.promptChars;
        this.maxOutputTokens = b.maxOutputTokens;
        this.requestFingerprint = b.requestFingerprint;
    }

    /**
     * @param model the model name as sent to the provider, e.g. {@code gpt-4o-mini}
     * @return a builder
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** @return who is calling; the thread's bound scope unless one was given */
    public GuardScope scope() {
        return scope;
    }

    /** @return the provider id (e.g. {@code openai}), or null when unknown */
    public String provider() {
        return provider;
    }

    /** @return the requested model */
    public String model() {
        return model;
    }

    /** @return the prompt's token count when the caller knows it, else -1 */
    public long promptTokens() {
        return promptTokens;
    }

    /** @return the prompt text to estimate from, or null */
    public CharSequence promptText() {
        return promptText;
    }

    /** @return the prompt's character count to estimate from, or -1 */
    public long promptChars() {
        return promptChars;
    }

    /** @return the request's output cap, or -1 when it sets none */
    public long maxOutputTokens() {
        return maxOutputTokens;
    }

    /** @return a fingerprint of the request's messages and tools (for loop detection), or 0 when unknown */
    public long requestFingerprint() {
        return requestFingerprint;
    }

    /**
     * @return true if the request's last message is a tool's result: the call continues the turn whose tool call
     *     came before it, rather than answering a new user message
     */
    public boolean continuesToolResult() {
        return continuesToolResult;
    }

    /** @return what shortens the prompt for a {@code truncate} decision, or null when the caller cannot */
    public PromptTruncator truncator() {
        return truncator;
    }

    /**
     * @param estimator turns text into tokens
     * @return the prompt's tokens: the given count, else an estimate from the text or characters, else 0
     */
    public long promptTokens(TokenEstimator estimator) {
        if (promptTokens >= 0) {
            return promptTokens;
        }
        if (promptText != null) {
            return estimator.estimate(promptText);
        }
        return promptChars >= 0 ? estimator.estimateChars(promptChars) : 0;
    }

    @Override
    public String toString() {
        return "ModelCall{" + model + (provider == null ? "" : " @" + provider) + ", " + scope + '}';
    }

    /** Builds a {@link ModelCall}. */
    public static final class Builder {
        private GuardScope scope;
        private String provider;
        private final String model;
        private long promptTokens = -1;
        private CharSequence promptText;
        private long promptChars = -1;
        private long maxOutputTokens = -1;
        private long requestFingerprint;
        private PromptTruncator truncator;
        private boolean continuesToolResult;

        private Builder(String model) {
            this.model = model;
        }

        /** @param scope who is calling; default {@link GuardScope#current()} @return this */
        public Builder scope(GuardScope scope) {
            this.scope = scope;
            return this;
        }

        /** @param provider the provider id, e.g. {@code openai}, {@code anthropic} @return this */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /** @param tokens the prompt's token count @return this */
        public Builder promptTokens(long tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("promptTokens must be >= 0, was " + tokens);
            }
            this.promptTokens = tokens;
            return this;
        }

        /** @param text the prompt text, estimated when no token count is given @return this */
        public Builder promptText(CharSequence text) {
            this.promptText = text;
            return this;
        }

        /** @param chars the prompt's length in characters @return this */
        public Builder promptChars(long chars) {
            if (chars < 0) {
                throw new IllegalArgumentException("promptChars must be >= 0, was " + chars);
            }
            this.promptChars = chars;
            return this;
        }

        /** @param tokens the request's output cap; when unset, the policy default is reserved @return this */
        public Builder maxOutputTokens(long tokens) {
            if (tokens <= 0) {
                throw new IllegalArgumentException("maxOutputTokens must be > 0, was " + tokens);
            }
            this.maxOutputTokens = tokens;
            return this;
        }

        /**
         * @param fingerprint a hash of the request's messages and tools, so that {@code loops.repeatedModelRequest}
         *     can spot the same request sent again; 0 means unknown
         * @return this
         */
        public Builder requestFingerprint(long fingerprint) {
            this.requestFingerprint = fingerprint;
            return this;
        }

        /**
         * @param continues true when the request's last message is a tool's result. After a tool call of the
         *     session was refused with {@code block} or {@code suspend}, such a call is refused too: the run ends
         *     whatever wiring turned the refusal into a tool result. A call that does not continue a tool result
         *     (a new user message) starts afresh.
         * @return this
         */
        public Builder continuesToolResult(boolean continues) {
            this.continuesToolResult = continues;
            return this;
        }

        /**
         * @param truncator shortens the prompt when {@code caps.promptTokens} says truncate, so that the guard
         *     reserves (and the caller sends) the shortened prompt; without one the whole prompt is reserved
         * @return this
         */
        public Builder truncator(PromptTruncator truncator) {
            this.truncator = truncator;
            return this;
        }

        /**
         * @return the call
         * @throws IllegalArgumentException if the model name is missing
         */
        public ModelCall build() {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("a model call needs a model name");
            }
            return new ModelCall(this);
        }
    }
}
