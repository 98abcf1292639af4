package dev.agentguard.core;

import java.util.Locale;

/**
 * How the prompt of a model call is sized when the caller gives no token count: with the guard's
 * {@link TokenEstimator}, or with the model's own tokenizer where an adapter has it. The policy key
 * {@code tokens.estimator}; set with {@link GuardConfig.Builder#tokenCounting}.
 *
 * <p>Core has no tokenizer of its own (it stays free of them); the LangChain4j adapter counts OpenAI models with
 * jtokkit ({@code com.knuddels:jtokkit}, an optional dependency the application adds) the way OpenAI bills a chat
 * request: the messages with their per-message overhead, the tool definitions, the tool calls and results. A call
 * made through {@link Guard#admitModelCall} directly is sized by the {@link TokenEstimator} whatever this says.
 */
public enum TokenCounting {
    /**
     * The default: the model's tokenizer where it is known and available (an OpenAI model, with jtokkit on the class
     * path), else the {@link TokenEstimator}. A {@link TokenEstimator} of your own takes precedence over a tokenizer.
     */
    AUTO,
    /** Always the {@link TokenEstimator}: by default {@link ScriptAwareEstimator}, which bounds every script. */
    CONSERVATIVE,
    /**
     * OpenAI's tokenizer for every model: o200k for gpt-4o, gpt-4.1, gpt-5, the o-series and any model it does not
     * know, cl100k for gpt-4, gpt-3.5 and older. Without jtokkit on the class path the adapter falls back to the
     * {@link TokenEstimator} and says so once at WARN.
     */
    OPENAI;

    /** @return the lower-case id used in policies */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
