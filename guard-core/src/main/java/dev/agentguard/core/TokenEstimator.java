package dev.agentguard.core;

/**
 * Estimates the tokens of a prompt when the caller supplies no count. Used only to size a reservation before a
 * call; the settlement uses the provider's reported usage.
 *
 * <p>The default ({@link #conservative()}) counts one token per three characters, rounded up: tokenizers give
 * about four characters per token for English and fewer for code and most other languages, and an estimate
 * that is too low lets concurrent calls reserve less than they spend. Plug in a real tokenizer (for example
 * jtokkit) for tighter reservations.
 */
@FunctionalInterface
public interface TokenEstimator {

    /**
     * @param text the prompt text
     * @return the estimated number of tokens, at least 0
     */
    long estimate(CharSequence text);

    /**
     * Estimates from a character count alone, for callers that do not want to build the text. The default counts
     * one token per three characters, rounded up; a tokenizer-backed estimator may override it.
     *
     * @param chars the number of characters
     * @return the estimated number of tokens
     */
    default long estimateChars(long chars) {
        return (chars + 2) / 3;
    }

    /** @return the default estimator: one token per three characters, rounded up */
    static TokenEstimator conservative() {
        return text -> (text.length() + 2) / 3;
    }
}
