package dev.agentguard.core;

/**
 * Estimates the tokens of a prompt when the caller supplies no count. Used only to size a reservation before a
 * call; the settlement uses the provider's reported usage.
 *
 * <p>An estimate that is too low lets concurrent calls reserve less than they spend, so that a hard limit can be
 * passed; one that is too high refuses calls that would have fit. The default ({@link #conservative()}) is
 * {@link ScriptAwareEstimator}: an upper bound, in practice, of what the common tokenizers count for every script,
 * within twice the real count for English. Where the model's tokenizer is known, an adapter can count exactly
 * instead: see {@link TokenCounting}.
 */
@FunctionalInterface
public interface TokenEstimator {

    /**
     * @param text the prompt text
     * @return the estimated number of tokens, at least 0
     */
    long estimate(CharSequence text);

    /**
     * Estimates from a character count alone, for callers that do not want to build the text. This default counts
     * one token per three characters, rounded up, which is too low for most scripts other than Latin; the default
     * estimator overrides it with a bound for every script it measures.
     *
     * @param chars the number of characters
     * @return the estimated number of tokens
     */
    default long estimateChars(long chars) {
        return (chars + 2) / 3;
    }

    /** @return the default estimator, {@link ScriptAwareEstimator}: one shared instance */
    static TokenEstimator conservative() {
        return ScriptAwareEstimator.INSTANCE;
    }
}
